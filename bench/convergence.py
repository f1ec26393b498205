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
* ``adam16-curriculum500``: as ``adam16-curriculum``, with the ramp over 500 steps (slower to the
  target: ``bench/convergence.md``);
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

Usage: ``OMP_NUM_THREADS=2 .venv/bin/python bench/convergence.py`` is the measurement of issue 16
(item 5): the recipe ``RECIPE`` for seeds 0, 1 and 2, the NTM's step compiled when a C++ compiler
is present (``--no-compile``: eager), compiled first in an untimed warm-up run (``--no-warm-compile``:
the first seed's clock then includes compiling), each seed until the target or ``--max-seconds``
(90), one after the other. It writes ``ntm_minimal/results/convergence.json`` (per seed: wall and CPU
seconds, steps, sequences, final held-out bit errors; the warm-up's cost; machine and load) and the
rendered table into ``bench/convergence.md`` between the ``convergence.py`` markers
(``--no-save``: print only). Other settings: ``--settings adam16 paper --seeds 0 --max-seconds 600``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import NTM, pretrained  # noqa: E402
from ntm_minimal.tasks import CopyTask  # noqa: E402
from ntm_minimal.tasks.copy import PAPER_NTM  # noqa: E402
from ntm_minimal.training import STEP_CHUNK, TrainConfig, Trainer, compiler_available  # noqa: E402

BENCH = Path(__file__).resolve().parent
#: The recipe measured by default: Adam 1e-3, batch 16, clip 10, max_len rising from 2 to 20.
RECIPE = "adam16-curriculum"
JSON_OUT = pretrained.RESULTS / "convergence.json"
MD_OUT = BENCH / "convergence.md"
#: The rendered table goes between these lines of ``MD_OUT``; the rest of that file is prose.
MD_BEGIN, MD_END = "<!-- convergence.py: begin -->", "<!-- convergence.py: end -->"

ADAM16 = dict(optimizer="adam", lr=1e-3, batch_size=16, clip_value=10.0)
SETTINGS = {
    "paper": (dict(optimizer="rmsprop", lr=1e-4, momentum=0.9, batch_size=1, clip_value=10.0), "constant"),
    "adam16": (ADAM16, "constant"),
    "adam32": ({**ADAM16, "batch_size": 32}, "constant"),
    "adam16-curriculum": ({**ADAM16, "curriculum_steps": 1000, "curriculum_start": 2}, "constant"),
    "adam16-randmem": (ADAM16, "random"),
    "adam16-curriculum500": ({**ADAM16, "curriculum_steps": 500, "curriculum_start": 2}, "constant"),
}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--settings", nargs="+", default=[RECIPE], choices=list(SETTINGS))
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=compiler_available("cpu"),
        help="the NTM's time step under torch.compile (default: when a C++ compiler is present)",
    )
    p.add_argument(
        "--warm-compile",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with --compile: compile in an untimed run first (the timed runs then find it compiled)",
    )
    p.add_argument("--target", type=float, default=0.1, help="held-out bit errors per sequence")
    p.add_argument(
        "--max-seconds",
        type=float,
        default=90.0,
        help="give up after this wall time (per run; 90 s is the target of issue 16, item 5)",
    )
    p.add_argument(
        "--eval-sequences",
        type=int,
        default=400,
        help="training sequences between held-out evaluations (steps = this / batch size)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads per run (1: two threads made these small ops slower on a shared 2-core machine)",
    )
    p.add_argument(
        "--save",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="write ntm_minimal/results/convergence.json and the table into bench/convergence.md",
    )
    p.add_argument("--out", default=None, help="also write the table to this file")
    return p.parse_args(argv)


def run_setting(name: str, seed: int, args, steps: int = 10**7) -> dict:
    """Train one setting until the target, the time limit or ``steps``; returns one table row."""
    settings, memory = SETTINGS[name]
    torch.manual_seed(seed)
    model = NTM(**PAPER_NTM)
    if memory == "random":
        gen = torch.Generator().manual_seed(seed)
        model.memory_init.copy_(0.5 * torch.randn(model.memory_init.shape, generator=gen))
    eval_every = max(1, args.eval_sequences // settings["batch_size"])
    config = TrainConfig(
        **settings,
        steps=steps,
        seed=seed,
        eval_every=eval_every,
        eval_batch_size=64,
        eval_seed=1234,
        target_bit_errors=args.target,
        max_seconds=args.max_seconds,
        progress=False,
        compile=args.compile,
    )
    trainer = Trainer(model, CopyTask(min_len=1, max_len=20), config)
    load_start, cpu = os.getloadavg()[0], time.process_time()
    log = trainer.run()
    return {
        **summarise(name, seed, log, args.target, args.compile),
        "cpu_s": time.process_time() - cpu,
        "load_start": load_start,
    }


def first_below(log: list[dict], threshold: float) -> dict | None:
    """The first log row with held-out bit errors per sequence below ``threshold``, if any."""
    return next((r for r in log if r["heldout_bit_errors"] < threshold), None)


def summarise(name: str, seed: int, log: list[dict], target: float, compiled: bool = False) -> dict:
    """One table row from a training log (rows as written to metrics.csv)."""
    last, hit = log[-1], first_below(log, target)
    one = first_below(log, 1.0)
    return {
        "setting": name + (" (compiled)" if compiled else ""),
        "seed": seed,
        "converged": hit is not None,
        "seconds": (hit or last)["wall_s"],
        "sequences": (hit or last)["sequences"],
        "steps": (hit or last)["step"],
        "below_one": one and f"{one['wall_s']:.0f} s ({one['sequences']} seq)",
        "seq_per_s": last["sequences"] / last["wall_s"],
        "final": last["heldout_bit_errors"],
        "best": min(r["heldout_bit_errors"] for r in log),
        "load": os.getloadavg()[0],
    }


def table(rows: list[dict], args) -> str:
    head = (
        f"| setting | seed | first held-out bit errors < 1 | first < {args.target} (wall) | CPU time of the run | sequences seen "
        "| steps | sequences/s | final held-out bit errors | best | load (1 min, start–end) |\n"
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n"
    )
    lines = []
    for r in rows:
        when = f"{r['seconds']:.0f} s" if r["converged"] else f"not within {r['seconds']:.0f} s"
        lines.append(
            f"| {r['setting']} | {r['seed']} | {r['below_one'] or 'no'} | {when} | {r['cpu_s']:.0f} s | {r['sequences']} | "
            f"{r['steps']} | {r['seq_per_s']:.0f} | {r['final']:.3f} | {r['best']:.3f} | "
            f"{r['load_start']:.1f}–{r['load']:.1f} |"
        )
    compiled = (
        (
            f", NTM step compiled ({STEP_CHUNK} time steps per call"
            + ("; compiled in an untimed warm-up first)" if args.warm_compile else ")")
        )
        if args.compile
        else ", eager"
    )
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{args.threads} thread(s){compiled}"
    )
    return (
        head + "\n".join(lines) + f"\n\nMachine: {machine}. Held-out batch: 64 copy sequences, L in 1..20, "
        f"seed 1234, evaluated every {args.eval_sequences} training sequences.\n"
    )


def warm_up(args) -> dict:
    """Compile every batch size's step versions (training and evaluation) in short untimed runs."""
    start, cpu = time.perf_counter(), time.process_time()
    for name in args.settings:
        run_setting(name, args.seeds[0], args, steps=2 * max(1, args.eval_sequences // SETTINGS[name][0]["batch_size"]))
    return {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu}


def record(rows: list[dict], args, warm: dict | None, total_s: float, argv) -> dict:
    """What ``--save`` writes as JSON: per run its seconds, steps and final held-out bit errors."""
    runs = [
        {
            "setting": r["setting"],
            "seed": r["seed"],
            "converged": r["converged"],
            "seconds_wall": round(r["seconds"], 2),
            "seconds_cpu": round(r["cpu_s"], 2),
            "steps": r["steps"],
            "sequences": r["sequences"],
            "final_heldout_bit_errors": r["final"],
            "best_heldout_bit_errors": r["best"],
            "load_1min_start": round(r["load_start"], 2),
            "load_1min_end": round(r["load"], 2),
        }
        for r in rows
    ]
    return {
        "command": shlex.join(
            [
                "OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", ""),
                ".venv/bin/python",
                "bench/convergence.py",
                *(argv or []),
            ]
        ),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "threads": args.threads,
        },
        "compiled": args.compile,
        "chunk": STEP_CHUNK if args.compile else 1,
        "compile_warm_up": warm,
        "target_bit_errors": args.target,
        "eval_sequences": args.eval_sequences,
        "max_seconds": args.max_seconds,
        "heldout": {"sequences": 64, "lengths": [1, 20], "seed": 1234},
        "total_wall_s": round(total_s, 1),
        "runs": runs,
    }


def write_markdown(path: Path, text: str) -> None:
    """Replace the table between the markers of ``path`` (appended with the markers if absent)."""
    doc = path.read_text() if path.exists() else ""
    block = f"{MD_BEGIN}\n{text.rstrip()}\n{MD_END}"
    if MD_BEGIN in doc and MD_END in doc:
        head, rest = doc.split(MD_BEGIN, 1)
        doc = head + block + rest.split(MD_END, 1)[1]
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    path.write_text(doc)


def main(argv=None) -> str:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    begin = time.perf_counter()
    warm = warm_up(args) if args.compile and args.warm_compile else None
    if warm:
        print(f"compile warm-up: {warm['wall_s']:.0f} s wall, {warm['cpu_s']:.0f} s CPU", flush=True)
    rows = []
    for name in args.settings:
        for seed in args.seeds:
            rows.append(run_setting(name, seed, args))
            print(rows[-1], flush=True)
    result = record(rows, args, warm, time.perf_counter() - begin, sys.argv[1:] if argv is None else argv)
    text = table(rows, args)
    text += (
        f"\n`{result['command']}`, {result['date']}; compile warm-up (untimed): "
        + (f"{warm['wall_s']:.0f} s wall, {warm['cpu_s']:.0f} s CPU" if warm else "none")
        + f"; whole command {result['total_wall_s']:.0f} s wall.\n"
    )
    if args.save:
        JSON_OUT.parent.mkdir(exist_ok=True)
        JSON_OUT.write_text(json.dumps(result, indent=1) + "\n")
        write_markdown(MD_OUT, text)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return text


if __name__ == "__main__":
    main()
