#!/usr/bin/env bash
# The FIU service on a national-scale database: bulk payment data, goAML intake
# (in process and over HTTP), detection, alert-queue and entity page latencies,
# the screening endpoint under concurrent load, and goAML validation side by
# side with xmllint's XSD validation.
#
#   bash bench/service.sh                         # 10M transactions, 100k reports (about 40 min)
#   PERSONS=20000 REPORTS=5000 bash bench/service.sh   # a quick run
#   DB=postgres://nexus@127.0.0.1:5432/fiu bash bench/service.sh   # on PostgreSQL (an empty database)
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS=${PERSONS:-300000}
REPORTS=${REPORTS:-100000}
HTTP_REPORTS=${HTTP_REPORTS:-5000}
THREADS=${THREADS:-4}
SECONDS_LOAD=${SECONDS_LOAD:-20}
out=$(pwd)/out/bench-service
mkdir -p "$out"
cargo build --release -p nexus --benches >/dev/null 2>&1 || cargo build --release -p nexus --benches
if [ ! -f "$out/scenario-$PERSONS/transactions.csv" ]; then
  ./target/release/nexus simulate --seed 11 --persons "$PERSONS" --out "$out/scenario-$PERSONS" --force
fi
extra=()
un=$(pwd)/../shared/data/lists/un/consolidated-2026-02-27.xml
[ -f "$un" ] && extra+=(--un-list "$un")
xsd=$(pwd)/../shared/reference/goaml/generic-5.0.1/goAMLSchema.xsd
if [ -f "$xsd" ] && command -v xmllint >/dev/null; then extra+=(--xsd "$xsd"); fi
/usr/bin/time -v cargo bench -q -p nexus --bench service -- \
  --scenario "$out/scenario-$PERSONS" --db "${DB:-$out/fiu.db}" --reports "$REPORTS" --http-reports "$HTTP_REPORTS" \
  --threads "$THREADS" --seconds "$SECONDS_LOAD" "${extra[@]}" 2> "$out/time.txt"
grep -E "Maximum resident|Elapsed" "$out/time.txt"
