#!/usr/bin/python3
"""Reference output of examples/walkthrough.c, produced by real PyTorch.

The d2l.ai "Parameter Initialization" chapter runs here in PyTorch, cell by
cell, as the chapter writes it: nn.Sequential of nn.LazyLinear / nn.ReLU,
torch.rand, the lazy initialization at the first forward (LazyLinear's
reset_parameters: kaiming_uniform_(a=sqrt(5)) on the weight, then the bias),
net.apply with the chapter's init_normal / init_constant / init_xavier /
init_42 / my_init, nn.init.*, named_parameters, the in-place edits of
weight.data, and every print (print(tensor), print(shape), print(net)).
Every bound, fan, gain, dispatch, mask, shape and string is torch's own.

The ONLY thing not left to torch is the random bits. Torch's generator is
not ginit's (docs/rng.md: Philox4x32-10, cuRAND layout), so every random
fill torch makes goes to ginit's stream instead:

  - torch.Tensor.uniform_ and torch.Tensor.normal_ are replaced, for the
    whole run, by fills from tests/rng_reference.py (the independent Python
    implementation of docs/rng.md) at the current generator position. The
    arguments are the doubles torch itself computed (e.g. kaiming_uniform_'s
    bound), rounded once to float32, as torch's float32 CPU kernel does with
    its from/to/mean/std;
  - torch.rand(size) is torch.empty(size).uniform_(0, 1), which is what it
    is in ATen;
  - the last cell, ginit's fused mixture_ (my_init's law in one call), has
    no torch counterpart: torch's net.apply walks the modules (children
    first) and each Linear's weight is filled from rng_reference's mixture_
    law (docs/rng.md: two lanes per element, offset + ceil(n / 2));
  - the generator position follows docs/rng.md: seed = --seed, stream 0,
    offset 0 after manual_seed; a fill of n elements starts at the current
    offset and advances it by ceil(n / 4) blocks (uniform with a == b and
    empty fills draw nothing), in the order torch makes the calls.

As a guard, torch's own default generator is seeded before the chapter and
must be in the same state at the end: any random draw that was not routed
through the hooks above would move it, and the script refuses to write.

Run with a Python that has torch (Debian: /usr/bin/python3, python3-torch):
    /usr/bin/python3 tests/chapter_reference.py
        writes tests/data/walkthrough_seed0.txt and walkthrough_seed7.txt
    /usr/bin/python3 tests/chapter_reference.py --seed 3 --stdout
        prints one seed's reference to stdout
    /usr/bin/python3 tests/chapter_reference.py --trace ...
        also lists every draw (law, n, bounds, offsets) on stderr
    /usr/bin/python3 tests/chapter_reference.py --torch [--seed N --stdout]
        the chapter in plain PyTorch, torch's own bits after
        torch.manual_seed(seed) and without ginit's extra last cell: what
        the walkthrough prints with --torch-compat; writes
        tests/data/walkthrough_torch_seed0.txt and _seed7.txt

The first output line is "device: cpu": the walkthrough prints there why it
got its device (e.g. "device: cpu: requested"), which is machine-specific;
tests/test_demo.c only checks that the walkthrough's line starts with
"device: cpu". Every other line must match exactly.
"""
import contextlib
import io
import os
import sys
import warnings

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rng_reference as ref  # noqa: E402

SEEDS = (0, 7)
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


# --------------------------------------------------------------------------
# ginit's random stream, in place of torch's generator
# --------------------------------------------------------------------------
class Stream:
    """The generator (seed, stream, offset) of docs/rng.md."""

    def __init__(self):
        self.seed, self.stream, self.offset = 0, 0, 0
        self.trace = None  # a file to list the draws on, or None

    def manual_seed(self, seed):
        self.seed, self.offset = seed, 0  # stream kept (it is 0 here)

    def fill(self, t, law, a, b, extra=None):
        """Overwrite t with the law's values at the current offset.

        a, b: uniform's bounds or normal's (mean, std), as the doubles torch
        passed; the float32 kernel uses them rounded to float32. extra: a
        mixture's components (rng_reference's (law, p, a, b) bit patterns)."""
        if t.dtype != torch.float32:
            raise SystemExit("chapter_reference: %s fill of a %s tensor"
                             % (law, t.dtype))
        a_bits, b_bits = ref.f32_bits(a), ref.f32_bits(b)
        n = t.numel()
        vals, after = ref.run_case(law, self.seed, self.stream, self.offset,
                                   n, a_bits, b_bits, extra)
        if self.trace is not None:
            self.trace.write(
                "draw %-7s n=%-3d args=(%r, %r) -> f32 (%08x, %08x) "
                "offset %d -> %d\n" % (law, n, a, b, a_bits, b_bits,
                                       self.offset, after))
        self.offset = after
        if n:
            host = np.array(vals, dtype=np.uint32).view(np.float32)
            with torch.no_grad():
                t.copy_(torch.from_numpy(host.copy()).reshape(t.shape))
        return t


STREAM = Stream()


def _uniform_(self, from_=0.0, to=1.0, *, generator=None):
    assert generator is None, "the chapter uses the default generator"
    return STREAM.fill(self, "uniform", from_, to)


def _normal_(self, mean=0.0, std=1.0, *, generator=None):
    assert generator is None, "the chapter uses the default generator"
    return STREAM.fill(self, "normal", mean, std)


def mixture_(tensor, components):
    """ginit's gi_mixture_ (no torch counterpart): components are
    (probability, law, a, b) with law "uniform" or "constant", the numbers
    rounded once to float32 as the C struct gi_component holds them."""
    comps = [(law, ref.f32_bits(p), ref.f32_bits(a), ref.f32_bits(b))
             for p, law, a, b in components]
    return STREAM.fill(tensor, "mixture", 0.0, 0.0, comps)


def _rand(*size, generator=None, **kwargs):
    # ATen's rand: empty(size, ...).uniform_(0, 1, generator).
    assert generator is None, "the chapter uses the default generator"
    if len(size) == 1 and isinstance(size[0], (tuple, list, torch.Size)):
        size = tuple(size[0])
    if "size" in kwargs:
        size = tuple(kwargs.pop("size"))
    return torch.empty(size, **kwargs).uniform_(0, 1)


@contextlib.contextmanager
def ginit_random_bits():
    """Route torch's random fills to ginit's stream for the duration."""
    saved = (torch.Tensor.uniform_, torch.Tensor.normal_, torch.rand)
    torch.Tensor.uniform_ = _uniform_
    torch.Tensor.normal_ = _normal_
    torch.rand = _rand
    try:
        yield
    finally:
        torch.Tensor.uniform_, torch.Tensor.normal_, torch.rand = saved


# --------------------------------------------------------------------------
# The chapter
# --------------------------------------------------------------------------
def chapter(seed, plain=False):
    """The chapter's cells, printing exactly what examples/walkthrough.c
    prints (same comment lines, same order). plain: torch's own bits, as
    the walkthrough prints them with --torch-compat (no last cell)."""
    print("device: cpu")
    if plain:
        torch.manual_seed(seed)
    else:
        STREAM.manual_seed(seed)  # torch.manual_seed(seed), on ginit's stream

    print("\n# net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), "
          "nn.LazyLinear(1))\n# X = torch.rand(size=(2, 4)); net(X).shape")
    net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
    X = torch.rand(size=(2, 4))
    print(net(X).shape)
    print(net)

    # Built-in initialization. The chapter's notebook shows the pair
    # `net[0].weight.data[0], net[0].bias.data[0]` as one tuple; the
    # walkthrough prints each element on its own line, and so do we.
    def init_normal(module):
        if type(module) == nn.Linear:
            nn.init.normal_(module.weight, mean=0, std=0.01)
            nn.init.zeros_(module.bias)

    print("\n# net.apply(init_normal); net[0].weight.data[0], "
          "net[0].bias.data[0]")
    net.apply(init_normal)
    print(net[0].weight.data[0])
    print(net[0].bias.data[0])

    def init_constant(module):
        if type(module) == nn.Linear:
            nn.init.constant_(module.weight, 1)
            nn.init.zeros_(module.bias)

    print("\n# net.apply(init_constant); net[0].weight.data[0], "
          "net[0].bias.data[0]")
    net.apply(init_constant)
    print(net[0].weight.data[0])
    print(net[0].bias.data[0])

    def init_xavier(module):
        if type(module) == nn.Linear:
            nn.init.xavier_uniform_(module.weight)

    def init_42(module):
        if type(module) == nn.Linear:
            nn.init.constant_(module.weight, 42)

    print("\n# net[0].apply(init_xavier); net[2].apply(init_42)\n"
          "# net[0].weight.data[0]; net[2].weight.data")
    net[0].apply(init_xavier)
    net[2].apply(init_42)
    print(net[0].weight.data[0])
    print(net[2].weight.data)

    # Custom initialization.
    def my_init(module):
        if type(module) == nn.Linear:
            print("Init", *[(name, param.shape)
                            for name, param in module.named_parameters()][0])
            nn.init.uniform_(module.weight, -10, 10)
            module.weight.data *= module.weight.data.abs() >= 5

    print("\n# net.apply(my_init); net[0].weight[:2]")
    net.apply(my_init)
    # The chapter evaluates net[0].weight[:2], which torch prints with
    # ", grad_fn=<SliceBackward0>)". ginit has no autograd, so the
    # walkthrough prints the values only: we print the tensor's data.
    print(net[0].weight.data[:2])

    print("\n# net[0].weight.data[:] += 1; net[0].weight.data[0, 0] = 42; "
          "net[0].weight.data[0]")
    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    print(net[0].weight.data[0])

    if plain:
        return
    # ginit's extra cell: my_init's law (U(5, 10) with probability 1/4, 0
    # with 1/2, U(-10, -5) with 1/4) as one fused mixture_ per weight.
    def my_init_fused(module):
        if type(module) == nn.Linear:
            mixture_(module.weight, [(0.25, "uniform", 5, 10),
                                     (0.50, "constant", 0, 0),
                                     (0.25, "uniform", -10, -5)])

    print("\n# my_init's distribution as one fused call (ginit's mixture_)"
          "\n# net.apply(my_init_fused); net[0].weight[:2]")
    net.apply(my_init_fused)
    print(net[0].weight.data[:2])


def reference(seed, trace=None):
    """The chapter's output for one seed, as a string."""
    torch.set_printoptions(profile="default")
    torch.manual_seed(0x5EED)  # torch's own generator: must not move
    before = torch.get_rng_state().clone()
    STREAM.trace = trace
    if trace is not None:
        trace.write("# seed %d\n" % seed)
    buf = io.StringIO()
    with ginit_random_bits(), contextlib.redirect_stdout(buf), \
            warnings.catch_warnings():
        # torch 1.13 warns that lazy modules are a new feature.
        warnings.filterwarnings("ignore", message="Lazy modules")
        chapter(seed)
    if not torch.equal(torch.get_rng_state(), before):
        raise SystemExit("chapter_reference: torch drew from its own "
                         "generator: a random fill escaped the hooks")
    return buf.getvalue()


def plain_reference(seed):
    """The chapter in plain PyTorch after torch.manual_seed(seed): what
    the walkthrough prints with --torch-compat."""
    torch.set_printoptions(profile="default")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Lazy modules")
        chapter(seed, plain=True)
    return buf.getvalue()


def main(argv):
    trace = sys.stderr if "--trace" in argv else None
    seeds = SEEDS
    if "--seed" in argv:
        seeds = (int(argv[argv.index("--seed") + 1], 0),)
    ref.self_test()
    plain = "--torch" in argv
    if "--stdout" in argv:
        for s in seeds:
            sys.stdout.write(plain_reference(s) if plain
                             else reference(s, trace))
        return
    for s in seeds:
        text = plain_reference(s) if plain else reference(s, trace)
        name = "walkthrough_torch_seed%d.txt" if plain else \
            "walkthrough_seed%d.txt"
        path = os.path.join(DATA_DIR, name % s)
        with open(path, "w") as fh:
            fh.write(text)
        print("wrote %s: %d lines" % (path, text.count("\n")))


if __name__ == "__main__":
    main(sys.argv[1:])
