#!/usr/bin/env python3
"""Times PyTorch on the initializers and trees that ginit_bench times, on
the same sizes, and writes the same CSV columns, so bench/join.py can put
the two side by side. CPU by default; --device cuda where PyTorch has a GPU.
On the CPU it runs at PyTorch's own thread count and again on every core
when that is more; the CSV's threads column tells which.

    torch_reference.py [--device cpu|cuda] [--reps N] [--max-log2 K] [--quick]
                       --csv FILE
"""
import argparse
import csv
import os
import statistics
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    sys.exit("torch_reference: PyTorch is not importable here; skipped")


def median_ms(fn, reps, sync, batch=1):
    """Median over reps samples of the time of one call; a sample times
    `batch` calls back to back between two synchronizations (ginit_bench
    does the same on a GPU)."""
    fn()
    sync()
    times = []
    for _ in range(reps):
        sync()
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        sync()
        times.append((time.perf_counter() - t0) * 1e3 / batch)
    return statistics.median(times)


def chapter_law(w):
    """The chapter's my_init law, as the chapter writes it."""
    nn.init.uniform_(w, -10, 10)
    w.data *= w.data.abs() >= 5


INITS = {
    "uniform_": lambda t: nn.init.uniform_(t, -1, 1),
    "normal_": lambda t: nn.init.normal_(t, 0, 1),
    "trunc_normal_": lambda t: nn.init.trunc_normal_(t, 0, 1, -2, 2),
    "xavier_uniform_": lambda t: nn.init.xavier_uniform_(t),
    "kaiming_normal_": lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"),
    "zeros_": lambda t: nn.init.zeros_(t),
    "mixture_": chapter_law,
}


# The rows that only side_by_side.py --generator torch_cpu times, besides
# those of INITS: each draws from PyTorch's default generator, which that
# mode seeds before every call, and is compared bit for bit with ginit.
SEEDED = {
    "kaiming_uniform_": lambda t: nn.init.kaiming_uniform_(t),
    "sparse_": lambda t: nn.init.sparse_(t, 0.1),
    "orthogonal_": lambda t: nn.init.orthogonal_(t),
}


def tree(layers, width, device):
    net = nn.Sequential(*[nn.Linear(width, width) for _ in range(layers)]).to(device)

    def init(m):
        if type(m) == nn.Linear:
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)

    return lambda: net.apply(init)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--reps", type=int, default=9)
    p.add_argument("--max-log2", type=int, default=0)
    p.add_argument("--csv", required=True)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()
    if a.quick:
        a.max_log2, a.reps = 16, 3
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    max_log2 = a.max_log2 or (30 if dev.type == "cuda" else 26)
    batch = 10 if dev.type == "cuda" else 1
    # PyTorch's own thread count first; on the CPU also every core, when
    # that is more (Debian's build starts with one thread here).
    counts = [torch.get_num_threads()]
    cores = os.cpu_count() or 1
    if dev.type == "cpu" and cores > counts[0]:
        counts.append(cores)
    with open(a.csv, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["library", "device", "initializer", "n", "ms", "gbs",
                      "threads"])
        for threads in counts:
            torch.set_num_threads(threads)
            print(f"PyTorch {torch.__version__} on {dev}, {threads} threads")
            run(out, dev, sync, max_log2, a.reps, batch, threads)


def run(out, dev, sync, max_log2, reps, batch, threads):
    with torch.no_grad():
        for lg in range(12, max_log2 + 1, 2):
            n = 1 << lg
            t = torch.empty(n >> 10, 1024, device=dev)
            for name, fn in INITS.items():
                ms = median_ms(lambda: fn(t), reps, sync, batch)
                out.writerow(["torch", dev.type, name, n, f"{ms:.6f}",
                              f"{n * 4 / (ms * 1e6):.3f}", threads])
            del t
    for layers, width in ((64, 1024), (256, 256)):
        ms = median_ms(tree(layers, width, dev), reps, sync)
        out.writerow(["torch", dev.type, f"tree_{layers}x{width}",
                      layers * width * (width + 1), f"{ms:.6f}", "", threads])

if __name__ == "__main__":
    main()
