"""Command-line training: ``python -m ntm_minimal.train --task copy --model ntm --out runs/copy``.

Builds the task and the model, trains with :class:`ntm_minimal.training.Trainer`, keeps the run
directory up to date at every log row (so ``--resume DIR`` can continue an interrupted run), then
evaluates the saved model on the held-out batch and on longer sequences and writes ``eval.json``.
``config.json`` records every setting and the exact command, so each shipped checkpoint says how
to reproduce it. Examples::

    # the NTM on the copy task (paper sizes), Adam, stopping at 0.1 held-out bit errors per sequence
    python -m ntm_minimal.train --task copy --model ntm --steps 20000 --target-bit-errors 0.1 --out runs/copy
    # the DNC (one write head, 4 read heads) on the same task
    python -m ntm_minimal.train --task copy --model dnc --read-heads 4 --target-bit-errors 0.1 --out runs/copy_dnc
    # the paper's LSTM baseline (3 x 256) for 10 minutes
    python -m ntm_minimal.train --task copy --model lstm --max-seconds 600 --out runs/copy_lstm
    # the same NTM run, compiled explicitly (new NTM and DNC runs of 2000+ steps compile by default;
    # --no-compile: eager)
    python -m ntm_minimal.train --task copy --model ntm --steps 20000 --compile --out runs/copy_compiled
    # continue a run up to 30000 steps
    python -m ntm_minimal.train --resume runs/copy --steps 30000
    # keep a copy every 1000 steps, then replay from the one at step 3000 (e.g. after a divergence)
    python -m ntm_minimal.train --task copy --steps 20000 --snapshot-every 1000 --out runs/copy
    cp -r runs/copy/snapshots/step_003000 runs/copy_3000
    python -m ntm_minimal.train --resume runs/copy_3000 --steps 5000
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import sys
from pathlib import Path

import torch

from . import checkpoint
from .device import pick_device
from .evaluation import DEFAULT_GRID, evaluate, evaluate_batch, heldout_batch
from .model import MEMORY_INITS
from .tasks import make_task
from .training import TrainConfig, Trainer, compile_by_default

#: Settings a resumed run may change (the rest come from its config.json); a new ``--lr`` on resume
#: replaces the optimizer's learning rate (e.g. a lower one to settle a converged run).
RESUMABLE = (
    "steps",
    "max_seconds",
    "target_bit_errors",
    "progress",
    "device",
    "lr",
    "keep_best",
    "snapshot_every",
    "compile",
)


def _optional_float(text: str) -> float | None:
    """A positive number, or ``none``/``off``/``0`` for "no limit"."""
    return None if text.lower() in ("none", "off", "0") else float(text)


#: Default of the options a resumed run may change, so that "not given" differs from "none".
class _Unset:
    def __repr__(self) -> str:
        return "not given"


UNSET = _Unset()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ntm_minimal.train",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    t = p.add_argument_group("task")
    t.add_argument("--task", default="copy", help="copy, repeat_copy, associative_recall, ngrams, priority_sort")
    t.add_argument("--task-config", default="{}", help="JSON of task settings, e.g. '{\"max_len\": 20}'")
    m = p.add_argument_group("model")
    m.add_argument("--model", default="ntm", choices=sorted(checkpoint.MODELS))
    m.add_argument("--controller", default="lstm", choices=["lstm", "feedforward"])
    m.add_argument("--controller-size", type=int, default=100)
    m.add_argument("--memory-n", type=int, default=128)
    m.add_argument("--memory-m", type=int, default=20)
    m.add_argument("--read-heads", type=int, default=1)
    m.add_argument("--write-heads", type=int, default=1)
    m.add_argument("--shift-range", type=int, default=1)
    m.add_argument(
        "--memory-init",
        default="constant",
        choices=list(MEMORY_INITS),
        help="the memory's starting values: a small constant, or learned",
    )
    m.add_argument(
        "--no-temporal-links",
        dest="temporal_links",
        action="store_false",
        help="dnc: no link matrix, content reads only (the link ablation)",
    )
    m.add_argument(
        "--dealloc-content",
        action="store_true",
        help="dnc: wipe freed rows (Csordas & Schmidhuber 2019's de-allocation fix)",
    )
    m.add_argument(
        "--masking", action="store_true", help="dnc: masked content lookups (Csordas & Schmidhuber 2019's masking fix)"
    )
    m.add_argument(
        "--link-sharpness",
        action="store_true",
        help="dnc: sharpened forward/backward weightings (Csordas & Schmidhuber 2019's sharpness fix)",
    )
    m.add_argument("--lstm-size", type=int, default=256, help="baseline: units per layer")
    m.add_argument("--lstm-layers", type=int, default=3, help="baseline: layers")
    o = p.add_argument_group("training")
    d = TrainConfig()
    o.add_argument("--optimizer", default=d.optimizer, choices=["rmsprop", "adam"])
    o.add_argument("--lr", type=float, default=UNSET, help=f"learning rate (new runs: {d.lr})")
    o.add_argument("--momentum", type=float, default=d.momentum, help="RMSProp momentum")
    o.add_argument("--rms-decay", type=float, default=d.rms_decay, help="RMSProp smoothing constant")
    o.add_argument("--clip-value", type=_optional_float, default=d.clip_value, help="elementwise clip; none = off")
    o.add_argument("--clip-norm", type=_optional_float, default=d.clip_norm, help="global-norm clip; none = off")
    o.add_argument("--steps", type=int, default=UNSET, help=f"total steps (new runs: {d.steps})")
    o.add_argument("--batch-size", type=int, default=d.batch_size)
    o.add_argument("--seed", type=int, default=d.seed)
    o.add_argument("--curriculum-steps", type=int, default=d.curriculum_steps, help="0 = no curriculum")
    o.add_argument("--curriculum-start", type=int, default=d.curriculum_start)
    o.add_argument(
        "--curriculum-fields",
        nargs="+",
        default=list(d.curriculum_fields),
        help="task settings that ramp up, e.g. max_len max_repeats",
    )
    o.add_argument(
        "--margin",
        type=_optional_float,
        default=d.margin,
        help="also penalise each scored bit whose signed logit is below this (squared shortfall, "
        "metrics.margin_shortfall): a loss aimed at the rare wrong bits; none = off",
    )
    o.add_argument("--margin-weight", type=float, default=d.margin_weight, help="weight of the --margin term")
    o.add_argument(
        "--hard-pool",
        type=int,
        default=d.hard_pool,
        help="fresh candidate sequences drawn per step for hard examples; 0 = off",
    )
    o.add_argument(
        "--hard-examples",
        type=int,
        default=d.hard_examples,
        help="sequences of each batch that are the hardest of the --hard-pool (smallest signed logit)",
    )
    o.add_argument("--eval-every", type=int, default=d.eval_every)
    o.add_argument("--eval-batch-size", type=int, default=d.eval_batch_size)
    o.add_argument("--eval-seed", type=int, default=d.eval_seed)
    o.add_argument("--target-bit-errors", type=_optional_float, default=UNSET, help="stop below this; none = off")
    o.add_argument("--max-seconds", type=_optional_float, default=UNSET, help="stop after this; none = off")
    o.add_argument("--device", default=UNSET, help="cpu or cuda (default: cuda when available)")
    o.add_argument("--save-dtype", default=d.save_dtype, choices=sorted(checkpoint.DTYPES))
    o.add_argument("--no-progress", dest="progress", action="store_false", default=UNSET)
    o.add_argument(
        "--keep-best",
        action="store_true",
        default=UNSET,
        help="keep the best held-out weights; eval.json and exports use them",
    )
    o.add_argument(
        "--snapshot-every",
        type=int,
        default=UNSET,
        help="keep a copy of the run every N steps in snapshots/step_N (N a multiple of --eval-every)",
    )
    o.add_argument(
        "--compile",
        action="store_true",
        default=UNSET,
        help="run the NTM's or DNC's time steps under torch.compile (about 2x faster on CPU after a slow "
        "first step); a new NTM or DNC run of at least 2000 steps does so by default when a compiler "
        "is present",
    )
    o.add_argument(
        "--no-compile",
        dest="compile",
        action="store_false",
        default=UNSET,
        help="run the time step eagerly (bit for bit the same on the same machine)",
    )
    r = p.add_argument_group("output")
    r.add_argument("--out", help="run directory (required unless --resume)")
    r.add_argument("--resume", help="continue the run in this directory")
    r.add_argument(
        "--init-from",
        default=None,
        help="a new run starts from the weights of this run directory or checkpoint (same model), "
        "e.g. to fine-tune a shipped model on another task setting; its optimizer starts fresh",
    )
    r.add_argument(
        "--eval-grid",
        default=None,
        help="JSON list of sample overrides for eval.json, "
        "e.g. '[{\"length\": 50}]' (default: a per-task grid beyond the training range)",
    )
    r.add_argument("--grid-batch-size", type=int, default=32)
    return p


def _model_config(args, task) -> tuple[str, dict]:
    io = dict(input_size=task.input_size, output_size=task.output_size)
    if args.model == "lstm":
        return "lstm", dict(**io, hidden_size=args.lstm_size, layers=args.lstm_layers)
    if args.model == "dnc":  # one write head, no shifts: --write-heads, --shift-range, --memory-init do not apply
        return "dnc", dict(
            **io,
            controller=args.controller,
            controller_size=args.controller_size,
            memory_n=args.memory_n,
            memory_m=args.memory_m,
            read_heads=args.read_heads,
            temporal_links=args.temporal_links,
            dealloc_content=args.dealloc_content,
            masking=args.masking,
            link_sharpness=args.link_sharpness,
        )
    return "ntm", dict(
        **io,
        controller=args.controller,
        controller_size=args.controller_size,
        memory_n=args.memory_n,
        memory_m=args.memory_m,
        read_heads=args.read_heads,
        write_heads=args.write_heads,
        shift_range=args.shift_range,
        memory_init=args.memory_init,
    )


def _train_config(args) -> TrainConfig:
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    given = {k: v for k, v in vars(args).items() if k in fields and v is not UNSET}
    if given.get("device") is None:
        given["device"] = str(pick_device())
    return TrainConfig(**given)


def _init_from(model, kind: str, model_config: dict, run_dir: str) -> dict:
    """Load the weights of ``run_dir`` into the new ``model``; returns what to record about them."""
    source, weights = checkpoint.load_config(run_dir), checkpoint.load_model(run_dir)
    # Compare the built models' full configs: an older config.json may leave out a default setting.
    if source["model"] != kind or getattr(weights, "config", source["model_config"]) != getattr(
        model, "config", model_config
    ):
        raise SystemExit(
            f"--init-from {run_dir}: its model ({source['model']}, {source['model_config']}) is not "
            f"this run's ({kind}, {model_config})"
        )
    model.load_state_dict(weights.state_dict())
    steps = checkpoint.load_eval(run_dir).get("steps") if (Path(run_dir) / checkpoint.EVAL_FILE).is_file() else None
    return {"run": str(run_dir), "command": source["command"], "steps": steps}


def setup(args) -> tuple[Trainer, list[dict], int]:
    """The trainer, the eval grid and its batch size, for a new run or a resumed one.

    A resumed run evaluates the grid its config.json recorded, unless ``--eval-grid`` replaces it.
    """
    command = "python -m ntm_minimal.train " + shlex.join(sys.argv[1:] if args.argv is None else args.argv)
    if args.resume:
        run_dir = args.resume
        info = checkpoint.load_config(run_dir)
        train_fields = dict(info.pop("train"))
        train_fields.update({k: getattr(args, k) for k in RESUMABLE if getattr(args, k) is not UNSET})
        config = TrainConfig(**train_fields)
        task = make_task(info["task"], **info["task_config"])
        model = checkpoint.load_model(run_dir)
        state = checkpoint.load_train_state(run_dir)
        info["resumed_with"] = [*info.get("resumed_with", []), {"from_step": int(state["step"]), "command": command}]
        trainer = Trainer(model, task, config, run_dir, info)
        trainer.load_state_dict(state, checkpoint.load_metrics(run_dir))
        for group in trainer.optimizer.param_groups:
            group["lr"] = config.lr
    else:
        if not args.out:
            raise SystemExit("--out DIR is required (or --resume DIR)")
        task_config = json.loads(args.task_config)
        task = make_task(args.task, **task_config)
        kind, model_config = _model_config(args, task)
        if args.compile is UNSET:  # decided here and recorded in the command, so a replay decides alike
            steps = TrainConfig.steps if args.steps is UNSET else args.steps
            device = args.device if args.device is not UNSET else str(pick_device())
            args.compile = compile_by_default(kind, steps, device)
            command += " --compile" if args.compile else " --no-compile"
        config = _train_config(args)
        torch.manual_seed(config.seed)  # the model's initial weights
        model = checkpoint.build_model(kind, model_config)
        info = {
            "model": kind,
            "model_config": model_config,
            "task": args.task,
            "task_config": task_config,
            "command": command,
        }
        if args.init_from:
            info["init_from"] = _init_from(model, kind, model_config, args.init_from)
        trainer = Trainer(model, task, config, args.out, info)
    if args.eval_grid:  # kept in config.json, so a later --resume evaluates the same grid
        trainer.run_info["eval_grid"] = {"settings": json.loads(args.eval_grid), "batch_size": args.grid_batch_size}
    stored = trainer.run_info.get("eval_grid") or {
        "settings": DEFAULT_GRID.get(task.name, []),
        "batch_size": args.grid_batch_size,
    }
    return trainer, stored["settings"], stored["batch_size"]


def final_eval(run_dir, trainer: Trainer, grid: list[dict], grid_batch_size: int) -> dict:
    """Evaluate the model as saved (after the save dtype round trip) and write ``eval.json``."""
    config, task = trainer.config, trainer.task
    best = config.keep_best and (Path(run_dir) / checkpoint.BEST_FILE).is_file()
    model = checkpoint.load_model(run_dir, config.device, checkpoint.BEST_FILE if best else checkpoint.MODEL_FILE)
    held = evaluate_batch(model, heldout_batch(task, config.eval_batch_size, config.eval_seed))
    result = {
        "heldout": {**held, "batch_size": config.eval_batch_size, "seed": config.eval_seed},
        "grid": evaluate(model, task, grid, grid_batch_size, seed=config.eval_seed),
        "model_step": trainer.best[2] if best else trainer.step,
        "steps": trainer.step,
        "sequences": trainer.sequences,
        "wall_s": round(trainer.wall_s, 1),
        "stop_reason": trainer.stop_reason,
        "skipped_steps": trainer.skipped_steps,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    checkpoint.save_json(Path(run_dir) / checkpoint.EVAL_FILE, result)
    return result


def reproduction(config: dict, out: str, final_step: int | None = None) -> list[list[str]]:
    """The CLI argument lists that redo a run exactly, writing to ``out``.

    A run may have been stopped and resumed (``config["resumed_with"]``, each with the step it
    resumed from) or stopped by ``--max-seconds``; each segment is re-run up to the step where it
    ended (the next segment's start; ``final_step``, e.g. ``eval.json["steps"]``, for the last),
    with no time limit. That reproduces it because nothing else depends on the total number of steps.
    """
    segments = [config["command"], *(r["command"] for r in config.get("resumed_with", []))]
    stops = [r["from_step"] for r in config.get("resumed_with", [])] + [final_step]
    runs = []
    for i, (command, stop) in enumerate(zip(segments, stops)):
        args = shlex.split(command)[3:]  # drop "python -m ntm_minimal.train"
        args = _drop_option(args, "--out", "--resume", *(("--steps", "--max-seconds") if stop is not None else ()))
        if i == 0 and not {"--compile", "--no-compile"} & set(args):
            args.append("--no-compile")  # recorded before the CLI compiled by default: the run was eager
        args += ["--out" if i == 0 else "--resume", out]
        if stop is not None:
            args += ["--steps", str(stop), "--max-seconds", "none"]
        runs.append(args)
    return runs


def learning_rates(config: dict) -> list[tuple[int, float]]:
    """``(from_step, lr)`` for each segment of a run that set its learning rate, in order.

    The first entry is the run's starting rate; a resumed segment appears only if its command
    gave a new ``--lr`` (e.g. copy's later, lower rates). ``config["train"]["lr"]`` holds only the last.
    """
    segments = [(0, config["command"]), *((r["from_step"], r["command"]) for r in config.get("resumed_with", []))]
    rates = []
    for step, command in segments:
        lr = parser().parse_args(shlex.split(command)[3:]).lr
        if not isinstance(lr, _Unset) and (not rates or rates[-1][1] != lr):
            rates.append((step, lr))
    if not rates or rates[0][0] != 0:  # a first command without --lr used the default
        rates.insert(0, (0, TrainConfig().lr))
    return rates


def _drop_option(args: list[str], *names: str) -> list[str]:
    """``args`` without the options ``names`` and their values."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in names:
            skip = True
        else:
            out.append(a)
    return out


def main(argv: list[str] | None = None) -> dict:
    """Run the CLI; returns the contents of ``eval.json``."""
    args = parser().parse_args(argv)
    args.argv = argv
    trainer, grid, grid_batch_size = setup(args)
    trainer.run()
    trainer.save()
    result = final_eval(trainer.run_dir, trainer, grid, grid_batch_size)
    held = result["heldout"]
    print(
        f"{trainer.run_dir}: {trainer.step} steps, {trainer.wall_s:.0f} s, stop: {trainer.stop_reason}; "
        f"held-out cost {held['cost_bits']:.3f} bits, {held['bit_errors']:.3f} bit errors per sequence"
    )
    return result


if __name__ == "__main__":
    main()
