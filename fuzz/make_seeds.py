#!/usr/bin/env python3
"""Builds the committed seed corpus fuzz/seeds/<target>/ from testdata/.

Run from anywhere: python3 fuzz/make_seeds.py
It deletes and rewrites fuzz/seeds/ and prints how many files each target
got. Deterministic: the same testdata gives the same files.

- envelope, verify: the 47 real envelopes of testdata/gkm/gkm-docs-vectors.json
  as they stand there (46 distinct: two pages of the docs show the same
  envelope; the four testdata/gkm/seed-*.json files are byte-identical copies
  of vectors and add nothing), and a few hand-written envelopes for the branches no real envelope takes (unsigned,
  missing or duplicated members, a wrong-length signature).
- canonical: the payloads decoded from every envelope's response_base64 (the
  exact bytes the server signed, i.e. PHP's json_encode output), the 47
  envelopes themselves (pretty-printed JSON), testdata/gkm/response-codes.json,
  and hand-written edge cases of the canonical form (numbers, escapes,
  surrogates, depth).
- sign: the decoded payloads and the hand-written objects.
- key: every key file of testdata/keys/ (PEM and DER, public and private,
  accepted and refused) and testdata/gkm/gkm-demo-public.pem.
"""

import base64
import hashlib
import json
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"
SEEDS = ROOT / "fuzz" / "seeds"

# Hand-written envelopes: shapes the real envelopes never have.
EXTRA_ENVELOPES = {
    "unsigned-marker": b'{"response":{"code":1},"response_base64":"eyJjb2RlIjoxfQ==",'
    b'"private_key_used":"product","signature":"Private key not set"}',
    "unsigned-empty": b'{"response":{},"response_base64":"e30=","private_key_used":"global","signature":""}',
    "unsigned-missing": b'{"response":{},"response_base64":"e30=","private_key_used":"global"}',
    "unknown-name": b'{"response":{},"response_base64":"e30=","private_key_used":"other","signature":"AAAA"}',
    "short-signature": b'{"response":{},"response_base64":"e30=","private_key_used":"product","signature":"AAAA"}',
    "duplicate-member": b'{"response":{},"response":{},"response_base64":"e30=",'
    b'"private_key_used":"product","signature":"AAAA"}',
    "extra-members": b'{"extra":[1,{"a":null}],"response":{"a":[true,false]},"response_base64":'
    b'"eyJhIjpbdHJ1ZSxmYWxzZV19","private_key_used":"product","signature":null,"more":-0.5e3}',
    "not-an-object": b'["response","response_base64","private_key_used","signature"]',
}

# Hand-written JSON for the canonical writer: objects (also signed by the
# sign target) and scalars/arrays (canonical only).
EXTRA_OBJECTS = {
    "numbers": b'{"i":-0,"f":-0.0,"e":1E2,"big":12345678901234567890,"min":-9223372036854775808,'
    b'"tiny":5e-324,"max":1.7976931348623157e308,"edge":1e17,"small":0.0001,"smaller":0.00001,'
    b'"tie":1658206780088562.25,"third":0.1}',
    "strings": b'{"slash":"a/b","ctl":"\\u0000\\u001f\\b\\f\\n\\r\\t","del":"\x7f",'
    b'"utf8":"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80","esc":"\\ud83d\\ude00\\u00e9\\/\\"\\\\"}',
    "nested": b'{"a":[[[[{"b":[{}]}]]]],"c":{"d":{"e":[]}},"f":[null,true,false,"",0]}',
    "empty": b"{}",
    "whitespace": b' \t\r\n{ "a" : [ 1 , 2 ] , "b" : { } } \n',
}
EXTRA_VALUES = {
    "scalar-negative-zero": b"-0.0",
    "scalar-string": b'"\\ud800\\udc00"',
    "array-floats": b"[0.1,1e-7,123456789012345678,-1.5e-300,2.5,1e16,1e-4]",
    "depth-128": b"[" * 128 + b"]" * 128,
    # Exponents above 19999, which PHP takes as 19999: reads as
    # [0.1,100000000,0,-0].
    "array-long-exponents": b"[0." + b"0" * 19999 + b"1e20000,0." + b"0" * 19990
    + b"1E+020000,1e-99999999999,-0.0e-30000]",
}


def slug(source: str) -> str:
    """content/docs/api/endpoints/create-product.md#json-block-2 -> create-product-2"""
    m = re.fullmatch(r"content/docs/api/(?:[a-z]+)/([a-z0-9-]+)\.md#json-block-(\d+)", source)
    if not m:
        raise SystemExit(f"unexpected vector source {source!r}")
    return f"{m.group(1)}-{m.group(2)}"


def write(target: str, name: str, data: bytes, seen: dict) -> None:
    """Writes one seed, unless the target already has the same bytes."""
    digest = hashlib.sha1(data).hexdigest()
    if digest in seen.setdefault(target, set()):
        return
    seen[target].add(digest)
    path = SEEDS / target / name
    if path.exists():
        raise SystemExit(f"two seeds named {path}")
    path.write_bytes(data)


def main() -> None:
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    targets = ["envelope", "verify", "canonical", "key", "sign"]
    for t in targets:
        (SEEDS / t).mkdir(parents=True)
    seen: dict = {}

    vectors = json.loads((TESTDATA / "gkm" / "gkm-docs-vectors.json").read_text())["vectors"]
    assert len(vectors) == 47, len(vectors)
    for v in vectors:
        name = slug(v["source"])
        envelope = v["envelope"].encode()
        for t in ["envelope", "verify", "canonical"]:
            write(t, f"vector-{name}.json", envelope, seen)
        payload = base64.b64decode(json.loads(envelope)["response_base64"], validate=True)
        for t in ["canonical", "sign"]:
            write(t, f"payload-{name}.json", payload, seen)

    write("canonical", "response-codes.json", (TESTDATA / "gkm" / "response-codes.json").read_bytes(), seen)

    for name, data in EXTRA_ENVELOPES.items():
        for t in ["envelope", "verify"]:
            write(t, f"hand-{name}.json", data, seen)
    for name, data in EXTRA_OBJECTS.items():
        for t in ["canonical", "sign"]:
            write(t, f"hand-{name}.json", data, seen)
    for name, data in EXTRA_VALUES.items():
        write("canonical", f"hand-{name}.json", data, seen)

    keys = sorted(
        p for p in (TESTDATA / "keys").iterdir() if p.suffix in (".pem", ".der")
    )
    for path in keys + [TESTDATA / "gkm" / "gkm-demo-public.pem"]:
        write("key", path.name, path.read_bytes(), seen)

    for t in targets:
        print(f"{t}: {len(list((SEEDS / t).iterdir()))} seed files")


if __name__ == "__main__":
    main()
