"""Train focus scorers on one fixed set of counterfactual labels, with two losses, and compare them.

The labels (:mod:`.labels`) are computed once, with a trained GistNet and reader, on random working
contexts (``train.random_context``); every scorer then trains on the same examples:

* **regression** on the targets ``tanh((Δ - margin) / temperature)``, weighted as in ``train``
  (units worth expanding count ``positive_weight`` times);
* **pairwise preferences**: for two labelled units of one working context with ``Δ_i > Δ_j + margin``,
  the logistic loss ``log(1 + exp(-scale (s_i - s_j)))`` (Bradley-Terry, as in preference training);
  each unit is also compared with a reference of score 0 and ``Δ = margin`` (the allocator acts on
  the sign of a score, so the order alone is not enough).

``python -m ntm_minimal.megacontext.lens_training --out DIR`` trains the hand-coded :class:`~.lensnet.LensNet`
(regression) and the :class:`~.two_stage_lensnet.TwoStageLensNet` (regression and pairwise), writes
one run folder per scorer and ``comparison.json`` (selection recall and accuracy against ``T``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch.nn import functional as F

from .. import checkpoint
from ..tasks.long_recall import LongRecallTask
from .focus_allocator import FocusConfig
from .labels import counterfactual_labels, targets
from .lensnet import LensNet, unit_scores
from .tree import build_levels
from .two_stage_lensnet import TwoStageLensNet
from .working_context import assemble

SCORERS = {
    "hand-coded (cosine), regression": ("cosine", "regression"),
    "two-stage, regression": ("two_stage", "regression"),
    "two-stage, pairwise": ("two_stage", "pairwise"),
}


@torch.no_grad()
def label_set(models, task: LongRecallTask, config: FocusConfig, batches: int, batch: int, seed: int) -> list[dict]:
    """``batches`` batches of working contexts with their counterfactual labels (fixed for every scorer)."""
    from .train import random_context

    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(batches):
        lay = task.sample_layout(batch, gen)
        x, q, y = lay.batch.x, lay.batch.x[:, -1], lay.batch.y[:, -1]
        levels = build_levels(x, models["gistnet"])
        units = random_context(levels, lay.answer_steps[:, 0], config, gen)
        labels = counterfactual_labels(models["reader"], levels, q, y, units, config.tail)
        out.append({"levels": levels, "query": q, "units": units, "delta": labels.delta, "labelled": labels.labelled})
    return out


def scores_of(scorer, example: dict) -> torch.Tensor:
    """Unit scores ``[B, U]`` of a scorer on a labelled example."""
    entries = assemble(example["units"], *example["levels"])
    s = (
        scorer(example["query"], entries, example["levels"][0])
        if getattr(scorer, "uses_tail", False)
        else scorer(example["query"], entries)
    )
    return unit_scores(s, entries, example["units"].level.shape[1])


def regression_loss(
    pred: torch.Tensor, delta: torch.Tensor, labelled: torch.Tensor, positive_weight: float = 5.0
) -> torch.Tensor:
    """Weighted squared error against ``targets(delta)`` over the labelled units."""
    goal = targets(delta)
    weight = labelled * torch.where(goal > 0, positive_weight, 1.0)
    return (weight * (pred - goal) ** 2).sum() / weight.sum().clamp_min(1e-9)


def pairwise_loss(
    pred: torch.Tensor, delta: torch.Tensor, labelled: torch.Tensor, margin: float = 0.05, scale: float = 5.0
) -> torch.Tensor:
    """Logistic loss on every ordered pair ``Δ_i > Δ_j + margin`` of one row, plus each unit against a
    reference (score 0, ``Δ = margin``); pairs ``[B, U, U]`` at once."""
    s = torch.cat([pred, torch.zeros_like(pred[:, :1])], 1)  # the reference is the last column
    d = torch.cat([delta, torch.full_like(delta[:, :1], margin)], 1)
    on = torch.cat([labelled, torch.ones_like(labelled[:, :1])], 1)
    prefer = (d[:, :, None] > d[:, None, :] + margin) & on[:, :, None] & on[:, None, :]
    loss = F.softplus(-scale * (s[:, :, None] - s[:, None, :]))
    return (loss * prefer).sum() / prefer.sum().clamp_min(1)


def make_scorer(kind: str, key_bits: int, value_bits: int, width: int, tail: int):
    if kind == "cosine":
        return LensNet(key_bits, value_bits, width=width)
    if kind == "two_stage":
        return TwoStageLensNet(key_bits, value_bits, width=width, tail=tail)
    raise ValueError(f"kind: expected 'cosine' or 'two_stage', got {kind!r}")


def train_scorer(scorer, data: list[dict], loss: str, steps: int, lr: float, seed: int, log_every: int = 50):
    """Adam on the fixed label set, one batch per step (cycled in a seeded random order); the log rows."""
    if loss not in ("regression", "pairwise"):
        raise ValueError(f"loss: expected 'regression' or 'pairwise', got {loss!r}")
    torch.manual_seed(seed)
    opt = torch.optim.Adam(scorer.parameters(), lr=lr)
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    rows, t0 = [], time.process_time()
    for step in range(1, steps + 1):
        ex = data[int(order[(step - 1) % len(data)])]
        pred = scores_of(scorer, ex)
        fn = regression_loss if loss == "regression" else pairwise_loss
        value = fn(pred, ex["delta"], ex["labelled"])
        opt.zero_grad()
        value.backward()
        opt.step()
        if step % log_every == 0 or step == steps:
            rows.append(
                {"step": step, "cpu_seconds": round(time.process_time() - t0, 1), "loss": round(value.item(), 4)}
            )
    return rows


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ntm_minimal.megacontext.lens_training", description=__doc__.splitlines()[0]
    )
    p.add_argument("--out", type=Path, required=True, help="folder for one run per scorer and comparison.json")
    p.add_argument("--batches", type=int, default=48, help="labelled batches (the fixed training set)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--eval-streams", type=int, default=8, help="streams per T of the comparison (16 queries each)")
    p.add_argument("--seed", type=int, default=0)
    return p


def main(argv=None) -> dict:
    from . import experiments
    from .train import DEFAULT_DIR, check_out, load

    torch.set_num_threads(1)
    args = parser().parse_args(argv)
    out = check_out(args.out)
    models = load(DEFAULT_DIR)
    s = models["config"]["settings"]
    task = LongRecallTask(
        length=s["length"], facts=s["facts"], key_bits=s["key_bits"], value_bits=s["value_bits"], tail=s["tail"]
    )
    config = FocusConfig(w_max=s["w_max"], tail=s["tail"])
    t0 = time.process_time()
    data = label_set(models, task, config, args.batches, args.batch, args.seed)
    label_seconds = time.process_time() - t0
    print(f"labels: {args.batches} x {args.batch} examples in {label_seconds:.0f} s of CPU time", flush=True)
    scorers = {}
    for name, (kind, loss) in SCORERS.items():
        scorer = make_scorer(kind, task.key_bits, task.value_bits, args.width, task.tail)
        rows = train_scorer(scorer, data, loss, args.steps, args.lr, args.seed)
        print(name, rows[-1], flush=True)
        folder = out / name.replace(" ", "").replace(",", "_").replace("(", "").replace(")", "")
        checkpoint.save_model(folder, scorer, filename="lensnet.safetensors")
        checkpoint.save_json(
            folder / "config.json",
            {
                "kind": kind,
                "loss": loss,
                "lensnet": scorer.config,
                "command": "python -m ntm_minimal.megacontext.lens_training "
                + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items()),
            },
        )
        checkpoint.save_metrics(folder, rows)
        scorers[name] = scorer.eval()
    scorers["shipped LensNet (hand-coded, train.py)"] = models["lensnet"]
    result = experiments.compare_scorers(models, scorers, [4096, 16384, 65536], 512, streams=args.eval_streams)
    result.update(
        {
            "label_examples": args.batches * args.batch,
            "label_cpu_seconds": round(label_seconds, 1),
            "steps": args.steps,
            "lr": args.lr,
        }
    )
    checkpoint.save_json(out / "comparison.json", result)
    print(json.dumps(result["rows"], indent=1))
    return result


if __name__ == "__main__":
    main()
