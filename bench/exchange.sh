#!/usr/bin/env bash
# Private matching of 100,000 subjects against 1,000,000 at the partner: nexus's
# ECDH-PSI over Ristretto255 and OpenMined PSI (the open-source PSI a data officer
# would otherwise pick) on the same inputs, in one run.
#   bash bench/exchange.sh [N] [M] [COMMON]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}; M=${2:-1000000}; COMMON=${3:-10000}
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import private_set_intersection" 2>/dev/null || .venv/bin/pip install -q openmined-psi
echo "| implementation | sizes | found | request | partner's answer | requester's finish | total | sent | received |"
echo "|---|---|---|---|---|---|---|---|---|"
cargo bench -q -p nexus-exchange --bench psi -- "$N" "$M" "$COMMON"
# The same on one core, as the peer runs.
taskset -c 0 cargo bench -q -p nexus-exchange --bench psi -- "$N" "$M" "$COMMON"
.venv/bin/python bench/exchange_peer.py "$N" "$M" "$COMMON"
