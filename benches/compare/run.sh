#!/usr/bin/env bash
# Side-by-side: the same envelopes (envelopes.txt) checked end to end by
# respsig, PHP (openssl_verify, key loaded once) and Python `cryptography`
# (key loaded once), in envelopes per second. Run by hand, not in CI:
#
#   bash benches/compare/run.sh            # ring backend
#   bash benches/compare/run.sh aws-lc     # respsig built with --features aws-lc
#
# COMPARE_SECONDS (default 0.5) and COMPARE_ROUNDS (default 5) set each
# timing round's length and how many rounds' median a pass reports;
# COMPARE_PASSES (default 2) how often the three tools take turns (the best
# pass per tool and envelope is reported). Installs
# php-cli, openssl and python3-venv with apt-get if missing (sudo only when
# not root); `cryptography` goes into a venv under target/compare/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
out="$root/target/compare"
mkdir -p "$out"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
command -v php >/dev/null || missing+=(php-cli)
command -v openssl >/dev/null || missing+=(openssl)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
php -r 'exit(function_exists("openssl_verify") ? 0 : 1);' \
    || { echo "PHP has no openssl extension" >&2; exit 1; }

venv="$out/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import cryptography' 2>/dev/null \
    || "$venv/bin/pip" install -q cryptography

features=()
[ "${1:-}" = "aws-lc" ] && features=(--features aws-lc)
cargo bench --no-run -q --bench compare "${features[@]}"
# The tools take turns, COMPARE_PASSES times (default 2); each envelope's
# best pass counts (noise from other work on the machine only slows down).
: > "$out/all.tsv"
for pass in $(seq "${COMPARE_PASSES:-2}"); do
    echo "pass $pass: respsig, php, python" >&2
    cargo bench -q --bench compare "${features[@]}" 2>/dev/null >> "$out/all.tsv"
    php benches/compare/compare.php "$root" >> "$out/all.tsv"
    "$venv/bin/python" benches/compare/compare.py "$root" >> "$out/all.tsv"
done

{
    echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) backend=${1:-ring}"
    echo "# $(php -r 'echo "PHP ", PHP_VERSION, ", ", OPENSSL_VERSION_TEXT;')"
    echo "# Python $("$venv/bin/python" -c 'import sys, cryptography; print(sys.version.split()[0], "cryptography", cryptography.__version__)')"
} > "$out/results.txt"
awk -F'\t' '
    { if ($3 > rate[$1, $2]) rate[$1, $2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
    END {
        printf "%-12s %12s %12s %12s %10s %10s\n", "envelope", "respsig/s", "php/s", "python/s", "vs php", "vs python"
        for (i = 0; i < n; i++) {
            e = order[i]; r = rate["respsig", e]; p = rate["php", e]; y = rate["python", e]
            printf "%-12s %12.0f %12.0f %12.0f %9.2fx %9.2fx\n", e, r, p, y, r / p, r / y
        }
    }' "$out/all.tsv" >> "$out/results.txt"
cat "$out/results.txt"
