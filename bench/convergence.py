"""Wall time until the copy-task NTM first generalises within its training range.

The model is the paper's copy NTM (LSTM controller 100, memory 128 x 20, one read and one write
head, shifts -1..1). Every setting is trained by :class:`ntm_minimal.training.Trainer` and judged
the same way: the mean bit errors per sequence on one fixed held-out batch (64 sequences, lengths
1..20, seed 1234), evaluated every ``--eval-sequences`` training sequences (the same for every
batch size, so evaluation costs every setting alike). The clock includes those evaluations. A setting
"converges" at the first evaluation below ``--target`` (default 0.1 bit errors per sequence).

Settings (``--settings`` picks some):

* ``paper``: RMSProp lr 1e-4, momentum 0.9, batch 1, elementwise clip 10 (the paper, and the
  reference implementation's defaults);
* ``adam16`` / ``adam32``: Adam lr 1e-3, batch 16 / 32, elementwise clip 10;
* ``adam16-curriculum``: as ``adam16``, with ``max_len`` rising from 2 to 20 over 1000 steps;
* ``adam16-randmem``: as ``adam16``, but the memory starts from a fixed random matrix
  (N(0, 0.5^2) entries) instead of the package's small constant.

The machine is shared, so the table also gives the CPU time the process used (until the run
stopped: less sensitive to other jobs than the wall time, though not immune, since they share the
caches), the sequences seen at convergence (independent of load) and the 1-minute load average
when each run ended. Output: a Markdown table on stdout (and
in ``--out``); ``bench/convergence.md`` holds the measured tables with their context.

``--compile`` puts the NTM's time step under ``torch.compile`` (as ``python -m ntm_minimal.train
--compile`` does); the clock then includes compiling, which is tens of seconds the first time
on a machine and a few seconds once the compiled code is cached (``--warm-compile`` compiles
in an untimed run of a few steps first, so every timed run finds the cache warm).

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/convergence.py [--settings adam16 paper] [--seeds 0 1 2]
[--max-seconds 600] [--compile]`` (each setting and seed runs until the target or ``--max-seconds``,
one after the other).
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import NTM  # noqa: E402
from ntm_minimal.tasks import CopyTask  # noqa: E402
from ntm_minimal.training import TrainConfig, Trainer  # noqa: E402

COPY_NTM = dict(input_size=9, output_size=8, controller="lstm", controller_size=100, memory_n=128,
                memory_m=20, read_heads=1, write_heads=1, shift_range=1)
ADAM16 = dict(optimizer="adam", lr=1e-3, batch_size=16, clip_value=10.0)
SETTINGS = {
    "paper": (dict(optimizer="rmsprop", lr=1e-4, momentum=0.9, batch_size=1, clip_value=10.0), "constant"),
    "adam16": (ADAM16, "constant"),
    "adam32": ({**ADAM16, "batch_size": 32}, "constant"),
    "adam16-curriculum": ({**ADAM16, "curriculum_steps": 1000, "curriculum_start": 2}, "constant"),
    "adam16-randmem": (ADAM16, "random"),
}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--compile", action="store_true", help="the NTM's time step under torch.compile")
    p.add_argument("--warm-compile", action="store_true",
                   help="with --compile: compile in an untimed run first (the timed runs then find the cache warm)")
    p.add_argument("--target", type=float, default=0.1, help="held-out bit errors per sequence")
    p.add_argument("--max-seconds", type=float, default=600.0, help="give up after this wall time")
    p.add_argument("--eval-sequences", type=int, default=800,
                   help="training sequences between held-out evaluations (steps = this / batch size)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default=None, help="also write the table to this file")
    return p.parse_args(argv)


def run_setting(name: str, seed: int, args, steps: int = 10**7) -> dict:
    """Train one setting until the target, the time limit or ``steps``; returns one table row."""
    settings, memory = SETTINGS[name]
    torch.manual_seed(seed)
    model = NTM(**COPY_NTM)
    if memory == "random":
        gen = torch.Generator().manual_seed(seed)
        model.memory_init.copy_(0.5 * torch.randn(model.memory_init.shape, generator=gen))
    eval_every = max(1, args.eval_sequences // settings["batch_size"])
    config = TrainConfig(**settings, steps=steps, seed=seed, eval_every=eval_every, eval_batch_size=64,
                         eval_seed=1234, target_bit_errors=args.target, max_seconds=args.max_seconds,
                         progress=False, compile=args.compile)
    trainer = Trainer(model, CopyTask(min_len=1, max_len=20), config)
    cpu = time.process_time()
    log = trainer.run()
    return {**summarise(name, seed, log, args.target, args.compile), "cpu_s": time.process_time() - cpu}


def first_below(log: list[dict], threshold: float) -> dict | None:
    """The first log row with held-out bit errors per sequence below ``threshold``, if any."""
    return next((r for r in log if r["heldout_bit_errors"] < threshold), None)


def summarise(name: str, seed: int, log: list[dict], target: float, compiled: bool = False) -> dict:
    """One table row from a training log (rows as written to metrics.csv)."""
    last, hit = log[-1], first_below(log, target)
    one = first_below(log, 1.0)
    return {"setting": name + (" (compiled)" if compiled else ""), "seed": seed, "converged": hit is not None,
            "seconds": (hit or last)["wall_s"], "sequences": (hit or last)["sequences"], "steps": (hit or last)["step"],
            "below_one": one and f"{one['wall_s']:.0f} s ({one['sequences']} seq)",
            "seq_per_s": last["sequences"] / last["wall_s"],
            "best": min(r["heldout_bit_errors"] for r in log), "load": os.getloadavg()[0]}


def table(rows: list[dict], args) -> str:
    head = ("| setting | seed | first held-out bit errors < 1 | first < {t} | CPU time of the run | sequences seen | steps | "
            "sequences/s | best held-out bit errors | load (1 min) |\n|---|---|---|---|---|---|---|---|---|---|\n"
            ).format(t=args.target)
    lines = []
    for r in rows:
        when = f"{r['seconds']:.0f} s" if r["converged"] else f"not within {r['seconds']:.0f} s"
        lines.append(f"| {r['setting']} | {r['seed']} | {r['below_one'] or 'no'} | {when} | {r['cpu_s']:.0f} s | {r['sequences']} | "
                     f"{r['steps']} | {r['seq_per_s']:.0f} | {r['best']:.2f} | {r['load']:.1f} |")
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, " \
              f"{args.threads} thread(s)" + (", NTM step compiled" + (" (cache warmed first)" if args.warm_compile else "")
                                             if args.compile else "")
    return head + "\n".join(lines) + f"\n\nMachine: {machine}. Held-out batch: 64 copy sequences, L in 1..20, " \
                                     f"seed 1234, evaluated every {args.eval_sequences} training sequences.\n"


def main(argv=None) -> str:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.compile and args.warm_compile:
        for name in args.settings:  # every batch size's step versions, train and evaluation
            run_setting(name, args.seeds[0], args, steps=2 * max(1, args.eval_sequences // SETTINGS[name][0]["batch_size"]))
    rows = []
    for name in args.settings:
        for seed in args.seeds:
            rows.append(run_setting(name, seed, args))
            print(rows[-1], flush=True)
    text = table(rows, args)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return text


if __name__ == "__main__":
    main()
