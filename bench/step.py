"""Time one training step of ``ntm_minimal.NTM`` against a plain implementation of the same model.

One step = forward over a whole copy-task sequence + loss + backward + gradient clipping +
optimizer step, at the paper's copy-task shape (LSTM controller 100, memory 128 x 20, one read and
one write head, shifts -1..1, 8-bit vectors + delimiter). With sequence length ``L`` (default 20) the
model runs ``T = 2L + 1 = 41`` steps (``L`` inputs, the delimiter, ``L`` outputs; the issue counted
42). Baselines (``bench/plain_ntm.py``): the same function written plainly, with the shift done by
one ``conv1d`` per sample (``plain-loop``) or one ``torch.roll`` per offset (``plain-roll``). Both
start from the package model's weights, use the same batch and the same optimizer. A DNC row
(``ntm_minimal DNC``: the same controller and memory, one read head, dense temporal links) shows
what the DNC's memory management costs at this shape; with ``--compile`` the DNC is timed compiled
too (the same ``training.compile_step``, once per ``--chunks`` entry), and the speed-up table gives
each compiled DNC's gain over the eager one. The
``before`` row is the package's NTM step as it was before the speed work (``bench/ntm_before.py``,
which ``tests/bench/test_speed.py`` holds bit for bit equal to today's eager step, with today's cosine
swapped in): with ``--compile``
the speed-up table gives the compiled step's gain over it, once per ``--chunks`` entry (time steps
per compiled call, as ``training.compile_step`` sets them; 1 = the step alone, as before the
chunked loop; the trainer uses ``training.STEP_CHUNK``).

The implementations are timed in turns (round-robin, order rotated every repeat), so a busy machine
slows them alike; the table reports medians and the min-max range over the repeats.

Usage: ``.venv/bin/python bench/step.py [--batch-sizes 1 32] [--repeats 10] [--threads 1] [--device cpu]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_before import BeforeNTM  # noqa: E402
from plain_ntm import load_from_ntm, plain_from_config  # noqa: E402

import ntm_minimal  # noqa: E402
from ntm_minimal.metrics import masked_loss  # noqa: E402
from ntm_minimal.tasks.copy import PAPER_NTM, CopyTask  # noqa: E402
from ntm_minimal.training import STEP_CHUNK, compile_step  # noqa: E402

#: The paper's optimiser (RMSProp, momentum 0.9) and elementwise gradient clipping at +-10.
LR, MOMENTUM, CLIP = 1e-4, 0.9, 10.0
PACKAGE = "ntm_minimal"
#: The DNC at the copy shape: the same controller and memory, one read head (the write head is implied).
DNC_SHAPE = {k: v for k, v in PAPER_NTM.items() if k not in ("write_heads", "shift_range")}
DNC_NAME = PACKAGE + " DNC"
#: The package's NTM step as it was before the speed work (``bench/ntm_before.py``), run eagerly.
BEFORE = "before (a3c4099, eager)"


def compiled_name(chunk: int, name: str = PACKAGE) -> str:
    return name + (" (compiled step)" if chunk == 1 else f" (compiled, {chunk} steps per call)")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 32])
    p.add_argument("--repeats", type=int, default=10, help="timed steps per implementation and batch size")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (CI machines have 2 cores)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--length", type=int, default=20, help="copy sequence length L; T = 2L + 1 steps")
    p.add_argument(
        "--baselines",
        nargs="*",
        choices=["loop", "roll"],
        default=["loop", "roll"],
        help="plain shift variants to time (none: time the package only)",
    )
    p.add_argument(
        "--compile",
        action="store_true",
        help="also time the package with its per-time-step function under torch.compile "
        "(compiles during warm-up: tens of seconds per batch size; needs a C++ compiler on CPU)",
    )
    p.add_argument(
        "--chunks",
        type=int,
        nargs="+",
        default=[1, STEP_CHUNK],
        help=f"with --compile: time steps per compiled call to time (default 1 and the trainer's {STEP_CHUNK})",
    )
    p.add_argument("--no-dnc", dest="dnc", action="store_false", help="skip the DNC row")
    p.add_argument(
        "--no-before",
        dest="before",
        action="store_false",
        help="skip the NTM step as it was before the speed work (bench/ntm_before.py)",
    )
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    for name in ("repeats", "threads", "length"):
        if getattr(args, name) < 1:
            p.error(f"--{name}: expected >= 1, got {getattr(args, name)}")
    if args.warmup < 0 or min(args.batch_sizes) < 1:
        p.error("--warmup must be >= 0 and every --batch-sizes entry >= 1")
    if min(args.chunks) < 1:
        p.error("--chunks: every entry must be >= 1")
    if args.compile and args.warmup < 1:
        p.error("--compile needs --warmup >= 1 (the first step compiles)")
    if args.device == "cuda" and not torch.cuda.is_available():
        p.error("--device cuda: no CUDA device is visible")
    return args


def n_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class Runner:
    """One implementation with its own optimizer, stepping on a fixed batch."""

    def __init__(self, name: str, model: torch.nn.Module, batch, device: torch.device):
        self.name, self.model, self.batch, self.device = name, model, batch, device
        self.compiled = "compiled" in name
        self.opt = torch.optim.RMSprop(model.parameters(), lr=LR, momentum=MOMENTUM)
        self.times: list[float] = []  # wall-clock seconds per step
        self.cpu: list[float] = []  # CPU seconds of this process per step: less sensitive to a busy machine

    def step(self) -> float:
        """One training step; returns its loss (bits per sequence)."""
        self.opt.zero_grad(set_to_none=True)
        loss = masked_loss(self.model(self.batch.x), self.batch)
        loss.backward()
        torch.nn.utils.clip_grad_value_(self.model.parameters(), CLIP)
        self.opt.step()
        return loss.item()  # .item() also waits for a GPU to finish

    def timed_step(self) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        self.step()
        self.times.append(time.perf_counter() - start)
        self.cpu.append(time.process_time() - cpu)

    def saved_mib(self) -> float:
        """MiB of distinct tensors autograd keeps for the backward pass of one forward (untimed)."""
        seen: dict[tuple, int] = {}

        def pack(t: torch.Tensor):
            storage = t.untyped_storage()
            seen[(storage.data_ptr(), t.device)] = storage.nbytes()
            return t

        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            masked_loss(self.model(self.batch.x), self.batch)
        return sum(seen.values()) / 2**20

    def peak_cuda_mib(self) -> float | None:
        if self.device.type != "cuda":
            return None
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats(self.device)
        self.step()
        return torch.cuda.max_memory_allocated(self.device) / 2**20


def make_runners(batch_size: int, args, device: torch.device) -> list[Runner]:
    """The package model and its plain twins, all starting from the same seeded weights."""
    gen = torch.Generator().manual_seed(args.seed)
    batch = CopyTask().sample(batch_size, gen, length=args.length)
    batch = type(batch)(*(t.to(device) for t in batch))
    torch.manual_seed(args.seed)
    ntm = ntm_minimal.NTM(**PAPER_NTM).to(device)
    runners = [Runner(PACKAGE, ntm, batch, device)]
    if args.before:  # the package's step as it was before the speed work: the ratio to beat
        before = ntm_minimal.NTM(**PAPER_NTM).to(device)
        before.load_state_dict(ntm.state_dict())
        runners.append(Runner(BEFORE, BeforeNTM(before), batch, device))
    for chunk in args.chunks if args.compile else []:
        twin = ntm_minimal.NTM(**PAPER_NTM).to(device)
        twin.load_state_dict(ntm.state_dict())
        compile_step(twin, chunk=chunk)  # what the trainer's --compile does; the loop over time stays Python
        runners.append(Runner(compiled_name(chunk), twin, batch, device))
    for mode in args.baselines:
        plain = load_from_ntm(plain_from_config(PAPER_NTM, mode).to(device), ntm)
        with torch.no_grad():  # the comparison is only fair if both compute the same thing
            diff = (plain(batch.x) - ntm(batch.x)).abs().max().item()
        if diff > 1e-4:
            raise RuntimeError(f"plain-{mode} differs from the package by {diff:.2e}: not the same model")
        runners.append(Runner(f"plain-{mode}", plain, batch, device))
    if args.dnc:
        torch.manual_seed(args.seed)
        dnc = ntm_minimal.DNC(**DNC_SHAPE).to(device)
        runners.append(Runner(DNC_NAME, dnc, batch, device))
        for chunk in args.chunks if args.compile else []:
            twin = ntm_minimal.DNC(**DNC_SHAPE).to(device)
            twin.load_state_dict(dnc.state_dict())
            runners.append(Runner(compiled_name(chunk, DNC_NAME), compile_step(twin, chunk=chunk), batch, device))
    return runners


def measure(runners: list[Runner], args) -> None:
    for r in runners:
        for _ in range(args.warmup):
            r.step()
    for i in range(args.repeats):
        k = i % len(runners)  # rotate who goes first, so no implementation always follows another
        for r in runners[k:] + runners[:k]:
            r.timed_step()


def header(args) -> str:
    """What was measured, on what: printed above the tables."""
    gpu = f"GPU {torch.cuda.get_device_name()}, " if args.device == "cuda" else ""
    return "\n".join(
        [
            f"# One training step (forward + backward + clip + RMSprop) on the copy task, {args.device}",
            "",
            f"torch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs visible, torch threads {args.threads}, {gpu}seed {args.seed}",
            f"shape: {PAPER_NTM}; L = {args.length} -> T = 2L+1 = {2 * args.length + 1} steps per sequence",
            f"timing: {args.warmup} warm-up steps, then median of {args.repeats} steps per cell, "
            "implementations interleaved",
        ]
    )


def result_rows(b: int, runners: list[Runner]) -> list[str]:
    """One table row per implementation at batch size ``b``."""
    rows = []
    for r in runners:
        med, cpu = statistics.median(r.times), statistics.median(r.cpu)
        # Saved-tensor hooks would make a compiled step recompile: not measured there.
        mem = "–" if r.compiled else f"{r.saved_mib():.1f}"
        peak = r.peak_cuda_mib()
        rows.append(
            f"| {b} | {r.name} | {b / med:.1f} | {1e3 * med:.1f} | "
            f"{1e3 * min(r.times):.1f}–{1e3 * max(r.times):.1f} | {1e3 * cpu:.1f} | {mem} |"
            + (f" {peak:.1f} |" if peak is not None else "")
        )
    return rows


def speedup_rows(b: int, runners: list[Runner]) -> list[str]:
    """Speed-up (ratio of medians) of every package NTM variant over the step before the speed work
    and over every plain baseline, and of every compiled DNC over the eager DNC."""
    rows = []
    baselines = [r for r in runners if r.name.startswith("plain") or r.name == BEFORE]
    dnc = [r for r in runners if r.name == DNC_NAME]
    pairs = [
        (fast, slow)
        for fast in runners
        if fast not in baselines and not fast.name.startswith(DNC_NAME)
        for slow in baselines
    ]
    pairs += [(fast, slow) for fast in runners if fast.name.startswith(DNC_NAME + " (") for slow in dnc]
    for fast, slow in pairs:
        wall = statistics.median(slow.times) / statistics.median(fast.times)
        cpu = statistics.median(slow.cpu) / statistics.median(fast.cpu)
        rows.append(f"| {b} | {fast.name} | {slow.name} | {wall:.2f}× | {cpu:.2f}× |")
    return rows


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(header(args), flush=True)
    rows, speedups, counts = [], [], {}
    for b in args.batch_sizes:
        runners = make_runners(b, args, device)
        counts = {r.name: n_params(r.model) for r in runners}
        measure(runners, args)
        rows += result_rows(b, runners)
        speedups += speedup_rows(b, runners)
    print()
    print("parameters: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print()
    cuda = device.type == "cuda"
    print(
        "| batch | implementation | sequences/s | ms/step (median) | ms/step (min–max) | CPU ms/step (median) "
        "| saved for backward, MiB |" + (" peak CUDA MiB |" if cuda else "")
    )
    print("|---:|---|---:|---:|---:|---:|---:|" + ("---:|" if cuda else ""))
    print("\n".join(rows))
    if speedups:
        print()
        print("| batch | implementation | vs | speed-up (wall-clock) | speed-up (CPU time) |")
        print("|---:|---|---|---:|---:|")
        print("\n".join(speedups))


if __name__ == "__main__":
    main()
