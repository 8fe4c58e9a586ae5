#!/usr/bin/env python3
"""PyTorch's orthogonal_ in float64 on ginit's normal draw, for
tests/data/orthogonal_golden64.txt (read by tests/test_orthogonal.c).

The normal matrix comes from tests/rng_reference.py's float64 normal law
(written from docs/rng.md, independent of src/), drawn as gi_orthogonal_
draws it; the QR, the sign fix and the gain are torch.nn.init.orthogonal_'s
own steps with torch.linalg.qr in float64. Needs PyTorch (1.13 was used).

Run:  python3 tests/gen_orthogonal_golden.py [PATH]

Format (line oriented; '#' lines are comments):
    case <seed> <stream> <offset> <gain> <ndim> <d0> ... <d(ndim-1)>
    <v0> <v1> ... (rows * cols values, row-major)
    cases <total>
gain and the values are float64 bit patterns as "%016x"; the rest are
unsigned decimal. The last line guards against truncation.
"""
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rng_reference as ref  # noqa: E402

CASES = [  # seed, stream, offset, gain, shape
    (1, 0, 0, 1.0, (6, 6)),
    (2, 3, 17, 1.0, (10, 4)),
    (3, 0, 5, 2.5, (4, 10)),
    (4, 7, 0, -0.5, (3, 2, 5)),
    (5, 1, 99, 1.0, (40, 25)),
    (6, 0, 0, 1.0, (7, 1)),
    (7, 0, 0, 1.0, (1, 7)),
]


def bits(v):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", v))[0]


def orthogonal(seed, stream, offset, gain, shape):
    rows = shape[0]
    cols = 1
    for d in shape[1:]:
        cols *= d
    values, _ = ref.normal64_(seed, stream, offset, rows * cols, 0.0, 1.0)
    flat = torch.tensor(values, dtype=torch.float64).reshape(rows, cols)
    if rows < cols:
        flat.t_()
    q, r = torch.linalg.qr(flat)
    q *= torch.diag(r, 0).sign()
    if rows < cols:
        q.t_()
    return (q.contiguous() * gain).flatten().tolist()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = (sys.argv[1] if len(sys.argv) > 1 else
            os.path.join(here, "data", "orthogonal_golden64.txt"))
    with open(path, "w") as f:
        f.write("# orthogonal_ in float64: tests/gen_orthogonal_golden.py "
                "(torch %s)\n" % torch.__version__)
        for seed, stream, offset, gain, shape in CASES:
            f.write("case %d %d %d %s %d %s\n" % (
                seed, stream, offset, bits(gain), len(shape),
                " ".join(str(d) for d in shape)))
            f.write(" ".join(bits(v) for v in
                             orthogonal(seed, stream, offset, gain, shape)))
            f.write("\n")
        f.write("cases %d\n" % len(CASES))


if __name__ == "__main__":
    main()
