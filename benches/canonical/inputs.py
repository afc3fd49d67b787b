"""The four 1 MiB inputs of the canonicalize comparison (README.md here).

Deterministic (a fixed-seed xorshift), so every run and every machine
measures the same bytes: `python3 inputs.py DIR` writes DIR/<name>.json.
"""
import json
import struct
import sys

SIZE = 1 << 20
MASK = (1 << 64) - 1


def xorshift(state=0x9E3779B97F4A7C15):
    while True:
        state ^= state >> 12
        state ^= (state << 25) & MASK
        state ^= state >> 27
        yield (state * 0x2545F4914F6CDD1D) & MASK


def array(items):
    """A JSON array of the items' texts, cut to at most SIZE bytes."""
    out, size = [], 2
    for item in items:
        n = len(item.encode("utf-8"))
        if size + n + 1 > SIZE:
            break
        out.append(item)
        size += n + 1
    return "[" + ",".join(out) + "]"


def denormals(rand):
    while True:
        yield "5e-324"


def doubles(rand):
    """Random bit patterns, finite ones, in shortest round-trip form."""
    for r in rand:
        f = struct.unpack("<d", struct.pack("<Q", r))[0]
        if f == f and f not in (float("inf"), float("-inf")):
            yield repr(f)


def integers(rand):
    for r in rand:
        yield str(r - (1 << 63))


# Escapes, control characters, `/`, and non-ASCII of every UTF-8 length.
PIECES = ["\\n", "\\\"", "\\\\", "/", "\\/", "\\t", "\\u0001", "\\u00e9", "é", "ü",
          "日本語", "€", "😀", "\\ud83d\\ude00", "a", "Zürich ", "\u2028", "\u007f"]


def strings(rand):
    for r in rand:
        n = 4 + r % 24
        yield '"' + "".join(PIECES[(r >> (2 * i)) % len(PIECES)] for i in range(n)) + '"'


INPUTS = {
    "denormals": denormals,
    "doubles": doubles,
    "integers": integers,
    "strings": strings,
}


def main():
    out = sys.argv[1]
    for name, gen in INPUTS.items():
        text = array(gen(xorshift()))
        json.loads(text)  # valid JSON
        with open(f"{out}/{name}.json", "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
