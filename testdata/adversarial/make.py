#!/usr/bin/env python3
"""Builds the adversarial envelopes in cases/ from the keys and seeds in this
repository. Signatures are made by the OpenSSL CLI (`openssl dgst -sign`),
never by respsig; everything else is plain Python. Run from anywhere:

    python3 testdata/adversarial/make.py

PKCS#1 v1.5 signatures are deterministic, so a re-run rewrites the same
bytes (keys/e3-2048.pem was made once, see README.md).
"""

import base64
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.dirname(HERE)
CASES = os.path.join(HERE, "cases")

PRODUCT_KEY = os.path.join(TESTDATA, "keys", "rsa2048.pem")
GLOBAL_KEY = os.path.join(TESTDATA, "keys", "other2048.pem")
E3_KEY = os.path.join(HERE, "keys", "e3-2048.pem")
DEMO_PUB = os.path.join(TESTDATA, "gkm", "gkm-demo-public.pem")
SEED = os.path.join(TESTDATA, "gkm", "seed-373-update-product-meta.json")

DEEP = 100_000


def openssl(*args, data=None):
    return subprocess.run(
        ["openssl", *args], input=data, capture_output=True, check=True
    ).stdout


def sign(key, text):
    """RSASSA-PKCS1-v1_5 SHA-256 over the ASCII text, by the OpenSSL CLI."""
    return openssl("dgst", "-sha256", "-sign", key, data=text.encode())


def openssl_verifies(pub_pem, text, sig):
    path = os.path.join(HERE, ".sig.tmp")
    with open(path, "wb") as f:
        f.write(sig)
    try:
        r = subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", pub_pem, "-signature", path],
            input=text.encode(),
            capture_output=True,
        )
        return r.returncode == 0
    finally:
        os.remove(path)


def modulus(pem, private=False):
    args = ["rsa", "-in", pem, "-noout", "-modulus"]
    if not private:
        args.insert(1, "-pubin")
    out = openssl(*args).decode().strip()
    return int(out.split("=", 1)[1], 16)


def b64(data):
    return base64.b64encode(data).decode()


def php_json(value):
    """The compact JSON text PHP's json_encode writes for these payloads
    (ASCII-only, no floats, no slashes: json.dumps agrees byte for byte)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=True)
    assert "/" not in text
    return text


written = []


def write(name, text):
    """Writes one case. `text` is the exact envelope text."""
    path = os.path.join(CASES, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    written.append(name)


def member(name, value):
    return json.dumps(name) + ":" + json.dumps(value, ensure_ascii=False)


def envelope(response, response_b64, key_name, signature, extra=()):
    """Envelope text from raw member texts, in the server's order. A member
    given as None is left out; `extra` members are appended as text."""
    parts = []
    for name, value in (
        ("response", response),
        ("response_base64", response_b64),
        ("private_key_used", key_name),
        ("signature", signature),
    ):
        if value is not None:
            parts.append(json.dumps(name) + ":" + value)
    parts.extend(extra)
    return "{" + ",".join(parts) + "}"


def js(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def signed(payload_text, key=PRODUCT_KEY, name="product", response=None, b64_text=None):
    """An envelope whose response_base64 text is signed by `key`."""
    text = b64_text if b64_text is not None else b64(payload_text.encode())
    if response is None:
        response = json.loads(payload_text)
    sig = b64(sign(key, text))
    return envelope(js(response), js(text), js(name), js(sig))


def signed_bytes(payload_bytes, response, key=PRODUCT_KEY):
    text = b64(payload_bytes)
    sig = b64(sign(key, text))
    return envelope(js(response), js(text), js("product"), js(sig))


def main():
    os.makedirs(CASES, exist_ok=True)
    for old in os.listdir(CASES):
        os.remove(os.path.join(CASES, old))

    seed = json.load(open(SEED))
    s_resp, s_b64, s_name, s_sig = (
        seed["response"],
        seed["response_base64"],
        seed["private_key_used"],
        seed["signature"],
    )
    seed_sig = base64.b64decode(s_sig)
    n_demo = modulus(DEMO_PUB)
    k = (n_demo.bit_length() + 7) // 8
    assert len(seed_sig) == k == 256

    def seed_with(response=None, response_b64=None, key_name=None, signature=None, extra=()):
        return envelope(
            js(s_resp) if response is None else response,
            js(s_b64) if response_b64 is None else response_b64,
            js(s_name) if key_name is None else key_name,
            js(s_sig) if signature is None else signature,
            extra,
        )

    # Positive controls: the same constructions, unaltered, verify.
    write("ok-seed-373.json", seed_with())
    payload = {"code": 650, "message": "Product updated", "timestamp": 1709169556}
    write("ok-pair-product.json", signed(php_json(payload)))
    write("ok-pair-global.json", signed(php_json(payload), key=GLOBAL_KEY, name="global"))

    # Duplicate members.
    write("dup-top-signature.json", seed_with(extra=[member("signature", s_sig)]))
    write(
        "dup-top-response-base64.json",
        seed_with(extra=[member("response_base64", b64(b'{"code":1}'))]),
    )
    write(
        "dup-top-private-key-used.json",
        seed_with(extra=[member("private_key_used", "global")]),
    )
    dup_response = '{"code":373,"message":"Product meta updated","timestamp":1709169556,"code":372}'
    write("dup-in-response.json", seed_with(response=dup_response))
    dup_payload = '{"code":372,"code":373,"message":"Product meta updated","timestamp":1709169556}'
    write(
        "dup-in-payload.json",
        signed(dup_payload, response={"code": 373, "message": "Product meta updated", "timestamp": 1709169556}),
    )

    # The signature member: unsigned markers, missing, wrong type.
    write("sig-private-key-not-set.json", seed_with(signature=js("Private key not set")))
    write("sig-empty.json", seed_with(signature=js("")))
    write("sig-missing.json", envelope(js(s_resp), js(s_b64), js(s_name), None))
    write("sig-null.json", seed_with(signature="null"))
    write("sig-number.json", seed_with(signature="12345"))
    write("sig-array.json", seed_with(signature="[" + js(s_sig) + "]"))
    write("sig-object.json", seed_with(signature='{"value":' + js(s_sig) + "}"))

    # Signature base64 variants: the decoded bytes are the genuine signature
    # for every lenient decoder, so only strictness refuses them.
    assert "+" in s_sig and "/" in s_sig and s_sig.endswith("==")
    write("sig-b64-urlsafe.json", seed_with(signature=js(s_sig.replace("+", "-").replace("/", "_"))))
    write("sig-b64-unpadded.json", seed_with(signature=js(s_sig.rstrip("="))))
    write("sig-b64-overpadded.json", seed_with(signature=js(s_sig + "=")))
    write("sig-b64-newlines.json", seed_with(signature=js("\n".join(s_sig[i : i + 64] for i in range(0, len(s_sig), 64)))))
    write("sig-b64-space.json", seed_with(signature=js(s_sig[:100] + " " + s_sig[100:])))
    write("sig-b64-trailing-space.json", seed_with(signature=js(s_sig + " ")))
    last = s_sig[-3]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    assert alphabet.index(last) & 0x0F == 0
    nonzero = alphabet[alphabet.index(last) | 1]
    write("sig-b64-trailing-bits.json", seed_with(signature=js(s_sig[:-3] + nonzero + "==")))
    assert base64.b64decode(s_sig[:-3] + nonzero + "==") == seed_sig

    # Signature lengths and values.
    write("sig-one-byte-short.json", seed_with(signature=js(b64(seed_sig[:-1]))))
    write("sig-one-byte-long.json", seed_with(signature=js(b64(seed_sig + b"\x00"))))
    write("sig-leading-zero.json", seed_with(signature=js(b64(b"\x00" + seed_sig))))
    for label, value in (
        ("zero", 0),
        ("one", 1),
        ("n-minus-1", n_demo - 1),
        ("n", n_demo),
        ("n-plus-1", n_demo + 1),
    ):
        write(f"sig-value-{label}.json", seed_with(signature=js(b64(value.to_bytes(k, "big")))))
    write("sig-empty-after-decode.json", seed_with(signature=js("====")))

    # response_base64 base64 variants, each text signed as it stands: the
    # signature holds, and the strict decoder is what refuses.
    msg = {"code": 372, "message": "Meta key doesn't exists ??>>~~~", "timestamp": 1709169556}
    p_text = php_json(msg)
    p_b64 = b64(p_text.encode())
    assert "+" in p_b64 and "/" in p_b64 and p_b64.endswith("="), p_b64
    write("ok-pair-b64-plus-slash.json", signed(p_text, b64_text=p_b64))
    variants = {
        "urlsafe": p_b64.replace("+", "-").replace("/", "_"),
        "unpadded": p_b64.rstrip("="),
        "overpadded": p_b64 + "=",
        "newlines": "\n".join(p_b64[i : i + 64] for i in range(0, len(p_b64), 64)),
        "space": p_b64[:20] + " " + p_b64[20:],
    }
    pad = len(p_b64) - len(p_b64.rstrip("="))
    last = p_b64[-1 - pad]
    mask = 0x0F if pad == 2 else 0x03
    assert alphabet.index(last) & mask == 0
    variants["trailing-bits"] = p_b64[: -1 - pad] + alphabet[alphabet.index(last) | 1] + "=" * pad
    assert base64.b64decode(variants["trailing-bits"]) == p_text.encode()
    for label, text in variants.items():
        write(f"b64-payload-{label}.json", signed(p_text, b64_text=text, response=msg))
    # The same URL-safe text, not re-signed: the signature is over other bytes.
    write(
        "b64-payload-urlsafe-unsigned-text.json",
        signed(p_text, response=msg).replace(js(p_b64), js(variants["urlsafe"])),
    )

    # Key names: a genuine product signature relabelled, and back.
    genuine_product = signed(php_json(payload))
    genuine_global = signed(php_json(payload), key=GLOBAL_KEY, name="global")
    write("name-product-relabelled-global.json", genuine_product.replace('"product"', '"global"'))
    write("name-global-relabelled-product.json", genuine_global.replace('"global"', '"product"'))
    for label, name in (
        ("unknown", js("license")),
        ("empty", js("")),
        ("uppercase", js("Product")),
        ("padded", js(" product")),
        ("nul", js("product\u0000")),
        ("number", "1"),
        ("null", "null"),
        ("array", '["product"]'),
    ):
        write(f"name-{label}.json", seed_with(key_name=name))
    write("name-missing.json", envelope(js(s_resp), js(s_b64), None, js(s_sig)))

    # response edited, response_base64 and signature intact.
    edits = {
        "code": dict(s_resp, code=372),
        "message": dict(s_resp, message="Product meta deleted"),
        "added-member": dict(s_resp, valid=True),
        "removed-member": {k2: v for k2, v in s_resp.items() if k2 != "timestamp"},
        "code-as-string": dict(s_resp, code="373"),
        "code-as-float": None,
    }
    for label, value in edits.items():
        text = js(value) if value is not None else js(s_resp).replace("373", "373.0", 1)
        write(f"response-edited-{label}.json", seed_with(response=text))
    write("response-not-object.json", seed_with(response=js([s_resp])))
    write("response-missing.json", envelope(None, js(s_b64), js(s_name), js(s_sig)))

    # Signed payloads that are not what a response must be.
    write("payload-invalid-utf8.json", signed_bytes(b'{"code":1,"message":"\xff\xfe"}', {"code": 1, "message": ""}))
    write("payload-not-json.json", signed_bytes(b"Product meta updated", {"code": 1}))
    write("payload-array.json", signed_bytes(b'[{"code":1}]', {"code": 1}))
    write("payload-trailing-garbage.json", signed_bytes(b'{"code":1} {"code":2}', {"code": 1}))
    write("payload-lone-surrogate.json", signed_bytes(b'{"code":1,"message":"\\ud800"}', {"code": 1, "message": ""}))
    write("payload-empty.json", signed_bytes(b"", {"code": 1}))

    # 100,000-deep nesting: in response, in an ignored member, in the
    # signed payload.
    deep = "[" * DEEP + "]" * DEEP
    write("deep-in-response.json", seed_with(response='{"a":' + deep + "}"))
    write("deep-in-extra-member.json", seed_with(extra=['"extra":' + deep]))
    write("deep-envelope.json", "[" * DEEP + "]" * DEEP)
    write("deep-in-payload.json", signed_bytes(('{"a":' + deep + "}").encode(), {"a": []}))

    # e = 3: a genuine signature, and Bleichenbacher (2006) forgeries that a
    # verifier which parses the padding instead of rebuilding it accepts.
    n3 = modulus(E3_KEY, private=True)
    e3_pub = os.path.join(HERE, "keys", "e3-2048.pub.pem")
    e3_payload = {"code": 373, "message": "Product meta updated", "timestamp": 1709169556}
    e3_text = php_json(e3_payload)
    e3_b64 = b64(e3_text.encode())
    write("ok-e3-genuine.json", signed(e3_text, key=E3_KEY))
    for label, ff_count in (("classic", 1), ("long-padding", 8)):
        sig = forge_e3(e3_b64, n3, ff_count)
        assert not openssl_verifies(e3_pub, e3_b64, sig), "OpenSSL accepted a forgery"
        write(f"e3-forgery-{label}.json", envelope(js(e3_payload), js(e3_b64), js("product"), js(b64(sig))))

    print(f"wrote {len(written)} cases to {CASES}")


# DigestInfo prefix for SHA-256 (RFC 8017, section 9.2, note 1).
SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


def icbrt(x):
    """Integer cube root, rounded up."""
    lo, hi = 0, 1 << ((x.bit_length() + 2) // 3 + 1)
    while lo < hi:
        mid = (lo + hi) // 2
        if mid**3 < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def forge_e3(text, n, ff_count):
    """A value s whose cube (no modular reduction: s^3 < n) begins with
    00 01 FF.. 00 DigestInfo(SHA-256(text)) and ends in garbage."""
    k = (n.bit_length() + 7) // 8
    prefix = b"\x00\x01" + b"\xff" * ff_count + b"\x00" + SHA256_PREFIX + hashlib.sha256(text.encode()).digest()
    garbage_len = k - len(prefix)
    target = int.from_bytes(prefix + b"\x00" * garbage_len, "big")
    s = icbrt(target)
    cube = s**3
    assert cube < n
    block = cube.to_bytes(k, "big")
    assert block[: len(prefix)] == prefix, "cube root did not keep the prefix"
    assert block != prefix + b"\x00" * garbage_len
    return s.to_bytes(k, "big")


if __name__ == "__main__":
    sys.exit(main())
