#!/usr/bin/env python3
"""Turns Criterion's output into the tables and the plot of BENCHMARKS.md.

    python3 benches/report/report.py [--svg] LABEL=CRITERION_HOME [LABEL=DIR ...]

Reads every <dir>/<group>/.../new/{benchmark,estimates}.json, prints one
markdown table per run (median and its 95% interval; for each `respsig[/x]`
the same-run `ring_raw[/x]` and `aws_lc_raw[/x]` medians and the ratios),
and with --svg writes benches/report/medians.svg: the verify and sign groups of every
run, one panel per group, bars scaled within the panel. Standard library
only."""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PLOTTED = ["verify_2048", "verify_4096", "sign_2048", "verify_2k_2048", "sign_4096"]


def load(home):
    rows = {}
    for path in glob.glob(os.path.join(home, "**", "new", "benchmark.json"), recursive=True):
        bench = json.load(open(path))
        est = json.load(open(os.path.join(os.path.dirname(path), "estimates.json")))
        med = est["median"]
        ci = med["confidence_interval"]
        rows[bench["full_id"]] = (
            bench["group_id"],
            bench["full_id"][len(bench["group_id"]) + 1:],
            med["point_estimate"],
            ci["lower_bound"],
            ci["upper_bound"],
        )
    return rows


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def table(label, rows):
    print(f"\n#### {label}\n")
    print("| benchmark | median (95% CI) | ring_raw | ratio | aws_lc_raw | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for full_id in sorted(rows, key=lambda k: (rows[k][0], k)):
        group, func, med, lo, hi = rows[full_id]
        cells = [f"`{full_id}`", f"{fmt(med)} ({fmt(lo)} – {fmt(hi)})"]
        head, _, rest = func.partition("/")
        for base in ("ring_raw", "aws_lc_raw"):
            other = f"{group}/{base}" + (f"/{rest}" if rest else "")
            if head == "respsig" and other in rows:
                cells += [fmt(rows[other][2]), f"**{med / rows[other][2]:.3f}**"]
            else:
                cells += ["", ""]
        print("| " + " | ".join(cells) + " |")
    one = rows.get("verify_batch/threads_1")
    if one:
        for full_id, (group, func, med, _, _) in sorted(rows.items()):
            if group == "verify_batch" and func != "threads_1":
                print(f"\n`{full_id}`: {one[2] / med:.2f}x the throughput of `verify_batch/threads_1`")


def svg(runs, out):
    panels = []
    for label, rows in runs:
        for group in PLOTTED:
            bars = sorted(
                ((r[1], r[2], r[3], r[4]) for r in rows.values() if r[0] == group),
                key=lambda b: b[0],
            )
            if bars:
                panels.append((f"{group} ({label})", bars))
    width, bar_h, gap, left = 760, 18, 6, 150
    y = 40
    parts = []
    colors = {"respsig": "#d95f02", "ring_raw": "#1b9e77", "aws_lc_raw": "#7570b3"}
    for title, bars in panels:
        parts.append(f'<text x="10" y="{y}" font-weight="bold">{title}</text>')
        y += 8
        top = max(b[3] for b in bars)
        for name, med, lo, hi in bars:
            scale = (width - left - 130) / top
            color = colors.get(name.split("/")[0], "#666")
            parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{name}</text>')
            parts.append(f'<rect x="{left}" y="{y}" width="{med * scale:.1f}" height="{bar_h}" fill="{color}"/>')
            parts.append(
                f'<line x1="{left + lo * scale:.1f}" x2="{left + hi * scale:.1f}" '
                f'y1="{y + bar_h / 2}" y2="{y + bar_h / 2}" stroke="black"/>'
            )
            parts.append(f'<text x="{left + hi * scale + 6:.1f}" y="{y + 13}">{fmt(med)}</text>')
            y += bar_h + gap
        y += 26
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
        f'font-family="sans-serif" font-size="12">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<text x="10" y="20" font-size="14">Criterion medians (bars) with 95% intervals '
        f'(lines); bars scaled within each panel</text>'
    )
    with open(out, "w") as f:
        f.write(head + "".join(parts) + "</svg>\n")


def main():
    runs = []
    args = sys.argv[1:]
    plot = "--svg" in args
    for arg in (a for a in args if a != "--svg"):
        label, _, home = arg.partition("=")
        runs.append((label, load(home)))
    for label, rows in runs:
        table(label, rows)
    if plot:
        svg(runs, os.path.join(HERE, "medians.svg"))


if __name__ == "__main__":
    main()
