#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, one after the other:
#
#   bash fuzz/run.sh SECONDS [TARGET...]
#   FUZZ_BACKEND=ring bash fuzz/run.sh SECONDS [TARGET...]
#
# The targets link the library's default backend (aws-lc-rs);
# FUZZ_BACKEND=ring builds them with `--no-default-features --features ring`.
#
# Installs cargo-fuzz if it is missing, builds the targets, then runs each on
# its growing corpus fuzz/corpus/<target>/ (git-ignored) plus the committed
# seeds fuzz/seeds/<target>/. Prints, per target, the executions, the final
# coverage and corpus size, and where a crash input went. Exits non-zero if
# any target crashed, leaked, hung or ran out of memory (libFuzzer's exit
# code), after running all of them. Logs: fuzz/artifacts/logs/<target>.log.
#
# libFuzzer options, the same for every target:
#   -max_len=65536   64 KiB, about 9 times the largest real envelope (7,326
#                    bytes) and 20 times the largest key file: room to grow
#                    long strings and base64, 128 levels of nesting (256
#                    bytes) and 8192-bit keys, while executions stay fast.
#                    The 1 MiB input limit itself is one length comparison
#                    before any parsing, covered by the unit tests.
#   -rss_limit_mb=1024, -malloc_limit_mb=256
#                    a 64 KiB input that needs anything near this is a bug.
#   -timeout=10      one input taking 10 s is a hang (the costliest legitimate
#                    input loads and signs with an RSA-4096 key: milliseconds).
# Built with debug assertions and overflow checks (-a) and AddressSanitizer
# (cargo-fuzz's default), so an integer overflow is a crash too.
#
# cargo-fuzz needs nightly-only compiler flags; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(envelope verify canonical key sign license state)

CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

# `cargo +stable` where rustup manages the toolchains, plain cargo otherwise.
cargo=(cargo)
if command -v rustup >/dev/null 2>&1; then
  cargo=(cargo +stable)
fi
export RUSTC_BOOTSTRAP=1

build_flags=(--debug-assertions)
case "${FUZZ_BACKEND:-aws-lc}" in
  aws-lc) ;;
  ring) build_flags+=(--no-default-features --features ring) ;;
  *) echo "fuzz: FUZZ_BACKEND is aws-lc or ring, not ${FUZZ_BACKEND}" >&2; exit 2 ;;
esac
echo "fuzz: backend ${FUZZ_BACKEND:-aws-lc}"
"${cargo[@]}" fuzz build "${build_flags[@]}"

mkdir -p fuzz/artifacts/logs
failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log="fuzz/artifacts/logs/$t.log"
  echo "fuzz: $t for ${secs}s (log: $log)"
  status=0
  "${cargo[@]}" fuzz run "${build_flags[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -malloc_limit_mb=256 \
    -timeout=10 -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\) .*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$done_line")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  files=$(find "fuzz/corpus/$t" -type f | wc -l)
  line="$t: executions=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corp:-?}"
  line="$line corpus_files=$files peak_rss_mb=${rss:-?}"
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    line="$line FAILED (exit $status)"
    tail -n 60 "$log"
    grep -E 'Test unit written to|^SUMMARY' "$log" || true
  fi
  echo "fuzz: $line"
  summary+=("$line")
done

echo "fuzz: summary (${secs}s per target)"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs under fuzz/artifacts/<target>/)" >&2
  exit 1
fi
echo "fuzz: no crash"
