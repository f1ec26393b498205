"""Automatic checks for the exercises of the task chapters (8-12): data layouts, measures, the optimum.

They work like :mod:`ntm_minimal.checks` (same :class:`~ntm_minimal.checks.CheckFailed`, same
rules: no Python loops, no call of the package's own version, results reported to the grader). A
layout check compares the reader's batch with one the package's task drew: the case hands the
reader the random vectors that batch was built from, and the reference looks the batch up by them.

    >>> from ntm_minimal import task_checks
    >>> task_checks.check_copy_batch(copy_batch)          # doctest: +SKIP
    ✓ copy batch layout (section 4.1): 5 cases match ntm_minimal.tasks.CopyTask.sample
"""
from __future__ import annotations

from typing import Callable

import torch

from . import metrics
from .checks import Case, Rules, _gen, graded, run_check
from .tasks import associative_recall as recall_module, copy as copy_module, ngrams, priority_sort
from .tasks import repeat_copy as repeat_module
from .tasks.associative_recall import AssociativeRecallTask
from .tasks.base import Batch
from .tasks.copy import CopyTask
from .tasks.ngrams import NGramTask
from .tasks.priority_sort import PrioritySortTask
from .tasks.repeat_copy import RepeatCopyTask

__all__ = ["check_copy_batch", "check_cost_bits", "check_bit_errors", "check_repeat_copy_batch",
           "check_recall_batch", "check_optimal_predictions", "check_sort_targets", "check_errors_per_position"]

BATCH_HINTS = {"x": "the inputs x [B, T, input_size] differ", "y": "the targets y [B, T, output_size] differ",
               "mask": "the mask [B, T] of scored steps differs"}


class _Drawn:
    """Reference for a layout check: the batch the package drew from the tensor handed to the reader."""

    def __init__(self, key_arg: str):
        self.key_arg, self.batches = key_arg, {}

    @staticmethod
    def _key(t: torch.Tensor) -> tuple:
        return tuple(t.shape), t.detach().cpu().numpy().tobytes()

    def add(self, key: torch.Tensor, answer) -> None:
        self.batches[self._key(key)] = answer

    def __call__(self, **args):
        return self.batches[self._key(args[self.key_arg])]


def _no(*modules) -> Rules:
    return Rules(forbidden=modules)


# ------------------------------------------------------------------ chapter 8: copy, cost, bit errors


@graded("copy batch layout (section 4.1)")
def check_copy_batch(fn: Callable) -> None:
    """Check ``fn(seq) -> Batch(x, y, mask)`` against ``CopyTask.sample``: ``seq`` ``[B, L, bits]``."""
    drawn, cases = _Drawn("seq"), []
    for i, (desc, b, length, bits) in enumerate([
            ("4 sequences of length 3, 8 bits", 4, 3, 8), ("length 1 (one vector)", 2, 1, 8),
            ("length 20, the longest in training", 2, 20, 8), ("4-bit vectors, length 7", 3, 7, 4),
            ("a batch of one, length 5", 1, 5, 8)]):
        batch = CopyTask(bits=bits).sample(b, _gen(80 + i), length=length)
        seq = batch.x[:, :length, :bits].clone()
        drawn.add(seq, batch)
        cases.append(Case(desc, {"seq": seq}))
    run_check("copy batch layout (section 4.1)", fn, drawn, cases, reference_name="ntm_minimal.tasks.CopyTask.sample",
              rules=_no(copy_module), hints=BATCH_HINTS)


def _measure_cases(seed: int) -> list[Case]:
    """Logits, targets and masks of copy batches: random, confident, padded, and all-zero logits."""
    g = _gen(seed)
    cases = []
    mixed = CopyTask(max_len=6, bits=4).sample(3, g)  # mixed lengths: padded steps have mask 0
    for desc, batch, scale in [("random logits, 3 sequences of mixed length (padding has mask 0)", mixed, 2.0),
                               ("one sequence of length 4", CopyTask(bits=8).sample(1, g, length=4), 3.0)]:
        logits = scale * torch.randn(batch.y.shape, generator=g, dtype=torch.float64)
        cases.append(Case(desc, {"logits": logits, "y": batch.y.double(), "mask": batch.mask.double()}))
    y, mask = mixed.y.double(), mixed.mask.double()
    confident = 200 * (2 * torch.randint(0, 2, y.shape, generator=g, dtype=torch.float64) - 1)
    cases += [
        Case("logits of +-200, some wrong (log(sigmoid(-200)) underflows: use a stable form)",
             {"logits": confident, "y": y, "mask": mask}),
        Case("all logits exactly 0 (p = 0.5: 1 bit of cost per scored bit; logit 0 predicts a 0)",
             {"logits": torch.zeros_like(y), "y": y, "mask": mask}),
        Case("right on the scored steps, huge and wrong on the padding (mask 0 there: it must cost nothing)",
             {"logits": 20 * (2 * y - 1) * mask.unsqueeze(-1) + 500 * (1 - mask.unsqueeze(-1)), "y": y,
              "mask": mask}),
    ]
    return cases


def _cost_reference(logits, y, mask):
    return metrics.cost_bits(logits, Batch(None, y, mask))


def _errors_reference(logits, y, mask):
    return metrics.bit_errors(logits, Batch(None, y, mask))


@graded("cost in bits per sequence")
def check_cost_bits(fn: Callable) -> None:
    """Check ``fn(logits, y, mask) -> [B]`` against ``ntm_minimal.metrics.cost_bits``."""
    run_check("cost in bits per sequence", fn, _cost_reference, _measure_cases(81),
              reference_name="ntm_minimal.metrics.cost_bits", rules=_no(metrics))


@graded("bit errors per sequence")
def check_bit_errors(fn: Callable) -> None:
    """Check ``fn(logits, y, mask) -> [B]`` against ``ntm_minimal.metrics.bit_errors``."""
    run_check("bit errors per sequence", fn, _errors_reference, _measure_cases(82),
              reference_name="ntm_minimal.metrics.bit_errors", rules=_no(metrics))


# ------------------------------------------------------------------ chapter 9: repeat copy


@graded("repeat copy batch layout (section 4.2)")
def check_repeat_copy_batch(fn: Callable) -> None:
    """Check ``fn(seq, repeats, repeat_scale) -> Batch`` against ``RepeatCopyTask.sample``."""
    drawn, cases = _Drawn("seq"), []
    for i, (desc, b, length, repeats, scale) in enumerate([
            ("length 3, 2 repeats", 3, 3, 2, 10.0), ("length 1, 1 repeat", 2, 1, 1, 10.0),
            ("length 5, 10 repeats (the most in training)", 2, 5, 10, 10.0),
            ("length 2, 15 repeats (beyond training: the repeat channel reads 1.5)", 2, 2, 15, 10.0),
            ("length 4, 3 repeats, repeat_scale 4", 1, 4, 3, 4.0)]):
        batch = RepeatCopyTask(repeat_scale=scale, max_repeats=max(10, repeats)).sample(
            b, _gen(90 + i), length=length, repeats=repeats)
        seq = batch.x[:, :length, :8].clone()
        drawn.add(seq, batch)
        cases.append(Case(desc, {"seq": seq, "repeats": repeats, "repeat_scale": scale}))
    run_check("repeat copy batch layout (section 4.2)", fn, drawn, cases,
              reference_name="ntm_minimal.tasks.RepeatCopyTask.sample", rules=_no(repeat_module), hints=BATCH_HINTS)


# ------------------------------------------------------------------ chapter 10: associative recall


@graded("associative recall batch layout (section 4.3)")
def check_recall_batch(fn: Callable) -> None:
    """Check ``fn(items, query) -> Batch`` against ``AssociativeRecallTask.sample``.

    ``items`` ``[B, K, L, bits]``, ``query`` ``[B]`` (long, in ``0..K-2``).
    """
    drawn, cases = _Drawn("items"), []
    for i, (desc, b, k, item_len, bits) in enumerate([
            ("3 items of 3 vectors, 6 bits", 3, 3, 3, 6), ("2 items (the query must be item 0)", 2, 2, 3, 6),
            ("6 items, the most in training", 2, 6, 3, 6), ("12 items (beyond training)", 1, 12, 3, 6),
            ("items of one 4-bit vector", 3, 4, 1, 4)]):
        task = AssociativeRecallTask(item_len=item_len, bits=bits, max_items=max(6, k))
        batch = task.sample(b, _gen(100 + i), items=k)
        x = batch.x[:, : k * (item_len + 1)].reshape(b, k, item_len + 1, bits + 2)
        items = x[:, :, 1:, :bits].clone()  # [B, K, L, bits]
        shown = batch.x[:, k * (item_len + 1) + 1: k * (item_len + 1) + 1 + item_len, :bits]  # the query item
        same = (items[:, :-1] == shown.unsqueeze(1)).flatten(2).all(-1)  # [B, K-1]
        query = same.float().argmax(-1)  # [B]: the first item equal to the query
        drawn.add(items, batch)
        cases.append(Case(desc, {"items": items, "query": query}))
    run_check("associative recall batch layout (section 4.3)", fn, drawn, cases,
              reference_name="ntm_minimal.tasks.AssociativeRecallTask.sample", rules=_no(recall_module),
              hints=BATCH_HINTS)


# ------------------------------------------------------------------ chapter 11: the optimal N-gram estimator


@graded("optimal N-gram estimator (section 4.4)")
def check_optimal_predictions(fn: Callable) -> None:
    """Check ``fn(bits) -> [B, T]`` (``P(b_t = 1)`` given the bits before ``t``) against
    ``ntm_minimal.tasks.ngrams.optimal_predictions`` (6-grams, ``Beta(1/2, 1/2)`` prior)."""
    g = _gen(110)
    cases = [
        Case("3 sequences of 200 bits from random 6-gram tables", {"bits": NGramTask().sample_bits(3, g)[0].double()}),
        Case("2 sequences of 60 fair coin flips", {"bits": torch.randint(0, 2, (2, 60), generator=g).double()}),
        Case("all zeros, 20 bits (context 00000 seen again and again)", {"bits": torch.zeros(1, 20, dtype=torch.float64)}),
        Case("all ones, 12 bits", {"bits": torch.ones(2, 12, dtype=torch.float64)}),
        Case("5 bits: no step has a full context yet (all 1/2)", {"bits": torch.tensor([[1.0, 0, 1, 1, 0]]).double()}),
        Case("6 bits: only the last step has a context, never seen before",
             {"bits": torch.tensor([[0.0, 1, 1, 0, 1, 1]]).double()}),
    ]
    run_check("optimal N-gram estimator (section 4.4)", fn, lambda bits: ngrams.optimal_predictions(bits).double(),
              cases, reference_name="ntm_minimal.tasks.ngrams.optimal_predictions", rules=_no(ngrams))


# ------------------------------------------------------------------ chapter 12: priority sort


@graded("priority sort targets (section 4.5)")
def check_sort_targets(fn: Callable) -> None:
    """Check ``fn(vectors, priority, outputs) -> [B, S, bits]`` against the targets of
    ``PrioritySortTask.sample_with_priorities``: the ``S`` highest-priority vectors, highest first."""
    drawn, cases = _Drawn("vectors"), []
    for i, (desc, b, k, s) in enumerate([("20 items, 16 outputs (the paper's sizes)", 3, 20, 16),
                                         ("5 items, all 5 output", 2, 5, 5), ("4 items, only the top one", 2, 4, 1),
                                         ("a batch of one, 9 items, 6 outputs", 1, 9, 6)]):
        batch, priority = PrioritySortTask(items=k, outputs=s).sample_with_priorities(b, _gen(120 + i))
        vectors = batch.x[:, :k, :8].clone()
        drawn.add(vectors, batch.y[:, k + 1:])
        cases.append(Case(desc, {"vectors": vectors, "priority": priority.clone(), "outputs": s}))
    run_check("priority sort targets (section 4.5)", fn, drawn, cases,
              reference_name="ntm_minimal.tasks.PrioritySortTask.sample_with_priorities (its targets)",
              rules=_no(priority_sort))


def _sort_errors_reference(logits, y, mask):
    return priority_sort.errors_per_position(logits, Batch(None, y, mask))


@graded("errors per output position")
def check_errors_per_position(fn: Callable) -> None:
    """Check ``fn(logits, y, mask) -> [S]`` against ``ntm_minimal.tasks.priority_sort.errors_per_position``."""
    g = _gen(125)
    cases = []
    for desc, b, k, s, scale in [("64 sequences, 20 items, 16 outputs", 64, 20, 16, 1.5),
                                 ("a batch of one, 5 items, 3 outputs", 1, 5, 3, 2.0),
                                 ("one output position", 4, 4, 1, 1.0)]:
        batch = PrioritySortTask(items=k, outputs=s).sample(b, g)
        logits = scale * torch.randn(batch.y.shape, generator=g, dtype=torch.float64)
        cases.append(Case(desc, {"logits": logits, "y": batch.y.double(), "mask": batch.mask.double()}))
    batch = PrioritySortTask(items=6, outputs=4).sample(3, g)
    cases.append(Case("all logits exactly 0 (logit 0 predicts a 0)",
                      {"logits": torch.zeros(batch.y.shape, dtype=torch.float64), "y": batch.y.double(),
                       "mask": batch.mask.double()}))
    run_check("errors per output position", fn, _sort_errors_reference, cases,
              reference_name="ntm_minimal.tasks.priority_sort.errors_per_position", rules=_no(priority_sort))
