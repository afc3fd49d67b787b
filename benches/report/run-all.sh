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
    features=parallel
    [ "$backend" = aws-lc ] && features=aws-lc,parallel
    CRITERION_HOME="$out/criterion-$backend" cargo bench --features "$features" \
        --bench verify --bench parts -- "${T[@]}" 2>&1 | tee "$out/criterion-$backend.txt"
    cargo bench -q --features "$features" --bench paired 2>/dev/null | tee "$out/paired-$backend.md"
    cargo bench -q --features "$features" --bench batch 2>/dev/null | tee "$out/batch-$backend.md"
    alloc_features=()
    [ "$backend" = aws-lc ] && alloc_features=(--features aws-lc)
    cargo run -q --release --manifest-path benches/alloc/Cargo.toml "${alloc_features[@]}" \
        | tee "$out/alloc-$backend.md"
    bash benches/compare/run.sh "$([ "$backend" = aws-lc ] && echo aws-lc || true)"
    cp target/compare/results.txt "$out/compare-$backend.txt"
done
bash benches/curve/run.sh
cp target/curve/curve.md "$out/curve.md"
cp target/curve/curve.svg "$out/curve.svg"
echo "end: loadavg $(cat /proc/loadavg)" >> "$out/machine.txt"
python3 benches/report/report.py --svg ring="$out/criterion-ring" aws-lc="$out/criterion-aws-lc" \
    | tee "$out/tables.md"
