"""The NTM's location-addressing steps applied to focus scores (proposed in MegaContext's design note on Neural Turing Machines, tried in chapter 15).

Scores are per unit ``[B, U]``, signed (+ expand, - collapse), in timeline order; padding is 0.

* :func:`interpolate_scores` — Eq. 7: ``s = g s_now + (1 - g) s_prev``, ``s_prev`` the unit's score
  from the last refocus (a new unit inherits its parent's); smooths refocusing over time.
* :func:`shift_scores` — Eq. 8: circular convolution with a kernel over offsets ``-k..k`` along the
  unit list, so a unit's neighbours share its score (spatial locality). Padding keeps the ends from
  wrapping onto each other as long as there is at least ``k`` padding slot.
* :func:`sharpen_scores` — Eq. 9 on the magnitudes: ``|s|^γ / sum |s|^γ``, rescaled to the row's
  total ``sum |s|`` and given back its sign. Normalising as Eq. 9 does and restoring the total
  keeps the scores on the scale the allocator's thresholds expect.

Each calls the checked function of :mod:`ntm_minimal.addressing`.
"""

from __future__ import annotations

import torch

from .. import addressing


def interpolate_scores(scores: torch.Tensor, previous: torch.Tensor, gate: float) -> torch.Tensor:
    """Eq. 7 per unit; units with no previous score (NaN) take the new one."""
    if not 0.0 <= gate <= 1.0:
        raise ValueError(f"gate: expected g in [0, 1], got {gate!r}")
    prev = torch.where(torch.isnan(previous), scores, previous)
    g = torch.full((scores.shape[0], 1), float(gate), dtype=scores.dtype)
    return addressing.interpolate(scores, prev, g)


def shift_scores(scores: torch.Tensor, kernel: torch.Tensor | list[float]) -> torch.Tensor:
    """Eq. 8 along the units with the same kernel (``[2k+1]``, non-negative) for every row."""
    s = torch.as_tensor(kernel, dtype=scores.dtype)
    if s.dim() != 1:
        raise ValueError(f"kernel: expected a 1-d kernel [2k+1], got shape {list(s.shape)}")
    return addressing.shift(scores, s.expand(scores.shape[0], -1))


def sharpen_scores(scores: torch.Tensor, gamma: float) -> torch.Tensor:
    """Eq. 9 on ``|scores|`` with the row's total magnitude and the signs kept."""
    if gamma < 1:
        raise ValueError(f"gamma: expected gamma >= 1, got {gamma!r}")
    mag = scores.abs()
    total = mag.sum(-1, keepdim=True)
    dist = mag / total.clamp_min(1e-30)
    g = torch.full((scores.shape[0], 1), float(gamma), dtype=scores.dtype)
    sharp = addressing.sharpen(dist, g)
    return torch.sign(scores) * sharp * total * (mag > 0)
