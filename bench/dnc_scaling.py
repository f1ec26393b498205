"""Step time and memory of the NTM and the DNC against the number of memory rows ``N``.

The DNC's temporal link matrix is ``N x N`` per sequence and is updated densely every time step,
so its cost grows as ``O(N²)`` where the NTM's grows as ``O(N)``. This script measures both side by
side: at each ``N`` the two models (copy-task shape, LSTM controller 100, rows of width 20, one read
head; the NTM with one write head and shifts -1..1) take training steps in turns on the same batch
(``bench/step.py``'s :class:`Runner`: forward over a whole sequence, loss, backward, clipping,
RMSprop). Printed: median wall-clock and CPU ms per step, MiB of tensors kept for the backward pass,
and the DNC/NTM ratios.

Usage: ``.venv/bin/python bench/dnc_scaling.py [--sizes 16 32 64 128 256 512] [--batch-size 16] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from step import DNC_SHAPE, PAPER_NTM, Runner, measure  # noqa: E402

import ntm_minimal  # noqa: E402
from ntm_minimal.tasks.copy import CopyTask  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64, 128, 256, 512], help="memory rows N")
    p.add_argument("--batch-size", type=int, default=16, help="the trainer's default batch")
    p.add_argument("--length", type=int, default=20, help="copy sequence length L; T = 2L + 1 steps")
    p.add_argument("--repeats", type=int, default=3, help="timed steps per model and size")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if min(args.sizes) < 3 or min(args.batch_size, args.length, args.repeats, args.threads) < 1 or args.warmup < 0:
        p.error("--sizes must be >= 3 (the NTM's shifts need 2k+1 <= N); batch, length, repeats, threads >= 1")
    return args


def runners_at(n: int, args, device: torch.device) -> list[Runner]:
    batch = CopyTask().sample(args.batch_size, torch.Generator().manual_seed(args.seed), length=args.length).to(device)
    torch.manual_seed(args.seed)
    ntm = ntm_minimal.NTM(**{**PAPER_NTM, "memory_n": n}).to(device)
    dnc = ntm_minimal.DNC(**{**DNC_SHAPE, "memory_n": n}).to(device)
    return [Runner("NTM", ntm, batch, device), Runner("DNC", dnc, batch, device)]


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"# Training step vs memory rows N: NTM and DNC side by side, {args.device}\n")
    print(
        f"torch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs visible, torch threads {args.threads}; batch {args.batch_size}, "
        f"L = {args.length} (T = {2 * args.length + 1}); median of {args.repeats} steps after "
        f"{args.warmup} warm-up, models interleaved\n"
    )
    print(
        "| N | NTM ms/step | DNC ms/step | DNC/NTM (wall) | NTM CPU ms | DNC CPU ms | DNC/NTM (CPU) "
        "| NTM saved MiB | DNC saved MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        ntm, dnc = runners_at(n, args, device)
        measure([ntm, dnc], args)
        wall = [1e3 * statistics.median(r.times) for r in (ntm, dnc)]
        cpu = [1e3 * statistics.median(r.cpu) for r in (ntm, dnc)]
        mib = [r.saved_mib() for r in (ntm, dnc)]
        print(
            f"| {n} | {wall[0]:.0f} | {wall[1]:.0f} | {wall[1] / wall[0]:.1f}× | {cpu[0]:.0f} | {cpu[1]:.0f} "
            f"| {cpu[1] / cpu[0]:.1f}× | {mib[0]:.1f} | {mib[1]:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
