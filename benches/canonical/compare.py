"""Process-level canonicalize comparison: `respsig canonicalize FILE`
against PHP's `json_encode(json_decode(file_get_contents(FILE)))`, each a
whole process on the same 1 MiB file, in alternating turns (order swapped
every round). Checks first that both print the same bytes.

    python3 compare.py RESPSIG_BINARY DIR [ROUNDS]

DIR holds the inputs of inputs.py. Prints a markdown table: median wall
time of each side and the median of the per-round ratios respsig/PHP.
"""
import statistics
import subprocess
import sys
import time

import inputs

PHP = ["php", "-r", "echo json_encode(json_decode(file_get_contents($argv[1])));"]


def run(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout
    return time.perf_counter() - start, out


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 11
    print("| input (1 MiB) | respsig | PHP | ratio respsig/PHP (median) | ratio range |")
    print("|---|---:|---:|---:|---:|")
    for name in inputs.INPUTS:
        path = f"{folder}/{name}.json"
        ours_cmd = [binary, "canonicalize", path]
        php_cmd = PHP + [path]
        _, ours = run(ours_cmd)
        _, theirs = run(php_cmd)
        if ours != theirs:
            sys.exit(f"{name}: respsig and PHP print different bytes")
        a, b, ratio = [], [], []
        for r in range(rounds):
            if r % 2 == 0:
                x, _ = run(ours_cmd)
                y, _ = run(php_cmd)
            else:
                y, _ = run(php_cmd)
                x, _ = run(ours_cmd)
            a.append(x)
            b.append(y)
            ratio.append(x / y)
        print(
            f"| `{name}` | {statistics.median(a) * 1e3:.1f} ms | {statistics.median(b) * 1e3:.1f} ms"
            f" | **{statistics.median(ratio):.3f}** | {min(ratio):.3f} – {max(ratio):.3f} |"
        )


if __name__ == "__main__":
    main()
