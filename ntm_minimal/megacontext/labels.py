"""Counterfactual ΔNLL labels for LensNet: change one unit's level, measure the reader's loss.

For every unit of a working context: a gist (LOD1/LOD2) is expanded one level and a LOD0 block
outside the protected tail is collapsed to its gist; the label is the benefit of the finer level,
``Δ = NLL(coarser) - NLL(finer)`` in nats (positive: detail helps). LensNet's target is
``tanh((Δ - margin) / temperature)``, so a block whose detail does not help (``Δ ≈ 0``) gets a
negative target and is collapsed. This is the design's "counterfactual utility" computed exactly
(MegaContext's code approximates it with whole-context preference pairs).

Cost: one forward pass for the working context as it is, plus one per labelled unit. A forward
pass here is one read; with a language model it would be a full forward pass over ``W_max`` entries.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from .content_read import Reader, nll
from .focus_allocator import apply_edit
from .gistnet import BLOCK
from .working_context import Units, assemble, protected_block


class Labels(NamedTuple):
    """``delta`` ``[B, U]`` (nats), ``labelled`` ``[B, U]`` bool, ``passes`` ``[B]`` forward passes used."""

    delta: torch.Tensor
    labelled: torch.Tensor
    passes: torch.Tensor


def labelled_units(units: Units, length: int, tail: int, block: int = BLOCK) -> torch.Tensor:
    """Units that get a label: every gist, and LOD0 blocks before the protected tail."""
    lod0_free = (units.level == 0) & (units.index < protected_block(length, tail, block))
    return units.valid() & ((units.level >= 1) | lod0_free)


@torch.no_grad()
def counterfactual_labels(
    reader: Reader, levels, query: torch.Tensor, target: torch.Tensor, units: Units, tail: int, block: int = BLOCK
) -> Labels:
    """ΔNLL of every unit's one-level change (one read per unit slot, batched over streams)."""
    length = levels[0].shape[1]
    entries = assemble(units, *levels, block=block)
    base = nll(reader.logits(query, entries.embedding, entries.valid), target)  # [B]
    labelled = labelled_units(units, length, tail, block)
    delta = torch.zeros(units.level.shape)
    for j in range(int(units.count.max())):  # one counterfactual per unit slot; rows run together
        slot = torch.full_like(units.count, j)
        on = labelled[:, j]
        kind = torch.where(units.level[:, j] >= 1, 1, -1) * on
        variant = apply_edit(units, slot, kind, step=0, block=block)
        e = assemble(variant, *levels, block=block)
        changed = nll(reader.logits(query, e.embedding, e.valid), target)
        # Expanded: benefit = base - changed; collapsed: benefit = changed - base.
        delta[:, j] = torch.where(kind > 0, base - changed, changed - base) * on
    return Labels(delta, labelled, 1 + labelled.sum(1))


def targets(delta: torch.Tensor, margin: float = 0.05, temperature: float = 0.1) -> torch.Tensor:
    """LensNet's regression target ``tanh((Δ - margin) / temperature)``."""
    return torch.tanh((delta - margin) / temperature)
