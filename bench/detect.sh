#!/usr/bin/env bash
# Benchmark of typology detection (issue 4).
#   1. Quality: AMLSim (real output in ../shared): train on the first 60% of the
#      time span, evaluate on the last 40%; simulator: train on one scenario
#      (seed 3), detect on an independent one (seed 4). Rules alone vs rules+model.
#   2. Graph features side by side with IBM snapml's GraphFeaturePreprocessor
#      (bench/gfp_compare.py: the paper's AML configuration from ../shared/tools/peers,
#      streaming batches of 2048) on the same 1M and 5M transaction inputs, 1 and 2
#      threads each: every value compared, throughput of both, ratio.
#   3. Batch detection on 10M transactions (load, rules, features, model): time, memory.
#   4. Streaming (`detect --follow`): throughput and latency per transaction.
# Usage: bash bench/detect.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/detect
mkdir -p "$out"
cargo build --release -p nexus >/dev/null 2>&1
nexus=target/release/nexus
amlsim=../shared/data/amlsim/seed8-10k-accounts
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -c "import snapml, numpy" 2>/dev/null || .venv/bin/pip install -q snapml numpy

summary=$out/summary.txt
: > "$summary"
say() { echo "$@" | tee -a "$summary"; }

say "== 1. quality =="
$nexus convert --from amlsim "$amlsim" --out "$out/amlsim" --force 2>/dev/null
$nexus train --transactions "$out/amlsim/transactions.csv" --labels "$out/amlsim/labels.csv" \
  --out "$out/amlsim-model.txt" --holdout 0.4 2>"$out/train-amlsim.log" | tee -a "$summary"
for seed in 3 4; do
  $nexus simulate --seed $seed --out "$out/sim$seed" --force 2>/dev/null
done
$nexus train --transactions "$out/sim3/transactions.csv" --labels "$out/sim3/labels.csv" \
  --out "$out/sim-model.txt" --holdout 0 2>"$out/train-sim.log"
say "simulator: trained on seed 3, detected on seed 4 (counted on the alerts file by bench/alerts_eval.py)"
$nexus detect --transactions "$out/sim4/transactions.csv" --all \
  --model "$out/sim-model.txt" --out "$out/sim4-alerts.csv" 2>"$out/detect-sim.log"
say "-- rules + model"
python3 bench/alerts_eval.py "$out/sim4-alerts.csv" "$out/sim4/labels.csv" "$out/sim4/transactions.csv" | tee -a "$summary"
$nexus detect --transactions "$out/sim4/transactions.csv" --out "$out/sim4-rules.csv" 2>/dev/null
say "-- rules alone"
python3 bench/alerts_eval.py "$out/sim4-rules.csv" "$out/sim4/labels.csv" "$out/sim4/transactions.csv" | tee -a "$summary"
# What the service adds: its screening. Every party is screened against the
# scenario's list; the accounts of the parties that match are flagged
# designated (namesakes included), as the service's open screening alerts do,
# and the accounts of parties living in the areas docs/examples/high-risk-areas.txt
# names are flagged high_risk_area.
python3 bench/screening_flags.py queries "$out/sim4" "$out/sim4-parties.csv"
$nexus screen --list "$out/sim4/lists/scenario-list.xml" --names "$out/sim4-parties.csv" \
  --out "$out/sim4-screening.csv" 2>/dev/null
python3 bench/screening_flags.py flags "$out/sim4" "$out/sim4-screening.csv" "$out/sim4-flagged.csv" \
  docs/examples/high-risk-areas.txt | tee -a "$summary"
$nexus detect --transactions "$out/sim4/transactions.csv" --model "$out/sim-model.txt" \
  --flagged "$out/sim4-flagged.csv" --out "$out/sim4-alerts-screened.csv" 2>/dev/null
say "-- rules + model + screening flags (what the service runs)"
python3 bench/alerts_eval.py "$out/sim4-alerts-screened.csv" "$out/sim4/labels.csv" "$out/sim4/transactions.csv" | tee -a "$summary"

say
say "== 2. graph features: nexus features --gfp vs snapml GraphFeaturePreprocessor, same input, parameters, batches, threads =="
for spec in "1M 20000 130" "5M 55000 240"; do
  set -- $spec
  $nexus simulate --seed 9 --persons "$2" --days "$3" --out "$out/f$1" --force 2>/dev/null
  for t in 1 2; do
    say "-- $1, $t thread(s)"
    .venv/bin/python bench/gfp_compare.py "$out/f$1/transactions.csv" "$nexus" "$t" 2>/dev/null \
      | tee -a "$summary" || true
  done
done

say
say "== 3. batch detection on 10M transactions =="
$nexus simulate --seed 7 --persons 110000 --days 240 --out "$out/big" --force 2>/dev/null
/usr/bin/time -f "%e %M" -o "$out/big.time" $nexus detect --transactions "$out/big/transactions.csv" \
  --model "$out/sim-model.txt" --out "$out/big-alerts.csv" 2> "$out/big.log"
grep -E "loaded|rules found|features of|model adds" "$out/big.log" | sed 's/^nexus: //' | tee -a "$summary"
read -r wall rss < "$out/big.time"
say "whole process ${wall} s, peak RSS $((rss / 1024)) MiB"

say
say "== 4. streaming: detect --follow on the 10M-transaction stream =="
/usr/bin/time -f "%e %M" -o "$out/follow.time" $nexus detect --follow --transactions - \
  --out "$out/follow-alerts.csv" < "$out/big/transactions.csv" 2> "$out/follow.log"
tail -1 "$out/follow.log" | sed 's/^nexus: //' | tee -a "$summary"
read -r wall rss < "$out/follow.time"
say "whole process ${wall} s, peak RSS $((rss / 1024)) MiB"
rm -rf "$out/big" "$out/f1M" "$out/f5M"
