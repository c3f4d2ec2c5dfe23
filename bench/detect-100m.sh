#!/usr/bin/env bash
# 100 million transactions: simulate them, then load and run the detection
# rules; prints load and detect time and peak memory. Needs ~8 GB of disk and
# ~16 GB of memory; takes about 15 minutes on the project machine.
# With MODEL=FILE (a `nexus train` model) the run also computes graph features
# and scores every transaction (rules + model; about 30 minutes more).
# Usage: [MODEL=model.txt] bash bench/detect-100m.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/out/detect-100m}
mkdir -p "$out"
cargo build --release -p nexus >/dev/null 2>&1
/usr/bin/time -f "%e %M" -o "$out/sim.time" target/release/nexus simulate --seed 5 \
  --persons 1100000 --days 240 --out "$out/s" --force 2> "$out/sim.log"
tail -1 "$out/sim.log"
/usr/bin/time -f "%e %M" -o "$out/detect.time" target/release/nexus detect \
  --transactions "$out/s/transactions.csv" ${MODEL:+--model "$MODEL"} --out "$out/alerts.csv" 2> "$out/detect.log"
cat "$out/detect.log"
read -r wall rss < "$out/detect.time"
echo "detect: whole process ${wall} s, peak RSS $((rss / 1024)) MiB"
rm -rf "$out/s"
