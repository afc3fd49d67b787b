"""The `stages` table of BENCHMARKS.md from Criterion's estimates
(benches/parts.rs, group `stages`). Usage: python3 stages.py CRITERION_DIR/stages CURVE_DIR"""
import json
import os
import sys

base, curve = sys.argv[1], sys.argv[2]
names = ["100", "1024", "2048", "8192", "65536", "1048576", "2048-pretty", "65536-pretty"]


def m(fn, n):
    path = os.path.join(base, f"{fn}_{n}", "new", "estimates.json")
    if not os.path.exists(path):
        return None
    return json.load(open(path))["median"]["point_estimate"]


def t(ns):
    if ns is None:
        return ""
    return f"{ns / 1e6:.2f} ms" if abs(ns) >= 1e6 else f"{ns / 1e3:.2f} µs"


print("| envelope | bytes | `read` | `read_empty_response` | strict read of `response` | "
      "`through_rsa` | `ring_raw` | `full` | payload decode + compare (`full` − `through_rsa`) | "
      "`serde_ignored` | `read` ns/B |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in names:
    v = {f: m(f, n) for f in ("read", "read_empty_response", "through_rsa", "ring_raw", "full",
                              "serde_ignored")}
    b = os.path.getsize(os.path.join(curve, f"{n}.json"))
    resp = v["read"] - v["read_empty_response"] if v["read_empty_response"] else None
    print(f"| {n} | {b} | {t(v['read'])} | {t(v['read_empty_response'])} | {t(resp)} | "
          f"{t(v['through_rsa'])} | {t(v['ring_raw'])} | {t(v['full'])} | "
          f"{t(v['full'] - v['through_rsa'])} | {t(v['serde_ignored'])} | {v['read'] / b:.2f} |")
