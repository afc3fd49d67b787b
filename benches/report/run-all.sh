#!/usr/bin/env bash
# Every measurement BENCHMARKS.md reports, in one go, from the repository
# root of the tree being measured. Outputs under $OUT (default
# target/bench-report): Criterion homes criterion-ring and criterion-aws-lc,
# and the text of every run. Takes about 30 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="${OUT:-$root/target/bench-report}"
mkdir -p "$out"
T=(--warm-up-time 1 --measurement-time 3)

{
    echo "commit $(git rev-parse HEAD)"
    date -u +%FT%TZ
    lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|Socket)'
    rustc -V
    cargo -V
} > "$out/machine.txt"

# The cost curve's envelopes, for parts.rs's `stages` group.
php benches/curve/make.php "$root" "$root/target/curve"

for backend in ring aws-lc; do
    echo "$backend start: loadavg $(cat /proc/loadavg)" >> "$out/machine.txt"
    features=(--no-default-features --features ring)
    [ "$backend" = aws-lc ] && features=()
    CRITERION_HOME="$out/criterion-$backend" cargo bench "${features[@]}" \
        --bench verify --bench parts -- "${T[@]}" 2>&1 | tee "$out/criterion-$backend.txt"
    cargo bench -q "${features[@]}" --bench paired 2>/dev/null | tee "$out/paired-$backend.md"
    cargo bench -q "${features[@]}" --bench batch 2>/dev/null | tee "$out/batch-$backend.md"
    cargo run -q --release --manifest-path benches/alloc/Cargo.toml "${features[@]}" \
        | tee "$out/alloc-$backend.md"
done
# Both backends in one run, with PHP, Python and openssl speed.
bash benches/compare/run.sh
cp target/compare/results.txt "$out/compare.txt"
bash benches/curve/run.sh
cp target/curve/curve.md "$out/curve.md"
cp target/curve/curve.svg "$out/curve.svg"
echo "end: loadavg $(cat /proc/loadavg)" >> "$out/machine.txt"
python3 benches/report/report.py --svg ring="$out/criterion-ring" aws-lc="$out/criterion-aws-lc" \
    | tee "$out/tables.md"
