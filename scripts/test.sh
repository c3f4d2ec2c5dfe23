#!/usr/bin/env bash
# The project's test command (README, second command; CI calls it through .ci/run).
# Installs what the tests need on a fresh Debian machine, then checks format,
# lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
# Headless Chromium and its WebDriver for the web UI's end-to-end test.
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "warning: ${need_apt[*]} missing and not root; schema checks or the browser test will be skipped" >&2
  fi
fi
# Where the browser is installed, its test must run (not skip).
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  export NEXUS_REQUIRE_BROWSER=1
fi
command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust (https://rustup.rs)" >&2; exit 1; }
rustup component add rustfmt clippy >/dev/null 2>&1 || true

cargo fmt --all -- --check
cargo clippy --release --all-targets -- -D warnings
log=$(mktemp)
pg_dir=""
cleanup() {
  rm -f "$log"
  [ -n "$pg_dir" ] && bash scripts/postgres.sh stop "$pg_dir"
}
trap cleanup EXIT

# A real PostgreSQL server (Debian's packages, a temporary directory, a free
# port) for the second run of the store and service suites and for moving an
# FIU between databases (scripts/postgres.sh).
if [ "$(id -u)" = 0 ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  eval "$(bash scripts/postgres.sh start)"
  pg_dir=$NEXUS_PG_DIR
  export NEXUS_REQUIRE_POSTGRES=1
else
  echo "warning: PostgreSQL is not installed and we are not root: its tests are skipped" >&2
fi

# Tests that need ../shared (or PostgreSQL) are #[ignore = "needs …"]: a
# plain `cargo test` counts them as skipped. Here they run, and must find
# what they need where it is there.
ignored_args=()
if [ -d ../shared ]; then
  export NEXUS_REQUIRE_SHARED=1
  ignored_args=(-- --include-ignored)
fi
cargo test --release --workspace "${ignored_args[@]}" 2>&1 | tee "$log"

if [ -n "$pg_dir" ]; then
  # The store and the whole service suite again, on PostgreSQL.
  NEXUS_TEST_BACKEND=postgres cargo test --release -p nexus-store -p nexus \
    --test records --test service --test security --test exchange --test browser --test operations --test detection_service --test investigation \
    "${ignored_args[@]}" 2>&1 | tee -a "$log"
  # Moving an FIU between the two databases (ignored above without ../shared).
  if [ ! -d ../shared ]; then
    cargo test --release -p nexus --test operations -- --ignored postgresql 2>&1 | tee -a "$log"
  fi
fi

# Schema validation of what the simulator writes, against the real schemas
# in ../shared (skipped where ../shared or xmllint is absent).
if [ -d ../shared ] && command -v xmllint >/dev/null 2>&1; then
  bash scripts/validate-schemas.sh
fi

# One closing line with the totals of every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
