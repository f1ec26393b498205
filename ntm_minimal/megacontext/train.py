"""Train MegaContext-lite's GistNet (with the reader's two scalars), then LensNet, on long recall.

Phase 1: GistNet + reader, by the reader's answer loss on random working contexts (MegaContext
trains GistNet through the model's loss on working-context variants) plus the loss of
reading all tokens (reader A), so one reader serves every memory. Phase 2: LensNet, by regression on
counterfactual ΔNLL targets (:mod:`.labels`) on random working contexts. CPU, a few minutes::

    python -m ntm_minimal.megacontext.train --out /tmp/mc_runs/seed0

``--out`` is required and may not be the shipped folder (:data:`DEFAULT_DIR`): a run never
overwrites the shipped models; copy a finished run there by hand. It writes ``gistnet.safetensors``, ``reader.safetensors``, ``lensnet.safetensors``, ``config.json``
(settings, the command, label cost) and ``metrics.csv`` (one row per logged step).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from safetensors.torch import load_file

from .. import checkpoint
from ..tasks.long_recall import LongRecallTask
from .content_read import Reader, nll
from .focus_allocator import FocusConfig, refocus
from .gistnet import GistNet
from .labels import counterfactual_labels, targets
from .lensnet import LensNet, unit_scores
from .read_strategies import oracle_scores, random_scores
from .tree import build_levels
from .working_context import assemble, coarse_cover

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "checkpoints" / "megacontext"
FILES = {"gistnet": GistNet, "reader": Reader, "lensnet": LensNet}
#: Subfolder of a run with its LensNet trained on a curriculum over T (``lens_training --curriculum-max-t``).
CURRICULUM = "curriculum"


def random_context(levels, answer_step, config: FocusConfig, generator: torch.Generator, oracle_share: float = 0.5):
    """A random working context: the coarse cover refocused twice with random scores, plus (for
    ``oracle_share`` of the rows) a bonus on the answer's path, so labels see both cases."""
    length = levels[0].shape[1]
    b = answer_step.shape[0]
    units = coarse_cover(b, length, config.tail, config.w_max, config.block)
    guided = (torch.rand(b, generator=generator) < oracle_share)[:, None]
    for step in range(2):
        scores = random_scores(units, generator) + 2 * guided * oracle_scores(units, answer_step, length, config.block)
        units, _ = refocus(units, scores.clamp(-1, 1), length, config, step)
    return units


def train(args) -> dict:
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    task = LongRecallTask(
        length=args.length, facts=args.facts, key_bits=args.key_bits, value_bits=args.value_bits, tail=args.tail
    )
    config = FocusConfig(w_max=args.w_max, tail=args.tail)
    gistnet = GistNet(task.channels, hidden=args.hidden)
    reader = Reader(task.key_bits, task.value_bits)
    lensnet = LensNet(task.key_bits, task.value_bits, width=args.width)
    rows, t0 = [], time.time()

    opt = torch.optim.Adam([*gistnet.parameters(), *reader.parameters()], lr=args.lr)
    for step in range(1, args.gist_steps + 1):
        lay = task.sample_layout(args.batch, gen)
        x, q, y = lay.batch.x, lay.batch.x[:, -1], lay.batch.y[:, -1]
        levels = build_levels(x, gistnet)
        with torch.no_grad():
            units = random_context(tuple(lv.detach() for lv in levels), lay.answer_steps[:, 0], config, gen)
        entries = assemble(units, *levels)
        focused = nll(reader.logits(q, entries.embedding, entries.valid), y).mean()
        full = nll(reader.logits(q, x), y).mean()
        loss = focused + full
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % args.log_every == 0 or step == args.gist_steps:
            rows.append(
                {
                    "phase": "gistnet",
                    "step": step,
                    "seconds": round(time.time() - t0, 1),
                    "focused_nll": round(focused.item(), 4),
                    "full_nll": round(full.item(), 4),
                    "lens_mse": "",
                }
            )
            print(rows[-1], flush=True)

    opt = torch.optim.Adam(lensnet.parameters(), lr=args.lr)
    passes = []
    for step in range(1, args.lens_steps + 1):
        lay = task.sample_layout(args.batch, gen)
        x, q, y = lay.batch.x, lay.batch.x[:, -1], lay.batch.y[:, -1]
        with torch.no_grad():
            levels = build_levels(x, gistnet)
            units = random_context(levels, lay.answer_steps[:, 0], config, gen)
            labels = counterfactual_labels(reader, levels, q, y, units, config.tail)
        passes.append(labels.passes.float())
        entries = assemble(units, *levels)
        pred = unit_scores(lensnet(q, entries), entries, units.level.shape[1])
        goal = targets(labels.delta)
        # Few units are worth expanding: weight them as much as all the others together.
        weight = labels.labelled * torch.where(goal > 0, args.positive_weight, 1.0)
        loss = (weight * (pred - goal) ** 2).sum() / weight.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % args.log_every == 0 or step == args.lens_steps:
            rows.append(
                {
                    "phase": "lensnet",
                    "step": step,
                    "seconds": round(time.time() - t0, 1),
                    "focused_nll": "",
                    "full_nll": "",
                    "lens_mse": round(loss.item(), 4),
                }
            )
            print(rows[-1], flush=True)
    cost = torch.cat(passes)
    return {
        "models": {"gistnet": gistnet, "reader": reader, "lensnet": lensnet},
        "rows": rows,
        "label_passes_mean": round(cost.mean().item(), 2),
        "label_passes_max": int(cost.max()),
        "seconds": round(time.time() - t0, 1),
    }


def command_line(args) -> str:
    """The command that repeats this run, built from the parsed settings (every option spelled out),
    so it is true whether the run started from a shell or from ``main([...])`` in code."""
    parts = ["python -m ntm_minimal.megacontext.train"]
    for name, value in vars(args).items():
        parts.append(f"--{name.replace('_', '-')} {value}")
    return " ".join(parts)


def check_out(out) -> Path:
    """``out`` as a path, refused if it is (or lies inside) the shipped checkpoint folder."""
    if out is None:
        raise ValueError("out: a run folder is required (the shipped models are never overwritten)")
    path = Path(out).resolve()
    if path == DEFAULT_DIR or DEFAULT_DIR in path.parents:
        raise ValueError(f"out: {out} is the shipped checkpoint folder; train elsewhere and copy the run there by hand")
    return path


def save(out: Path, result: dict, args) -> None:
    """Write the run with the NTM checkpoints' helpers: one safetensors file per model, config, log."""
    out = check_out(out)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    config = {
        "command": command_line(args),
        "settings": settings,
        "seconds": result["seconds"],
        "label_forward_passes": {
            "mean": result["label_passes_mean"],
            "max": result["label_passes_max"],
            "note": "per example: 1 read of the working context + 1 per labelled unit",
        },
    }
    for name, model in result["models"].items():
        checkpoint.save_model(out, model, filename=f"{name}.safetensors")
        config[name] = model.config
    checkpoint.save_json(Path(out) / "config.json", config)
    checkpoint.save_metrics(out, result["rows"])


def load(run_dir: str | Path = DEFAULT_DIR) -> dict:
    """The shipped (or any saved) models: ``{"gistnet", "reader", "lensnet", "config"}``, in eval mode,
    and ``"lensnet_curriculum"`` where the run has a :data:`CURRICULUM` subfolder."""
    run_dir = Path(run_dir)
    config = json.loads((run_dir / "config.json").read_text())
    out = {"config": config}
    for name, cls in FILES.items():
        model = cls(**config[name])
        model.load_state_dict(load_file(str(run_dir / f"{name}.safetensors")))
        out[name] = model.eval()
    extra = run_dir / CURRICULUM
    if (extra / "lensnet.safetensors").exists():
        model = LensNet(**json.loads((extra / "config.json").read_text())["lensnet"])
        model.load_state_dict(load_file(str(extra / "lensnet.safetensors")))
        out["lensnet_curriculum"] = model.eval()
    return out


def load_runs(run_dir: str | Path = DEFAULT_DIR) -> dict:
    """The shipped run and its further training seeds (subfolders ``seed*``): ``{name: models}``."""
    run_dir = Path(run_dir)
    first = load(run_dir)
    runs = {f"seed {first['config']['settings']['seed']}": first}
    for sub in sorted(run_dir.glob("seed*")):
        models = load(sub)
        runs[f"seed {models['config']['settings']['seed']}"] = models
    return runs


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ntm_minimal.megacontext.train", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True, help="run folder (not the shipped checkpoint folder)")
    p.add_argument("--length", type=int, default=4096)
    p.add_argument("--facts", type=int, default=16)
    p.add_argument("--key-bits", type=int, default=16)
    p.add_argument("--value-bits", type=int, default=8)
    p.add_argument("--tail", type=int, default=64)
    p.add_argument("--w-max", type=int, default=256)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--gist-steps", type=int, default=300)
    p.add_argument("--lens-steps", type=int, default=200)
    p.add_argument("--positive-weight", type=float, default=5.0, help="loss weight of units with a positive target")
    p.add_argument("--log-every", type=int, default=25)
    p.add_argument("--seed", type=int, default=0)
    return p


def main(argv=None) -> None:
    p = parser()
    args = p.parse_args(argv)
    try:
        check_out(args.out)
    except ValueError as err:
        p.error(str(err))
    result = train(args)
    save(args.out, result, args)
    print(
        f"saved to {args.out} in {result['seconds']} s; label cost {result['label_passes_mean']} forward passes per example"
    )


if __name__ == "__main__":
    main()
