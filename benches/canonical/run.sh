#!/usr/bin/env bash
# `respsig canonicalize` against PHP's json_encode(json_decode(...)) on four
# 1 MiB inputs (inputs.py: 5e-324 repeated, random doubles, random
# integers, strings full of escapes and non-ASCII), whole processes on the
# same files, same run. Run by hand, not in CI:
#
#   bash benches/canonical/run.sh [ROUNDS]     # default 11 rounds
#
# Needs php-cli and python3. The inputs go to target/canonical/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/canonical"
mkdir -p "$out"
command -v php >/dev/null || { echo "php-cli is required" >&2; exit 1; }
cargo build --release -q -p respsig-cli
python3 benches/canonical/inputs.py "$out"
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) $(php -r 'echo "PHP ", PHP_VERSION;')"
python3 benches/canonical/compare.py "$target/release/respsig" "$out" "${1:-11}"
