#!/usr/bin/env bash
# Side-by-side: the same envelopes (envelopes.txt) checked end to end by
# respsig, PHP (openssl_verify, key loaded once) and Python `cryptography`
# (key loaded once), in envelopes per second, with the RSA floor of the
# same run: `openssl speed`'s verify and sign rates for each key size (one
# process, one core, like every other column). Run by hand, not in CI:
#
#   bash benches/compare/run.sh            # both backends: default (aws-lc) and ring
#   bash benches/compare/run.sh aws-lc     # the default build only
#   bash benches/compare/run.sh ring       # --no-default-features --features ring only
#
# COMPARE_SECONDS (default 0.5) and COMPARE_ROUNDS (default 5) set each
# timing round's length and how many rounds' median a pass reports;
# COMPARE_PASSES (default 2) how often the tools take turns (the best pass
# per tool and envelope is reported); COMPARE_OPENSSL_SECONDS (default 2)
# how long `openssl speed` runs each of its operations per pass. Installs
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

which="${1:-both}"
case "$which" in
    both) backends=(aws-lc ring) ;;
    aws-lc | ring) backends=("$which") ;;
    *) echo "usage: run.sh [both|aws-lc|ring]" >&2; exit 2 ;;
esac

# One bench binary per backend, built before any timing, then run directly
# (so the turns below never wait on cargo).
bins=()
for b in "${backends[@]}"; do
    flags=()
    [ "$b" = ring ] && flags=(--no-default-features --features ring)
    bin=$(cargo bench --no-run -q --bench compare "${flags[@]}" --message-format=json \
        | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
    [ -x "$bin" ] || { echo "no compare binary for $b" >&2; exit 1; }
    bins+=("$bin")
done

# Key size of each envelope, for the floor column.
bits_of() { openssl pkey -pubin -in "$1" -noout -text | sed -n 's/.*(\([0-9]*\) bit).*/\1/p'; }
: > "$out/bits.tsv"
grep -v '^#' benches/compare/envelopes.txt | while read -r name key _; do
    [ -n "$name" ] && printf '%s\t%s\n' "$name" "$(bits_of "$key")" >> "$out/bits.tsv"
done
sizes=$(cut -f2 "$out/bits.tsv" | sort -un | sed 's/^/rsa/' | tr '\n' ' ')
[[ "$sizes" == *rsa4096* ]] || sizes="$sizes rsa4096"

# The tools take turns, COMPARE_PASSES times (default 2); each envelope's
# best pass counts (noise from other work on the machine only slows down).
: > "$out/all.tsv"
for pass in $(seq "${COMPARE_PASSES:-2}"); do
    echo "pass $pass: ${backends[*]}, openssl speed, php, python" >&2
    for bin in "${bins[@]}"; do
        "$bin" --bench 2>/dev/null >> "$out/all.tsv"
    done
    # +F2:index:bits:sign/s:verify/s
    # shellcheck disable=SC2086
    openssl speed -seconds "${COMPARE_OPENSSL_SECONDS:-2}" -mr $sizes 2>/dev/null \
        | awk -F: '$1 == "+F2" { printf "openssl-sign\tsign_rsa%s\t%.0f\nopenssl-verify\t%s\t%.0f\n", $3, $4, $3, $5 }' \
        >> "$out/all.tsv"
    php benches/compare/compare.php "$root" >> "$out/all.tsv"
    "$venv/bin/python" benches/compare/compare.py "$root" >> "$out/all.tsv"
done

{
    echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src benches/compare || echo '+dirty') backends=${backends[*]}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# $(php -r 'echo "PHP ", PHP_VERSION, ", ", OPENSSL_VERSION_TEXT;'); openssl speed: $(openssl version)"
    echo "# Python $("$venv/bin/python" -c 'import sys, cryptography; print(sys.version.split()[0], "cryptography", cryptography.__version__)')"
    echo "# best of ${COMPARE_PASSES:-2} passes; floor = openssl speed verify (or sign) of the same key size, same run, one core"
} > "$out/results.txt"
awk -F'\t' -v first="${backends[0]}" '
    FILENAME ~ /bits.tsv$/ { bits[$1] = $2; next }
    { if ($3 > rate[$1, $2]) rate[$1, $2] = $3 }
    $1 == "php" && !($2 in seen) { seen[$2] = 1; order[n++] = $2 }
    $1 ~ /-sign$/ && $1 != "openssl-sign" && !($2 in sseen) { sseen[$2] = 1; sorder[m++] = $2 }
    function cell(a, b) { return (a > 0 && b > 0) ? sprintf("%.2fx", a / b) : "-" }
    END {
        d = "respsig-" first; alt = (first == "aws-lc") ? "respsig-ring" : ""
        printf "| envelope | bits | %s/s | ring/s | openssl speed verify/s | php/s | python/s | %s / floor | %s / php | %s / python | ring / floor | ring / php |\n", first, first, first, first
        print "|---|---|---|---|---|---|---|---|---|---|---|---|"
        for (i = 0; i < n; i++) {
            e = order[i]; r = rate[d, e]; g = (alt == "") ? 0 : rate[alt, e]
            f = rate["openssl-verify", bits[e]]; p = rate["php", e]; y = rate["python", e]
            printf "| %s | %s | %.0f | %s | %.0f | %.0f | %.0f | %s | %s | %s | %s | %s |\n", e, bits[e], r, (g > 0 ? sprintf("%.0f", g) : "-"), f, p, y, cell(r, f), cell(r, p), cell(r, y), cell(g, f), cell(g, p)
        }
        print ""
        printf "| signing (sign_envelope) | %s/s | ring/s | openssl speed sign/s | %s / floor | ring / floor |\n", first, first
        print "|---|---|---|---|---|---|"
        for (i = 0; i < m; i++) {
            e = sorder[i]; r = rate[d "-sign", e]; g = (alt == "") ? 0 : rate[alt "-sign", e]; f = rate["openssl-sign", e]
            printf "| %s | %.0f | %s | %.0f | %s | %s |\n", e, r, (g > 0 ? sprintf("%.0f", g) : "-"), f, cell(r, f), cell(g, f)
        }
    }' "$out/bits.tsv" "$out/all.tsv" >> "$out/results.txt"
cat "$out/results.txt"
