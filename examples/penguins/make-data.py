#!/usr/bin/env python3
"""Builds the example data from the Palmer Penguins records shipped in the npm package
vega-datasets (data/penguins.json, CC0). Run from this folder:

    npm pack vega-datasets@3.2.1 && tar xzf vega-datasets-3.2.1.tgz
    python3 make-data.py package/data/penguins.json

Writes data/penguins.csv (all rows), data/reference.csv (half of the ids, chosen by a hash:
the baseline), data/current.csv (the other half: the "new" data) and data/planted/current.csv (current.csv with a
planted drift and planted schema breaks, for the README's failing example).
"""
import csv, hashlib, json, os, sys

COLUMNS = [("penguin_id", None), ("species", "Species"), ("island", "Island"),
           ("bill_length_mm", "Beak Length (mm)"), ("bill_depth_mm", "Beak Depth (mm)"),
           ("flipper_length_mm", "Flipper Length (mm)"), ("body_mass_g", "Body Mass (g)"),
           ("sex", "Sex")]

def write(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([c for c, _ in COLUMNS])
        for r in rows:
            w.writerow(["" if r[c] is None else r[c] for c, _ in COLUMNS])

records = json.load(open(sys.argv[1]))
rows = []
for i, rec in enumerate(records, start=1):
    row = {"penguin_id": i}
    for col, src in COLUMNS[1:]:
        v = rec[src]
        # One record has sex "." in the source: it means unknown, so it is written as missing.
        row[col] = None if v in (None, ".") else (v.lower() if col == "sex" else v)
    rows.append(row)

write("data/penguins.csv", rows)
# Neighbouring records are often the two birds of one nest (male, female): halves by parity
# would differ for real. A hash of the id makes two random halves.
def half(r): return hashlib.sha256(str(r["penguin_id"]).encode()).digest()[0] % 2
write("data/reference.csv", [r for r in rows if half(r) == 1])
current = [r for r in rows if half(r) == 0]
write("data/current.csv", current)

planted = []
for r in current:
    r = dict(r)
    if r["body_mass_g"] is not None:
        r["body_mass_g"] = r["body_mass_g"] + 800          # drift: heavier penguins
    planted.append(r)
planted[10]["island"] = "Anvers"                          # schema break: unknown island
planted[11]["island"] = "Anvers"
planted[20]["flipper_length_mm"] = "n/a"                  # schema break: text in a number column
planted[30]["bill_depth_mm"] = -17.1                      # schema break: negative depth
write("data/planted/current.csv", planted)
