"""Read and write heads: turn the controller's output into the parameters of Eq. 2-9.

All heads of an NTM share one linear layer, so one matrix product per step emits the parameters
of every head; the addressing then runs on ``[B, H, ...]`` tensors with no loop over heads.
Read heads come first along the head dimension, then write heads.

Transforms (each maps an unconstrained number into the range its equation needs):

======  ===================  =================================================
param   transform            why
======  ===================  =================================================
k       identity             cosine similarity (Eq. 6) ignores the key's scale
β       softplus             key strength must be ``>= 0`` (Eq. 5)
g       sigmoid              gate in ``[0, 1]`` (Eq. 7)
s       softmax              a distribution over the ``2k+1`` offsets (Eq. 8)
γ       1 + softplus         sharpening needs ``γ >= 1`` (Eq. 9); softplus has no dead zone
e       sigmoid              erase entries in ``[0, 1]`` (Eq. 3)
a       tanh                 bounded adds keep memory values from growing without limit (Eq. 4)
======  ===================  =================================================
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F


class HeadParams(NamedTuple):
    """Parameters of all heads for one step; ``H = read_heads + write_heads``, ``W = write_heads``."""

    key: torch.Tensor  # [B, H, M]
    beta: torch.Tensor  # [B, H, 1]
    g: torch.Tensor  # [B, H, 1]
    s: torch.Tensor  # [B, H, 2k+1]
    gamma: torch.Tensor  # [B, H, 1]
    erase: torch.Tensor  # [B, W, M]
    add: torch.Tensor  # [B, W, M]


class Heads(nn.Module):
    """One linear layer from the controller output to every head's parameters.

    Args:
        controller_size: width of the controller output.
        memory_m: row width ``M``.
        read_heads, write_heads: number of heads of each kind (``>= 1`` each).
        shift_range: ``k``; the shift distribution covers offsets ``-k..k``.
    """

    def __init__(self, controller_size: int, memory_m: int, read_heads: int, write_heads: int, shift_range: int):
        super().__init__()
        self.m, self.read_heads, self.write_heads = memory_m, read_heads, write_heads
        self.shift_width = 2 * shift_range + 1
        self.address_size = memory_m + 3 + self.shift_width  # k, β, g, s, γ
        heads = read_heads + write_heads
        self.proj = nn.Linear(controller_size, heads * self.address_size + write_heads * 2 * memory_m)

    def forward(self, h: torch.Tensor) -> HeadParams:
        """``h`` ``[B, controller_size]`` -> :class:`HeadParams`."""
        b, m = h.shape[0], self.m
        raw = self.proj(h)
        n_addr = (self.read_heads + self.write_heads) * self.address_size
        addr = raw[:, :n_addr].view(b, -1, self.address_size)
        vec = raw[:, n_addr:].view(b, self.write_heads, 2 * m)
        key, beta, g, s, gamma = addr.split([m, 1, 1, self.shift_width, 1], dim=-1)
        erase, add = vec.split([m, m], dim=-1)
        return HeadParams(
            key=key,
            beta=F.softplus(beta),
            g=torch.sigmoid(g),
            s=torch.softmax(s, dim=-1),
            gamma=1 + F.softplus(gamma),
            erase=torch.sigmoid(erase),
            add=torch.tanh(add),
        )
