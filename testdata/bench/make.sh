#!/usr/bin/env bash
# Makes the benchmark fixtures in this folder with Python 3 (the payload)
# and the OpenSSL CLI (base64 and the signatures), not with respsig.
# Run from anywhere: bash testdata/bench/make.sh
set -euo pipefail
cd "$(dirname "$0")"

# A ~2 KB response payload in the canonical form (PHP json_encode, default
# flags): compact, non-ASCII as lowercase \uXXXX (surrogate pairs above
# U+FFFF), "/" as "\/", floats that print the same in Python and PHP.
python3 - > payload-2k.json <<'PY'
import json, sys
items = []
for i in range(8):
    items.append({
        "id": 1000 + i,
        "name": "Lizenz für Käufer Nr. %d, Café Zürich 日本語 😀" % i,
        "price": 19.99 + i * 0.25,
        "ratio": 0.1 + i / 8,
        "url": "https://example.com/downloads/product-%d/setup.exe" % i,
        "active": i % 3 != 0,
    })
payload = {
    "code": 300,
    "message": "License key activated",
    "data": {
        "license_key": "ABCD-EFGH-IJKL-MNOP",
        "product_uuid": "9a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
        "expires_at": None,
        "meta": {"temperature": -273.15, "pi": 3.14159, "note": "naïve résumé — “quoted” ✓"},
        "items": items,
    },
    "timestamp": 1709169556,
}
text = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
sys.stdout.write(text)
PY

b64=$(base64 -w0 payload-2k.json)
for bits in 2048 4096; do
    printf '%s' "$b64" > /tmp/respsig-bench-b64.txt
    openssl dgst -sha256 -sign "../keys/rsa${bits}.pem" -out /tmp/respsig-bench-sig.bin /tmp/respsig-bench-b64.txt
    sig=$(base64 -w0 /tmp/respsig-bench-sig.bin)
    printf '{"response":%s,"response_base64":"%s","private_key_used":"product","signature":"%s"}\n' \
        "$(cat payload-2k.json)" "$b64" "$sig" > "envelope-2k-rsa${bits}.json"
    # Check with the OpenSSL CLI that the signature verifies.
    openssl dgst -sha256 -verify "../keys/rsa${bits}.pub.pem" -signature /tmp/respsig-bench-sig.bin /tmp/respsig-bench-b64.txt
done
rm -f /tmp/respsig-bench-b64.txt /tmp/respsig-bench-sig.bin
wc -c payload-2k.json envelope-2k-rsa*.json
