#!/usr/bin/env python3
"""Joins ginit_bench's and torch_reference.py's CSVs into one table of
ratios: for each initializer and size, the median times and PyTorch's time
divided by ginit's (above 1: ginit is faster). ginit's whole-tree rows
(tree_init_*, gi_module_init_) are compared with PyTorch's net.apply rows
(tree_*), which compute the same thing."""
import csv
import sys


def load(path):
    try:
        with open(path, newline="") as f:
            return {(r["device"], r["initializer"], int(r["n"])): float(r["ms"])
                    for r in csv.DictReader(f)}
    except FileNotFoundError:
        return {}


def torch_name(name):
    """The PyTorch row a ginit row is compared with."""
    return "tree_" + name[len("tree_init_"):] if name.startswith("tree_init_") else name


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: join.py GINIT_CSV TORCH_CSV")
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    if not theirs:
        print("no PyTorch timings: the table has ginit's only")
    print(f"{'device':6} {'initializer':18} {'n':>10} {'ginit ms':>10} "
          f"{'torch ms':>10} {'speedup':>8}")
    for key in sorted(ours, key=lambda k: (k[0], k[1], k[2])):
        dev, name, n = key
        t = theirs.get((dev, torch_name(name), n))
        ratio = f"{t / ours[key]:7.2f}x" if t else "      -"
        tms = f"{t:10.3f}" if t else f"{'-':>10}"
        print(f"{dev:6} {name:18} {n:10d} {ours[key]:10.3f} {tms} {ratio}")


if __name__ == "__main__":
    main()
