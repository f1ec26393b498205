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


def masked_loss(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """The training loss: mean over sequences of :func:`cost_bits` (a scalar, in bits)."""
    return cost_bits(logits, batch).mean()
