#!/usr/bin/env bash
# Validates a fresh scenario's UN-format list against the UN's sc-sanctions.xsd
# and its goAML reports against the goAML 5.0.1 schema. goAML code lists
# (enumerations) are FIU-specific and left empty in the generic schema, so
# enumeration facets are the one class of message ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
target/release/nexus simulate --seed 11 --persons 3000 --days 45 --out "$out/s" \
  --un-list "$shared/data/lists/un/consolidated-2026-02-27.xml" 2>/dev/null
xmllint --noout --schema "$shared/data/lists/un/sc-sanctions.xsd" "$out/s/lists/scenario-list.xml"
n=0
bad=0
for f in "$out"/s/reports/*.xml; do
  n=$((n + 1))
  errors=$(xmllint --noout --schema "$shared/reference/goaml/generic-5.0.1/goAMLSchema.xsd" "$f" 2>&1 \
    | grep -v "facet 'enumeration'" | grep -v "validates$" | grep -v "fails to validate$" || true)
  if [ -n "$errors" ]; then
    echo "$errors"
    bad=$((bad + 1))
  fi
done
echo "schema check: scenario list valid; $((n - bad)) of $n goAML reports structurally valid"
[ "$bad" -eq 0 ]
