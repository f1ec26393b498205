"""The Focus Allocator: turn signed focus scores into expand/collapse edits of the working context.

Greedy and block-aligned, as in MegaContext. Each refocus makes at most ``max_edits`` voluntary
edits per stream, one at a time, each the best legal one:

* **expand** the unit with the highest score ``>= expand_threshold`` (LOD1 -> its 32 tokens, LOD2 ->
  its 32 LOD1 gists; +31 entries), if it fits in ``w_max``;
* if it does not fit, **swap**: collapse the lowest-scoring collapsible unit first, provided its score
  is below the expansion's by more than ``margin`` (the hysteresis that keeps two near-equal
  scores from trading places);
* otherwise **collapse** the unit with the lowest score ``<= -collapse_threshold`` (a LOD0 block ->
  its gist, or an aligned run of 32 LOD1 gists -> their LOD2 gist; -31 entries).

A working context over budget (new tokens arrived) first gets *forced* collapses, lowest score
first, until it fits. The protected tail (the last ``tail`` tokens, block-aligned) and the unfinished
block stay LOD0. A unit made in this refocus is not edited again in it (it has no score of its own
until LensNet runs again). **Cooldown**: an edit made at refocus step ``s`` is not reversed (a
collapse of what was expanded, or the other way round) before step ``s + cooldown + 1``; forced
collapses ignore the cooldown. Every edit keeps the cover exact (no gap, no overlap).

Before the edits, the scores can go through the NTM's Eq. 7-9 (:mod:`.focus_scores`): interpolation
with the previous refocus (``gate``), a shift kernel (``kernel``) and sharpening (``gamma``).

All of it is batched over streams; the only Python loop is over the (bounded) edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import torch

from . import focus_scores
from .gistnet import BLOCK
from .working_context import Units, check_geometry, minimal_entries, protected_block, wc_length

#: An edit is undone "soon" (a flip-flop) if it happens within this many refocus steps of the edit it reverses.
FLIP_WINDOW = 4


@dataclass(frozen=True)
class FocusConfig:
    """Allocator settings (defaults from MegaContext's ``POC Implementation`` notes, scaled down)."""

    w_max: int = 512
    tail: int = 64
    block: int = BLOCK
    expand_threshold: float = 0.2
    collapse_threshold: float = 0.2
    max_edits: int = 4
    cooldown: int = 2
    margin: float = 0.1
    gate: float | None = None  # Eq. 7 interpolation gate g (None: off)
    kernel: Sequence[float] | None = None  # Eq. 8 shift kernel over offsets -k..k (None: off)
    gamma: float | None = None  # Eq. 9 sharpening exponent (None: off)

    def __post_init__(self):
        check_geometry(self.tail, self.w_max, self.block)
        if not isinstance(self.max_edits, int) or self.max_edits < 0:
            raise ValueError(f"max_edits: expected an int >= 0, got {self.max_edits!r}")
        if not isinstance(self.cooldown, int) or self.cooldown < 0:
            raise ValueError(f"cooldown: expected an int >= 0, got {self.cooldown!r}")
        for name in ("expand_threshold", "collapse_threshold", "margin"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: expected a value >= 0, got {getattr(self, name)!r}")


class RefocusStats(NamedTuple):
    """Per stream ``[B]``: voluntary edits, forced collapses, and flip-flops (edits that undo a recent one)."""

    edits: torch.Tensor
    forced: torch.Tensor
    flips: torch.Tensor


def transform_scores(scores: torch.Tensor, units: Units, config: FocusConfig) -> torch.Tensor:
    """Apply the configured Eq. 7, 8, 9 steps (in the NTM's order) to unit scores ``[B, U]``."""
    s = scores * units.valid()
    if config.gate is not None:
        s = focus_scores.interpolate_scores(s, units.memo, config.gate) * units.valid()
    if config.kernel is not None:
        s = focus_scores.shift_scores(s, config.kernel) * units.valid()
    if config.gamma is not None:
        s = focus_scores.sharpen_scores(s, config.gamma)
    return s


def _window(x: torch.Tensor, size: int) -> torch.Tensor:
    """Sum of ``x[:, j : j + size]`` for every ``j`` (0 where the window runs off the end)."""
    c = torch.cat([torch.zeros_like(x[:, :1]), x.cumsum(1)], 1)
    out = torch.zeros_like(x)
    n = x.shape[1] - size + 1
    if n > 0:
        out[:, :n] = c[:, size:] - c[:, :n]
    return out


def candidates(units: Units, scores: torch.Tensor, length: int, config: FocusConfig, step: int):
    """Legal edits: ``(expand, collapse, forced)`` scores ``[B, U]``, ``-inf``/``+inf`` where illegal.

    ``forced`` is ``collapse`` without the cooldown (for a working context over budget). A LOD1 run
    is offered at its first unit with the run's mean score.
    """
    b, cap = units.level.shape
    blk = config.block
    valid = units.valid()
    lvl, idx = units.level, units.index
    # A unit made in this refocus has no score of its own yet; one made by an edit less than
    # ``cooldown`` steps ago may not be reversed (expand after collapse, or collapse after expand).
    settled = units.stamp < step
    young = (step - units.stamp) <= config.cooldown
    may_expand = settled & ~(young & (units.born < 0))
    may_collapse = settled & ~(young & (units.born > 0))
    j = torch.arange(cap)
    last = (j + blk - 1).clamp(max=cap - 1)
    run = (
        valid
        & (lvl == 1)
        & (idx % blk == 0)
        & ((j + blk - 1) < units.count[:, None])
        & (lvl[:, last] == 1)
        & (idx[:, last] == idx + blk - 1)
    )
    run_score = _window(scores, blk) / blk
    run_ok = _window((~may_collapse).long(), blk) == 0
    lod0 = valid & (lvl == 0) & (idx < protected_block(length, config.tail, blk))
    inf = torch.tensor(float("inf"), dtype=scores.dtype)
    expand = torch.where(valid & (lvl >= 1) & may_expand, scores, -inf)
    forced = torch.where(lod0, scores, torch.where(run, run_score, inf))
    collapse = torch.where(lod0 & may_collapse, scores, torch.where(run & run_ok, run_score, inf))
    return expand, collapse, forced


def apply_edit(units: Units, slot: torch.Tensor, kind: torch.Tensor, step: int, block: int = BLOCK) -> Units:
    """One edit per stream: ``kind`` ``[B]`` +1 expand / -1 collapse / 0 none, at unit ``slot`` ``[B]``.

    Expanding LOD1 or collapsing LOD0 changes the unit's level in place; expanding LOD2 replaces it
    by its 32 LOD1 children and collapsing a LOD1 run replaces the 32 units by one LOD2 unit, by
    packing the rebuilt rows with a cumulative sum (no loop over streams).
    """
    b, cap = units.level.shape
    rows = torch.arange(b)
    s = slot.clamp(min=0)
    lvl = units.level[rows, s]
    act = kind != 0
    grow = act & (kind > 0) & (lvl == 2)
    shrink = act & (kind < 0) & (lvl == 1)
    inplace = act & ~grow & ~shrink
    level, stamp, born = units.level.clone(), units.stamp.clone(), units.born.clone()
    r, c = rows[inplace], s[inplace]
    level[r, c] = lvl[inplace] - kind[inplace]
    stamp[r, c] = step
    born[r, c] = kind[inplace]
    units = units._replace(level=level, stamp=stamp, born=born)
    if not bool((grow | shrink).any()):
        return units
    j = torch.arange(cap)
    at = j == s[:, None]
    repeat = units.valid().long()
    repeat = torch.where(grow[:, None] & at, block, repeat)
    repeat = torch.where(shrink[:, None] & (j > s[:, None]) & (j < s[:, None] + block), 0, repeat)
    new_cap = max(cap, int(repeat.sum(1).max()))
    grown, shrunk = grow[:, None] & at, shrink[:, None] & at
    k = torch.arange(block)
    used = k < repeat[..., None]  # [B, U, block]
    pos = ((repeat.cumsum(1) - repeat)[..., None] + k)[used]
    rr = rows[:, None, None].expand(-1, cap, block)[used]
    child = {
        "level": torch.where(grown, 1, torch.where(shrunk, 2, units.level))[..., None].expand(-1, -1, block),
        "index": torch.where(
            grown[..., None],
            units.index[..., None] * block + k,
            torch.where(shrunk, units.index // block, units.index)[..., None],
        ),
        "stamp": torch.where(grown | shrunk, step, units.stamp)[..., None].expand(-1, -1, block),
        "born": torch.where(grown, 1, torch.where(shrunk, -1, units.born))[..., None].expand(-1, -1, block),
        "memo": units.memo[..., None].expand(-1, -1, block),
    }
    fill = {"level": -1, "index": 0, "stamp": 0, "born": 0, "memo": float("nan")}
    out = {}
    for name, val in child.items():
        dst = torch.full((b, new_cap), fill[name], dtype=val.dtype)
        dst[rr, pos] = val[used]
        out[name] = dst
    return Units(**out, count=repeat.sum(1))


def edit_rule(best_expand: torch.Tensor, best_collapse: torch.Tensor, wc: torch.Tensor, config: FocusConfig):
    """The allocator's choice of one voluntary edit, per stream ``[B]`` (bools ``expand, swap, collapse``).

    With ``s+`` the best expandable score, ``s-`` the lowest collapsible one and ``W`` the working
    context's length (entries):

    * expand  if ``s+ >= expand_threshold`` and ``W + block - 1 <= W_max``;
    * swap    (collapse first, to make room) if ``s+ >= expand_threshold``, the expansion does not fit,
      and ``s- < s+ - margin``;
    * collapse if neither and ``s- <= -collapse_threshold``.
    """
    want = best_expand >= config.expand_threshold
    fits = wc + config.block - 1 <= config.w_max
    expand = want & fits
    swap = want & ~fits & (best_collapse < best_expand - config.margin)
    collapse = ~expand & ~swap & (best_collapse <= -config.collapse_threshold)
    return expand, swap, collapse


def refocus(
    units: Units, scores: torch.Tensor, length: int, config: FocusConfig, step: int
) -> tuple[Units, RefocusStats]:
    """One refocus at step ``step``: transform the unit scores ``[B, U]``, then greedy edits.

    Returns the new units and the :class:`RefocusStats` of this refocus.
    """
    if tuple(scores.shape) != tuple(units.level.shape):
        raise ValueError(
            f"scores: expected one score per unit slot {list(units.level.shape)}, got {list(scores.shape)}"
        )
    need = minimal_entries(length, config.tail, config.block)
    if need > config.w_max:
        raise ValueError(
            f"w_max: {length} tokens need at least {need} entries at the coarsest levels, got w_max={config.w_max}"
        )
    scores = transform_scores(scores, units, config)
    units = units._replace(memo=torch.where(units.valid(), scores, units.memo))
    b = scores.shape[0]
    edits, forced_n, flips = (torch.zeros(b, dtype=torch.long) for _ in range(3))
    rows = torch.arange(b)
    excess = int((wc_length(units, length, config.block) - config.w_max).clamp(min=0).max())
    bound = config.max_edits + 2 * (-(-excess // (config.block - 1))) + 1
    for _ in range(bound):
        wc = wc_length(units, length, config.block)
        score = torch.where(units.valid(), units.memo, torch.zeros_like(units.memo))
        expand, collapse, forced = candidates(units, score, length, config, step)
        best_e, je = expand.max(1)
        best_c, jc = collapse.min(1)
        best_f, jf = forced.min(1)
        over = wc > config.w_max
        left = ~over & (edits < config.max_edits)
        do_expand, do_swap, do_collapse = edit_rule(best_e, best_c, wc, config)
        do_expand, do_swap, do_collapse = do_expand & left, do_swap & left, do_collapse & left
        do_forced = over & torch.isfinite(best_f)
        kind = torch.where(do_expand, 1, torch.where(do_swap | do_collapse | do_forced, -1, 0))
        if not bool((kind != 0).any()):
            break
        slot = torch.where(do_expand, je, torch.where(do_forced, jf, jc))
        recent = (step - units.stamp[rows, slot]) <= FLIP_WINDOW
        flips += ((units.born[rows, slot] == -kind) & recent & (kind != 0)).long()
        edits += (do_expand | do_swap | do_collapse).long()
        forced_n += do_forced.long()
        units = apply_edit(units, slot, kind, step, config.block)
    return units, RefocusStats(edits, forced_n, flips)


def fragmentation(units: Units, length: int, config: FocusConfig) -> torch.Tensor:
    """Number of separate LOD0 regions before the protected tail, per stream ``[B]``."""
    lod0 = units.valid() & (units.level == 0) & (units.index < protected_block(length, config.tail, config.block))
    starts = lod0 & ~torch.cat([torch.zeros_like(lod0[:, :1]), lod0[:, :-1]], 1)
    return starts.sum(1)
