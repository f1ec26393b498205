"""How long retraining each shipped checkpoint takes on this machine (``TRAIN_FROM_SCRATCH``).

For every shipped checkpoint (or the names given), builds a fresh model and task from its
``config.json``, runs ``--warmup`` untimed and ``--repeats`` timed training steps with its recorded
settings (batch size, optimizer, clipping) on ``--device``, and prints the median seconds per step,
sequences per second and the time its recorded number of steps would take at that speed. The
curriculum is off, so every step is at the full task size (an upper bound for the runs that used
one); held-out evaluations, a few percent of a run, are not counted.

With ``--compile`` the steps run as ``python -m ntm_minimal.train --compile`` runs them (the NTM's
time step under ``torch.compile``; the warm-up steps then include the compilation).

Usage: ``.venv/bin/python bench/retrain.py [--names copy ngrams] [--device cuda] [--repeats 10] [--compile]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import checkpoint, pretrained  # noqa: E402
from ntm_minimal.training import TrainConfig, Trainer  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--names", nargs="+", default=None, help="checkpoints (default: all shipped)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--repeats", type=int, default=10, help="timed steps per checkpoint")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--compile", action="store_true", help="time the steps as the trainer's --compile runs them")
    args = p.parse_args(argv)
    if args.compile and args.warmup < 1:
        p.error("--compile needs --warmup >= 1 (the first step compiles)")
    return args


def step_seconds(
    name: str, config: dict, device: str, warmup: int, repeats: int, compiled: bool = False
) -> tuple[float, float, int]:
    """Median wall seconds and median CPU seconds (of this process; less sensitive to other jobs on
    a shared machine) of one training step of a fresh model configured like checkpoint ``name``
    (``config``: its config.json), and the model's parameter count."""
    # Curriculum off: time steps at the full task size, not at the curriculum's short start.
    train = {
        **config["train"],
        "device": device,
        "progress": False,
        "eval_batch_size": 1,
        "curriculum_steps": 0,
        "compile": compiled,
    }
    torch.manual_seed(train["seed"])
    model = checkpoint.build_model(config["model"], config["model_config"])
    trainer = Trainer(model, pretrained.task(name), TrainConfig(**train))
    times, cpu = [], []
    for i in range(warmup + repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        trainer.train_step()  # returns Python floats, so the GPU has finished when it does
        if i >= warmup:
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), sum(p.numel() for p in model.parameters())


def main(argv=None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {args.threads} thread(s)"
    how = "compiled time step" if args.compile else "eager"
    print(f"torch {torch.__version__}, {where}, {how}; median of {args.repeats} steps after {args.warmup} warm-up\n")
    print("| checkpoint | parameters | batch | s/step | CPU s/step | sequences/s | recorded steps | hours for them |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.names or pretrained.available():
        config = pretrained.config(name)
        seconds, cpu, params = step_seconds(name, config, args.device, args.warmup, args.repeats, args.compile)
        train = config["train"]
        batch, steps = train["batch_size"], train["steps"]
        print(
            f"| {name} | {params:,} | {batch} | {seconds:.3f} | {cpu:.3f} | {batch / seconds:.0f} | {steps:,} "
            f"| {steps * seconds / 3600:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
