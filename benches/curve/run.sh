#!/usr/bin/env bash
# The cost curve of BENCHMARKS.md: the non-RSA work per envelope (end to end
# minus the raw RSA verify of the same bytes, paired in the same run) for
# payloads of 100 B to 1 MiB, compact and pretty-printed `response`, for
# respsig (ring), PHP (openssl_verify + json_decode + ==) and Python
# (`cryptography` + json.loads + ==). Run by hand from anywhere:
#
#   bash benches/curve/run.sh
#
# make.php writes the envelopes (deterministic, signed with
# testdata/keys/rsa2048.pem) to target/curve/; `cryptography` goes into a
# venv made there. CURVE_SECONDS (default 2) is the time per envelope and
# tool; CURVE_PASSES (default 2) how often the three tools take turns (each
# row's pass with the lowest median difference is kept: load only adds).
# Outputs: target/curve/all.tsv, curve.md (table) and curve.svg (plot).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/target/curve"
mkdir -p "$out"
php benches/curve/make.php "$root" "$out"

venv="$out/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import cryptography' 2>/dev/null \
    || "$venv/bin/pip" install -q cryptography

cargo bench --no-run -q --bench curve
: > "$out/all.tsv"
for pass in $(seq "${CURVE_PASSES:-2}"); do
    echo "pass $pass: respsig, php, python; loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    echo "# pass $pass loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/all.tsv"
    CURVE_DIR="$out" cargo bench -q --bench curve 2>/dev/null >> "$out/all.tsv"
    php benches/curve/curve.php "$root" "$out" >> "$out/all.tsv"
    "$venv/bin/python" benches/curve/curve.py "$root" "$out" >> "$out/all.tsv"
done
echo "# end loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/all.tsv"
{
    echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD)"
    echo "# $(php -r 'echo "PHP ", PHP_VERSION, ", ", OPENSSL_VERSION_TEXT;')"
    echo "# Python $("$venv/bin/python" -c 'import sys, cryptography; print(sys.version.split()[0], "cryptography", cryptography.__version__)')"
} > "$out/curve.md"
python3 benches/curve/plot.py "$out/all.tsv" "$out/curve.svg" >> "$out/curve.md"
cat "$out/curve.md"
