"""The checks of exercises 8-12 (the task chapters): data layouts, measures, the optimal estimator.

They go through the same runner as every check (:mod:`ntm_minimal.course.runner`). A layout check
hands the reader the random vectors a batch of the package's task was drawn from; the case
carries that batch as the expected answer.

    >>> from ntm_minimal.course import tasks as task_checks
    >>> task_checks.check_copy_batch(copy_batch)          # doctest: +SKIP
    ✓ copy batch layout (section 4.1): 10 cases (5 fixed, 5 drawn fresh) match ntm_minimal.tasks.CopyTask.sample
"""

from __future__ import annotations

import torch

from .. import metrics
from ..tasks import ngrams, priority_sort
from ..tasks.associative_recall import AssociativeRecallTask
from ..tasks.base import Batch
from ..tasks.copy import CopyTask
from ..tasks.ngrams import NGramTask
from ..tasks.priority_sort import PrioritySortTask
from ..tasks.repeat_copy import RepeatCopyTask
from .runner import Case, Check, Rules, define

__all__ = [
    "check_copy_batch",
    "check_cost_bits",
    "check_bit_errors",
    "check_repeat_copy_batch",
    "check_recall_batch",
    "check_optimal_predictions",
    "check_sort_targets",
    "check_errors_per_position",
]

BATCH_HINTS = {
    "x": "the inputs x [B, T, input_size] differ",
    "y": "the targets y [B, T, output_size] differ",
    "mask": "the mask [B, T] of scored steps differs",
}


def _child(g: torch.Generator) -> torch.Generator:
    """A generator for one task sample, seeded from the case generator ``g``."""
    return torch.Generator().manual_seed(int(torch.randint(0, 2**62, (1,), generator=g)))


# ------------------------------------------------------------------ chapter 8: copy, cost, bit errors


def _copy_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for desc, b, length, bits in [
        ("4 sequences of length 3, 8 bits", 4, 3, 8),
        ("length 1 (one vector)", 2, 1, 8),
        ("length 20, the longest in training", 2, 20, 8),
        ("4-bit vectors, length 7", 3, 7, 4),
        ("a batch of one, length 5", 1, 5, 8),
    ]:
        batch = CopyTask(bits=bits).sample(b, _child(g), length=length)
        cases.append(Case(desc, {"seq": batch.x[:, :length, :bits].clone()}, want=batch))
    return cases


check_copy_batch = define(
    Check(
        "check_copy_batch",
        "copy batch layout (section 4.1)",
        "copy_batch",
        _copy_cases,
        reference_name="ntm_minimal.tasks.CopyTask.sample",
        seed=80,
        hints=BATCH_HINTS,
        rules=Rules(forbidden=("ntm_minimal.tasks.copy", "ntm_minimal.tasks.memory_reuse")),
    )
)


def _measure_cases(g: torch.Generator) -> list[Case]:
    """Logits, targets and masks of copy batches: random, confident, padded, and all-zero logits."""
    cases = []
    mixed = CopyTask(max_len=6, bits=4).sample(3, _child(g))  # mixed lengths: padded steps have mask 0
    for desc, batch, scale in [
        ("random logits, 3 sequences of mixed length (padding has mask 0)", mixed, 2.0),
        ("one sequence of length 4", CopyTask(bits=8).sample(1, _child(g), length=4), 3.0),
    ]:
        logits = scale * torch.randn(batch.y.shape, generator=g, dtype=torch.float64)
        cases.append(Case(desc, {"logits": logits, "y": batch.y.double(), "mask": batch.mask.double()}))
    y, mask = mixed.y.double(), mixed.mask.double()
    confident = 200 * (2 * torch.randint(0, 2, y.shape, generator=g, dtype=torch.float64) - 1)
    return cases + [
        Case(
            "logits of +-200, some wrong (log(sigmoid(-200)) underflows: use a stable form)",
            {"logits": confident, "y": y, "mask": mask},
        ),
        Case(
            "all logits exactly 0 (p = 0.5: 1 bit of cost per scored bit; logit 0 predicts a 0)",
            {"logits": torch.zeros_like(y), "y": y, "mask": mask},
        ),
        Case(
            "right on the scored steps, huge and wrong on the padding (mask 0 there: it must cost nothing)",
            {"logits": 20 * (2 * y - 1) * mask.unsqueeze(-1) + 500 * (1 - mask.unsqueeze(-1)), "y": y, "mask": mask},
        ),
    ]


def _cost_reference(logits, y, mask):
    return metrics.cost_bits(logits, Batch(None, y, mask))


def _errors_reference(logits, y, mask):
    return metrics.bit_errors(logits, Batch(None, y, mask))


check_cost_bits = define(
    Check(
        "check_cost_bits",
        "cost in bits per sequence",
        "cost_bits",
        _measure_cases,
        _cost_reference,
        "ntm_minimal.metrics.cost_bits",
        Rules(forbidden=("ntm_minimal.metrics",)),
        seed=81,
    )
)
check_bit_errors = define(
    Check(
        "check_bit_errors",
        "bit errors per sequence",
        "bit_errors",
        _measure_cases,
        _errors_reference,
        "ntm_minimal.metrics.bit_errors",
        Rules(forbidden=("ntm_minimal.metrics",)),
        seed=82,
    )
)


# ------------------------------------------------------------------ chapter 9: repeat copy


def _repeat_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for desc, b, length, repeats, scale in [
        ("length 3, 2 repeats", 3, 3, 2, 10.0),
        ("length 1, 1 repeat", 2, 1, 1, 10.0),
        ("length 5, 10 repeats (the most in training)", 2, 5, 10, 10.0),
        ("length 2, 15 repeats (beyond training: the repeat channel reads 1.5)", 2, 2, 15, 10.0),
        ("length 4, 3 repeats, repeat_scale 4", 1, 4, 3, 4.0),
    ]:
        batch = RepeatCopyTask(repeat_scale=scale, max_repeats=max(10, repeats)).sample(
            b, _child(g), length=length, repeats=repeats
        )
        cases.append(
            Case(desc, {"seq": batch.x[:, :length, :8].clone(), "repeats": repeats, "repeat_scale": scale}, want=batch)
        )
    return cases


check_repeat_copy_batch = define(
    Check(
        "check_repeat_copy_batch",
        "repeat copy batch layout (section 4.2)",
        "repeat_copy_batch",
        _repeat_cases,
        reference_name="ntm_minimal.tasks.RepeatCopyTask.sample",
        seed=90,
        hints=BATCH_HINTS,
        rules=Rules(forbidden=("ntm_minimal.tasks.repeat_copy",)),
    )
)


# ------------------------------------------------------------------ chapter 10: associative recall


def _recall_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for desc, b, k, item_len, bits in [
        ("3 items of 3 vectors, 6 bits", 3, 3, 3, 6),
        ("2 items (the query must be item 0)", 2, 2, 3, 6),
        ("6 items, the most in training", 2, 6, 3, 6),
        ("12 items (beyond training)", 1, 12, 3, 6),
        ("items of one 4-bit vector", 3, 4, 1, 4),
    ]:
        task = AssociativeRecallTask(item_len=item_len, bits=bits, max_items=max(6, k))
        while True:  # draws, not rows: redraw until every sequence's query item appears only once
            batch = task.sample(b, _child(g), items=k)
            x = batch.x[:, : k * (item_len + 1)].reshape(b, k, item_len + 1, bits + 2)
            items = x[:, :, 1:, :bits].clone()  # [B, K, L, bits]
            shown = batch.x[:, k * (item_len + 1) + 1 : k * (item_len + 1) + 1 + item_len, :bits]  # the query item
            same = (items[:, :-1] == shown.unsqueeze(1)).flatten(2).all(-1)  # [B, K-1]
            if (same.sum(-1) == 1).all():
                break
        query = same.float().argmax(-1)  # [B]: the item equal to the query
        cases.append(Case(desc, {"items": items, "query": query}, want=batch))
    return cases


check_recall_batch = define(
    Check(
        "check_recall_batch",
        "associative recall batch layout (section 4.3)",
        "recall_batch",
        _recall_cases,
        reference_name="ntm_minimal.tasks.AssociativeRecallTask.sample",
        seed=100,
        hints=BATCH_HINTS,
        rules=Rules(forbidden=("ntm_minimal.tasks.associative_recall",)),
    )
)


# ------------------------------------------------------------------ chapter 11: the optimal N-gram estimator


def _ngram_cases(g: torch.Generator) -> list[Case]:
    return [
        Case(
            "3 sequences of 200 bits from random 6-gram tables",
            {"bits": NGramTask().sample_bits(3, _child(g))[0].double()},
        ),
        Case("2 sequences of 60 fair coin flips", {"bits": torch.randint(0, 2, (2, 60), generator=g).double()}),
        Case(
            "all zeros, 20 bits (context 00000 seen again and again)", {"bits": torch.zeros(1, 20, dtype=torch.float64)}
        ),
        Case("all ones, 12 bits", {"bits": torch.ones(2, 12, dtype=torch.float64)}),
        Case(
            "5 bits: no step has a full context yet (all 1/2)",
            {"bits": torch.randint(0, 2, (1, 5), generator=g).double()},
        ),
        Case(
            "6 bits: only the last step has a context, never seen before",
            {"bits": torch.randint(0, 2, (1, 6), generator=g).double()},
        ),
    ]


def _ngram_reference(bits):
    return ngrams.optimal_predictions(bits).double()


check_optimal_predictions = define(
    Check(
        "check_optimal_predictions",
        "optimal N-gram estimator (section 4.4)",
        "optimal_predictions",
        _ngram_cases,
        _ngram_reference,
        "ntm_minimal.tasks.ngrams.optimal_predictions",
        Rules(forbidden=("ntm_minimal.tasks.ngrams",)),
        seed=110,
    )
)


# ------------------------------------------------------------------ chapter 12: priority sort


def _sort_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for desc, b, k, s in [
        ("20 items, 16 outputs (the paper's sizes)", 3, 20, 16),
        ("5 items, all 5 output", 2, 5, 5),
        ("4 items, only the top one", 2, 4, 1),
        ("a batch of one, 9 items, 6 outputs", 1, 9, 6),
    ]:
        batch, priority = PrioritySortTask(items=k, outputs=s).sample_with_priorities(b, _child(g))
        cases.append(
            Case(
                desc,
                {"vectors": batch.x[:, :k, :8].clone(), "priority": priority.clone(), "outputs": s},
                want=batch.y[:, k + 1 :],
            )
        )
    return cases


_SORT = Rules(forbidden=("ntm_minimal.tasks.priority_sort",))
check_sort_targets = define(
    Check(
        "check_sort_targets",
        "priority sort targets (section 4.5)",
        "sort_targets",
        _sort_cases,
        reference_name="ntm_minimal.tasks.PrioritySortTask.sample_with_priorities (its targets)",
        rules=_SORT,
        seed=120,
    )
)


def _sort_errors_reference(logits, y, mask):
    return priority_sort.errors_per_position(logits, Batch(None, y, mask))


def _position_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for desc, b, k, s, scale in [
        ("64 sequences, 20 items, 16 outputs", 64, 20, 16, 1.5),
        ("a batch of one, 5 items, 3 outputs", 1, 5, 3, 2.0),
        ("one output position", 4, 4, 1, 1.0),
    ]:
        batch = PrioritySortTask(items=k, outputs=s).sample(b, _child(g))
        logits = scale * torch.randn(batch.y.shape, generator=g, dtype=torch.float64)
        cases.append(Case(desc, {"logits": logits, "y": batch.y.double(), "mask": batch.mask.double()}))
    batch = PrioritySortTask(items=6, outputs=4).sample(3, _child(g))
    cases.append(
        Case(
            "all logits exactly 0 (logit 0 predicts a 0)",
            {
                "logits": torch.zeros(batch.y.shape, dtype=torch.float64),
                "y": batch.y.double(),
                "mask": batch.mask.double(),
            },
        )
    )
    return cases


check_errors_per_position = define(
    Check(
        "check_errors_per_position",
        "errors per output position",
        "errors_per_position",
        _position_cases,
        _sort_errors_reference,
        "ntm_minimal.tasks.priority_sort.errors_per_position",
        _SORT,
        seed=125,
    )
)
