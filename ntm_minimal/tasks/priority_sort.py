"""Priority sort (section 4.5 of the paper): read vectors tagged with priorities, then write out the
highest-priority ones, highest first.

Each of ``items`` random ``bits``-bit vectors (paper: 20; the paper does not give the width, we use
8 bits as in the copy task) comes with a scalar priority drawn uniformly from ``[-1, 1]``. For
``K = items`` and ``S = outputs`` (paper: 16), ``input_size = bits + 2``, ``output_size = bits``:

====================  =========================================================================
steps                 input ``x``
====================  =========================================================================
``0 .. K-1``          vector ``k`` in channels ``0 .. bits-1``, its priority in channel ``bits``
``K``                 the delimiter: channel ``bits + 1`` = 1, all others 0
``K+1 .. K+S``        all zero: the model answers here
====================  =========================================================================

The target at step ``K+1+j`` (``mask`` = 1 there) is the vector with the ``j``-th highest
priority, ``j = 0 .. S-1``; so ``T = K + S + 1`` steps (37 at the paper's sizes).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .base import Batch, check_batch_size, check_int_range, random_bits


@dataclass
class PrioritySortTask:
    """Sort ``items`` prioritised vectors and output the top ``outputs`` (paper: 20 in, 16 out).

    ``sample(batch_size, generator, items=K, outputs=S)`` overrides the counts (``S <= K``).
    """

    items: int = 20
    outputs: int = 16
    bits: int = 8
    name: str = "priority_sort"

    def __post_init__(self):
        check_int_range("outputs/items", self.outputs, self.items)
        check_int_range("bits", self.bits, self.bits)

    @property
    def input_size(self) -> int:
        return self.bits + 2

    @property
    def output_size(self) -> int:
        return self.bits

    def sample_with_priorities(
        self, batch_size: int, generator: torch.Generator, items: int | None = None, outputs: int | None = None
    ) -> tuple[Batch, torch.Tensor]:
        """A batch and the priorities ``[B, items]`` it was built from."""
        check_batch_size(batch_size)
        K = self.items if items is None else items
        S = min(self.outputs, K) if outputs is None else outputs
        check_int_range("outputs/items", S, K)
        vectors = random_bits((batch_size, K, self.bits), generator)
        priority = torch.rand(batch_size, K, generator=generator) * 2 - 1  # uniform in [-1, 1]
        order = priority.argsort(dim=1, descending=True)[:, :S]  # [B, S], highest first
        x = torch.zeros(batch_size, K + S + 1, self.bits + 2)
        y = torch.zeros(batch_size, K + S + 1, self.bits)
        mask = torch.zeros(batch_size, K + S + 1)
        x[:, :K, : self.bits] = vectors
        x[:, :K, self.bits] = priority
        x[:, K, self.bits + 1] = 1.0
        y[:, K + 1 :] = vectors.gather(1, order.unsqueeze(-1).expand(-1, -1, self.bits))
        mask[:, K + 1 :] = 1.0
        return Batch(x, y, mask), priority

    def sample(
        self, batch_size: int, generator: torch.Generator, items: int | None = None, outputs: int | None = None
    ) -> Batch:
        """A batch of sort sequences with the task's counts unless ``items``/``outputs`` are given.

        With only ``items`` given, ``outputs`` keeps the task's value, capped at ``items``.
        """
        return self.sample_with_priorities(batch_size, generator, items, outputs)[0]


def answer_errors(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Wrong bits of each answer ``[B, S]`` (answer 0 = highest priority).

    Args:
        logits: ``[B, T, bits]``; batch: a sort batch whose scored steps are its last ``S`` steps.
    """
    if logits.shape != batch.y.shape:
        raise ValueError(f"logits: expected shape {list(batch.y.shape)}, got {list(logits.shape)}")
    S = int(batch.mask[0].sum())
    return ((logits[:, -S:] > 0) != (batch.y[:, -S:] > 0.5)).float().sum(-1)


def errors_per_position(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Mean wrong bits at each scored output position ``[S]`` (position 0 = highest priority).

    Args:
        logits: ``[B, T, bits]``; batch: a sort batch whose scored steps are its last ``S`` steps.
    """
    return answer_errors(logits, batch).mean(0)


def sort_quality(logits: torch.Tensor, batch: Batch) -> dict[str, float]:
    """How well a batch was sorted, beyond the mean bit errors: their spread and worst sequence, the
    share of output vectors with all bits right, and the share of sequences sorted perfectly (every
    bit of every output right).

    Args:
        logits: ``[B, T, bits]``; batch: a sort batch whose scored steps are its last ``S`` steps.

    Returns:
        ``bit_errors`` (mean wrong bits per sequence), ``bit_errors_se`` (its standard error, 0 for
        one sequence), ``bit_errors_worst`` (the most wrong bits of any sequence), ``vectors_right``
        and ``perfect`` (fractions), and ``sequences`` (``B``).
    """
    wrong = answer_errors(logits, batch)  # [B, S]
    per_sequence = wrong.sum(-1).double()
    n = per_sequence.numel()
    return {
        "bit_errors": float(per_sequence.mean()),
        "bit_errors_se": float(per_sequence.std() / n**0.5) if n > 1 else 0.0,
        "bit_errors_worst": float(per_sequence.max()),
        "vectors_right": float((wrong == 0).float().mean()),
        "perfect": float((per_sequence == 0).double().mean()),
        "sequences": n,
    }
