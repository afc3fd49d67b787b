"""The full envelope check a Python client does with the `cryptography`
package, shared by compare.py and benches/curve/curve.py."""
import base64
import binascii
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

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
