"""The interface vector ``ξ_t``: one linear layer from the controller output to every parameter the
DNC's memory needs at one step (Nature 2016, Methods, "Interface parameters").

``ξ_t`` has ``W·R + 3W + 5R + 3`` entries (``W`` the word size, ``R`` the read heads). Each piece is
squashed into the range its equation needs:

================  ==========  ===========  =============================================
field             shape       transform    why
================  ==========  ===========  =============================================
read_keys         [B, R, W]   identity     cosine similarity ignores the key's scale
read_strengths    [B, R, 1]   oneplus      ``β ∈ [1, ∞)`` (the paper; deepmind/dnc uses softplus)
write_key         [B, W]      identity
write_strength    [B, 1]      oneplus
erase             [B, W]      sigmoid      erase entries in ``[0, 1]``
write_vector      [B, W]      identity     the paper leaves it unsquashed
free_gates        [B, R, 1]   sigmoid      :func:`~ntm_minimal.dnc.equations.retention`
alloc_gate        [B, 1]      sigmoid      :func:`~ntm_minimal.dnc.equations.write_weighting`
write_gate        [B, 1]      sigmoid
read_modes        [B, R, 3]   softmax      backward, content, forward (the paper's order)
================  ==========  ===========  =============================================

Csordás & Schmidhuber's (2019) fixes add pieces, each ``None`` when its fix is off:

==================  ==========  ===========  ===========================================
field               shape       transform    why
==================  ==========  ===========  ===========================================
read_masks          [B, R, W]   sigmoid      masking: which word entries a read key compares
write_mask          [B, W]      sigmoid      masking, for the write key
forward_sharpness   [B, R, 1]   oneplus      sharpness ``s >= 1`` of the forward weighting
backward_sharpness  [B, R, 1]   oneplus      and of the backward one
==================  ==========  ===========  ===========================================

``oneplus(x) = 1 + log(1 + e^x)``, computed as ``1 + softplus(x)`` (no overflow for large ``x``).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn
from torch.nn import functional as F


class Interface(NamedTuple):
    """The squashed interface parameters of one step (shapes in the module docstring)."""

    read_keys: torch.Tensor
    read_strengths: torch.Tensor
    write_key: torch.Tensor
    write_strength: torch.Tensor
    erase: torch.Tensor
    write_vector: torch.Tensor
    free_gates: torch.Tensor
    alloc_gate: torch.Tensor
    write_gate: torch.Tensor
    read_modes: torch.Tensor
    read_masks: torch.Tensor | None = None
    write_mask: torch.Tensor | None = None
    forward_sharpness: torch.Tensor | None = None
    backward_sharpness: torch.Tensor | None = None


def oneplus(x: torch.Tensor) -> torch.Tensor:
    """``1 + log(1 + e^x)``, in ``[1, ∞)``: the paper's squashing of key strengths."""
    return 1 + F.softplus(x)


def interface_size(word_size: int, read_heads: int, masking: bool = False, link_sharpness: bool = False) -> int:
    """``W·R + 3W + 5R + 3``, the paper's length of ``ξ_t``; masking adds ``W·R + W``, sharpness ``2R``."""
    extra = (word_size * read_heads + word_size if masking else 0) + (2 * read_heads if link_sharpness else 0)
    return word_size * read_heads + 3 * word_size + 5 * read_heads + 3 + extra


class InterfaceLayer(nn.Module):
    """``ξ_t = W_ξ h_t``, then split and squashed into an :class:`Interface`."""

    def __init__(
        self, controller_size: int, word_size: int, read_heads: int, masking: bool = False, link_sharpness: bool = False
    ):
        super().__init__()
        self.w, self.r, self.masking, self.link_sharpness = word_size, read_heads, masking, link_sharpness
        self.proj = nn.Linear(controller_size, interface_size(word_size, read_heads, masking, link_sharpness))

    def forward(self, h: torch.Tensor) -> Interface:
        """``h`` ``[B, controller_size]`` -> :class:`Interface`."""
        b, w, r = h.shape[0], self.w, self.r
        base = interface_size(w, r)
        xi, extra = self.proj(h).split([base, self.proj.out_features - base], dim=-1)
        keys, strengths, write_key, write_strength, erase, vector, free, alloc, gate, modes = xi.split(
            [r * w, r, w, 1, w, w, r, 1, 1, 3 * r], dim=-1
        )
        fixes = {}
        if self.masking:
            read_masks, write_mask, extra = extra.split([r * w, w, extra.shape[-1] - r * w - w], dim=-1)
            fixes.update(read_masks=torch.sigmoid(read_masks).view(b, r, w), write_mask=torch.sigmoid(write_mask))
        if self.link_sharpness:
            fwd, bwd = extra.split([r, r], dim=-1)
            fixes.update(forward_sharpness=oneplus(fwd).view(b, r, 1), backward_sharpness=oneplus(bwd).view(b, r, 1))
        return Interface(
            read_keys=keys.view(b, r, w),
            read_strengths=oneplus(strengths).view(b, r, 1),
            write_key=write_key,
            write_strength=oneplus(write_strength),
            erase=torch.sigmoid(erase),
            write_vector=vector,
            free_gates=torch.sigmoid(free).view(b, r, 1),
            alloc_gate=torch.sigmoid(alloc),
            write_gate=torch.sigmoid(gate),
            read_modes=torch.softmax(modes.view(b, r, 3), dim=-1),
            **fixes,
        )
