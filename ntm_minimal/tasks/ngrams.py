"""Dynamic N-grams (section 4.4 of the paper): predict the next bit of a sequence drawn from a
random 6-gram table that is new for every sequence, so it must be learnt *within* the sequence.

Each sequence has its own table: for each of the ``2^(n-1)`` contexts (the previous ``n - 1 = 5``
bits), the probability that the next bit is 1, drawn from ``Beta(1/2, 1/2)``. The first ``n - 1``
bits are fair coin flips; every later bit is drawn from the table entry of its context.

Channel layout for a sequence of ``length`` bits ``b_0 .. b_{length-1}`` (``input_size = 1``,
``output_size = 1``, ``T = length - 1`` steps):

==========================  ==============================================================
step ``t = 0 .. T-1``
==========================  ==============================================================
input ``x[t, 0]``           bit ``b_t``
target ``y[t, 0]``          the next bit ``b_{t+1}``
``mask[t]``                 1 where ``t + 1 >= n - 1``: only bits drawn from the table are
                            scored (``T - n + 2`` of them: 195 for the paper's 200 bits)
==========================  ==============================================================

The targets are the bits themselves, so :func:`ntm_minimal.metrics.cost_bits` is the negative
log2-likelihood of the sequence's scored bits under the model, the paper's "cost per sequence".

The best possible predictor knows the prior but not the table. With a ``Beta(1/2, 1/2)`` prior, the
posterior mean after seeing a context followed by ``N_1`` ones and ``N_0`` zeros is (paper, section 4.4)

.. math::  P(b_t = 1 \\mid \\text{context}, N_1, N_0) = \\frac{N_1 + 1/2}{N_1 + N_0 + 1}.

:func:`optimal_predictions` computes it for every step of a batch at once, and
:func:`optimal_cost_bits` its cost on a :class:`~ntm_minimal.tasks.base.Batch`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from ..validation import check_tensor
from .base import Batch, check_batch_size, check_int_range, random_bits


def contexts(bits: torch.Tensor, context: int = 5) -> torch.Tensor:
    """Context index of every step: ``bits [B, T]`` -> ``[B, T]`` long, ``-1`` for ``t < context``.

    The context of step ``t`` is ``b_{t-context} .. b_{t-1}`` read as a binary number (oldest bit first).
    """
    if not isinstance(bits, torch.Tensor) or bits.dim() != 2:
        raise ValueError(f"bits: expected a tensor of shape [B, T], got {getattr(bits, 'shape', type(bits))}")
    B, T = bits.shape
    idx = torch.full((B, T), -1, dtype=torch.long)
    if T > context:
        windows = bits.long().unfold(1, context, 1)[:, : T - context]  # [B, T-context, context]
        weights = 2 ** torch.arange(context - 1, -1, -1)
        idx[:, context:] = (windows * weights).sum(-1)
    return idx


def context_counts(bits: torch.Tensor, n: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """How often each step's context occurred before: ``bits [B, T]`` -> ``(k, N_1)``, each ``[B, T]``.

    ``k = N_0 + N_1`` counts the earlier steps ``s < t`` with the same context (``n - 1`` bits) as step ``t``,
    ``N_1`` those of them whose bit was a 1 (float64; both 0 for ``t < n - 1``, which has no context).
    """
    if not isinstance(bits, torch.Tensor) or bits.dim() != 2:
        raise ValueError(f"bits: expected a tensor of shape [B, T], got {getattr(bits, 'shape', type(bits))}")
    if not bool(((bits == 0) | (bits == 1)).all()):
        raise ValueError("bits: expected only 0/1 values")
    check_int_range("n", n, n, minimum=2)
    ctx = contexts(bits, n - 1)  # [B, T]
    onehot = torch.nn.functional.one_hot(ctx.clamp(min=0), 2 ** (n - 1)).double()  # [B, T, C]
    onehot = onehot * (ctx >= 0).unsqueeze(-1)
    # Counts of each context (and of it followed by a 1) over the steps strictly before t.
    seen = onehot.cumsum(1) - onehot
    ones = (onehot * bits.double().unsqueeze(-1)).cumsum(1) - onehot * bits.double().unsqueeze(-1)
    index = ctx.clamp(min=0).unsqueeze(-1)
    return seen.gather(-1, index).squeeze(-1), ones.gather(-1, index).squeeze(-1)


def optimal_predictions(bits: torch.Tensor, n: int = 6) -> torch.Tensor:
    """The Bayes-optimal ``P(b_t = 1)`` for every step, given ``b_0 .. b_{t-1}`` (paper, section 4.4).

    Args:
        bits: ``[B, T]`` of 0/1 values.
        n: the order of the N-gram (context of ``n - 1`` bits).

    Returns:
        ``[B, T]`` probabilities: ``(N_1 + 1/2) / (N_1 + N_0 + 1)``, where ``N_1``/``N_0`` count the
        earlier steps with the same context followed by a 1/0 (:func:`context_counts`); ``1/2`` for
        ``t < n - 1``.
    """
    n_all, n_one = context_counts(bits, n)
    p = (n_one + 0.5) / (n_all + 1.0)
    return torch.where(contexts(bits, n - 1) >= 0, p, torch.full_like(p, 0.5)).to(torch.float32)


def batch_bits(batch: Batch) -> torch.Tensor:
    """The full bit sequences ``[B, T+1]`` of an N-gram batch: the inputs plus the last target."""
    return torch.cat([batch.x[..., 0], batch.y[:, -1:, 0]], dim=1)


def optimal_cost_bits(batch: Batch, n: int = 6) -> torch.Tensor:
    """Cost in bits per sequence ``[B]`` of the optimal estimator on the scored steps of ``batch``.

    The same measure as :func:`ntm_minimal.metrics.cost_bits` gives for a model's logits.
    """
    bits = batch_bits(batch)
    p = optimal_predictions(bits, n)[:, 1:].double()  # prediction of y[:, t] = b_{t+1}
    y = batch.y[..., 0].double()
    nll = -(y * torch.log(p) + (1 - y) * torch.log1p(-p)) / math.log(2)
    return (nll * batch.mask.double()).sum(-1).float()


def optimal_logits(batch: Batch, n: int = 6) -> torch.Tensor:
    """The optimal estimator as logits ``[B, T, 1]``, to use with :mod:`ntm_minimal.metrics`."""
    p = optimal_predictions(batch_bits(batch), n)[:, 1:]
    return torch.logit(p.double()).float().unsqueeze(-1)


def excess_bits(logits: torch.Tensor, batch: Batch, n: int = 6) -> torch.Tensor:
    """Extra cost of a model over the optimal estimator at each step, in bits: ``[B, T]`` (float64).

    ``logits`` ``[B, T, 1]`` are the model's predictions on ``batch``; unscored steps are 0, so a
    row sums to the sequence's :func:`ntm_minimal.metrics.cost_bits` minus its :func:`optimal_cost_bits`.
    """
    check_tensor("logits", logits, "[B, T, 1]")
    if logits.shape != batch.y.shape or logits.shape[-1] != 1:
        raise ValueError(f"logits: expected the targets' shape {list(batch.y.shape)}, got {list(logits.shape)}")

    def bits_per_step(z: torch.Tensor) -> torch.Tensor:  # [B, T] cross-entropy in bits
        nats = F.binary_cross_entropy_with_logits(z.double(), batch.y.double(), reduction="none")
        return nats[..., 0] / math.log(2)

    return (bits_per_step(logits) - bits_per_step(optimal_logits(batch, n))) * batch.mask.double()


def excess_by_occurrences(
    logits: torch.Tensor, batch: Batch, edges: tuple[int, ...] = (0, 1, 2, 4, 8, 16, 32), n: int = 6
) -> list[dict]:
    """Where a model loses bits against the optimal estimator: by how often the context occurred before.

    Args:
        logits: ``[B, T, 1]`` a model's predictions on ``batch``.
        batch: an N-gram batch.
        edges: increasing bin edges ``e_0 < e_1 < ...`` on the number ``k`` of earlier occurrences
            of the predicted bit's context (:func:`context_counts`); the last bin is ``k >= e_last``.

    Returns:
        one dict per bin: ``low``, ``high`` (``None`` for the last bin), ``steps`` (scored steps in
        the bin), ``per_step`` (mean extra cost of the model over the optimum, bits per step) and
        ``per_sequence`` (the bin's extra bits per sequence; these add up to the excess of
        :func:`ntm_minimal.metrics.cost_bits` over :func:`optimal_cost_bits`).
    """
    if list(edges) != sorted(set(edges)) or not edges or edges[0] < 0:
        raise ValueError(f"edges: expected increasing non-negative ints, got {edges!r}")
    excess = excess_bits(logits, batch, n)
    occurrences = context_counts(batch_bits(batch), n)[0][:, 1:]  # of the context of y[:, t] = b_{t+1}
    rows = []
    for low, high in zip(edges, [*edges[1:], None]):
        chosen = (batch.mask > 0) & (occurrences >= low) & (occurrences < (high if high is not None else math.inf))
        steps = int(chosen.sum())
        total = float(excess[chosen].sum())
        rows.append(
            {
                "low": low,
                "high": high,
                "steps": steps,
                "per_step": total / steps if steps else float("nan"),
                "per_sequence": total / batch.y.shape[0],
            }
        )
    return rows


@dataclass
class NGramTask:
    """Sequences of ``length`` bits from a fresh random ``n``-gram table each (paper: n = 6, 200 bits).

    ``sample(batch_size, generator, length=L)`` draws sequences of ``L`` bits instead.
    """

    length: int = 200
    n: int = 6
    name: str = "ngrams"

    def __post_init__(self):
        check_int_range("n", self.n, self.n, minimum=2)
        check_int_range("length", self.length, self.length, minimum=self.n)

    input_size = 1
    output_size = 1

    def tables(self, batch_size: int, generator: torch.Generator) -> torch.Tensor:
        """One table per sequence ``[B, 2^(n-1)]``: ``P(next = 1 | context)`` ~ Beta(1/2, 1/2).

        Drawn as ``sin^2(pi U / 2)`` with ``U`` uniform, which is exactly Beta(1/2, 1/2) (the arcsine
        law) and uses only the seeded generator.
        """
        u = torch.rand(batch_size, 2 ** (self.n - 1), generator=generator, dtype=torch.float64)
        return torch.sin(0.5 * math.pi * u).pow(2)

    def sample_bits(
        self, batch_size: int, generator: torch.Generator, length: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Raw sequences ``[B, length]`` and their tables ``[B, 2^(n-1)]``."""
        check_batch_size(batch_size)
        length = self.length if length is None else length
        check_int_range("length", length, length, minimum=self.n)
        c = self.n - 1
        table = self.tables(batch_size, generator)
        bits = torch.zeros(batch_size, length)
        bits[:, :c] = random_bits((batch_size, c), generator)
        ctx = (bits[:, :c].long() * 2 ** torch.arange(c - 1, -1, -1)).sum(-1)  # [B]
        u = torch.rand(batch_size, length, generator=generator, dtype=torch.float64)
        rows = torch.arange(batch_size)
        mask_ctx = 2**c - 1
        # Each bit depends on the previous c bits, so this loop over time is inherent.
        for t in range(c, length):
            bit = (u[:, t] < table[rows, ctx]).long()
            bits[:, t] = bit.float()
            ctx = ((ctx << 1) | bit) & mask_ctx
        return bits, table

    def sample(self, batch_size: int, generator: torch.Generator, length: int | None = None) -> Batch:
        """A batch of N-gram sequences (``length`` bits each, the task's own unless given)."""
        bits, _ = self.sample_bits(batch_size, generator, length)
        T = bits.shape[1] - 1
        x = bits[:, :-1].unsqueeze(-1)
        y = bits[:, 1:].unsqueeze(-1)
        mask = (torch.arange(T) + 1 >= self.n - 1).float().expand(batch_size, T).contiguous()
        return Batch(x, y, mask)
