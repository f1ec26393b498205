"""A LensNet without the hand-coded similarity: two stages of cross-attention, as in the MegaContext
design notes (https://github.com/brandf/MegaContext): the *tail* reads the working context, then the
working context reads the tail, and each entry's score comes from what it read.

The tail is the query token plus GistNet gists of the last ``tail`` tokens (``tail // block`` gists, by
this LensNet's own attention-pooling GistNet). Entries ``e_i`` (with a learned embedding of their level
``lod_i``) and tail items ``t_j`` are projected to width ``d``:

* stage 1 (tail -> working context): ``t'_j = t_j + sum_i softmax_i(q1(t_j) . k1(h_i) / sqrt d) v1(h_i)``
* stage 2 (working context -> tail): ``c_i = sum_j softmax_j(q2(h_i) . k2(t'_j) / sqrt d) v2(t'_j)``
* score: ``s_i = tanh(a p(h_i) . c_i / sqrt d + b[lod_i])``

with ``h_i = W_e e_i + E[lod_i]``. The last product is bilinear in the entry and what it read from the
tail, so matching a key to the query's key can be learned; no cosine is given. Padding entries get
score 0 and are masked out of stage 1's attention.
"""

from __future__ import annotations

import torch
from torch import nn

from ..validation import check_tensor
from .gistnet import BLOCK, GistNet
from .working_context import Entries


class TwoStageLensNet(nn.Module):
    """Scores ``[B, W]`` in ``(-1, 1)`` for entries given queries ``[B, C]`` and the stream's tokens ``[B, T, C]``."""

    uses_tail = True

    def __init__(self, key_bits: int, value_bits: int, width: int = 32, tail: int = 64, block: int = BLOCK):
        super().__init__()
        if tail < block or tail % block:
            raise ValueError(f"tail: expected a positive multiple of block={block}, got {tail!r}")
        self.config = {"key_bits": key_bits, "value_bits": value_bits, "width": width, "tail": tail, "block": block}
        self.channels = key_bits + value_bits + 2
        self.tail, self.block = tail, block
        self.tail_gist = GistNet(self.channels, block=block)
        self.entry = nn.Linear(self.channels, width)
        self.lod = nn.Embedding(3, width)
        self.item = nn.Linear(self.channels, width)
        self.kind = nn.Embedding(2, width)  # 0: the query, 1: a tail gist
        self.q1, self.k1, self.v1 = (nn.Linear(width, width) for _ in range(3))
        self.q2, self.k2, self.v2 = (nn.Linear(width, width) for _ in range(3))
        self.p = nn.Linear(width, width)
        self.gain = nn.Parameter(torch.tensor(1.0))
        self.bias = nn.Parameter(torch.zeros(3))
        self.scale = width**-0.5

    def tail_items(self, query: torch.Tensor, lod0: torch.Tensor) -> torch.Tensor:
        """``[B, 1 + tail/block, C]``: the query and the gists of the last ``tail`` tokens."""
        b = query.shape[0]
        last = lod0[:, -self.tail :].expand(b, -1, -1)
        gists = self.tail_gist(last.reshape(b, self.tail // self.block, self.block, self.channels))
        return torch.cat([query[:, None], gists], 1)

    def forward(self, query: torch.Tensor, entries: Entries, lod0: torch.Tensor) -> torch.Tensor:
        check_tensor("query", query, f"[B, C={self.channels}]")
        check_tensor("lod0", lod0, f"[B, T, C={self.channels}]")
        if lod0.dim() != 3 or lod0.shape[1] < self.tail or lod0.shape[2] != self.channels:
            raise ValueError(f"lod0: expected shape [B, T >= {self.tail}, {self.channels}], got {list(lod0.shape)}")
        level = entries.level.clamp(min=0)
        h = self.entry(entries.embedding) + self.lod(level)  # [B, W, d]
        items = self.tail_items(query, lod0)  # [B, J, C]
        kind = torch.ones(items.shape[1], dtype=torch.long)
        kind[0] = 0
        t = self.item(items) + self.kind(kind)  # [B, J, d]
        logits1 = (self.q1(t) @ self.k1(h).transpose(1, 2)) * self.scale  # [B, J, W], stage 1
        logits1 = logits1.masked_fill(~entries.valid[:, None, :], float("-inf"))
        t = t + torch.softmax(logits1, -1) @ self.v1(h)
        logits2 = (self.q2(h) @ self.k2(t).transpose(1, 2)) * self.scale  # [B, W, J], stage 2
        c = torch.softmax(logits2, -1) @ self.v2(t)  # [B, W, d]
        score = self.gain * (self.p(h) * c).sum(-1) * self.scale + self.bias[level]
        return torch.tanh(score) * entries.valid
