#!/usr/bin/env python3
"""Extracts the four seed envelopes from the two seed pages of the API
reference (shared/seeds/) into seed-<code>-<endpoint>.json, byte for byte as
the page prints them, and checks each against gkm-docs-vectors.json.

Run from the repository root: python3 testdata/gkm/extract_seeds.py ../shared/seeds
"""
import json, os, re, sys

seeds, here = sys.argv[1], os.path.dirname(os.path.abspath(__file__))
vectors = json.load(open(os.path.join(here, "gkm-docs-vectors.json")))["vectors"]
names = {372: "update-product-meta", 373: "update-product-meta",
         650: "update-product", 651: "update-product"}
decoder = json.JSONDecoder()
for page in sorted(os.listdir(seeds)):
    if not page.endswith(".txt"):
        continue
    text = open(os.path.join(seeds, page), encoding="utf-8").read()
    for m in re.finditer(r'^\{\s*\n\s*"response"', text, re.M):
        env, end = decoder.raw_decode(text, m.start())
        raw = text[m.start():end] + "\n"
        code = env["response"]["code"]
        match = [v["source"] for v in vectors if v["envelope"].strip() == raw.strip()]
        assert len(match) == 1, (page, code, match)
        out = f"seed-{code}-{names[code]}.json"
        open(os.path.join(here, out), "w", encoding="utf-8").write(raw)
        print(f"{page}: code {code} -> {out} (= {match[0]})")
