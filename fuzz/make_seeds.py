#!/usr/bin/env python3
"""Builds the committed seed corpus fuzz/seeds/<target>/ from testdata/.

Run from anywhere: python3 fuzz/make_seeds.py
It deletes and rewrites fuzz/seeds/ and prints how many files each target
got. Deterministic: the same testdata gives the same files.

- envelope, verify: the 47 real envelopes of testdata/gkm/gkm-docs-vectors.json
  as they stand there (46 distinct: two pages of the docs show the same
  envelope; the four testdata/gkm/seed-*.json files are byte-identical copies
  of vectors and add nothing), and a few hand-written envelopes for the branches no real envelope takes (unsigned,
  missing or duplicated members, a wrong-length signature), plus testdata/gkm/seed-373-update-product-meta.json
  with a `signature_metadata` member added (agreeing, disagreeing, unknown, malformed).
- canonical: the payloads decoded from every envelope's response_base64 (the
  exact bytes the server signed, i.e. PHP's json_encode output), the 47
  envelopes themselves (pretty-printed JSON), testdata/gkm/response-codes.json,
  and hand-written edge cases of the canonical form (numbers, escapes,
  surrogates, depth).
- sign: the decoded payloads and the hand-written objects.
- key: every key file of testdata/keys/ (PEM, DER and raw, public and
  private, RSA and Ed25519, accepted and refused) and
  testdata/gkm/gkm-demo-public.pem.
- license: every .lic and signed-JSON file of testdata/license/ (genuine,
  bad padding, with and without the integrity member), the splices of the
  two server-style files and of the two respsig-written ones (blocks 0-2 of
  one, block 3 of the other: 1,024 base64 characters), and a few
  hand-written signed-JSON shapes.
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

# Hand-written signed-JSON shapes the real files never have.
EXTRA_LICENSE_DOCS = {
    "empty-object": b"{}",
    "empty-license": b'{"license":{},"signature":""}',
    "list-keyed": b'{"license":{"0":"a","1":"b"},"signature":"AAAA"}',
    "duplicate-signature": b'{"license":{"a":1},"signature":"AAAA","signature":"AAAA"}',
    "signature-first": b'{"signature":"AAAA","license":{"a":"x/\u2028\ud83d\ude00"},"extra":[1.5e-7]}',
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


def ed25519_variants() -> dict:
    """Ed25519 key forms the OpenSSL CLI does not write, built from
    testdata/keys/ed25519.der (PKCS#8 v1) and the two public keys."""
    v1 = (TESTDATA / "keys" / "ed25519.der").read_bytes()
    seed = v1[16:48]
    own = (TESTDATA / "keys" / "ed25519.pub.raw").read_bytes()
    other = (TESTDATA / "keys" / "other-ed25519.pub.pem").read_text()
    other = base64.b64decode("".join(other.splitlines()[1:-1]))[12:]
    algorithm = bytes.fromhex("300506032b6570")

    def v2(public: bytes, tag: str = "812100") -> bytes:
        body = bytes.fromhex("020101") + algorithm + bytes.fromhex("04220420") + seed
        body += bytes.fromhex(tag) + public
        return bytes([0x30, len(body)]) + body

    return {
        # PKCS#8 v2 (RFC 5958: [1] IMPLICIT BIT STRING) with the matching
        # public key, with another key's, and in the explicit form ring
        # itself writes ([1] around a BIT STRING).
        "ed25519-pkcs8-v2": v2(own),
        "ed25519-pkcs8-v2-wrong-public": v2(other),
        "ed25519-pkcs8-v2-explicit": v2(own, "a123032100"),
        # SPKI with a NULL parameter, which RFC 8410 forbids.
        "ed25519-spki-null-params": bytes.fromhex("302c300706032b65700500032100") + own,
        # A 31-byte key in an SPKI.
        "ed25519-spki-31-bytes": bytes.fromhex("3029300506032b6570032000") + own[:31],
    }


def main() -> None:
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    targets = ["envelope", "verify", "canonical", "key", "sign", "license"]
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
    # A genuine envelope with `signature_metadata`: agreeing, disagreeing,
    # unknown, malformed.
    genuine = (TESTDATA / "gkm" / "seed-373-update-product-meta.json").read_bytes().rstrip()
    assert genuine.endswith(b"}")
    for name, metadata in {
        "agrees": b'{"algorithm":"RSA-SHA256","key_id":"product"}',
        "disagrees": b'{"algorithm":"Ed25519"}',
        "unknown": b'{"algorithm":"none"}',
        "not-a-string": b'{"algorithm":["sha256"]}',
    }.items():
        data = genuine[:-1] + b',"signature_metadata":' + metadata + b"}"
        for t in ["envelope", "verify"]:
            write(t, f"hand-metadata-{name}.json", data, seen)
    for name, data in EXTRA_OBJECTS.items():
        for t in ["canonical", "sign"]:
            write(t, f"hand-{name}.json", data, seen)
    for name, data in EXTRA_VALUES.items():
        write("canonical", f"hand-{name}.json", data, seen)

    keys = sorted(
        p for p in (TESTDATA / "keys").iterdir() if p.suffix in (".pem", ".der", ".raw")
    )
    for path in keys + [TESTDATA / "gkm" / "gkm-demo-public.pem"]:
        write("key", path.name, path.read_bytes(), seen)
    for name, data in ed25519_variants().items():
        write("key", f"hand-{name}.der", data, seen)

    licenses = sorted(
        p for p in (TESTDATA / "license").iterdir()
        if p.suffix == ".lic" or (p.suffix == ".json" and "signed" in p.name)
    )
    for path in licenses:
        write("license", path.name, path.read_bytes(), seen)
    for prefix in ["splice", "respsig-splice"]:
        a = (TESTDATA / "license" / f"{prefix}-attacker.lic").read_bytes()
        b = (TESTDATA / "license" / f"{prefix}-someone.lic").read_bytes()
        write("license", f"{prefix}d.lic", a[:1024] + b[1024:], seen)
    for name, data in EXTRA_LICENSE_DOCS.items():
        write("license", f"hand-{name}.json", data, seen)

    for t in targets:
        print(f"{t}: {len(list((SEEDS / t).iterdir()))} seed files")


if __name__ == "__main__":
    main()
