#!/usr/bin/env python3
"""Proves the committed reference data of the torch_cpu generator is what
the installed PyTorch gives: runs tests/gen_torchgen_cases.py and
tests/gen_torch_generator_cases.py under this Python and compares their
output with tests/data/torchgen_cases.txt and
tests/data/torch_generator_cases.txt byte for byte.

gen_torchgen_cases.py runs with --no-sweeps (its sweeps take minutes on
two cores): its sweep lines and its last line (the count of cases, which
includes them) are left out of both sides; every other line must match.

Exits 77 (skipped) when torch cannot be imported, unless
GINIT_REQUIRE_TORCH=1, which makes that a failure.
"""
import os
import subprocess
import sys

from torch_import import require
HERE = os.path.dirname(os.path.abspath(__file__))
# (script, its arguments, data file, prefixes of lines not regenerated)
CHECKS = [("gen_torchgen_cases.py", ["--no-sweeps"], "torchgen_cases.txt",
           ("sweep ", "cases ")),
          ("gen_torch_generator_cases.py", [], "torch_generator_cases.txt",
           ())]


def kept(text, skipped):
    return [line for line in text.splitlines(keepends=True)
            if not (skipped and line.startswith(skipped))]


def check(script, args, data, skipped):
    out = subprocess.run([sys.executable, os.path.join(HERE, script)] + args,
                         check=True, capture_output=True, text=True).stdout
    with open(os.path.join(HERE, "data", data), newline="") as f:
        want = kept(f.read(), skipped)
    got = kept(out, skipped)
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            c = next(k for k in range(len(a) + 1) if a[k:k + 1] != b[k:k + 1])
            print("%s: line %d differs from tests/data/%s at column %d:\n"
                  "  torch:     ...%r\n  committed: ...%r" % (
                      script, i + 1, data, c + 1, a[max(c - 40, 0):c + 40],
                      b[max(c - 40, 0):c + 40]), file=sys.stderr)
            return False
    if len(got) != len(want):
        print("%s: %d lines, tests/data/%s has %d" % (
            script, len(got), data, len(want)), file=sys.stderr)
        return False
    print("%s: %d lines equal to tests/data/%s" % (script, len(got), data))
    return True


def main():
    require("numpy")
    results = [check(*c) for c in CHECKS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
