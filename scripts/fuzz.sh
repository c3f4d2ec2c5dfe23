#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time, with a corpus
# seeded from the real samples in ../shared and the project's own test files.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]
#
# Installs cargo-fuzz when missing. Runs on the stable toolchain: the
# sanitizer flags cargo-fuzz passes are nightly-only, and RUSTC_BOOTSTRAP=1
# lets stable rustc accept them. A crash leaves its input in
# fuzz/artifacts/<target>/ and makes the script exit 1; turn each one into a
# unit test beside the parser (docs/security.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
shared=../shared

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

corpus_root=fuzz/corpus
seed() {
  # seed TARGET FILE...: copies the files that exist into the target's corpus.
  local target=$1
  shift
  mkdir -p "$corpus_root/$target"
  for f in "$@"; do
    [ -f "$f" ] && cp -f "$f" "$corpus_root/$target/seed-$(basename "$f")" || true
  done
}
head_of() {
  # head_of FILE LINES OUT: the first lines of a large file as a seed.
  [ -f "$1" ] && head -n "$2" "$1" >"$3" || true
}

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
goaml=("$shared"/reference/goaml/*/samples/*.xml)
head_of "$shared/data/lists/un/consolidated-2026-02-27.xml" 400 "$seeds/un-head.xml"
head_of "$shared/data/lists/ofac/sdn-2021-07/sdn.csv" 200 "$seeds/sdn-head.csv"
head_of "$shared/data/amlsim/seed8-10k-accounts/transactions.csv" 200 "$seeds/amlsim-head.csv"
printf 'id,timestamp,from_account,to_account,amount,currency,channel\nT1,2026-03-01T10:00:00Z,NXTJB1XX|A1,NXTJB2XX|B1,250.00,TJS,domestic_transfer\n' >"$seeds/interchange.csv"
printf 'id,name,birth_date,country,kind\nq1,Джамшед Рахимов,1985-03-14,TJ,person\nq2,عبد الله,,AF,person\nq3,OOO Northern Trade,,KG,organisation\n' >"$seeds/queries.csv"
printf 'id,name,aliases,kind,birth_date,nationality\nL1,ERIC BADEGE,Eric Badege;Badege Eric,person,1971,CD\n' >"$seeds/plain-list.csv"
printf '{"id":"NK-1","schema":"Person","properties":{"name":["Jamshed Rahimov"],"birthDate":["1984-03"]}}\n' >"$seeds/ftm.json"
printf '1250.50\n2026-03-01T10:00:00Z\n1984-04-26\n' >"$seeds/values.txt"
printf 'fan_window = 3d\nfan_min = 5\nthreshold.TJS = 60000\n' >"$seeds/detect.conf"

for t in "${targets[@]}"; do
  case "$t" in
    goaml_reports | xml_records) seed "$t" "${goaml[@]}" "$seeds/un-head.xml" ;;
    un_list) seed "$t" "$seeds/un-head.xml" ;;
    sanctions_lists) seed "$t" "$seeds/un-head.xml" "$seeds/sdn-head.csv" "$seeds/plain-list.csv" "$seeds/ftm.json" ;;
    interchange_transactions) seed "$t" "$seeds/interchange.csv" ;;
    detection_inputs) seed "$t" "$seeds/interchange.csv" "$seeds/detect.conf" "$seeds/amlsim-head.csv" ;;
    screening_queries | name_matching) seed "$t" "$seeds/queries.csv" ;;
    amounts_and_times) seed "$t" "$seeds/values.txt" ;;
    gfp_params) seed "$t" crates/nexus/tests/data/gfp/*.json ;;
    high_risk_areas) printf 'Kunduz Province\n' | cat - docs/examples/high-risk-areas.txt >"$seeds/areas.txt"; seed "$t" "$seeds/areas.txt" ;;
    *) seed "$t" ;;
  esac
done

failed=()
for t in "${targets[@]}"; do
  echo "== $t: ${seconds} s"
  if ! (cd fuzz && cargo fuzz run "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 2>&1 | grep -E '^(==|#[0-9]+ +DONE|stat::number_of_executed_units|SUMMARY|ERROR|artifact_prefix|Test unit written|thread .* panicked)' ); then
    :
  fi
  if ls "fuzz/artifacts/$t"/crash-* "fuzz/artifacts/$t"/oom-* "fuzz/artifacts/$t"/timeout-* >/dev/null 2>&1; then
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found failures in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds} s each, no crash"
