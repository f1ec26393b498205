"""The paper's measures, per sequence: cost in bits and bit errors, over the scored steps only.

Both take logits ``[B, T, output_size]`` and a :class:`~ntm_minimal.tasks.base.Batch`, and return
one number per sequence ``[B]``; average over the batch for "per sequence" figures.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from .tasks.base import Batch


def cost_bits(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Binary cross-entropy summed over the scored outputs of each sequence, in bits: ``[B]``.

    This is the paper's "cost per sequence (bits)": the negative log2-likelihood of the targets.
    """
    nats = F.binary_cross_entropy_with_logits(logits, batch.y, reduction="none").sum(-1)  # [B, T]
    return (nats * batch.mask).sum(-1) / math.log(2)


def bit_errors(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Number of scored output bits that are wrong after thresholding at 0.5, per sequence: ``[B]``."""
    wrong = ((logits > 0).float() != (batch.y > 0.5).float()).float().sum(-1)  # [B, T]
    return (wrong * batch.mask).sum(-1)


def margin_shortfall(logits: torch.Tensor, batch: Batch, margin: float) -> torch.Tensor:
    """Squared shortfall of each scored bit's signed logit below ``margin``, summed per sequence: ``[B]``.

    The signed logit is the logit for a target bit 1 and minus it for a 0, so it is negative
    exactly where the bit is wrong. Unlike the cross-entropy, whose gradient is mostly spent on bits
    that are already far on the right side, this is zero for every bit at least ``margin`` away from
    0.5 and grows for the few that are close: a loss that targets the rare wrong bits.
    """
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not margin > 0:
        raise ValueError(f"margin: expected a positive number, got {margin!r}")
    signed = logits * (2 * (batch.y > 0.5).to(logits.dtype) - 1)
    short = F.relu(margin - signed).pow(2).sum(-1)  # [B, T]
    return (short * batch.mask).sum(-1)


def min_signed_margin(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """The smallest signed logit over each sequence's scored bits: ``[B]``.

    The signed logit is the logit for a target bit 1 and minus it for a 0 (as in
    :func:`margin_shortfall`), so the result is negative exactly for the sequences with a wrong bit,
    and for the others a smooth measure of how close they come to one. A sequence with no scored
    bit gets ``+inf``.
    """
    signed = logits * (2 * (batch.y > 0.5).to(logits.dtype) - 1)  # [B, T, bits]
    return signed.masked_fill(batch.mask.unsqueeze(-1) == 0, float("inf")).amin((1, 2))


def masked_loss(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """The training loss: mean over sequences of :func:`cost_bits` (a scalar, in bits)."""
    return cost_bits(logits, batch).mean()
