#!/usr/bin/env bash
# Screening speed on a hard mix (issue 16): 100,000 queries of which half are
# true variants of listed names (they retrieve and score many candidates) and
# half negatives, drawn from the labelled evaluations of several seeds
# (`nexus screen evaluation`), against the real UN list; nexus and rapidfuzz
# (the peer script in ../shared/tools/peers) in the same run, whole processes
# timed alike, each tool's own screening rate beside. Quality is scored too.
# Usage: bash bench/screen_hardmix.sh [queries]
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-100000}
shared=../shared
un=$shared/data/lists/un/consolidated-2026-02-27.xml
peers=$shared/tools/peers
out=bench/out/screen-hardmix
mkdir -p "$out"
cargo build --release -p nexus >/dev/null 2>&1
nexus=target/release/nexus
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import rapidfuzz, unidecode" 2>/dev/null || .venv/bin/pip install -q rapidfuzz unidecode
for seed in 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
  [ -f "$out/eval$seed/queries.csv" ] || $nexus screen evaluation --un-list "$un" --out "$out/eval$seed" --seed "$seed" 2>/dev/null
done
python3 - "$out" "$total" <<'PY'
import csv, sys, glob
out, total = sys.argv[1], int(sys.argv[2])
pos, neg = [], []
for d in sorted(glob.glob(f"{out}/eval*")):
    truth = {r["query_id"]: r for r in csv.DictReader(open(f"{d}/truth.csv"))}
    for q in csv.DictReader(open(f"{d}/queries.csv")):
        t = truth[q["id"]]
        (neg if t["expected"] == "" else pos).append((q, t))
half = total // 2
assert len(pos) >= half and len(neg) >= total - half, (len(pos), len(neg))
rows = pos[:half] + neg[: total - half]
with open(f"{out}/queries.csv", "w", newline="") as fq, open(f"{out}/truth.csv", "w", newline="") as ft:
    wq, wt = csv.writer(fq), csv.writer(ft)
    wq.writerow(["id", "name", "birth_date", "country"]); wt.writerow(["query_id", "category", "expected"])
    for i, (q, t) in enumerate(rows):
        wq.writerow([f"h{i}", q["name"], q.get("birth_date", ""), q.get("country", "")])
        wt.writerow([f"h{i}", t["category"], t["expected"]])
print(f"hard mix: {len(rows)} queries, {half} true variants")
PY
run() { local name=$1; shift; /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" 2> "$out/$name.log" >/dev/null; }
run nexus $nexus screen --list "$un" --names "$out/queries.csv" --out "$out/nexus.csv"
run rapidfuzz .venv/bin/python "$peers/baseline_rapidfuzz.py" "$un" "$out/queries.csv" "$out/rapidfuzz.csv"
{
for tool in nexus rapidfuzz; do
  echo "-- $tool"; python3 "$peers/score.py" "$out/truth.csv" "$out/$tool.csv" | tail -1
done
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def rate(tool):
    log = open(f"{out}/{tool}.log").read()
    m = re.search(r"\(([0-9]+) queries/s", log) or re.search(r"= ([0-9.]+) queries/s", log)
    return float(m.group(1))
def wall(tool):
    return float(open(f"{out}/{tool}.time").read().split()[0])
r = {t: rate(t) for t in ("nexus", "rapidfuzz")}
w = {t: wall(t) for t in r}
for t in r:
    print(f"{t:10s} screening {r[t]:10,.0f} queries/s   whole process {w[t]:6.2f} s")
print(f"nexus / rapidfuzz: screening {r['nexus']/r['rapidfuzz']:.1f}x, whole process {w['rapidfuzz']/w['nexus']:.1f}x")
PY
} | tee "$out/summary.txt"
# The mix repeats names (half of its queries are repeats, as payment batches
# repeat counterparties), which nexus screens once: the same run on its
# distinct queries only, for the speed without that.
python3 - "$out" <<'PY'
import csv, sys
out = sys.argv[1]
seen, rows = set(), []
with open(f"{out}/queries.csv") as f:
    r = csv.reader(f)
    header = next(r)
    for row in r:
        if tuple(row[1:]) not in seen:
            seen.add(tuple(row[1:]))
            rows.append(row)
with open(f"{out}/distinct.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(header)
    w.writerows(rows)
PY
run nexus-distinct $nexus screen --list "$un" --names "$out/distinct.csv" --out "$out/nexus-distinct.csv"
run rapidfuzz-distinct .venv/bin/python "$peers/baseline_rapidfuzz.py" "$un" "$out/distinct.csv" "$out/rapidfuzz-distinct.csv"
python3 - "$out" <<'PY' | tee -a "$out/summary.txt"
import sys
out = sys.argv[1]
n = sum(1 for _ in open(f"{out}/distinct.csv")) - 1
w = {t: float(open(f"{out}/{t}-distinct.time").read().split()[0]) for t in ("nexus", "rapidfuzz")}
print(f"distinct queries only ({n:,}): nexus {w['nexus']:.2f} s, rapidfuzz {w['rapidfuzz']:.2f} s whole process: {w['rapidfuzz']/w['nexus']:.1f}x")
PY
