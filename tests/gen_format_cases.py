#!/usr/bin/python3
"""Writes tests/data/format_cases.txt: PyTorch's own repr() of float32,
float64, float16 and bfloat16 tensors and of torch.Size, as reference data
for tests/test_format.c.

Run with a Python that has torch (Debian: /usr/bin/python3, python3-torch):
    /usr/bin/python3 tests/gen_format_cases.py > tests/data/format_cases.txt

File format (line oriented, '#' lines are comments):
    case <n> tensor <dtype> <ndim> <d0> ... <d(ndim-1)>
    suffix <text>                     (optional; text PyTorch appended)
    data <h0> <h1> ...                (numel bit patterns of the dtype, in
                                       hex: 16 digits for float64, 8 for
                                       float32, 4 for float16 / bfloat16)
    |<first line of repr(t)>
    |<next line> ...
    end
    case <n> size <ndim> <d0> ...
    |torch.Size([...])
    end
    cases <total>                     (last line: guards against truncation)
Every expected string comes from torch itself; nothing is string-built here.
Each group of cases runs once per dtype with the same seeds: a float64 or
16-bit case holds the float32 case's values as torch converts them (16-bit
values are thus exactly those of their dtype), and groups of their own add
what only that dtype can hold.
"""
import math
import sys

import torch

NAN, INF = float("nan"), float("inf")
out = []
count = 0
DT = torch.float32  # the dtype of the group being written

# dtype: (name in the file, integer view, hex digits, exponent bits,
#         fraction bits)
LAYOUT = {
    torch.float32: ("float32", torch.int32, 8, 8, 23),
    torch.float64: ("float64", torch.int64, 16, 11, 52),
    torch.float16: ("float16", torch.int16, 4, 5, 10),
    torch.bfloat16: ("bfloat16", torch.int16, 4, 8, 7),
}


def emit_tensor(t, requires_grad=False, device=False):
    global count
    t = t.detach().to(DT).contiguous()
    name, view, digits, _, _ = LAYOUT[DT]
    mask = (1 << (4 * digits)) - 1
    bits = [b & mask for b in t.view(view).reshape(-1).tolist()]
    if requires_grad:
        t = t.clone().requires_grad_(True)
    text = device_repr(t) if device else repr(t)
    count += 1
    out.append("case %d tensor %s %d%s" % (
        count, name, t.dim(), "".join(" %d" % d for d in t.shape)))
    if requires_grad:
        out.append("suffix requires_grad=True")
    if device:
        out.append("suffix device='cpu'")
    out.append("data" + "".join(" %0*x" % (digits, b) for b in bits))
    out.extend("|" + line for line in text.split("\n"))
    out.append("end")


def device_repr(t):
    """repr(t) as torch prints a tensor that is not on the default device:
    with a CUDA default device, a CPU tensor gets "device='cpu'" where a
    CUDA tensor on a CPU default would get "device='cuda:0'" (_str_intern
    asks torch._C._get_default_device at each call)."""
    real = torch._C._get_default_device
    torch._C._get_default_device = lambda: "cuda"
    try:
        return repr(t)
    finally:
        torch._C._get_default_device = real


def emit_size(shape):
    global count
    count += 1
    out.append("case %d size %d%s" % (count, len(shape),
                                      "".join(" %d" % d for d in shape)))
    out.append("|" + repr(torch.Size(shape)))
    out.append("end")


def T(values):
    """values in DT, rounded once from Python's doubles."""
    if DT is torch.float32:
        return torch.tensor(values, dtype=torch.float32)
    return torch.tensor(values, dtype=torch.float64).to(DT)


def d2l_cases():
    out.append("# values from the parameter-initialization chapter")
    emit_tensor(T([-0.0089, 0.0039, -0.0204, -0.0059]))
    emit_tensor(torch.zeros(()))
    emit_tensor(T([0.0]))
    emit_tensor(torch.full((1, 8), 42.0))
    emit_tensor(torch.full((8,), 42.0))
    emit_tensor(T(math.pi))
    emit_tensor(torch.ones(4))
    emit_tensor(torch.zeros(1, 4))
    torch.manual_seed(42)
    emit_tensor(torch.rand(2, 4))
    emit_tensor(torch.randn(2, 4))
    emit_tensor(torch.normal(0.0, 0.01, (4,)))
    emit_tensor(torch.normal(0.0, 0.01, (8, 4)))
    emit_tensor(torch.empty(8, 4).uniform_(-0.5, 0.5))
    for seed in range(4):
        torch.manual_seed(seed)
        w = torch.empty(2, 4).uniform_(-10, 10)
        w *= w.abs() >= 5
        emit_tensor(w)
    w = torch.empty(2, 4).uniform_(-10, 10)
    w *= w.abs() >= 5
    w[:] += 1
    w[0, 0] = 42
    emit_tensor(w)
    emit_tensor(T([[5.0, 0.0, 6.0, 0.0], [0.0, 7.0, 8.0, 10.0]]))
    emit_tensor(T([[5.5, 0.0, -6.25, 0.0], [0.0, 7.0, -8.0, 9.75]]))


def int_cases():
    out.append("# integer-valued floats (int mode)")
    emit_tensor(torch.arange(10.0))
    emit_tensor(torch.arange(-5.0, 5.0))
    emit_tensor(T([1.0, 100.0, 1000.0]))
    emit_tensor(T([1.0, 1000.0, 1001.0]))  # ratio > 1000: sci
    emit_tensor(T([-1.0, 1000.0]))  # ratio exactly 1000: not sci
    emit_tensor(T([1e8, 1.0]))
    emit_tensor(T([1e8]))  # exactly 1e8: not sci
    emit_tensor(T([123456789.0]))  # > 1e8: sci
    emit_tensor(T([16777216.0, 16777218.0]))
    emit_tensor(T([-7.0, 3.0, 0.0, -0.0]))
    emit_tensor(T([[1.0, -2.0], [300.0, 4.0]]))
    emit_tensor(T([99999.0, -99999.0, 5.0]))
    emit_tensor(T([3.4028234663852886e38]))


def sci_cases():
    out.append("# scientific notation")
    emit_tensor(T([1e-5, 1.0]))
    emit_tensor(T([1e-5]))
    emit_tensor(T([1e-4, 0.5]))  # min == 1e-4 in float32 is below 1e-4
    emit_tensor(T([1.0001e-4, 0.05]))
    emit_tensor(T([1e10, 1.5]))
    emit_tensor(T([0.5, 600.0]))
    emit_tensor(T([0.001, 1.5]))
    emit_tensor(T([1.4e-45, 1.0]))
    emit_tensor(T([-1e-8, 2e-8, 0.0]))
    emit_tensor(T([3.4e38, -3.4e38, 1.5]))
    emit_tensor(T([1e-30, 1e30]))
    emit_tensor(T([[1e-5, 2.0], [3.0, -4e5]]))
    emit_tensor(T([12345.678, 0.5]))
    emit_tensor(T([123456.78, 1.5]))  # ratio above 1000: sci
    emit_tensor(T([99999.5, 100.25]))


def special_cases():
    out.append("# nan, inf, zeros, negative zeros")
    for vals in ([NAN], [INF], [-INF], [NAN, 1.0], [NAN, 1.5], [INF, 1e-5],
                 [0.0, NAN, INF, -INF], [NAN, INF, -INF], [-INF, 2.0, -3.0],
                 [INF, 0.25, -0.125], [NAN, 1e10, 1.0], [INF, 100.0],
                 [0.0, 0.0, 0.0], [-0.0], [-0.0, 1.0], [-0.0, 1.5],
                 [-0.0, 1e-5], [-0.0, 0.0], [-0.0, 100.0, NAN],
                 [-0.0, -1.0, 12.0]):
        emit_tensor(T(vals))
    emit_tensor(-T([NAN, 1.0]))  # NaN with its sign bit set
    emit_tensor(-T([NAN, 1.5]))
    emit_tensor(-T([NAN, 1e-7]))
    emit_tensor(torch.zeros(5))
    emit_tensor(torch.zeros(2, 3))
    emit_tensor(-torch.zeros(2, 2))
    emit_tensor(T([[NAN, 1.0], [2.0, INF]]))


def scalar_cases():
    out.append("# 0-d tensors")
    for v in (3.1416, -2.5, 1e-5, 1e10, NAN, INF, -INF, 7.0, -7.0, 1e8,
              123456789.0, -0.0, 0.5, 1e-4, 0.1, 65504.0, 1e-45):
        emit_tensor(T(v))
    emit_tensor(-T(NAN))


def empty_cases():
    out.append("# empty tensors")
    for shape in ((0,), (0, 3), (2, 0), (0, 0), (2, 0, 3), (1, 0),
                  (0, 1, 1, 1)):
        emit_tensor(torch.zeros(shape))


def wrap_cases():
    out.append("# line wrapping and nesting")
    torch.manual_seed(1)
    emit_tensor(torch.arange(30.0))
    emit_tensor(torch.arange(100.0))
    emit_tensor(torch.arange(-20.0, 20.0) * 1000)
    emit_tensor(torch.randn(50))
    emit_tensor(torch.randn(100) * 100)
    emit_tensor(torch.randn(2, 40))
    emit_tensor(torch.randn(7, 13))
    emit_tensor(torch.randn(2, 3, 4))
    emit_tensor(torch.randn(2, 2, 2, 2))
    emit_tensor(torch.randn(1, 1, 1, 1))
    emit_tensor(torch.randn(3, 1, 2, 1, 2))
    emit_tensor(torch.ones([1] * 7 + [2]))
    emit_tensor(torch.randn(2, 3, 30) * 1e-3)
    emit_tensor(torch.randn(4, 2, 25) * 1e6)
    emit_tensor(torch.randint(-1000, 1000, (3, 3, 30)).float())
    emit_tensor(torch.randn(1, 2, 1, 2, 1, 2, 1, 2))


def summary_cases():
    out.append("# summarized (more than 1000 elements)")
    torch.manual_seed(2)
    emit_tensor(torch.randn(1001))
    emit_tensor(torch.arange(1001.0))
    emit_tensor(torch.randn(40, 40))
    emit_tensor(torch.randn(3, 500))
    emit_tensor(torch.randn(2, 3, 400))
    emit_tensor(torch.randn(20, 20, 20))
    emit_tensor(torch.arange(2000.0).reshape(2, 1000))
    emit_tensor(torch.randn(7, 7, 7, 7))
    emit_tensor(torch.randn(1, 1001))
    emit_tensor(torch.randn(1001, 1))
    emit_tensor(torch.randn(6, 6, 6, 6))  # 1296 elements, no dim above 6
    x = torch.randn(40, 40)
    x[0, 5] = 1e6  # shown outlier: sci mode
    emit_tensor(x)
    x = torch.randn(40, 40)
    x[20, 20] = 1e6  # hidden outlier: ignored by the formatter
    emit_tensor(x)
    x = torch.randn(40, 40)
    x[39] = 1e-6  # shown small row
    emit_tensor(x)
    x = torch.zeros(1001)
    x[500] = NAN
    emit_tensor(x)
    x = torch.zeros(2000)
    x[-1] = NAN
    x[0] = -INF
    emit_tensor(x)
    emit_tensor(torch.full((10, 101), 3.0))
    emit_tensor(torch.randn(7, 3, 100))  # a whole dim between two cut ones
    emit_tensor(torch.randn(100, 7, 2))  # cut dims, then a whole one


def suffix_cases():
    out.append("# suffixes placed by torch (requires_grad=True)")
    torch.manual_seed(3)
    for n in range(1, 10):
        emit_tensor(torch.randn(n), requires_grad=True)
    emit_tensor(torch.arange(20.0), requires_grad=True)
    emit_tensor(torch.randn(2, 3), requires_grad=True)
    emit_tensor(torch.randn(20), requires_grad=True)
    emit_tensor(T(1.5), requires_grad=True)
    emit_tensor(torch.zeros(0), requires_grad=True)


def fuzz_cases(n):
    out.append("# random shapes, scales and specials")
    g = torch.Generator().manual_seed(1234)

    def rint(lo, hi):
        return int(torch.randint(lo, hi + 1, (1,), generator=g))

    for _ in range(n):
        ndim = rint(0, 4)
        shape = [rint(1, 9 if ndim < 3 else 4) for _ in range(ndim)]
        kind = rint(0, 5)
        scale = 10.0 ** rint(-7, 9)
        if kind == 0:
            t = torch.randn(shape, generator=g) * scale
        elif kind == 1:
            t = torch.randint(-50, 50, shape, generator=g).float()
        elif kind == 2:
            t = torch.rand(shape, generator=g)
        elif kind == 3:
            t = torch.randint(-3, 4, shape, generator=g).float() * scale
        else:
            t = torch.randn(shape, generator=g) * scale
            mask = torch.randint(0, 8, shape, generator=g)
            t[mask == 0] = NAN
            t[mask == 1] = INF
            t[mask == 2] = -INF
            t[mask == 3] = 0.0
            t[mask == 4] = -0.0
        emit_tensor(t)


def size_cases():
    out.append("# torch.Size")
    for shape in ((), (2, 1), (5,), (0,), (2, 3, 4), (1,) * 8, (1000000, 3),
                  (0, 3), (9223372036854775807,)):
        emit_size(shape)


def device_cases():
    out.append("# the device suffix, before size and dtype")
    torch.manual_seed(4)
    for shape in ((0,), (0, 3), (2, 0, 1), (), (2,), (11,), (10,), (2, 2)):
        n = math.prod(shape)
        emit_tensor(torch.arange(10.0, 10.0 + n).reshape(shape), device=True)
    emit_tensor(torch.randn(9), device=True)
    emit_tensor(torch.randn(3, 8), device=True)


def random_bits(n, ebits, mbits, width, g):
    """n bit patterns of a float with ebits exponent and mbits fraction bits:
    any sign and fraction, finite exponents within width of a random one,
    or with width 0 any exponent at all (infinities, NaN, subnormals)."""
    def draw(bits):
        v = 0
        for _ in range((bits + 29) // 30):
            v = (v << 30) | int(torch.randint(0, 1 << 30, (1,), generator=g))
        return v & ((1 << bits) - 1)

    top = (1 << ebits) - 1
    centre = draw(ebits) % top
    patterns = []
    for _ in range(n):
        e = draw(ebits) if width == 0 else min(
            top - 1, max(0, centre + draw(8) % (2 * width + 1) - width))
        patterns.append((draw(1) << (ebits + mbits)) | (e << mbits)
                        | draw(mbits))
    return patterns


def bits_cases(n):
    out.append("# random bit patterns")
    _, view, digits, ebits, mbits = LAYOUT[DT]
    g = torch.Generator().manual_seed(99)
    for k in range(n):
        numel = int(torch.randint(1, 13, (1,), generator=g))
        bits = random_bits(numel, ebits, mbits, (0, 1, 2, 4)[k % 4], g)
        signed = [b - (1 << (4 * digits)) if b >> (4 * digits - 1) else b
                  for b in bits]
        emit_tensor(torch.tensor(signed, dtype=view).view(DT))


def float64_cases():
    out.append("# float64: what float32 cannot hold")
    for vals in ([math.pi], [1 / 3, 2 / 3], [0.1 + 0.2, 0.3],
                 [1e-4, 0.05],  # exactly 1e-4: not below it, fixed
                 [2.00005, 1.5], [99999999.5], [99999999.0, 1.0],
                 [1e8 + 1], [2.0 ** 53, 1.0], [2.0 ** 53 + 2],
                 [1e300, -1e-300], [5e-324], [5e-324, 1.0],
                 [1.7976931348623157e308], [-1.7976931348623157e308, 1.0],
                 [2.2250738585072014e-308], [1e15], [123456789012.0, 5.0],
                 [0.00015, 0.1], [1.00005, 0.99995], [12345.67895, 1.0],
                 [3e-5, 1.0], [NAN, 1e-310], [-0.0, 1e-200]):
        emit_tensor(T(vals))
    g = torch.Generator().manual_seed(64)
    for shape, scale in (((6,), 1.0), ((3, 4), 1e-3), ((2, 5), 1e5),
                         ((1200,), 1.0), ((40, 30), 1e-6), ((8,), 1e200)):
        emit_tensor(torch.randn(shape, generator=g, dtype=torch.float64)
                    * scale)
    emit_tensor(torch.arange(1001, dtype=torch.float64) / 7)


def float16_cases():
    out.append("# float16: its range, subnormals and rounding")
    for vals in ([65504.0, -65504.0], [65504.0, 1.0], [6e-8], [6e-8, 1.0],
                 [6.1e-5, 0.5], [1e-4, 0.05], [0.1, 0.2, 0.3], [1 / 3],
                 [2048.0, 2049.0, 2051.0], [1e5, 1.0], [1.0 + 2 ** -10],
                 [0.0001, 0.5], [3.14159], [1000.0, 1.0], [1001.0, 1.0],
                 [-0.0, 6e-8], [12.34, 0.01]):
        emit_tensor(T(vals))
    emit_tensor(torch.arange(-8.0, 8.0) * 0.125)
    emit_tensor(torch.arange(2048.0) + 0.5)


def bfloat16_cases():
    out.append("# bfloat16: float32's range, 8 significant bits")
    for vals in ([3.3895e38, -3.3895e38], [1e-38, 1.0], [9.2e-41],
                 [1.0078125], [256.0, 257.0, 258.0], [0.1, 0.2, 0.3],
                 [1e-4, 0.05], [1e8], [99999999.0], [1 / 3], [3.14159],
                 [1000.0, 1.0], [1001.0, 1.0], [65504.0, 70000.0],
                 [-0.0, 1e-38]):
        emit_tensor(T(vals))
    emit_tensor(torch.arange(-8.0, 8.0) * 0.125)
    emit_tensor(torch.arange(1200.0) * 3)


def main():
    global DT
    out.append("# Generated by tests/gen_format_cases.py with torch "
               + torch.__version__ + "; do not edit.")
    own = {torch.float64: float64_cases, torch.float16: float16_cases,
           torch.bfloat16: bfloat16_cases}
    for DT in LAYOUT:
        out.append("# ==== " + LAYOUT[DT][0])
        d2l_cases()
        int_cases()
        sci_cases()
        special_cases()
        scalar_cases()
        empty_cases()
        wrap_cases()
        summary_cases()
        if DT is torch.float32:
            suffix_cases()  # requires_grad comes after the dtype
        fuzz_cases(60)
        device_cases()
        bits_cases(40)
        if DT in own:
            own[DT]()
    DT = torch.float32
    size_cases()
    out.append("cases %d" % count)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
