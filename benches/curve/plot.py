"""Table and plot of the cost curve from benches/curve/run.sh's all.tsv.

Each row of all.tsv: TOOL SIZE VARIANT ENVELOPE_BYTES FULL_NS RAW_NS RATIO
DIFF_NS DIFF_Q1 DIFF_Q3 READ_NS (medians; DIFF = full check minus raw RSA
verify, per round). Of several passes, each (tool, size, variant) keeps the
one with the lowest median difference (load from other work only adds).
Prints a markdown table; writes an SVG plot of ns per envelope byte.
Usage: python3 plot.py ALL.TSV OUT.SVG"""
import math
import sys

rows = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    tool, size, variant = f[0], int(f[1]), f[2]
    nbytes, full, raw, ratio, diff, q1, q3, read = (float(x) for x in f[3:11])
    r = dict(bytes=nbytes, full=full, raw=raw, ratio=ratio, diff=diff, q1=q1, q3=q3, read=read)
    k = (tool, size, variant)
    if k not in rows or diff < rows[k]["diff"]:
        rows[k] = r

# `respsig-before`: an earlier build's rows, renamed, for a before/after plot.
tools = [t for t in ("respsig", "respsig-before", "php", "python") if any(k[0] == t for k in rows)]
sizes = sorted({k[1] for k in rows})
variants = ("compact", "pretty")


def label(size):
    return f"{size // 1048576} MiB" if size >= 1048576 else (
        f"{size // 1024} KB" if size >= 1024 else f"{size} B")


print("| payload | `response` | envelope bytes | tool | end to end | raw RSA verify | ratio | "
      "non-RSA work (IQR) | ns per envelope byte (IQR) | envelope read/decode alone |")
print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|")


def t(ns):
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.2f} µs"


for size in sizes:
    for variant in variants:
        for tool in tools:
            r = rows.get((tool, size, variant))
            if r is None:
                continue
            b = r["bytes"]
            print(f"| {label(size)} | {variant} | {b:.0f} | {tool} | {t(r['full'])} | {t(r['raw'])} | "
                  f"{r['ratio']:.3f} | {t(r['diff'])} ({t(r['q1'])} – {t(r['q3'])}) | "
                  f"**{r['diff'] / b:.2f}** ({r['q1'] / b:.2f} – {r['q3'] / b:.2f}) | {t(r['read'])} |")

# The plot: x = payload size (log), y = ns per envelope byte (log).
W, H, L, R, T, B = 760, 460, 70, 170, 40, 50
xs = [math.log10(s) for s in sizes]
vals = [r["diff"] / r["bytes"] for r in rows.values() if r["diff"] > 0]
ylo = 10 ** math.floor(math.log10(min(vals + [0.5])))
yhi = 10 ** math.ceil(math.log10(max(vals)))


def px(s):
    return L + (math.log10(s) - xs[0]) / (xs[-1] - xs[0]) * (W - L - R)


def py(v):
    v = max(v, ylo)
    return T + (math.log10(yhi) - math.log10(v)) / (math.log10(yhi) - math.log10(ylo)) * (H - T - B)


colors = {"respsig": "#c0392b", "respsig-before": "#e6a09a", "php": "#2c3e50",
          "python": "#2980b9"}
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
       f'font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{L}" y="22" font-size="14">Non-RSA work per envelope byte '
       f'(end to end minus raw RSA-2048 verify, paired)</text>']
d = ylo
while d <= yhi * 1.0001:
    for m in (1, 2, 5):
        v = d * m
        if ylo <= v <= yhi:
            y = py(v)
            svg.append(f'<line x1="{L}" x2="{W - R}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
            svg.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
    d *= 10
for s in sizes:
    x = px(s)
    svg.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{T}" y2="{H - B}" stroke="#eee"/>')
    svg.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{label(s)}</text>')
svg.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">payload size</text>')
svg.append(f'<text transform="translate(16,{(T + H - B) / 2}) rotate(-90)" '
           f'text-anchor="middle">ns per envelope byte (log)</text>')
y0 = 0.5
svg.append(f'<line x1="{L}" x2="{W - R}" y1="{py(y0):.1f}" y2="{py(y0):.1f}" '
           f'stroke="#27ae60" stroke-dasharray="2,3"/>')
svg.append(f'<text x="{W - R - 4}" y="{py(y0) - 4:.1f}" text-anchor="end" '
           f'fill="#27ae60">goal 0.5 ns/B</text>')
ly = T + 10
for tool in tools:
    for variant in variants:
        pts = [(px(s), py(rows[(tool, s, variant)]["diff"] / rows[(tool, s, variant)]["bytes"]))
               for s in sizes if (tool, s, variant) in rows]
        if not pts:
            continue
        dash = ' stroke-dasharray="6,4"' if variant == "pretty" else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        svg.append(f'<polyline points="{path}" fill="none" stroke="{colors[tool]}" '
                   f'stroke-width="2"{dash}/>')
        for x, y in pts:
            svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colors[tool]}"/>')
        svg.append(f'<line x1="{W - R + 12}" x2="{W - R + 40}" y1="{ly}" y2="{ly}" '
                   f'stroke="{colors[tool]}" stroke-width="2"{dash}/>')
        svg.append(f'<text x="{W - R + 46}" y="{ly + 4}">{tool} {variant}</text>')
        ly += 20
svg.append("</svg>")
with open(sys.argv[2], "w") as f:
    f.write("\n".join(svg) + "\n")

# The summary: ns per envelope byte of non-RSA work, one row per size.
print()
print("| payload | envelope bytes (compact / pretty) | " + " | ".join(
    f"{tool} {variant}" for variant in variants for tool in tools) + " |")
print("|---|---:|" + "---:|" * (len(tools) * len(variants)))
for size in sizes:
    nb = " / ".join(f"{rows[(tools[0], size, v)]['bytes']:.0f}" for v in variants
                    if (tools[0], size, v) in rows)
    cells = []
    for variant in variants:
        for tool in tools:
            r = rows.get((tool, size, variant))
            cells.append(f"{r['diff'] / r['bytes']:.2f} ({t(r['diff'])})" if r else "")
    print(f"| {label(size)} | {nb} | " + " | ".join(cells) + " |")
