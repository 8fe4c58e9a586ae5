#!/usr/bin/env python3
"""ginit's torch_cpu generator against PyTorch itself, in one process.

Usage: torch_generator_live.py PATH/TO/libginit.so

Loads ginit with ctypes and makes the same calls on a CPU context whose
default generator is torch_cpu and on PyTorch's default generator, after
the same manual_seed, comparing every value's float32 bits:

 1. sizes: uniform_ and normal_ of every size 0..100 and two large ones,
    each from a fresh seed, with varied arguments, on explicit generators
    (gi_generator_create_kind against torch.Generator);
 2. sequences: per seed, 30 to 60 calls drawn at random (uniform_,
    normal_ of small and large sizes, trunc_normal_, xavier, kaiming,
    sparse_, orthogonal_, rand, randn, gi_init_, nn.Linear, a tree of
    two Linears given gi_module_init_) with shapes of 1 to 4 dimensions,
    mixed with fills on an explicit generator, then gi_generator_get_state
    against torch.get_rng_state() and the explicit one's, byte for byte;
 3. the chapter's tree, Sequential(LazyLinear(8), ReLU(), LazyLinear(1))
    run on X = torch.rand(2, 4): X, every parameter and the output, the
    output bit for bit too (Debian's torch and ginit both reach
    OpenBLAS's sgemm, and a product this small is one call in each);
 4. parts 1 and 2 for three of the seeds in a child process with
    ATEN_CPU_CAPABILITY=default (which it checks took effect) against
    GI_TORCH_KERNELS_DEFAULT.

Seeds: 0, 1, 42, -1, -2**63, 2**32, 2**32 + 5, 2**64 - 1 and random ones;
each seeding also compares gi_generator_seed with initial_seed(). The
run's random choices come from one number, printed, which
GINIT_LIVE_SEED=<int> replays. A mismatch prints the seed, the calls so
far, the first differing index and both values. Exits 77 (skipped) when
torch cannot be imported, unless GINIT_REQUIRE_TORCH=1, which makes that
a failure.
"""
import ctypes
import math
import os
import random
import subprocess
import sys
import warnings

from torch_import import require
MASK64 = (1 << 64) - 1
FIXED_SEEDS = [0, 1, 42, -1, -2 ** 63, 2 ** 32, 2 ** 32 + 5, 2 ** 64 - 1]
LARGE = [1000003, 2 ** 20 + 7]
CHILD_FLAG = "--default-kernels"  # the child run, with torch's own set
GI_DEVICE_CPU, GI_F32, GI_GENERATOR_TORCH_CPU = 1, 0, 1
KERNELS = {"avx2": 0, "default": 1}
FAN = {"fan_in": 0, "fan_out": 1}
NONLIN = {"linear": 0, "conv2d": 2, "sigmoid": 7, "tanh": 8, "relu": 9,
          "leaky_relu": 10, "selu": 11}
INIT_KIND = {"uniform": 1, "normal": 2, "zeros": 4, "xavier_uniform": 6,
             "xavier_normal": 7, "kaiming_uniform": 8, "kaiming_normal": 9,
             "trunc_normal": 10, "sparse": 17, "orthogonal": 18}

c_void_p, c_double, c_int, c_int64 = (ctypes.c_void_p, ctypes.c_double,
                                      ctypes.c_int, ctypes.c_int64)
c_int64_p = ctypes.POINTER(c_int64)


class GiInit(ctypes.Structure):
    _fields_ = [("kind", c_int), ("a", c_double), ("b", c_double),
                ("c", c_double), ("d", c_double), ("mode", c_int),
                ("nonlinearity", c_int), ("distribution", c_int),
                ("k", c_int), ("components", c_void_p)]


class Mismatch(Exception):
    """ginit and torch disagree, or a ginit call failed where torch's
    succeeded."""


def load_ginit(path):
    g = ctypes.CDLL(path)
    out = ctypes.POINTER(c_void_p)
    t, d = c_void_p, c_double
    sigs = {
        "gi_context_create": [out, c_int],
        "gi_context_destroy": [t],
        "gi_context_generator": [t],
        "gi_context_set_generator_kind": [t, c_int],
        "gi_manual_seed": [t, ctypes.c_uint64],
        "gi_generator_create_kind": [out, c_int, ctypes.c_uint64],
        "gi_generator_destroy": [t],
        "gi_generator_set_torch_kernels": [t, c_int],
        "gi_generator_seed": [t],
        "gi_generator_get_state": [t, t, ctypes.c_size_t,
                                   ctypes.POINTER(ctypes.c_size_t)],
        "gi_tensor_create": [out, t, c_int, c_int, c_int64_p],
        "gi_tensor_destroy": [t],
        "gi_tensor_numel": [t],
        "gi_tensor_copy_to_host": [t, t, ctypes.c_size_t],
        "gi_uniform_": [t, d, d, t],
        "gi_normal_": [t, d, d, t],
        "gi_trunc_normal_": [t, d, d, d, d, t],
        "gi_xavier_uniform_": [t, d, t],
        "gi_xavier_normal_": [t, d, t],
        "gi_kaiming_uniform_": [t, d, c_int, c_int, t],
        "gi_kaiming_normal_": [t, d, c_int, c_int, t],
        "gi_sparse_": [t, d, d, t],
        "gi_orthogonal_": [t, d, t],
        "gi_init_": [t, ctypes.POINTER(GiInit), t],
        "gi_rand": [out, t, c_int, c_int64_p, t],
        "gi_randn": [out, t, c_int, c_int64_p, t],
        "gi_linear_create": [out, t, c_int64, c_int64, c_int, c_int],
        "gi_lazy_linear_create": [out, t, c_int64, c_int, c_int],
        "gi_relu_create": [out, t],
        "gi_sequential_create": [out, t, c_int, ctypes.POINTER(c_void_p)],
        "gi_module_destroy": [t],
        "gi_module_child": [t, c_int64, out],
        "gi_module_weight": [t],
        "gi_module_bias": [t],
        "gi_module_forward": [t, t, out],
        "gi_module_init_": [t, ctypes.POINTER(GiInit),
                            ctypes.POINTER(GiInit), t],
    }
    for name, args in sigs.items():
        f = getattr(g, name)
        f.argtypes = args
        f.restype = c_int
    for name in ("gi_context_destroy", "gi_generator_destroy",
                 "gi_tensor_destroy", "gi_module_destroy"):
        getattr(g, name).restype = None
    for name in ("gi_context_generator", "gi_module_weight",
                 "gi_module_bias"):
        getattr(g, name).restype = c_void_p
    g.gi_tensor_numel.restype = c_int64
    g.gi_generator_seed.restype = ctypes.c_uint64
    g.gi_last_error.restype = ctypes.c_char_p
    g.gi_last_error.argtypes = []
    return g


class Live:
    """One ginit CPU context (torch_cpu default generator) beside torch,
    and what has been compared so far."""

    def __init__(self, torch, np, g, kernels):
        self.torch, self.np, self.g = torch, np, g
        self.kernels, self.kernels_name = KERNELS[kernels], kernels
        self.ctx = self.handle("gi_context_create", GI_DEVICE_CPU)
        self.ok("gi_context_set_generator_kind",
                self.g.gi_context_set_generator_kind(
                    self.ctx, GI_GENERATOR_TORCH_CPU))
        self.ok("gi_generator_set_torch_kernels",
                self.g.gi_generator_set_torch_kernels(
                    self.gen_of(None), self.kernels))
        self.seed, self.log = None, []
        self.side = None  # a sequence's explicit generators (pair())
        self.seeds = self.calls = self.values = 0

    def ok(self, call, status):
        if status != 0:
            raise Mismatch("%s failed (status %d): %s" % (
                call, status, self.g.gi_last_error().decode()))

    def handle(self, ctor, *args):
        h = c_void_p()
        self.ok(ctor, getattr(self.g, ctor)(ctypes.byref(h), *args))
        return h

    def gen_of(self, gen):
        return gen if gen is not None else self.g.gi_context_generator(
            self.ctx)

    def start(self, seed, explicit=False):
        """manual_seed(seed) on both sides, seed as torch takes it (ginit
        takes its two's complement); explicit: on new generators, which
        it returns, ginit's and torch's."""
        self.seed, self.log = seed, []
        if explicit:
            return self.pair(seed)
        self.seeds += 1
        self.ok("gi_manual_seed", self.g.gi_manual_seed(self.ctx,
                                                        seed & MASK64))
        self.check_seed(None, self.torch.manual_seed(seed))
        return None, None

    def pair(self, seed):
        """A new ginit torch_cpu generator and a torch.Generator, both
        seeded with seed."""
        self.seeds += 1
        mine = self.handle("gi_generator_create_kind",
                           GI_GENERATOR_TORCH_CPU, seed & MASK64)
        self.ok("gi_generator_set_torch_kernels",
                self.g.gi_generator_set_torch_kernels(mine, self.kernels))
        theirs = self.torch.Generator().manual_seed(seed)
        self.check_seed(mine, theirs)
        return mine, theirs

    def check_seed(self, gen, tgen):
        got = self.g.gi_generator_seed(self.gen_of(gen))
        if got != tgen.initial_seed():
            raise Mismatch("initial_seed: ginit %d, torch %d" % (
                got, tgen.initial_seed()))

    def tensor(self, shape):
        return self.handle("gi_tensor_create", self.ctx, GI_F32, len(shape),
                           (c_int64 * len(shape))(*shape))

    def bits(self, t):
        n = self.g.gi_tensor_numel(t)
        out = self.np.empty(n, dtype=self.np.uint32)
        self.ok("gi_tensor_copy_to_host", self.g.gi_tensor_copy_to_host(
            t, out.ctypes.data_as(c_void_p), 4 * n))
        return out

    def compare(self, what, mine, theirs):
        """mine: a ginit tensor; theirs: torch's float32 tensor."""
        a = self.bits(mine)
        b = theirs.detach().contiguous().view(-1).view(
            self.torch.int32).numpy().view(self.np.uint32)
        self.log.append(what)
        self.calls += 1
        self.values += len(b)
        if len(a) != len(b) or not self.np.array_equal(a, b):
            diff = self.np.flatnonzero(a[:len(b)] != b[:len(a)])
            i = int(diff[0]) if len(diff) else min(len(a), len(b))
            raise Mismatch("%s: first difference at index %d of %d: ginit "
                           "%s, torch %s" % (what, i, len(b), hexat(a, i),
                                             hexat(b, i)))

    def compare_state(self, gen=None, tgen=None):
        size = ctypes.c_size_t()
        buf = ctypes.create_string_buffer(5056)
        self.ok("gi_generator_get_state", self.g.gi_generator_get_state(
            self.gen_of(gen), buf, len(buf), ctypes.byref(size)))
        ref = (tgen.get_state() if tgen is not None
               else self.torch.get_rng_state()).numpy().tobytes()
        mine = buf.raw[:size.value]
        if mine != ref:
            i = next((k for k in range(min(len(mine), len(ref)))
                      if mine[k] != ref[k]), min(len(mine), len(ref)))
            raise Mismatch("state (%d bytes, torch %d): first difference at "
                           "byte %d: ginit %s, torch %s" % (
                               len(mine), len(ref), i, mine[i:i + 1].hex(),
                               ref[i:i + 1].hex()))

    def where(self):
        return "seed %r (manual_seed's argument), %s kernels, calls so far:" \
            "\n  %s" % (self.seed, self.kernels_name, "\n  ".join(self.log))


def hexat(x, i):
    return "%08x" % x[i] if i < len(x) else "(none)"


def fill(live, what, shape, mine, theirs, gen=None):
    """mine(t, gen) fills ginit's tensor, theirs(t) torch's."""
    t = live.tensor(shape)
    try:
        live.ok(what, mine(t, gen))
        ref = live.torch.empty(*shape)
        theirs(ref)
        live.compare("%s %s" % (what, list(shape)), t, ref)
    finally:
        live.g.gi_tensor_destroy(t)


def sizes_part(live, seeds, rng):
    """uniform_ and normal_ of every size 0..100 and LARGE, each from a
    fresh explicit generator (size 0 draws nothing, in torch too)."""
    g = live.g
    for seed in seeds:
        for n in list(range(101)) + LARGE:
            for op in ("uniform", "normal"):
                a, b = (rng.uniform(-5, 0), rng.uniform(0, 5)) \
                    if op == "uniform" else (rng.uniform(-3, 3),
                                             rng.uniform(0, 4))
                gen, tgen = live.start(seed, explicit=True)
                try:
                    mine = getattr(g, "gi_%s_" % op)
                    fill(live, "%s_(%r, %r)" % (op, a, b), (n,),
                         lambda t, gn: mine(t, a, b, gn),
                         lambda t: getattr(t, op + "_")(a, b, generator=tgen),
                         gen)
                    live.compare_state(gen, tgen)
                finally:
                    g.gi_generator_destroy(gen)


def random_shape(rng, ndim_min=1, cap=4096):
    while True:
        ndim = rng.randint(ndim_min, 4)
        shape = tuple(rng.randint(1, 9 if ndim > 2 else 40)
                      for _ in range(ndim))
        if math.prod(shape) <= cap:
            return shape


def op_uniform(live, rng):
    shape = random_shape(rng) if rng.random() < 0.8 else (
        rng.randint(1000, 5000),)
    a = rng.uniform(-10, 1)
    b = a + rng.choice([0.0, rng.uniform(0, 20)])
    fill(live, "uniform_(%r, %r)" % (a, b), shape,
         lambda t, gn: live.g.gi_uniform_(t, a, b, gn),
         lambda t: t.uniform_(a, b))


def op_normal(live, rng):
    n = rng.choice([rng.randint(1, 15), rng.randint(16, 200),
                    16 * rng.randint(1, 30), rng.randint(1000, 5000)])
    shape = (n,) if rng.random() < 0.5 else random_shape(rng)
    m, s = rng.uniform(-3, 3), rng.choice([0.0, rng.uniform(0, 5)])
    fill(live, "normal_(%r, %r)" % (m, s), shape,
         lambda t, gn: live.g.gi_normal_(t, m, s, gn),
         lambda t: t.normal_(m, s))


def op_trunc_normal(live, rng):
    m, s = rng.uniform(-2, 2), rng.uniform(0.01, 3)
    a = m + s * rng.uniform(-3, 0.5)
    b = a + s * rng.uniform(0.2, 4)
    shape = random_shape(rng)
    fill(live, "trunc_normal_(%r, %r, %r, %r)" % (m, s, a, b), shape,
         lambda t, gn: live.g.gi_trunc_normal_(t, m, s, a, b, gn),
         lambda t: live.torch.nn.init.trunc_normal_(t, m, s, a, b))


def op_xavier(live, rng):
    kind = rng.choice(["uniform", "normal"])
    gain = rng.choice([1.0, rng.uniform(0, 3)])
    fill(live, "xavier_%s_(%r)" % (kind, gain), random_shape(rng, 2),
         lambda t, gn: getattr(live.g, "gi_xavier_%s_" % kind)(t, gain, gn),
         lambda t: getattr(live.torch.nn.init, "xavier_%s_" % kind)(
             t, gain=gain))


def op_kaiming(live, rng):
    kind = rng.choice(["uniform", "normal"])
    nl = rng.choice(list(NONLIN))
    a = rng.choice([0.0, math.sqrt(5.0), rng.uniform(0, 1)])
    mode = rng.choice(list(FAN))
    fill(live, "kaiming_%s_(a=%r, %s, %s)" % (kind, a, mode, nl),
         random_shape(rng, 2),
         lambda t, gn: getattr(live.g, "gi_kaiming_%s_" % kind)(
             t, a, FAN[mode], NONLIN[nl], gn),
         lambda t: getattr(live.torch.nn.init, "kaiming_%s_" % kind)(
             t, a=a, mode=mode, nonlinearity=nl))


def op_sparse(live, rng):
    shape = (rng.randint(1, 50), rng.randint(1, 20))
    sp, s = rng.choice([0.1, 0.5, 0.9, rng.random()]), rng.uniform(0.01, 2)
    fill(live, "sparse_(%r, %r)" % (sp, s), shape,
         lambda t, gn: live.g.gi_sparse_(t, sp, s, gn),
         lambda t: live.torch.nn.init.sparse_(t, sp, s))


def op_orthogonal(live, rng):
    shape = rng.choice([random_shape(rng, 3, 600),
                        (rng.randint(1, 40), rng.randint(1, 40)),
                        (rng.randint(1, 40), rng.randint(1, 40)),
                        (rng.randint(100, 300), rng.randint(30, 120))])
    gain = rng.choice([1.0, rng.uniform(0.1, 3)])
    fill(live, "orthogonal_(%r)" % gain, shape,
         lambda t, gn: live.g.gi_orthogonal_(t, gain, gn),
         lambda t: live.torch.nn.init.orthogonal_(t, gain))


def random_spec(live, rng, kind):
    """A gi_init of kind with random arguments, and what torch calls for
    it on a tensor."""
    init = live.torch.nn.init
    spec = GiInit(kind=INIT_KIND[kind], mode=rng.choice([0, 1]),
                  nonlinearity=rng.choice([NONLIN["relu"],
                                           NONLIN["leaky_relu"]]))
    if kind in ("uniform", "normal"):
        spec.a, spec.b = -rng.random(), rng.random()
        return spec, lambda t: getattr(t, kind + "_")(spec.a, spec.b)
    if kind == "zeros":
        return spec, init.zeros_
    if kind == "trunc_normal":
        spec.a, spec.b = rng.uniform(-1, 1), rng.uniform(0.01, 2)
        spec.c = spec.a - spec.b * rng.uniform(0, 3)
        spec.d = spec.a + spec.b * rng.uniform(0.1, 3)
        return spec, lambda t: init.trunc_normal_(t, spec.a, spec.b,
                                                  spec.c, spec.d)
    if kind == "sparse":
        spec.a, spec.b = rng.random(), rng.uniform(0.01, 1)
        return spec, lambda t: init.sparse_(t, spec.a, spec.b)
    spec.a = rng.uniform(0, 2)
    if kind in ("orthogonal", "xavier_uniform", "xavier_normal"):
        return spec, lambda t: getattr(init, kind + "_")(t, spec.a)
    nl = "relu" if spec.nonlinearity == NONLIN["relu"] else "leaky_relu"
    return spec, lambda t: getattr(init, kind + "_")(
        t, spec.a, ["fan_in", "fan_out"][spec.mode], nl)


def op_init(live, rng):
    """gi_init_: the initializers PyTorch has, as data."""
    kind = rng.choice(list(INIT_KIND))
    spec, ref = random_spec(live, rng, kind)
    shape = ((rng.randint(1, 40), rng.randint(1, 20)) if kind == "sparse"
             else random_shape(rng, 2, 600))
    fill(live, "gi_init_(%s)" % kind, shape,
         lambda t, gn: live.g.gi_init_(t, ctypes.byref(spec), gn), ref)


def op_module_init(live, rng):
    """Sequential(Linear(i, h), ReLU(), Linear(h, o)) built, then
    gi_module_init_ against net.apply's init: each Linear's weight, then
    its bias."""
    g, nn = live.g, live.torch.nn
    i, h, o = (rng.randint(1, 30) for _ in range(3))
    bias = [rng.choice([0, 1]) for _ in range(2)]
    wkind = rng.choice([k for k in INIT_KIND if k != "zeros"])
    bkind = rng.choice(["uniform", "normal", "zeros", "trunc_normal"])
    what = "Sequential(Linear(%d, %d, %d), ReLU(), Linear(%d, %d, %d))" % (
        i, h, bias[0], h, o, bias[1])
    kids = (c_void_p * 3)(
        live.handle("gi_linear_create", live.ctx, i, h, bias[0], GI_F32),
        live.handle("gi_relu_create", live.ctx),
        live.handle("gi_linear_create", live.ctx, h, o, bias[1], GI_F32))
    net = live.handle("gi_sequential_create", live.ctx, 3, kids)
    try:
        ref = nn.Sequential(nn.Linear(i, h, bias=bool(bias[0])), nn.ReLU(),
                            nn.Linear(h, o, bias=bool(bias[1])))
        for k in (0, 2):
            compare_linear(live, "%s[%d]" % (what, k), child(live, net, k),
                           ref[k])
        wspec, wref = random_spec(live, rng, wkind)
        bspec, bref = random_spec(live, rng, bkind)
        live.ok("gi_module_init_", g.gi_module_init_(
            net, ctypes.byref(wspec), ctypes.byref(bspec), None))
        for k in (0, 2):
            wref(ref[k].weight.data)
            if ref[k].bias is not None:
                bref(ref[k].bias.data)
        for k in (0, 2):
            compare_linear(live, "gi_module_init_(%s, %s) %s[%d]" % (
                wkind, bkind, what, k), child(live, net, k), ref[k])
    finally:
        g.gi_module_destroy(net)


def op_rand(live, rng):
    kind = rng.choice(["rand", "randn"])
    shape = random_shape(rng) if rng.random() < 0.8 else (
        rng.randint(17, 3000),)
    t = live.handle("gi_" + kind, live.ctx, len(shape),
                    (c_int64 * len(shape))(*shape), None)
    try:
        live.compare("%s %s" % (kind, list(shape)), t,
                     getattr(live.torch, kind)(*shape))
    finally:
        live.g.gi_tensor_destroy(t)


def child(live, net, k):
    m = c_void_p()
    live.ok("gi_module_child", live.g.gi_module_child(net, k,
                                                      ctypes.byref(m)))
    return m


def compare_linear(live, what, m, ref):
    live.compare(what + ".weight", live.g.gi_module_weight(m), ref.weight)
    if ref.bias is not None:
        live.compare(what + ".bias", live.g.gi_module_bias(m), ref.bias)


def op_linear(live, rng):
    i, o, bias = rng.randint(1, 64), rng.randint(1, 64), rng.choice([0, 1])
    m = live.handle("gi_linear_create", live.ctx, i, o, bias, GI_F32)
    try:
        compare_linear(live, "Linear(%d, %d, bias=%d)" % (i, o, bias), m,
                       live.torch.nn.Linear(i, o, bias=bool(bias)))
    finally:
        live.g.gi_module_destroy(m)


def op_explicit(live, rng):
    """A fill on the sequence's explicit generator, between the default
    generator's: neither may disturb the other (their normal caches
    included)."""
    gen, tgen = live.side
    kind = rng.choice(["uniform", "normal", "rand", "randn"])
    n = rng.choice([rng.randint(1, 15), rng.randint(16, 100)])
    if kind in ("rand", "randn"):
        t = live.handle("gi_" + kind, live.ctx, 1, (c_int64 * 1)(n), gen)
        try:
            live.compare("%s(%d, explicit generator)" % (kind, n), t,
                         getattr(live.torch, kind)(n, generator=tgen))
        finally:
            live.g.gi_tensor_destroy(t)
        return
    a, b = rng.uniform(-2, 0), rng.uniform(0, 2)
    mine = getattr(live.g, "gi_%s_" % kind)
    fill(live, "%s_(%r, %r, explicit generator)" % (kind, a, b), (n,),
         lambda t, gn: mine(t, a, b, gn),
         lambda t: getattr(t, kind + "_")(a, b, generator=tgen), gen)


OPS = [op_uniform, op_normal, op_normal, op_trunc_normal, op_xavier,
       op_kaiming, op_sparse, op_orthogonal, op_init, op_rand, op_rand,
       op_linear, op_module_init, op_explicit]


def sequences_part(live, seeds, rng, lengths=(30, 60)):
    for seed in seeds:
        live.start(seed)
        live.side = live.pair(rng.getrandbits(64))
        try:
            for _ in range(rng.randint(*lengths)):
                rng.choice(OPS)(live, rng)
            live.compare_state()
            live.compare_state(*live.side)
        finally:
            live.g.gi_generator_destroy(live.side[0])


def chapter_part(live, seed):
    """Sequential(LazyLinear(8), ReLU(), LazyLinear(1)); X = rand(2, 4)."""
    g, torch = live.g, live.torch
    live.start(seed)
    kids = (c_void_p * 3)(live.handle("gi_lazy_linear_create", live.ctx, 8,
                                      1, GI_F32),
                          live.handle("gi_relu_create", live.ctx),
                          live.handle("gi_lazy_linear_create", live.ctx, 1,
                                      1, GI_F32))
    net = live.handle("gi_sequential_create", live.ctx, 3, kids)
    ref = torch.nn.Sequential(torch.nn.LazyLinear(8), torch.nn.ReLU(),
                              torch.nn.LazyLinear(1))
    x = live.handle("gi_rand", live.ctx, 2, (c_int64 * 2)(2, 4), None)
    y = c_void_p()
    try:
        tx = torch.rand(2, 4)
        live.compare("X = rand(2, 4)", x, tx)
        live.ok("gi_module_forward", g.gi_module_forward(net, x,
                                                         ctypes.byref(y)))
        ty = ref(tx)
        for k in (0, 2):
            compare_linear(live, "net[%d]" % k, child(live, net, k), ref[k])
        live.compare("net(X)", y, ty)
        live.compare_state()
    finally:
        g.gi_tensor_destroy(y)
        g.gi_tensor_destroy(x)
        g.gi_module_destroy(net)


def capability(torch):
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def run_parts(live, seeds, rng, child):
    if child:  # a subset: the kernels differ, the call logic does not
        picked = [seeds[0], seeds[3], seeds[-3]]
        sizes_part(live, picked, rng)
        sequences_part(live, picked, rng, (20, 30))
        return
    sizes_part(live, seeds, rng)
    sequences_part(live, seeds, rng)
    for seed in seeds[:4]:
        chapter_part(live, seed)


def default_child(lib, master):
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default",
               GINIT_LIVE_SEED=str(master))
    r = subprocess.run([sys.executable, __file__, lib, CHILD_FLAG], env=env,
                       capture_output=True, text=True)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    return r.returncode


def import_torch():
    # torch's QR (orthogonal_) runs OpenBLAS's blocked LAPACK, whose BLAS
    # steps round differently on each number of threads from about 100 x
    # 100 up; ginit's runs on one thread whatever this says. OpenBLAS
    # reads it when it loads.
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    return require("numpy")


def main():
    args = sys.argv[1:]
    child = args[1:] == [CHILD_FLAG]
    if len(args) != 1 and not child:
        print("usage: torch_generator_live.py PATH/TO/libginit.so",
              file=sys.stderr)
        return 2
    torch, np = import_torch()
    warnings.filterwarnings("ignore")
    # torch's generator is serial whatever the threads; one thread spares
    # the two cores CI has
    torch.set_num_threads(1)
    cap = capability(torch)
    kernels = "default" if child or cap == "NO AVX" else "avx2"
    if child and cap != "NO AVX":
        print("ATEN_CPU_CAPABILITY=default did not take effect: torch runs "
              "%s" % cap, file=sys.stderr)
        return 1
    env_seed = os.environ.get("GINIT_LIVE_SEED")
    master = int(env_seed) if env_seed else random.SystemRandom().getrandbits(
        63)
    rng = random.Random(master)
    drawn = [rng.getrandbits(64), rng.getrandbits(63) - 2 ** 62,
             rng.getrandbits(32)]
    seeds = FIXED_SEEDS + drawn
    live = Live(torch, np, load_ginit(args[0]), kernels)
    try:
        run_parts(live, seeds, rng, child)
    except Mismatch as e:
        print("MISMATCH (replay: GINIT_LIVE_SEED=%d): %s\n%s" % (
            master, live.where(), e), file=sys.stderr)
        return 1
    finally:
        live.g.gi_context_destroy(live.ctx)
    print("torch %s, %s kernels (torch's capability %s), GINIT_LIVE_SEED=%d,"
          " random seeds %s: %d seedings, %d calls, %d values bit-identical"
          % (torch.__version__, kernels, cap, master, drawn, live.seeds,
             live.calls, live.values))
    return default_child(args[0], master) if not child else 0


if __name__ == "__main__":
    sys.exit(main())
