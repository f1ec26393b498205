"""The reader: the NTM's content addressing (Eq. 5-6) and read (Eq. 2) over any set of entries.

The same reader answers for every memory the chapter compares: (A) all ``T`` LOD0 tokens, (B) the
last ``W_max`` tokens, (C/D) a working context of tokens and gists. Its key is the query's key bits
(mapped to ±1) plus the flag channel, weighted ``fact_weight``; an entry's key is its key bits and
its fact flag, so the query's best match is the fact with the same key. The read returns the value
channels; the answer's logits are ``alpha * (2 r - 1)``. ``beta`` (Eq. 5's key strength) and
``alpha`` are the reader's only parameters, trained with the GistNet.

Entries marked invalid (padding of a ragged working context) get weight exactly 0: the softmax of
Eq. 5 is taken over the valid entries only (they are masked before it).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .. import kernels
from ..validation import check_tensor


def recall_keys(
    x: torch.Tensor, key_bits: int, value_bits: int, fact_weight: float, query: bool = False
) -> torch.Tensor:
    """``[..., C]`` -> ``[..., key_bits + 1]``: ±1 key bits and the weighted fact (or query) flag."""
    flag = x[..., key_bits + value_bits + int(query)]
    return torch.cat([2 * x[..., :key_bits] - 1, fact_weight * flag[..., None]], -1)


class Reader(nn.Module):
    """Answer a recall query from entries ``[B, W, C]`` (channel layout of :mod:`~ntm_minimal.tasks.long_recall`)."""

    def __init__(self, key_bits: int, value_bits: int, beta: float = 20.0, alpha: float = 6.0):
        super().__init__()
        self.config = {"key_bits": key_bits, "value_bits": value_bits}
        self.key_bits, self.value_bits = key_bits, value_bits
        self.fact_weight = float(key_bits) ** 0.5  # the flag counts as much as all key bits together
        self.log_beta = nn.Parameter(torch.tensor(float(beta)).log())
        self.log_alpha = nn.Parameter(torch.tensor(float(alpha)).log())

    @property
    def channels(self) -> int:
        return self.key_bits + self.value_bits + 2

    def keys(self, x: torch.Tensor, query: bool = False) -> torch.Tensor:
        """The content-addressing keys of :func:`recall_keys`."""
        return recall_keys(x, self.key_bits, self.value_bits, self.fact_weight, query)

    def weighting(self, query: torch.Tensor, entries: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
        """Eq. 5-6 over the entries: ``[B, W]``, 0 on invalid entries, summing to 1."""
        b = query.shape[0]
        beta = self.log_beta.exp().expand(b, 1)
        key, memory_keys = self.keys(query, query=True), self.keys(entries)
        if valid is None:
            return kernels.content_weighting(key, beta, memory_keys)
        # Eq. 6's softmax over the valid entries only; masking before the softmax (not renormalising
        # after it) keeps the weights exact for a key strength so large that padding would take all the mass.
        logits = (beta * kernels.cosine_similarity(key, memory_keys)).masked_fill(~valid.bool(), float("-inf"))
        return torch.softmax(logits, -1)

    def logits(self, query: torch.Tensor, entries: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
        """Answer logits ``[B, value_bits]`` for queries ``[B, C]`` over entries ``[B, W, C]``."""
        check_tensor("query", query, f"[B, C={self.channels}]")
        check_tensor("entries", entries, f"[B, W, C={self.channels}]")
        if query.dim() != 2 or query.shape[1] != self.channels:
            raise ValueError(f"query: expected shape [B, {self.channels}], got {list(query.shape)}")
        if entries.dim() != 3 or entries.shape[0] != query.shape[0] or entries.shape[2] != self.channels:
            raise ValueError(
                f"entries: expected shape [B={query.shape[0]}, W, {self.channels}], got {list(entries.shape)}"
            )
        if valid is not None and tuple(valid.shape) != tuple(entries.shape[:2]):
            raise ValueError(f"valid: expected shape {list(entries.shape[:2])}, got {list(valid.shape)}")
        w = self.weighting(query, entries, valid)
        values = entries[..., self.key_bits : self.key_bits + self.value_bits]
        r = kernels.read(values, w)  # Eq. 2, [B, value_bits]
        return self.log_alpha.exp() * (2 * r - 1)


def nll(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-query negative log-likelihood of the value bits, nats ``[B]``."""
    return F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)


def correct(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1 where every value bit is right, ``[B]`` (bool)."""
    return ((logits > 0).float() == target).all(-1)


def recency_window(tokens: torch.Tensor, w_max: int) -> torch.Tensor:
    """Reader (B)'s memory: the last ``w_max`` tokens ``[B, min(T, w_max), C]``."""
    return tokens[:, -w_max:]
