"""Trained DNCs set against NTMs and LSTMs: errors on fresh data with their spread, and table rows
read from the shipped checkpoints' files (the chapter "DNC against NTM, measured").

* :func:`fresh_errors` runs a model on freshly drawn sequences (in chunks, so a thousand long
  sequences fit in memory) and returns each sequence's bit errors;
* :func:`spread` condenses them into a :class:`Spread`: mean, standard error, worst sequence and
  share of perfect sequences, so a claim about "every" sequence can quote the worst one;
* :func:`grid_entry`, :func:`model_row` and :func:`comparison` turn ``eval.json``, ``metrics.csv`` and
  ``config.json`` into one row per model of a task;
* :func:`variant_row` describes one repeat-copy DNC run (recipe, budget, held-out errors);
* :func:`demo_run` finds (or retrains) a demonstration run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn

from .. import checkpoint, pretrained
from ..metrics import bit_errors

__all__ = [
    "FRESH_SEQUENCES",
    "FRESH_SEED",
    "MODELS",
    "TARGETS",
    "BEYOND",
    "FIXES",
    "Spread",
    "spread",
    "fresh_errors",
    "grid_entry",
    "grid_text",
    "model_row",
    "comparison",
    "variant_row",
    "demo_run",
    "per_step_seconds",
]

#: Fresh sequences per measured setting: enough that a one-in-a-thousand failure shows in the worst.
FRESH_SEQUENCES = 1024
#: Seeds of fresh batches start here, far from every training seed (0-9) and held-out seed (< 10^5)
#: the runs used, so no fresh sequence was trained or evaluated on before.
FRESH_SEED = 7_000_000
#: Model label -> suffix of its checkpoint name (``copy``, ``copy_lstm``, ``copy_dnc``).
MODELS = {"NTM": "", "LSTM": "_lstm", "DNC": "_dnc"}
#: Held-out bit errors per sequence a run must fall below to count as having learned the task.
TARGETS = {"copy": 0.1, "repeat_copy": 0.1, "associative_recall": 0.5}
#: Settings beyond training at which each task's models are compared (``eval.json`` grid rows).
BEYOND = {
    "copy": [{"length": 60}, {"length": 100}, {"length": 120}],
    "repeat_copy": [{"length": 10, "repeats": 20}, {"length": 20, "repeats": 10}],
    "associative_recall": [{"items": 12}, {"items": 15}],
    "ngrams": [{"length": 800}],
    "priority_sort": [{"items": 30, "outputs": 16}],
}
#: Csordás & Schmidhuber's (2019) fixes: letter -> the DNC's switch.
FIXES = {"D": "dealloc_content", "M": "masking", "S": "link_sharpness"}


class Spread(NamedTuple):
    """Bit errors per sequence over a sample of sequences."""

    sequences: int  #: how many sequences
    mean: float  #: mean bit errors per sequence
    se: float  #: standard error of the mean (sample standard deviation / sqrt(sequences))
    worst: float  #: bit errors of the worst sequence
    perfect: float  #: share of sequences without a wrong bit, 0 to 1

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.se:.3f} / {self.worst:.0f} / {self.perfect:.1%}"  # 3 decimals: a rare failure shows


def spread(errors: torch.Tensor) -> Spread:
    """:class:`Spread` of per-sequence bit errors ``[S]`` (``S >= 2``, so the standard error exists)."""
    if not isinstance(errors, torch.Tensor) or errors.dim() != 1 or errors.numel() < 2:
        got = tuple(errors.shape) if isinstance(errors, torch.Tensor) else type(errors).__name__
        raise ValueError(f"errors: expected per-sequence bit errors [S] with S >= 2, got {got}")
    e = errors.double()
    return Spread(
        e.numel(), float(e.mean()), float(e.std() / e.numel() ** 0.5), float(e.max()), float((e == 0).double().mean())
    )


@torch.no_grad()
def fresh_errors(
    model: nn.Module, task, seed: int, count: int = FRESH_SEQUENCES, chunk: int = 256, **setting
) -> torch.Tensor:
    """Bit errors ``[count]`` of ``model`` on ``count`` fresh sequences of ``task``.

    The sequences come from one generator seeded with ``seed``, drawn ``chunk`` at a time (so a
    thousand long sequences need not fit in memory at once), with ``setting`` passed to
    ``task.sample`` (e.g. ``length=20``, or ``sequences=10`` for the memory-reuse task, whose
    ``sequences`` is a sample setting: hence ``count`` for the number of fresh sequences).
    The model runs in eval mode and is put back into the mode it was in.
    """
    for name, value in (("count", count), ("chunk", chunk)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected a positive int, got {value!r}")
    generator, errors = torch.Generator().manual_seed(seed), []
    was_training = model.training
    model.eval()
    try:
        for start in range(0, count, chunk):
            batch = task.sample(min(chunk, count - start), generator, **setting)
            errors.append(bit_errors(model(batch.x), batch))
    finally:
        model.train(was_training)
    return torch.cat(errors)


def grid_entry(result: Mapping, setting: Mapping) -> dict | None:
    """The ``eval.json`` grid row with exactly these sample settings (the fewest memory rows if
    several), or None when the grid does not hold it."""
    rows = [r for r in result.get("grid", []) if all(r.get(k) == v for k, v in setting.items())]
    return min(rows, key=lambda r: r.get("memory_n", 0)) if rows else None


def _grid_cell(row: dict | None) -> str:
    if row is None:
        return "not measured"
    se = f" ± {row['bit_errors_se']:.2f}" if "bit_errors_se" in row else ""
    rows_used = f" [N={row['memory_n']}]" if row.get("memory_n") else ""
    return f"{row['bit_errors']:.3f}{se}{rows_used}"


def grid_text(row: Mapping) -> str:
    """A grid row in words: with its spread where the row holds it (mean ± standard error, worst
    sequence, share perfect, out of how many), else its mean and how many sequences it is over."""
    if not isinstance(row, Mapping) or "bit_errors" not in row:
        raise ValueError(f"row: expected an eval.json result row with 'bit_errors', got {row!r}")
    if "bit_errors_se" in row:
        return (
            f"{row['bit_errors']:.2f} ± {row['bit_errors_se']:.2f} bit errors per sequence "
            f"(worst {row['bit_errors_worst']:.0f}, {100 * row['perfect_share']:.1f} % of "
            f"{row['batch_size']:,} perfect)"
        )
    return f"{row['bit_errors']:.2f} bit errors per sequence (mean of {row['batch_size']:,})"


def per_step_seconds(name: str) -> float:
    """Training wall time over optimizer steps of checkpoint (or further run) ``name``."""
    result = checkpoint.load_eval(pretrained.folder(name))
    return result["wall_s"] / result["steps"]


def model_row(task: str, label: str, name: str) -> list[str]:
    """One row of :func:`comparison` for checkpoint ``name`` (or a row saying it is not shipped)."""
    if task not in BEYOND:
        raise ValueError(f"task: expected one of {sorted(BEYOND)}, got {task!r}")
    if name not in pretrained.available():
        return [label, "not shipped", "", "", "", *["" for _ in BEYOND[task]]]
    result, cfg, log = pretrained.eval_results(name), pretrained.config(name), pretrained.metrics(name)
    held, target = result["heldout"], TARGETS.get(task)
    reached = checkpoint.first_below(log, "heldout_bit_errors", target) if target else None
    to_target = (
        "—"
        if target is None
        else (f"{int(reached):,}" if reached is not None else f"not within {int(log['sequences'][-1]):,}")
    )
    compiled = ", compiled" if cfg["train"].get("compile") else ""
    speed = f"{per_step_seconds(name):.3f} ({cfg['train']['device']}, {cfg['train']['batch_size']}{compiled})"
    return [
        label,
        f"{result['parameters']:,}",
        f"{held['bit_errors']:.3f} ({held['cost_bits']:.2f})",
        to_target,
        speed,
        *(_grid_cell(grid_entry(result, setting)) for setting in BEYOND[task]),
    ]


def comparison(task: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows (NTM, LSTM, DNC) of one task's comparison, every cell read from the shipped files."""
    if task not in BEYOND:
        raise ValueError(f"task: expected one of {sorted(BEYOND)}, got {task!r}")
    header = [
        "model",
        "parameters",
        "held-out bit errors (cost)",
        f"sequences to < {TARGETS.get(task, '—')}",
        "s / step (device, batch)",
        *(", ".join(f"{k} {v}" for k, v in s.items()) for s in BEYOND[task]),
    ]
    return header, [model_row(task, label, task + suffix) for label, suffix in MODELS.items()]


def variant_row(label: str, name: str, at_steps: Sequence[int] = (3_400, 6_000)) -> list:
    """Recipe, budget and held-out bit errors of one repeat-copy DNC run: its fixes (letters of
    :data:`FIXES`), read heads, curriculum, steps, minutes, held-out errors at ``at_steps``, the best
    held-out errors, and the training sequences until they first fell below 0.1."""
    run = pretrained.folder(name)
    cfg, result, log = checkpoint.load_config(run), checkpoint.load_eval(run), checkpoint.load_metrics(run)
    mc, train_cfg = cfg["model_config"], cfg["train"]
    fixes = ", ".join(k for k, flag in FIXES.items() if mc.get(flag)) or "none"
    curriculum = f"over {train_cfg['curriculum_steps']:,} steps" if train_cfg.get("curriculum_steps") else "none"
    steps = [int(s) for s in log["step"]]
    at = [f"{log['heldout_bit_errors'][steps.index(s)]:.1f}" if s in steps else "not trained" for s in at_steps]
    reached = checkpoint.first_below(log, "heldout_bit_errors", 0.1)
    return [
        label,
        fixes,
        mc["read_heads"],
        curriculum,
        f"{result['steps']:,}",
        f"{result['wall_s'] / 60:.0f}",
        *at,
        f"{min(log['heldout_bit_errors']):.1f}",
        "not reached" if reached is None else f"{int(reached):,}",
    ]


def demo_run(name: str, retrain: bool = False) -> Path:
    """Folder of demonstration run ``name`` after printing its summary: the shipped one, or with
    ``retrain`` (a chapter's ``TRAIN_FROM_SCRATCH``) a copy retrained from its commands into ``runs/``."""
    print(pretrained.summary(name))
    if not retrain:
        return pretrained.folder(name)
    pretrained.retrain(name)
    return Path("runs") / name
