"""Held-out evaluation: cost and bit errors per sequence on freshly drawn, seeded batches.

Every figure here is a mean over a batch of sequences drawn with a fixed seed, so re-running an
evaluation on the same model gives the same numbers (the tests re-check shipped ``eval.json``
files this way). Overrides such as ``{"length": 50}`` or ``{"length": 10, "repeats": 20}`` are
passed to the task's ``sample`` to test generalisation beyond the training range.

A mean over a sample says little on its own, so each result also carries its spread
(:data:`SPREAD_KEYS`): the standard error of the mean, the worst sequence and the share of
sequences with no wrong bit. A claim that "every" sequence is right is a claim about the worst one.
"""

from __future__ import annotations

import json
import zlib

import torch
from torch import nn

from .metrics import bit_errors, cost_bits
from .tasks.base import Batch

#: What a result row holds besides its setting: the means, their spread, and how it was drawn.
#: ``batch_size`` is the number of fresh sequences the row was measured on.
SPREAD_KEYS = ("cost_bits_se", "bit_errors_se", "bit_errors_worst", "perfect_share")
RESULT_KEYS = ("cost_bits", "bit_errors", *SPREAD_KEYS, "batch_size", "seed")
#: Fresh sequences per setting for the shipped ``eval.json`` grids: enough that a share of perfect
#: sequences is known to about a tenth of a percent, and that a one-in-a-thousand failure shows.
GRID_SEQUENCES = 1024

#: Settings each task is evaluated on after training (beyond the training range on purpose).
DEFAULT_GRID = {
    "copy": [{"length": n} for n in (10, 20, 30, 40, 50, 60, 80, 100, 120)],
    "repeat_copy": [{"length": 10, "repeats": r} for r in (5, 10, 12, 15, 20)]
    + [{"length": n, "repeats": 10} for n in (12, 15, 20)],
}


def model_device(model: nn.Module) -> torch.device:
    """The device of a model's first parameter."""
    return next(model.parameters()).device


def heldout_batch(task, batch_size: int, seed: int, **overrides) -> Batch:
    """The fixed held-out batch: ``task.sample`` with a generator seeded by ``seed``."""
    return task.sample(batch_size, torch.Generator().manual_seed(seed), **overrides)


def summarize(cost: torch.Tensor, errors: torch.Tensor) -> dict[str, float]:
    """Means and spread of per-sequence costs and bit errors (each ``[B]``, ``B >= 1``).

    Returns ``cost_bits`` and ``bit_errors`` (means per sequence), ``cost_bits_se`` and
    ``bit_errors_se`` (standard errors of those means: sample standard deviation over
    ``sqrt(B)``, 0 for one sequence), ``bit_errors_worst`` (the most bits any one sequence got
    wrong) and ``perfect_share`` (the share of sequences with no wrong bit, 0 to 1).
    """
    for name, t in (("cost", cost), ("errors", errors)):
        if not isinstance(t, torch.Tensor) or t.dim() != 1 or t.numel() == 0:
            raise ValueError(
                f"{name}: expected a non-empty tensor [B] of per-sequence values, "
                f"got {tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__}"
            )
    if cost.shape != errors.shape:
        raise ValueError(
            f"cost, errors: expected the same shape [B], got {tuple(cost.shape)} and {tuple(errors.shape)}"
        )
    n = cost.numel()
    cost, errors = cost.double(), errors.double()

    def se(t: torch.Tensor) -> float:
        return float(t.std(unbiased=True) / n**0.5) if n > 1 else 0.0

    return {
        "cost_bits": float(cost.mean()),
        "bit_errors": float(errors.mean()),
        "cost_bits_se": se(cost),
        "bit_errors_se": se(errors),
        "bit_errors_worst": float(errors.max()),
        "perfect_share": float((errors == 0).double().mean()),
    }


@torch.no_grad()
def evaluate_batch(model: nn.Module, batch: Batch) -> dict[str, float]:
    """Mean cost (bits) and mean bit errors per sequence of ``model`` on ``batch``, with their
    spread (see :func:`summarize`).

    The model is run in eval mode and put back into the mode it was in.
    """
    was_training = model.training
    model.eval()
    try:
        batch = batch.to(model_device(model))
        logits = model(batch.x)
        cost, errors = cost_bits(logits, batch), bit_errors(logits, batch)
        # the means in float32 as before (the training log and older eval.json files hold these)
        return {
            **summarize(cost.cpu(), errors.cpu()),
            "cost_bits": float(cost.mean()),
            "bit_errors": float(errors.mean()),
        }
    finally:
        model.train(was_training)


def setting_of(row: dict) -> dict:
    """The sample overrides of a result row (what :func:`evaluate` was asked for), without its results."""
    return {k: v for k, v in row.items() if k not in RESULT_KEYS}


def setting_seed(seed: int, setting: dict) -> int:
    """A seed for one setting, so each setting's batch is the same whatever else is evaluated."""
    return (zlib.crc32(json.dumps(setting, sort_keys=True).encode()) + 7919 * seed) % (2**31)


def evaluate(model: nn.Module, task, settings: list[dict], batch_size: int = 64, seed: int = 0) -> list[dict]:
    """Evaluate ``model`` on one fresh seeded batch per setting.

    Args:
        model: any model mapping ``x`` ``[B, T, task.input_size]`` to logits ``[B, T, task.output_size]``.
        task: the task that draws the batches.
        settings: overrides for ``task.sample``, e.g. ``[{"length": 20}, {"length": 50}]``; a
            ``memory_n`` entry (e.g. ``{"length": 120, "memory_n": 128}``) runs the model with that
            many memory rows instead, the same weights (NTM and DNC: ``with_memory_rows``).
        batch_size: sequences per setting.
        seed: base seed (each setting derives its own, see :func:`setting_seed`).

    Returns:
        one dict per setting: the setting, ``cost_bits`` and ``bit_errors`` (means per sequence),
        their spread (:data:`SPREAD_KEYS`, see :func:`summarize`), ``batch_size`` (the number of
        sequences) and ``seed``.
    """
    if isinstance(settings, dict) or not all(isinstance(s, dict) for s in settings):
        raise TypeError(f"settings: expected a list of dicts of sample overrides, got {settings!r}")
    rows = []
    for setting in settings:
        overrides = {k: v for k, v in setting.items() if k != "memory_n"}
        batch = heldout_batch(task, batch_size, setting_seed(seed, setting), **overrides)
        rows.append(
            {**setting, **evaluate_batch(_with_rows(model, setting), batch), "batch_size": batch_size, "seed": seed}
        )
    return rows


def _with_rows(model: nn.Module, setting: dict) -> nn.Module:
    """``model`` itself, or, for a setting with ``memory_n``, the same weights with that many
    memory rows (``model.with_memory_rows``): a test of size transfer without retraining."""
    if "memory_n" not in setting:
        return model
    if not hasattr(model, "with_memory_rows"):
        raise ValueError(
            f"settings: memory_n={setting['memory_n']} needs a model with memory rows "
            f"(with_memory_rows), got {type(model).__name__}"
        )
    return model.with_memory_rows(int(setting["memory_n"]))


def error_vs_length(model: nn.Module, task, lengths, batch_size: int = 64, seed: int = 0, **fixed) -> list[dict]:
    """:func:`evaluate` at each length in ``lengths`` (other overrides, e.g. ``repeats``, in ``fixed``)."""
    return evaluate(model, task, [{"length": int(n), **fixed} for n in lengths], batch_size, seed)
