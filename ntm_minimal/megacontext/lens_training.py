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
``--combine "seed 0=DIR0/comparison.json" "seed 1=DIR1/comparison.json" ... --out FILE`` joins several
seeds' comparisons into one (:func:`combine_seeds`; the shipped ``results/megacontext_lensnets.json``).

**Curriculum over T** (the design note's question 7): with ``--curriculum-max-t``, the labelled batches
are drawn at ``T`` rising in powers of two from the trained length to that length
(:func:`curriculum_lengths`), each on a working context whose budget grows with ``T``
(:func:`label_budget`); training draws from the shorter streams first and from all of them after
half the steps (:func:`curriculum_pool`), with the balanced regression loss (a fixed weight of the few
units worth expanding lets a long stream's many gists swamp them: the scorer learns to expand
nothing), and only the hand-coded LensNet (regression) is trained, for the reader
``C_curriculum`` of ``bench/megacontext.py --against-t``.
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
from .working_context import assemble, minimal_entries

SCORERS = {
    "hand-coded (cosine), regression": ("cosine", "regression"),
    "two-stage, regression": ("two_stage", "regression"),
    "two-stage, pairwise": ("two_stage", "pairwise"),
}
#: The run folder of each scorer (inside ``--out``).
SCORER_FOLDERS = {name: name.replace(" ", "").replace(",", "_").replace("(", "").replace(")", "") for name in SCORERS}


def _is_power_of_two(n) -> bool:
    return isinstance(n, int) and n > 0 and n & (n - 1) == 0


def curriculum_lengths(batches: int, t_min: int, t_max: int) -> list[int]:
    """``T`` of each of ``batches`` labelled batches: the powers of two from ``t_min`` to ``t_max``, rising,
    each for an equal share of the batches (the first ones get one more when it does not divide)."""
    if not (_is_power_of_two(t_min) and _is_power_of_two(t_max)) or t_max < t_min:
        raise ValueError(f"t_max: expected powers of two t_min <= t_max, got t_min={t_min!r}, t_max={t_max!r}")
    steps = t_max.bit_length() - t_min.bit_length() + 1
    if not isinstance(batches, int) or batches < steps:
        raise ValueError(f"batches: expected an int >= {steps} (one batch per length at least), got {batches!r}")
    return [t_min << (i * steps // batches) for i in range(batches)]


def label_budget(length: int, w_max: int, tail: int) -> int:
    """``W_max`` of the random working contexts labelled at ``length``: ``w_max``, doubled until the
    coarsest cover takes at most half of it (so the random refocus has room to expand)."""
    if not isinstance(w_max, int) or w_max < 1:
        raise ValueError(f"w_max: expected a positive int, got {w_max!r}")
    while 2 * minimal_entries(length, tail) > w_max:
        w_max *= 2
    return w_max


@torch.no_grad()
def label_set(
    models,
    task: LongRecallTask,
    config: FocusConfig,
    batches: int,
    batch: int,
    seed: int,
    lengths: list[int] | None = None,
) -> list[dict]:
    """``batches`` batches of working contexts with their counterfactual labels (fixed for every scorer).

    ``lengths`` (one ``T`` per batch, e.g. :func:`curriculum_lengths`) draws each batch at its own
    length, with the budget :func:`label_budget` of that length; ``None``: every batch at ``task.length``.
    """
    from .train import random_context

    if lengths is not None and len(lengths) != batches:
        raise ValueError(f"lengths: expected one length per batch ({batches}), got {len(lengths)}")
    gen = torch.Generator().manual_seed(seed)
    base_task, base_config = task, config
    out = []
    for i in range(batches):
        if lengths is not None:
            t = lengths[i]
            task = LongRecallTask(
                length=t,
                facts=base_task.facts,
                key_bits=base_task.key_bits,
                value_bits=base_task.value_bits,
                tail=base_task.tail,
            )
            config = FocusConfig(w_max=label_budget(t, base_config.w_max, task.tail), tail=task.tail)
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
    pred: torch.Tensor,
    delta: torch.Tensor,
    labelled: torch.Tensor,
    positive_weight: float = 5.0,
    balanced: bool = False,
) -> torch.Tensor:
    """Weighted squared error against ``targets(delta)`` over the labelled units.

    Units worth expanding (positive target) weigh ``positive_weight`` each, or, with ``balanced``, as
    much together as the row's other labelled units together: a long stream's working context holds
    hundreds of gists not worth expanding for one that is, and a fixed weight lets them swamp it."""
    goal = targets(delta)
    if balanced:
        pos = labelled & (goal > 0)
        n_pos, n_neg = pos.sum(1, keepdim=True), (labelled & ~pos).sum(1, keepdim=True)
        positive_weight = (n_neg / n_pos.clamp_min(1)).clamp_min(1.0)
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


def curriculum_pool(step: int, batches: int, ramp_steps: int) -> int:
    """How many of the first batches (in rising ``T``) step ``step`` may draw from: a share growing
    linearly from ``1 / batches`` to all of them over ``ramp_steps`` steps."""
    if not isinstance(ramp_steps, int) or ramp_steps < 1:
        raise ValueError(f"ramp_steps: expected a positive int, got {ramp_steps!r}")
    return max(1, min(batches, -(-batches * step // ramp_steps)))


def train_scorer(
    scorer,
    data: list[dict],
    loss: str,
    steps: int,
    lr: float,
    seed: int,
    log_every: int = 50,
    ramp_steps: int | None = None,
    balanced: bool = False,
):
    """Adam on the fixed label set, one batch per step; the log rows.

    Without ``ramp_steps`` the batches are cycled in a seeded random order. With it (a curriculum:
    ``data`` in rising ``T``), step ``i`` draws a seeded random batch among the first
    :func:`curriculum_pool` ones, so longer streams join as training goes on, all of them after
    ``ramp_steps`` steps. ``balanced``: the regression loss weighs each row's positives as much as
    its other units (:func:`regression_loss`).
    """
    if loss not in ("regression", "pairwise"):
        raise ValueError(f"loss: expected 'regression' or 'pairwise', got {loss!r}")
    torch.manual_seed(seed)
    opt = torch.optim.Adam(scorer.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(data), generator=gen)
    rows, t0 = [], time.process_time()
    for step in range(1, steps + 1):
        if ramp_steps is None:
            ex = data[int(order[(step - 1) % len(data)])]
        else:
            pool = curriculum_pool(step, len(data), ramp_steps)
            ex = data[int(torch.randint(pool, (1,), generator=gen))]
        pred = scores_of(scorer, ex)
        if loss == "regression":
            value = regression_loss(pred, ex["delta"], ex["labelled"], balanced=balanced)
        else:
            value = pairwise_loss(pred, ex["delta"], ex["labelled"])
        opt.zero_grad()
        value.backward()
        opt.step()
        if step % log_every == 0 or step == steps:
            rows.append(
                {"step": step, "cpu_seconds": round(time.process_time() - t0, 1), "loss": round(value.item(), 4)}
            )
    return rows


def combine_seeds(results: dict) -> dict:
    """``comparison.json`` results of several seeds (name -> result) as one: ``rows`` hold each
    (``T``, scorer)'s accuracy and selection recall as ``{"mean", "min", "max", "n"}`` over the seeds,
    ``runs`` the seeds' own rows. The seeds must share the evaluation (``w_max``, edits, queries, lengths)."""
    if not results:
        raise ValueError("results: expected at least one seed's comparison")
    first = next(iter(results.values()))
    same = ("w_max", "edits", "queries", "label_examples", "steps", "lr")
    for name, r in results.items():
        if any(r[k] != first[k] for k in same):
            raise ValueError(f"results: {name!r} differs from the first in one of {same}")
    cells: dict = {}
    for r in results.values():
        for row in r["rows"]:
            cells.setdefault((row["T"], row["scorer"]), []).append(row)
    rows = []
    for (t, scorer), got in cells.items():
        if len(got) != len(results):
            raise ValueError(f"results: T={t}, {scorer!r} is missing from some seeds")
        rows.append({"T": t, "scorer": scorer} | {k: _spread([g[k] for g in got]) for k in ("accuracy", "selection")})
    return {
        **{k: first[k] for k in same},
        "seeds": list(results),
        "label_cpu_seconds": {name: r["label_cpu_seconds"] for name, r in results.items()},
        "rows": rows,
        "runs": {name: r["rows"] for name, r in results.items()},
    }


def _spread(values) -> dict:
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values), "n": len(values)}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ntm_minimal.megacontext.lens_training", description=__doc__.splitlines()[0]
    )
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder for one run per scorer and comparison.json (with --combine: the JSON file to write)",
    )
    p.add_argument(
        "--combine",
        nargs="+",
        default=None,
        metavar="SEED=COMPARISON_JSON",
        help="train nothing: join the comparison.json of several seeds (mean, min, max) into OUT",
    )
    p.add_argument("--batches", type=int, default=48, help="labelled batches (the fixed training set)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--eval-streams", type=int, default=8, help="streams per T of the comparison (16 queries each)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="the trained GistNet and reader to label with (default: the shipped run)",
    )
    p.add_argument(
        "--curriculum-max-t",
        type=int,
        default=None,
        help="label batches at T rising in powers of two from the run's length to this one, and train "
        "the hand-coded LensNet only (the curriculum LensNet; written to OUT/lensnet.safetensors)",
    )
    return p


def _command(args) -> str:
    parts = ["python -m ntm_minimal.megacontext.lens_training"]
    for k, v in vars(args).items():
        if v is not None:
            parts.append(f"--{k.replace('_', '-')} {v}")
    return " ".join(parts)


def train_curriculum(args, models, task: LongRecallTask, config: FocusConfig, out: Path) -> dict:
    """The hand-coded LensNet, by regression, on labels drawn at ``T`` rising to ``args.curriculum_max_t``."""
    lengths = curriculum_lengths(args.batches, task.length, args.curriculum_max_t)
    t0 = time.process_time()
    data = label_set(models, task, config, args.batches, args.batch, args.seed, lengths=lengths)
    label_seconds = time.process_time() - t0
    print(
        f"labels: {args.batches} x {args.batch} examples at T = {sorted(set(lengths))} in {label_seconds:.0f} s",
        flush=True,
    )
    torch.manual_seed(args.seed)
    scorer = make_scorer("cosine", task.key_bits, task.value_bits, args.width, task.tail)
    rows = train_scorer(
        scorer, data, "regression", args.steps, args.lr, args.seed, ramp_steps=args.steps // 2, balanced=True
    )
    print(rows[-1], flush=True)
    checkpoint.save_model(out, scorer, filename="lensnet.safetensors")
    info = {
        "kind": "cosine",
        "loss": "regression",
        "lensnet": scorer.config,
        "curriculum": {
            "lengths": sorted(set(lengths)),
            "batches_per_length": {str(t): lengths.count(t) for t in sorted(set(lengths))},
            "label_w_max": {str(t): label_budget(t, config.w_max, task.tail) for t in sorted(set(lengths))},
            "ramp_steps": args.steps // 2,
            "loss_weighting": "balanced: each row's positives weigh as much as its other labelled units",
        },
        "label_examples": args.batches * args.batch,
        "label_cpu_seconds": round(label_seconds, 1),
        "run": str(args.run_dir) if args.run_dir else "shipped",
        "command": _command(args),
    }
    checkpoint.save_json(out / "config.json", info)
    checkpoint.save_metrics(out, rows)
    return info


def main(argv=None) -> dict:
    from . import experiments
    from .train import DEFAULT_DIR, check_out, load

    torch.set_num_threads(1)
    args = parser().parse_args(argv)
    if args.combine:
        named = dict(item.split("=", 1) for item in args.combine)
        result = combine_seeds({name: json.loads(Path(path).read_text()) for name, path in named.items()})
        result["commands"] = {
            name: json.loads((Path(path).parent / next(iter(SCORER_FOLDERS.values())) / "config.json").read_text())[
                "command"
            ]
            for name, path in named.items()
        }
        checkpoint.save_json(args.out, result)
        return result
    out = check_out(args.out)
    models = load(args.run_dir or DEFAULT_DIR)
    s = models["config"]["settings"]
    task = LongRecallTask(
        length=s["length"], facts=s["facts"], key_bits=s["key_bits"], value_bits=s["value_bits"], tail=s["tail"]
    )
    config = FocusConfig(w_max=s["w_max"], tail=s["tail"])
    if args.curriculum_max_t is not None:
        return train_curriculum(args, models, task, config, out)
    t0 = time.process_time()
    data = label_set(models, task, config, args.batches, args.batch, args.seed)
    label_seconds = time.process_time() - t0
    print(f"labels: {args.batches} x {args.batch} examples in {label_seconds:.0f} s of CPU time", flush=True)
    scorers = {}
    for name, (kind, loss) in SCORERS.items():
        scorer = make_scorer(kind, task.key_bits, task.value_bits, args.width, task.tail)
        rows = train_scorer(scorer, data, loss, args.steps, args.lr, args.seed)
        print(name, rows[-1], flush=True)
        folder = out / SCORER_FOLDERS[name]
        checkpoint.save_model(folder, scorer, filename="lensnet.safetensors")
        checkpoint.save_json(
            folder / "config.json",
            {
                "kind": kind,
                "loss": loss,
                "lensnet": scorer.config,
                "command": _command(args),
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
