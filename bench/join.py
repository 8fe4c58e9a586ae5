#!/usr/bin/env python3
"""Joins ginit_bench's and torch_reference.py's CSVs into one table of
ratios: for each initializer and size, the median times and PyTorch's time
divided by ginit's (above 1: ginit is faster), for each thread count
PyTorch ran with. ginit's whole-tree rows
(tree_init_*, gi_module_init_) are compared with PyTorch's net.apply rows
(tree_*), which compute the same thing."""
import csv
import sys


def load(path):
    """{(device, initializer, n): {threads: ms}}; threads is "" for ginit."""
    rows = {}
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                key = (r["device"], r["initializer"], int(r["n"]))
                rows.setdefault(key, {})[r.get("threads") or ""] = float(r["ms"])
    except FileNotFoundError:
        pass
    return rows


def torch_name(name):
    """The PyTorch row a ginit row is compared with."""
    return "tree_" + name[len("tree_init_"):] if name.startswith("tree_init_") else name


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: join.py GINIT_CSV TORCH_CSV")
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    if not theirs:
        print("no PyTorch timings: the table has ginit's only")
    counts = sorted({int(k) for v in theirs.values() for k in v}, key=int)
    head = f"{'device':6} {'initializer':18} {'n':>10} {'ginit ms':>10}"
    for c in counts:
        head += f" {f'torch {c}t ms':>12} {'speedup':>8}"
    print(head)
    for key in sorted(ours, key=lambda k: (k[0], k[1], k[2])):
        dev, name, n = key
        mine = ours[key][""]
        line = f"{dev:6} {name:18} {n:10d} {mine:10.3f}"
        t = theirs.get((dev, torch_name(name), n), {})
        for c in counts:
            ms = t.get(str(c))
            line += (f" {ms:12.3f} {ms / mine:7.2f}x" if ms
                     else f" {'-':>12} {'-':>8}")
        print(line)

if __name__ == "__main__":
    main()
