"""The MegaContext tree: every token (LOD0), one gist per complete block of 32 tokens (LOD1) and one
gist per complete run of 32 LOD1 gists, i.e. 1024 tokens (LOD2).

Lengths are ragged: after ``T`` tokens there are ``T // 32`` LOD1 gists and ``T // 1024`` LOD2 gists;
the unfinished block at the end has no gist yet (it stays at LOD0 in every working context).
:class:`MegaContextTree` grows as tokens arrive (:meth:`~MegaContextTree.append`), computing only the
gists of blocks that the new tokens complete; :func:`build_levels` builds all levels at once (with
gradients, for training). Both give the same gists.
"""

from __future__ import annotations

import torch
from torch import nn

from ..validation import check_tensor
from .gistnet import BLOCK


def gists_of(tokens: torch.Tensor, gistnet: nn.Module, block: int = BLOCK) -> torch.Tensor:
    """Gists of every complete block of ``tokens`` ``[B, T, C]`` -> ``[B, T // block, C]``."""
    b, t, c = tokens.shape
    n = t // block
    return gistnet(tokens[:, : n * block].reshape(b, n, block, c))


def build_levels(
    tokens: torch.Tensor, gistnet: nn.Module, block: int = BLOCK
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All three levels of a token stream ``[B, T, C]``: ``(lod0 [B, T, C], lod1 [B, T//32, C], lod2 [B, T//1024, C])``."""
    check_tensor("tokens", tokens, "[B, T, C]")
    if tokens.dim() != 3:
        raise ValueError(f"tokens: expected shape [B, T, C], got {list(tokens.shape)}")
    lod1 = gists_of(tokens, gistnet, block)
    return tokens, lod1, gists_of(lod1, gistnet, block)


class _Growing:
    """A ``[B, length, C]`` buffer that doubles its capacity, so appending is amortised O(new)."""

    def __init__(self, batch: int, channels: int, dtype: torch.dtype):
        self.data = torch.zeros(batch, 64, channels, dtype=dtype)
        self.length = 0

    def extend(self, x: torch.Tensor) -> None:
        need = self.length + x.shape[1]
        if need > self.data.shape[1]:
            grown = torch.zeros(
                self.data.shape[0], max(need, 2 * self.data.shape[1]), self.data.shape[2], dtype=self.data.dtype
            )
            grown[:, : self.length] = self.data[:, : self.length]
            self.data = grown
        self.data[:, self.length : need] = x
        self.length = need

    def view(self) -> torch.Tensor:
        return self.data[:, : self.length]


class MegaContextTree:
    """LOD0/LOD1/LOD2 of a batch of token streams that grow together (inference: no gradients).

    ``append(tokens [B, n, C])`` adds ``n`` tokens to every stream; ``levels()`` returns the three
    levels as ``[B, T, C]``, ``[B, T//32, C]`` and ``[B, T//1024, C]``.
    """

    def __init__(self, gistnet: nn.Module, batch_size: int, channels: int, block: int = BLOCK, dtype=torch.float32):
        if not isinstance(block, int) or block < 2:
            raise ValueError(f"block: expected an int >= 2, got {block!r}")
        if getattr(gistnet, "block", block) != block:
            raise ValueError(f"block: the tree's block ({block}) must equal the GistNet's ({gistnet.block})")
        self.gistnet, self.block, self.channels = gistnet, block, channels
        self._levels = [_Growing(batch_size, channels, dtype) for _ in range(3)]

    @property
    def length(self) -> int:
        """Tokens so far, ``T``."""
        return self._levels[0].length

    def append(self, tokens: torch.Tensor) -> None:
        """Add tokens ``[B, n, C]``; compute the LOD1 and LOD2 gists of the blocks they complete."""
        check_tensor("tokens", tokens, f"[B, n, C={self.channels}]")
        lod0 = self._levels[0]
        if tokens.dim() != 3 or tokens.shape[0] != lod0.data.shape[0] or tokens.shape[2] != self.channels:
            raise ValueError(
                f"tokens: expected shape [B={lod0.data.shape[0]}, n, C={self.channels}], got {list(tokens.shape)}"
            )
        lod0.extend(tokens)
        with torch.no_grad():
            for finer, coarser in zip(self._levels[:-1], self._levels[1:]):
                done = finer.length // self.block  # complete blocks of the finer level
                if done > coarser.length:  # gist only the blocks completed by this append
                    new = finer.view()[:, coarser.length * self.block : done * self.block]
                    coarser.extend(self.gistnet(new.reshape(new.shape[0], -1, self.block, self.channels)))

    def levels(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return tuple(level.view() for level in self._levels)  # type: ignore[return-value]
