#!/usr/bin/env bash
# Fetches the current sanctions lists from their official publishers, checks
# that nexus reads each one, reports what changed since the last fetch
# (`nexus screen diff`), and only then replaces the previous copy.
#
# Usage: bash scripts/fetch-lists.sh [DIR]        (default: lists/)
# Then:  nexus screen --list DIR/un.xml --list DIR/ofac --list DIR/eu.xml --names customers.csv --out matches.csv
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-lists}
mkdir -p "$dir"
cargo build --release -p nexus >/dev/null 2>&1
nexus=target/release/nexus
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'id,name\nprobe,Probe Name\n' > "$probe/q.csv"

fetch() { # url, target file
  curl --fail --location --silent --show-error --retry 3 --max-time 300 -o "$2" "$1"
}

# Checks a freshly fetched list, diffs it against the previous copy, installs it.
install() { # new path, final path
  local new=$1 final=$2
  if ! $nexus screen --list "$new" --names "$probe/q.csv" --out "$probe/m.csv"; then
    echo "fetch-lists: $new is not a readable list; keeping the previous copy" >&2
    rm -rf "$new"
    return 1
  fi
  if [ -e "$final" ]; then
    $nexus screen diff "$final" "$new" --out "$final.changes.csv" | head -1
  fi
  rm -rf "$final"
  mv "$new" "$final"
  echo "fetch-lists: installed $final"
}

# UN Security Council Consolidated List (1267/1989/2253, 1988 and all other regimes).
fetch https://scsanctions.un.org/resources/xml/en/consolidated.xml "$dir/un.xml.new" &&
  install "$dir/un.xml.new" "$dir/un.xml" || true

# US OFAC SDN list, legacy CSV files.
mkdir -p "$dir/ofac.new"
if fetch https://www.treasury.gov/ofac/downloads/sdn.csv "$dir/ofac.new/sdn.csv"; then
  for f in alt.csv add.csv sdn_comments.csv; do
    fetch "https://www.treasury.gov/ofac/downloads/$f" "$dir/ofac.new/$f" || true
  done
  install "$dir/ofac.new" "$dir/ofac" || true
fi

# EU Financial Sanctions Files (consolidated list, XML 1.1; public token).
fetch "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw" \
  "$dir/eu.xml.new" && install "$dir/eu.xml.new" "$dir/eu.xml" || true
