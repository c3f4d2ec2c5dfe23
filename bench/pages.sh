#!/usr/bin/env bash
# The daily pages (case file, cases list, account pages, message board,
# reports, the case graph's data) on the national-scale database that
# bench/service.sh builds (10 M transactions). Each page is read under its
# purpose and audited, as in use.
#
#   bash bench/pages.sh                        # on out/bench-service/fiu10m.db (or fiu.db)
#   DB=path/to/fiu.db bash bench/pages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
db=${DB:-}
if [ -z "$db" ]; then
  for f in out/bench-service/fiu10m.db out/bench-service/fiu.db; do
    [ -f "$f" ] && { db=$f; break; }
  done
fi
[ -n "$db" ] || { echo "no database: run bench/service.sh first (or set DB)" >&2; exit 1; }
db=$(realpath "$db")
cargo bench -q -p nexus --bench pages -- --db "$db" --threads "${THREADS:-4}" --requests "${REQUESTS:-1000}"
