"""LensNet: a signed focus score for every working-context entry, by cross-attention from the query.

The query token (the newest token of the stream, i.e. the recent tail) is the attention's query;
the entries, each with a learned embedding of its level of detail, are the keys. Besides the
learned attention logit, each entry gets the NTM's content similarity (Eq. 6: the cosine between
the ±1 key bits of the query and of the entry), weighted per level:

``q = W_q x_query``, ``k_i = W_k e_i + E[lod_i]``,
``score_i = tanh(a q.k_i / sqrt(d) + c[lod_i] K(key_query, key_i) + b[lod_i])``

The per-level weights matter: a LOD2 gist mixes a thousand tokens, so its similarity to the query
is lower than a token's for the same evidence.

Positive scores ask for more detail (expand), negative for less (collapse), as in MegaContext. This
is the documented cross-attention design with one query; the public MegaContext code uses
self-attention over the entries instead (https://github.com/brandf/MegaContext). A unit's score is the highest of its
entries' scores (:func:`unit_scores`): a LOD0 block is kept for its best token.
"""

from __future__ import annotations

import torch
from torch import nn

from .. import kernels
from .working_context import Entries


class LensNet(nn.Module):
    """Scores ``[B, W]`` in ``(-1, 1)`` for entries ``[B, W, C]`` given queries ``[B, C]``."""

    def __init__(self, key_bits: int, value_bits: int, width: int = 32):
        super().__init__()
        self.config = {"key_bits": key_bits, "value_bits": value_bits, "width": width}
        self.key_bits, self.value_bits = key_bits, value_bits
        channels = key_bits + value_bits + 2
        self.q = nn.Linear(channels, width)
        self.k = nn.Linear(channels, width)
        self.lod = nn.Embedding(3, width)
        self.gain = nn.Parameter(torch.tensor(1.0))
        self.bias = nn.Parameter(torch.zeros(3))
        self.similarity = nn.Parameter(torch.full((3,), 3.0))
        self.scale = width**-0.5

    def forward(self, query: torch.Tensor, entries: Entries) -> torch.Tensor:
        level = entries.level.clamp(min=0)
        q = self.q(query)[:, None, :]  # [B, 1, d]
        k = self.k(entries.embedding) + self.lod(level)  # [B, W, d]
        logit = (q * k).sum(-1) * self.scale  # [B, W]
        kb = self.key_bits
        cos = kernels.cosine_similarity(2 * query[:, :kb] - 1, 2 * entries.embedding[..., :kb] - 1)  # Eq. 6
        return torch.tanh(self.gain * logit + self.similarity[level] * cos + self.bias[level]) * entries.valid


def unit_scores(entry_scores: torch.Tensor, entries: Entries, capacity: int) -> torch.Tensor:
    """Highest entry score of every unit ``[B, capacity]`` (0 for units without entries): a LOD0
    block is worth keeping if any of its tokens is."""
    b = entry_scores.shape[0]
    low = torch.finfo(entry_scores.dtype).min
    best = torch.full((b, capacity), low, dtype=entry_scores.dtype)
    best = best.scatter_reduce(1, entries.unit, entry_scores.masked_fill(~entries.valid, low), reduce="amax")
    return torch.where(best == low, torch.zeros_like(best), best)
