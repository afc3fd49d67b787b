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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check import check  # noqa: E402

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

root = sys.argv[1]
seconds = float(os.environ.get("COMPARE_SECONDS") or 0.5)
rounds = int(os.environ.get("COMPARE_ROUNDS") or 5)
PKCS1 = padding.PKCS1v15()
SHA256 = hashes.SHA256()


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
