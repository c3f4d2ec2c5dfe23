#!/usr/bin/env bash
# Screening on variants of the real UN list's names (issue 16): every person's
# NAME_ORIGINAL_SCRIPT in Arabic script with three or more words is queried
# (drop) with one word other than the first dropped and (order) with its words
# in another order; every person's Latin name of three or more words (middle)
# with a middle word dropped and (typo) with one letter of one word mistyped
# (replaced, left out, added or swapped with its neighbour) — a plain
# generator, not nexus's variant generator and not shaped by its matcher
# (seeded, so every run asks the same queries); and every entity's name of
# two or more words (orgtypo) with one letter of one word mistyped. A query counts as found when the entry it came from is matched at
# the default threshold; "other entries" counts matches to any other entry
# (namesakes and relatives share names: not all are false). nexus and the
# rapidfuzz peer (../shared/tools/peers) on the same queries.
# Usage: bash bench/screen_script_variants.sh
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
un=$shared/data/lists/un/consolidated-2026-02-27.xml
peers=$shared/tools/peers
out=bench/out/screen-script-variants
mkdir -p "$out"
cargo build --release -p nexus >/dev/null 2>&1
nexus=target/release/nexus
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import rapidfuzz, unidecode" 2>/dev/null || .venv/bin/pip install -q rapidfuzz unidecode
python3 - "$un" "$out" <<'PY'
import csv, random, sys
import xml.etree.ElementTree as ET
un, out = sys.argv[1:3]
rng = random.Random(5)
rows, latin = [], []
for person in ET.parse(un).getroot().iter("INDIVIDUAL"):
    name = (person.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
    words = name.split()
    if len(words) >= 3 and any("\u0600" <= c <= "\u06ff" for c in name):
        rows.append((person.findtext("DATAID"), words))
    fields = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    words = " ".join((person.findtext(f) or "").strip() for f in fields).split()
    if len(words) >= 3:
        latin.append((person.findtext("DATAID"), words))
entities = []
for entity in ET.parse(un).getroot().iter("ENTITY"):
    words = (entity.findtext("FIRST_NAME") or "").split()
    if len(words) >= 2 and any(len(w) >= 4 for w in words):
        entities.append((entity.findtext("DATAID"), words))
def typo(word):
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    letter = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return rng.choice([
        word[:i] + letter + word[i + 1:],
        word[:i] + word[i + 1:],
        word[:i] + letter + word[i:],
        word[:i - 1] + word[i] + word[i - 1] + word[i + 1:],
    ])
with open(f"{out}/queries.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "name", "kind"])
    for k, (ref, words) in enumerate(rows):
        i = rng.randrange(1, len(words))
        w.writerow([f"drop-{ref}-{k}", " ".join(words[:i] + words[i + 1:]), "person"])
        shuffled = words[:]
        rng.shuffle(shuffled)
        if shuffled != words:
            w.writerow([f"order-{ref}-{k}", " ".join(shuffled), "person"])
    for k, (ref, words) in enumerate(latin):
        i = rng.randrange(1, len(words) - 1)
        w.writerow([f"middle-{ref}-{k}", " ".join(words[:i] + words[i + 1:]), "person"])
        j = rng.randrange(len(words))
        mistyped = words[:j] + [typo(words[j])] + words[j + 1:]
        w.writerow([f"typo-{ref}-{k}", " ".join(mistyped), "person"])
    for k, (ref, words) in enumerate(entities):
        j = rng.choice([i for i, word in enumerate(words) if len(word) >= 4])
        mistyped = words[:j] + [typo(words[j])] + words[j + 1:]
        w.writerow([f"orgtypo-{ref}-{k}", " ".join(mistyped), "organisation"])
PY
$nexus screen --list "$un" --names "$out/queries.csv" --out "$out/nexus.csv" 2>/dev/null
.venv/bin/python "$peers/baseline_rapidfuzz.py" "$un" "$out/queries.csv" "$out/rapidfuzz.csv" 2>/dev/null
python3 - "$out" <<'PY' | tee "$out/summary.txt"
import csv, sys
from collections import Counter
out = sys.argv[1]
queries = [r["id"] for r in csv.DictReader(open(f"{out}/queries.csv"))]
for tool in ("nexus", "rapidfuzz"):
    hits = {}
    for r in csv.DictReader(open(f"{out}/{tool}.csv")):
        hits.setdefault(r["query_id"], set()).add(r["list_id"])
    total, found, others = Counter(), Counter(), Counter()
    for q in queries:
        variant, ref, _ = q.split("-", 2)
        total[variant] += 1
        found[variant] += ref in hits.get(q, set())
        others[variant] += len(hits.get(q, set()) - {ref})
    for v in sorted(total):
        print(f"{tool:10s} {v:6s} {found[v]:4d} of {total[v]:4d} found ({found[v] / total[v]:.3f}), {others[v]} matches to other entries")
PY
