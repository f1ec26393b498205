"""Priority-sort runs measured on fresh lists (chapters 12, 12b and 13).

Every sort model of the course, shipped or further run, is measured the same way: on one batch of
freshly drawn lists of the paper's size (20 inputs, 16 answers), the mean bit errors per list with
their standard error and worst list, the share of answers with all 8 bits right, and the share of
lists sorted perfectly (:func:`~ntm_minimal.tasks.priority_sort.sort_quality`).

* :func:`fresh_lists` draws that batch and its priorities (:data:`FRESH_LISTS` lists, seed :data:`FRESH_SEED`);
* :func:`measure` runs each named model on it and adds what its files say about its training;
* :func:`quality_table` turns the measurements into the rows every chapter shows;
* :data:`TARGET` is the course's bar for "it sorts", and :func:`sorts` checks a measurement against it.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from . import checkpoint, pretrained
from .prose import percent
from .tasks import make_task
from .tasks.base import Batch
from .tasks.priority_sort import errors_per_position, sort_quality

__all__ = ["FRESH_LISTS", "FRESH_SEED", "TARGET", "fresh_lists", "measure", "quality_table", "sorts"]

#: Lists per measurement: enough that a share of perfect lists is known to about a percent, and
#: that the worst list is a real tail.
FRESH_LISTS = 1024
#: The seed of the fresh batch (no model was trained or selected on it: the trainer's held-out
#: batch uses seed 1234).
FRESH_SEED = 20261207
#: The course's bar for a model that sorts: at most this many bit errors per list on average, and
#: at least this share of the answers exactly right.
TARGET = {"bit_errors": 2.0, "vectors_right": 0.9}


def fresh_lists(n: int = FRESH_LISTS, seed: int = FRESH_SEED) -> tuple[Batch, torch.Tensor]:
    """``n`` fresh lists of the paper's size (20 inputs, 16 answers), drawn with ``seed``, and their
    priorities ``[n, 20]``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n: expected a positive int, got {n!r}")
    return make_task("priority_sort").sample_with_priorities(n, torch.Generator().manual_seed(seed))


def measure(names: Mapping[str, str], batch: Batch, chunk: int = 256) -> dict[str, dict]:
    """Each model of ``names`` (label -> shipped or further run) on ``batch``.

    Returns, per label, :func:`sort_quality`'s figures plus ``per_position`` (mean wrong bits at
    each answer ``[S]``), ``parameters``, and ``training_lists`` (the training lists behind the
    weights, :func:`~ntm_minimal.pretrained.sequences_at_weights`). The lists go through in chunks
    of ``chunk`` to bound memory.
    """
    if not names:
        raise ValueError("names: expected at least one label -> run name")
    results = {}
    for label, name in names.items():
        run = pretrained.folder(name)
        model = checkpoint.load_model(run).eval()
        with torch.no_grad():
            logits = torch.cat([model(batch.x[i : i + chunk]) for i in range(0, batch.x.shape[0], chunk)])
        results[label] = {
            **sort_quality(logits, batch),
            "per_position": errors_per_position(logits, batch),
            "parameters": sum(p.numel() for p in model.parameters()),
            "training_lists": pretrained.sequences_at_weights(name),
        }
    return results


def sorts(quality: Mapping[str, float]) -> bool:
    """Whether a measurement meets :data:`TARGET`."""
    return quality["bit_errors"] <= TARGET["bit_errors"] and quality["vectors_right"] >= TARGET["vectors_right"]


QUALITY_COLUMNS = [
    "model",
    "parameters",
    "training lists",
    "bit errors per list (of 128)",
    "worst list",
    "answers exactly right",
    "lists sorted perfectly",
]


def quality_table(measured: Mapping[str, dict]) -> tuple[list[str], list[list[str]]]:
    """The header and one row per label of :func:`measure`'s result, every figure with its spread
    (shares as :func:`~ntm_minimal.prose.percent` writes them: never 100 % unless every one)."""
    rows = [
        [
            label,
            f"{q['parameters']:,}",
            f"{q['training_lists']:,}",
            f"{q['bit_errors']:.2f} ± {q['bit_errors_se']:.2f}",
            f"{q['bit_errors_worst']:.0f}",
            percent(q["vectors_right"]),
            percent(q["perfect"]),
        ]
        for label, q in measured.items()
    ]
    return list(QUALITY_COLUMNS), rows
