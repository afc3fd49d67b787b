#!/usr/bin/env python3
"""Makes the license files in this folder with the OpenSSL CLI and PHP,
never with respsig. Run from anywhere: python3 testdata/license/make.py

A license file is base64 of RSA blocks, each the private-key operation over
PKCS#1 v1.5 type-1 padded data of at most k - 11 bytes (k = modulus bytes):
`openssl rsautl -sign` (deprecated in OpenSSL 3, still there) does exactly that per chunk, as does
PHP's openssl_private_encrypt. Type-1 padding is deterministic, so re-runs
give the same files."""

import base64
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(os.path.dirname(HERE), "keys")

SHORT = {
    "license_key": "LIC-2024-ABCD1234",
    "product_uuid": "8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f",
    "hardware_id": "HW-1234",
    "domain": "example.com",
    "expires_at": "2026-12-31 23:59:59",
    "licenseCheckInterval": 7,
    "forceLicenseValidation": 30,
}
LONG = dict(
    SHORT,
    expires_at=2082758399,  # 2035-12-31 23:59:59 UTC
    features=[f"feature-{i:03d}" for i in range(60)],
    customer={"name": "Zoë Example GmbH", "email": "licensing@example.com"},
)


# Two licenses under the same key, as the server writes them (no integrity
# member), laid out so that blocks of one can be put into the other: the
# same lengths everywhere, and a 750-character `note` ("a" * 250, "b" * 250,
# "c" * 250) across the 245-byte block boundaries, so blocks 1 and 2 lie
# wholly inside it. The hardware id sits in block 0, the expiry in block 3.
NOTE = "a" * 250 + "b" * 250 + "c" * 250
SPLICE = {
    "splice-attacker": {
        "license_key": "LIC-ATTACKER-0001",
        "hardware_id": "HW-ATTACKER",
        "note": NOTE,
        "expires_at": "2020-01-01",
    },
    "splice-someone": {
        "license_key": "LIC-SOMEONE1-0002",
        "hardware_id": "HW-SOMEONE1",
        "note": NOTE,
        "expires_at": "2035-12-31",
    },
}


def payload(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def openssl_blocks(key, data, k):
    out = b""
    for i in range(0, len(data), k - 11):
        out += subprocess.run(
            ["openssl", "rsautl", "-sign", "-inkey", key],
            input=data[i : i + k - 11],
            capture_output=True,
            check=True,
        ).stdout
    return out


PHP = r"""
$key = openssl_pkey_get_private(file_get_contents($argv[1]));
$k = openssl_pkey_get_details($key)['bits'] / 8;
$data = stream_get_contents(STDIN);
$out = '';
foreach (str_split($data, $k - 11) as $chunk) {
    if (!openssl_private_encrypt($chunk, $block, $key)) { fwrite(STDERR, "failed\n"); exit(1); }
    $out .= $block;
}
echo base64_encode($out);
"""


def raw_block(key, block):
    """The bare private-key operation on a full-size block (no padding added)."""
    return subprocess.run(
        ["openssl", "rsautl", "-sign", "-raw", "-inkey", key],
        input=block,
        capture_output=True,
        check=True,
    ).stdout


def write(name, text):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)
    print(name)


def main():
    for bits, key, value, name in (
        (2048, "rsa2048.pem", SHORT, "openssl-2048.lic"),
        (2048, "rsa2048.pem", LONG, "openssl-2048-long.lic"),
        (4096, "rsa4096.pem", LONG, "openssl-4096-long.lic"),
    ):
        data = payload(value)
        blocks = openssl_blocks(os.path.join(KEYS, key), data, bits // 8)
        assert len(blocks) % (bits // 8) == 0
        write(name, base64.b64encode(blocks).decode() + "\n")
        write(name.replace(".lic", ".json"), data.decode())
    # PHP, the server's own language, on the long payload.
    php = subprocess.run(
        ["php", "-r", PHP, os.path.join(KEYS, "rsa2048.pem")],
        input=payload(LONG),
        capture_output=True,
        check=True,
    ).stdout.decode()
    write("php-2048-long.lic", php + "\n")
    for name, value in SPLICE.items():
        data = payload(value)
        assert len(data) // 245 == 3 and len(data) % 245 != 0  # 4 blocks
        php = subprocess.run(
            ["php", "-r", PHP, os.path.join(KEYS, "rsa2048.pem")],
            input=data,
            capture_output=True,
            check=True,
        ).stdout.decode()
        write(name + ".lic", php + "\n")
        write(name + ".json", data.decode())

    # Blocks whose padding is wrong, made with `rsautl -raw`, in place of
    # block 2 of the long 2048-bit license.
    key = os.path.join(KEYS, "rsa2048.pem")
    blocks = base64.b64decode(open(os.path.join(HERE, "openssl-2048-long.lic")).read())
    chunk = payload(LONG)[2 * 245 : 3 * 245]
    bad = {
        # Type 2 (encryption) padding instead of type 1.
        "bad-padding-type2.lic": b"\x00\x02" + b"\x5a" * (256 - 3 - len(chunk)) + b"\x00" + chunk,
        # Only seven FF bytes of padding.
        "bad-padding-short.lic": b"\x00\x01" + b"\xff" * 7 + b"\x00" + (chunk + b" ")[:246],
        # No zero byte after the padding.
        "bad-padding-no-separator.lic": b"\x00\x01" + b"\xff" * (256 - 2),
    }
    for name, block in bad.items():
        assert len(block) == 256
        forged = blocks[:512] + raw_block(key, block) + blocks[768:]
        write(name, base64.b64encode(forged).decode() + "\n")


if __name__ == "__main__":
    main()
