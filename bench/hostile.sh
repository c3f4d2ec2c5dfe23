#!/usr/bin/env bash
# Page latency of the FIU service alone and under a stream of hostile uploads,
# sign-in guessing and half-sent requests (docs/security.md), on the demo FIU.
#
#   bash bench/hostile.sh                  # 20 s per phase, 4 attackers
#   SECONDS_LOAD=60 ATTACKERS=8 bash bench/hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LOAD=${SECONDS_LOAD:-20}
ATTACKERS=${ATTACKERS:-4}
out=$(pwd)/out/bench-hostile
cargo build --release -p nexus --benches >/dev/null 2>&1 || cargo build --release -p nexus --benches
[ -f "$out/fiu.db" ] || ./target/release/nexus demo --no-serve --dir "$out" >/dev/null
cargo bench -q -p nexus --bench hostile -- --db "$out/fiu.db" --seconds "$SECONDS_LOAD" --attackers "$ATTACKERS"
