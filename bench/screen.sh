#!/usr/bin/env bash
# Benchmark of `nexus screen` (issue 3), side by side with the peers a user
# would pick instead, on the same input in the same run:
#   (a) rapidfuzz token_sort_ratio over unidecode'd names against every list name,
#   (b) OpenSanctions nomenklatura logic-v2 in yente's two-stage shape.
# Input: the labelled evaluation built from the real UN list in ../shared
# (`nexus screen evaluation`, seed 2: tuning used seed 1). Each tool's
# matches are scored by ../shared/tools/peers/score.py.
# Then: load and screen against a synthetic list of one million entries.
#
# Usage: bash bench/screen.sh [seed] [million-list-entries]
# Needs python3 with venv; installs the peers into .venv on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-2}
big=${2:-1000000}
shared=../shared
un=$shared/data/lists/un/consolidated-2026-02-27.xml
peers=$shared/tools/peers
out=bench/out/screen
mkdir -p "$out"
cargo build --release -p nexus >/dev/null 2>&1
nexus=target/release/nexus
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -c "import rapidfuzz, unidecode, numpy, nomenklatura, anyascii" 2>/dev/null ||
  .venv/bin/pip install -q rapidfuzz unidecode numpy nomenklatura anyascii

$nexus screen evaluation --un-list "$un" --out "$out/eval" --seed "$seed"
queries=$out/eval/queries.csv
truth=$out/eval/truth.csv
n=$(($(wc -l < "$queries") - 1))

# Whole processes, timed alike; each tool also reports its own screening rate.
run() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" 2> "$out/$name.log" >/dev/null || {
    cat "$out/$name.log"; exit 1; }
}
run nexus $nexus screen --list "$un" --names "$queries" --out "$out/nexus.csv"
run rapidfuzz .venv/bin/python "$peers/baseline_rapidfuzz.py" "$un" "$queries" "$out/rapidfuzz.csv"
run logicv2 .venv/bin/python "$peers/baseline_logicv2.py" "$un" "$queries" "$out/logicv2.csv"

{
echo "== screening evaluation: $n queries from the real UN list (seed $seed) =="
for tool in nexus rapidfuzz logicv2; do
  echo "-- $tool"
  python3 "$peers/score.py" "$truth" "$out/$tool.csv"
done
echo
python3 - "$out" "$n" <<'PY'
import re, sys
out, n = sys.argv[1], int(sys.argv[2])
def rate(tool):
    log = open(f"{out}/{tool}.log").read()
    m = re.search(r"in ([0-9.]+) s \(([0-9]+) queries/s", log) or re.search(r"in ([0-9.]+)s = ([0-9.]+) queries/s", log)
    return float(m.group(2))
def proc(tool):
    wall, rss = open(f"{out}/{tool}.time").read().split()
    return float(wall), int(rss) / 1024
r = {t: rate(t) for t in ("nexus", "rapidfuzz", "logicv2")}
p = {t: proc(t) for t in r}
print(f"{'tool':10s} {'screening q/s':>14s} {'whole process':>14s} {'peak RSS':>9s}")
for t in r:
    print(f"{t:10s} {r[t]:14,.0f} {p[t][0]:12.2f} s {p[t][1]:7.0f} MiB")
for t in ("rapidfuzz", "logicv2"):
    print(f"nexus / {t}: screening {r['nexus']/r[t]:,.1f}x faster, whole process {p[t][0]/p['nexus'][0]:,.1f}x faster")
PY
} | tee "$out/summary.txt"

# Leave-one-name-out on the real lists: the publishers' own variants.
{
echo
echo "== leave-one-name-out (nexus screen leave-one-out) =="
lists=(--list "$un")
[ -d "$shared/data/lists/ofac/sdn-2021-07" ] && lists+=(--list "$shared/data/lists/ofac/sdn-2021-07")
$nexus screen leave-one-out "${lists[@]}" --out "$out/leave-one-out.csv"
} | tee -a "$out/summary.txt"

# One million entries: load, index and screen the same queries.
$nexus screen synthetic-list --entries "$big" --out "$out/synthetic.csv" 2>/dev/null
/usr/bin/time -f "%e %M" -o "$out/big.time" $nexus screen --list "$out/synthetic.csv" --list "$un" \
  --names "$queries" --out "$out/big.csv" 2> "$out/big.log"
{
echo
echo "== $big-entry synthetic list + UN list =="
grep -E "entries|screened" "$out/big.log" | sed 's/^nexus: //'
read -r wall rss < "$out/big.time"
echo "whole process ${wall} s, peak RSS $((rss / 1024)) MiB"
# Recall of the UN variants among a million other entries (alert rates are
# not meaningful here: the synthetic entries are regional people, some of
# them namesakes of the ordinary queries).
python3 "$peers/score.py" "$truth" "$out/big.csv" | grep -E "^recall" | cut -d' ' -f1-2
} | tee -a "$out/summary.txt"
rm -f "$out/synthetic.csv" "$out/big.csv"
