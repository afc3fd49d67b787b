"""Python's side of the cost curve (benches/curve/run.sh): for each envelope
of make.php, the full check with the `cryptography` package (json.loads,
strict base64, verify with a key loaded once, payload json.loads, ==;
benches/compare/compare.py's check) against `cryptography`'s verify alone
on the same bytes, in alternating batches (order swapped every round).
Prints the line format of benches/curve/main.rs (READ_NS: json.loads of the
envelope alone). Usage: python curve.py REPO_ROOT CURVE_DIR"""
import base64
import binascii
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compare"))
from check import check  # noqa: E402

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

root, folder = sys.argv[1], sys.argv[2]
seconds = float(os.environ.get("CURVE_SECONDS") or 2)
PKCS1 = padding.PKCS1v15()
SHA256 = hashes.SHA256()


def paired(seconds, a, b):
    """Per-call ns of a and b in alternating batches of about 4 ms."""
    start = time.perf_counter_ns()
    calls = 0
    while calls < 2 or time.perf_counter_ns() - start < 50e6:
        a()
        b()
        calls += 1
    per_pair = (time.perf_counter_ns() - start) / calls
    batch = max(1, int(-(-4e6 // per_pair)))
    rounds = max(15, min(400, int(seconds * 1e9 / (per_pair * batch))))

    def timed(f):
        t = time.perf_counter_ns()
        for _ in range(batch):
            f()
        return (time.perf_counter_ns() - t) / batch

    ta, tb = [], []
    for r in range(rounds):
        if r % 2 == 0:
            ta.append(timed(a))
            tb.append(timed(b))
        else:
            tb.append(timed(b))
            ta.append(timed(a))
    return ta, tb


def q(v, p):
    v = sorted(v)
    return v[round((len(v) - 1) * p)]


with open(os.path.join(root, "testdata/keys/rsa2048.pub.pem"), "rb") as f:
    key = serialization.load_pem_public_key(f.read())
keys = {"product": key}
for size in [100, 1024, 2048, 8192, 65536, 1048576]:
    for variant, name in [("compact", f"{size}.json"), ("pretty", f"{size}-pretty.json")]:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        env = json.loads(text)
        signed = env["response_base64"].encode("ascii")
        sig = base64.b64decode(env["signature"], validate=True)
        key.verify(sig, signed, PKCS1, SHA256)
        if not check(text, keys):
            sys.exit(f"{name} does not verify in Python")
        full, raw = paired(seconds, lambda: check(text, keys),
                           lambda: key.verify(sig, signed, PKCS1, SHA256))
        ratio = [a / b for a, b in zip(full, raw)]
        diff = [a - b for a, b in zip(full, raw)]
        read, _ = paired(seconds / 4, lambda: json.loads(text), lambda: None)
        print(f"python\t{size}\t{variant}\t{len(text.encode('utf-8'))}\t{q(full, .5):.0f}\t"
              f"{q(raw, .5):.0f}\t{q(ratio, .5):.4f}\t{q(diff, .5):.0f}\t{q(diff, .25):.0f}\t"
              f"{q(diff, .75):.0f}\t{q(read, .5):.0f}", flush=True)
