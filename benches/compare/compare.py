"""The Python side of the comparison: the same full envelope check with the
`cryptography` package, the key loaded once. Prints
"python<TAB>name<TAB>envelopes per second" (median of rounds) for each line
of envelopes.txt. Usage: python compare.py REPO_ROOT"""
import base64
import binascii
import json
import os
import sys
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

root = sys.argv[1]
seconds = float(os.environ.get("COMPARE_SECONDS") or 0.5)
rounds = int(os.environ.get("COMPARE_ROUNDS") or 5)
PKCS1 = padding.PKCS1v15()
SHA256 = hashes.SHA256()


def check(text, keys):
    """json.loads, strict base64 decode, verify over the ASCII of
    response_base64, decode the payload, compare."""
    env = json.loads(text)
    response = env.get("response")
    b64 = env.get("response_base64")
    name = env.get("private_key_used")
    sig_text = env.get("signature")
    if not (isinstance(response, dict) and isinstance(b64, str)
            and isinstance(name, str) and isinstance(sig_text, str)):
        return False
    key = keys.get(name)
    if key is None:
        return False
    try:
        sig = base64.b64decode(sig_text, validate=True)
        signed = b64.encode("ascii")
        key.verify(sig, signed, PKCS1, SHA256)
        payload = json.loads(base64.b64decode(b64, validate=True))
    except (binascii.Error, UnicodeError, InvalidSignature, ValueError):
        return False
    return isinstance(payload, dict) and payload == response


for line in open(os.path.join(root, "benches/compare/envelopes.txt")):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    name, key_path, env_path = line.split()
    with open(os.path.join(root, key_path), "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    keys = {"product": key, "global": key}
    with open(os.path.join(root, env_path)) as f:
        text = f.read()
    if not check(text, keys):
        sys.exit(f"{name} does not verify in Python")
    rates = []
    for _ in range(rounds):
        calls, batch = 0, 16
        start = time.perf_counter()
        while True:
            for _ in range(batch):
                if not check(text, keys):
                    sys.exit(1)
            calls += batch
            batch = min(batch * 2, 4096)
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        rates.append(calls / elapsed)
    rates.sort()
    print(f"python\t{name}\t{rates[len(rates) // 2]:.0f}")
