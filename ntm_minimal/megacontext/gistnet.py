"""GistNet: the learned compressor that turns one block of ``block`` entries into one *gist*.

A gist lives in the same space as the tokens it replaces (``channels`` wide), so the reader and
LensNet can treat a gist like a token: that is what makes a gist *substitutable*. The net is
attention pooling plus a learned correction:

``a = softmax_i(v . tanh(W x_i))``, ``gist = sum_i a_i x_i + U sum_i a_i tanh(W x_i)``

``U`` starts at zero, so an untrained GistNet is plain attention pooling (a convex mix of its
block). ``kind="mean"`` is the fixed mean-pooling baseline (no parameters). The same net makes LOD1
gists from 32 tokens and LOD2 gists from 32 LOD1 gists, as in MegaContext.
"""

from __future__ import annotations

import torch
from torch import nn

from ..validation import check_tensor

#: MegaContext's block size: 32 tokens per LOD1 gist, 32 LOD1 gists per LOD2 gist.
BLOCK = 32


class GistNet(nn.Module):
    """Compress ``[..., block, channels]`` to ``[..., channels]``."""

    def __init__(self, channels: int, hidden: int = 32, block: int = BLOCK, kind: str = "attention"):
        super().__init__()
        if kind not in ("attention", "mean"):
            raise ValueError(f"kind: expected 'attention' or 'mean', got {kind!r}")
        if not isinstance(block, int) or block < 2:
            raise ValueError(f"block: expected an int >= 2, got {block!r}")
        self.config = {"channels": channels, "hidden": hidden, "block": block, "kind": kind}
        self.channels, self.block, self.kind = channels, block, kind
        if kind == "attention":
            self.inner = nn.Linear(channels, hidden)
            self.score = nn.Linear(hidden, 1)
            self.correct = nn.Linear(hidden, channels)
            nn.init.zeros_(self.correct.weight)
            nn.init.zeros_(self.correct.bias)

    def forward(self, blocks: torch.Tensor) -> torch.Tensor:
        """``blocks`` ``[..., block, channels]`` -> gists ``[..., channels]``."""
        check_tensor("blocks", blocks, f"[..., block={self.block}, channels={self.channels}]")
        if blocks.dim() < 2 or tuple(blocks.shape[-2:]) != (self.block, self.channels):
            raise ValueError(f"blocks: expected shape [..., {self.block}, {self.channels}], got {list(blocks.shape)}")
        return self._gist(blocks)

    def _gist(self, blocks: torch.Tensor) -> torch.Tensor:
        if self.kind == "mean":
            return blocks.mean(dim=-2)
        h = torch.tanh(self.inner(blocks))  # [..., block, hidden]
        a = torch.softmax(self.score(h), dim=-2)  # [..., block, 1], attention over the block
        return (a * blocks).sum(-2) + self.correct((a * h).sum(-2))
