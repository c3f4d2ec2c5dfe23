#!/usr/bin/env bash
# Benchmark of `nexus simulate` (issue 2): 10 million transactions, streamed.
# Usage: bash bench/simulate.sh [persons] [days]
# Prints transactions, wall time, throughput and peak resident memory.
#
# Peer: IBM's AMLSim (Java + Python, a GitHub project) is the generator users
# would otherwise pick. It is not installable from the package registries this
# project can reach (crates.io, PyPI, Debian, npm), so no side-by-side run is
# possible here; the figures below are nexus alone.
set -euo pipefail
cd "$(dirname "$0")/.."
persons=${1:-110000}
days=${2:-240}
cargo build --release -p nexus >/dev/null 2>&1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -v target/release/nexus simulate --seed 7 --persons "$persons" --days "$days" --out "$out/s" 2> "$out/time.txt"
tx=$(($(wc -l < "$out/s/transactions.csv") - 1))
wall=$(grep "Elapsed (wall clock)" "$out/time.txt" | awk '{print $NF}')
rss=$(grep "Maximum resident set size" "$out/time.txt" | awk '{print $NF}')
secs=$(python3 -c "p='$wall'.split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
bytes=$(stat -c %s "$out/s/transactions.csv")
python3 - <<PY
tx=$tx; secs=$secs; rss_kb=$rss; b=$bytes
print(f"nexus simulate --persons $persons --days $days")
print(f"  transactions      {tx:,}")
print(f"  wall time         {secs:.1f} s")
print(f"  throughput        {tx/secs:,.0f} transactions/s")
print(f"  peak memory (RSS) {rss_kb/1024:,.0f} MiB")
print(f"  transactions.csv  {b/1e6:,.0f} MB")
PY

# Convert throughput on the real AMLSim output in ../shared (if present).
if [ -d ../shared/data/amlsim/seed8-10k-accounts ]; then
  start=$(date +%s.%N)
  target/release/nexus convert --from amlsim ../shared/data/amlsim/seed8-10k-accounts --out "$out/amlsim" 2>/dev/null
  end=$(date +%s.%N)
  python3 -c "s=$end-$start; print(f'nexus convert --from amlsim (200,396 transactions): {s:.2f} s, {200396/s:,.0f} transactions/s')"
fi
