"""The working context: which level of detail covers each part of the timeline, and its assembly.

The allocator's state is a list of *units* per stream, in timeline order, padded to a common
capacity ``U`` (``[B, U]`` tensors, the first ``count[b]`` valid):

* a LOD2 unit ``i`` covers tokens ``1024 i .. 1024 i + 1023`` with one entry (the LOD2 gist ``i``);
* a LOD1 unit ``i`` covers block ``i`` (tokens ``32 i .. 32 i + 31``) with one entry (its gist);
* a LOD0 unit ``i`` covers block ``i`` with one entry per token (32, fewer for the unfinished last block).

The units always cover ``0 .. T-1`` exactly once, block-aligned (:func:`check_cover` verifies
it). :func:`assemble` materialises the entries: ``[B, W, C]`` with their level, unit and first token,
padded to the longest row. The working context's length is its number of entries, at most ``W_max``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from .gistnet import BLOCK

#: Marks a unit that has never been edited (its cooldown is over at any step).
NEVER = -(10**9)


class Units(NamedTuple):
    """The allocator's state, all ``[B, U]`` except ``count`` ``[B]``."""

    level: torch.Tensor  # long, 0/1/2; padding -1
    index: torch.Tensor  # long, block index (LOD0/LOD1) or group index (LOD2)
    stamp: torch.Tensor  # long, refocus step of the edit that made the unit (NEVER if none)
    born: torch.Tensor  # long, +1 made by an expansion, -1 by a collapse, 0 initial
    memo: torch.Tensor  # float, the unit's smoothed score from the last refocus (NaN: none yet)
    count: torch.Tensor  # long [B], valid units per row

    def valid(self) -> torch.Tensor:
        return torch.arange(self.level.shape[1]) < self.count[:, None]


class Entries(NamedTuple):
    """A materialised working context, all ``[B, W]`` (``embedding`` ``[B, W, C]``)."""

    embedding: torch.Tensor
    level: torch.Tensor  # -1 on padding
    unit: torch.Tensor  # the unit slot each entry belongs to
    start: torch.Tensor  # first token the entry covers
    valid: torch.Tensor  # bool


def check_geometry(tail: int, w_max: int, block: int = BLOCK) -> None:
    """Budget and tail sanity: ``tail`` a multiple of ``block``, ``W_max`` above the protected tail."""
    if not isinstance(block, int) or block < 2:
        raise ValueError(f"block: expected an int >= 2, got {block!r}")
    if not isinstance(tail, int) or tail < 0 or tail % block:
        raise ValueError(
            f"tail: expected a non-negative multiple of block={block} (the protected tail is block-aligned), got {tail!r}"
        )
    if not isinstance(w_max, int) or w_max < tail + block:
        raise ValueError(
            f"w_max: the budget must hold the protected tail ({tail} tokens) plus the unfinished "
            f"block ({block}), so w_max >= {tail + block}; got {w_max!r}"
        )


def protected_block(length: int, tail: int, block: int = BLOCK) -> int:
    """First block of the protected tail (always LOD0): blocks ``>=`` it are never collapsed."""
    return max(0, (length - tail) // block)


def minimal_entries(length: int, tail: int, block: int = BLOCK) -> int:
    """Entries of the coarsest legal working context over ``length`` tokens."""
    p = protected_block(length, tail, block)
    return p // block + p % block + (length - p * block)


def unit_entries(units: Units, length: int, block: int = BLOCK) -> torch.Tensor:
    """Entries per unit ``[B, U]`` (0 on padding)."""
    lod0 = (length - units.index * block).clamp(max=block)
    return torch.where(units.level == 0, lod0, torch.ones_like(lod0)) * units.valid()


def wc_length(units: Units, length: int, block: int = BLOCK) -> torch.Tensor:
    """Working-context length (entries) per row ``[B]``."""
    return unit_entries(units, length, block).sum(1)


def unit_span(units: Units, length: int, block: int = BLOCK) -> tuple[torch.Tensor, torch.Tensor]:
    """First token and one-past-last token of every unit, ``[B, U]`` each."""
    size = torch.where(units.level == 2, block * block, block)
    start = units.index * size
    return start, (start + size).clamp(max=length)


def coarse_cover(batch: int, length: int, tail: int, w_max: int, block: int = BLOCK) -> Units:
    """The coarsest working context: LOD2 where a whole 1024-token group lies before the protected
    tail, LOD1 for the remaining complete blocks there, LOD0 for the tail (MegaContext's initial
    assembly picks the coarsest aligned level left to right, then the LOD0 tail)."""
    check_geometry(tail, w_max, block)
    need = minimal_entries(length, tail, block)
    if need > w_max:
        raise ValueError(
            f"w_max: {length} tokens need at least {need} entries even at the coarsest levels "
            f"(max level 2), got w_max={w_max}"
        )
    p = protected_block(length, tail, block)
    n_blocks = -(-length // block)
    groups = torch.arange(p // block)
    lod1 = torch.arange((p // block) * block, p)
    lod0 = torch.arange(p, n_blocks)
    level = torch.cat([torch.full_like(groups, 2), torch.ones_like(lod1), torch.zeros_like(lod0)])
    index = torch.cat([groups, lod1, lod0])
    return _fresh(level.expand(batch, -1), index.expand(batch, -1), capacity=w_max)


def _fresh(level: torch.Tensor, index: torch.Tensor, capacity: int) -> Units:
    b, n = level.shape
    cap = max(capacity, n)
    pad = lambda x, v: torch.cat([x, torch.full((b, cap - n), v, dtype=x.dtype)], 1)  # noqa: E731
    return Units(
        pad(level, -1),
        pad(index, 0),
        torch.full((b, cap), NEVER),
        torch.zeros(b, cap, dtype=torch.long),
        torch.full((b, cap), float("nan")),
        torch.full((b,), n),
    )


def extend(units: Units, old_length: int, new_length: int, block: int = BLOCK) -> Units:
    """Cover tokens ``old_length .. new_length - 1`` too: the new blocks join as LOD0 units."""
    first = -(-old_length // block)  # blocks already covered (the unfinished one included)
    new = torch.arange(first, -(-new_length // block))
    if new.numel() == 0:
        return units
    b, cap = units.level.shape
    need = int(units.count.max()) + new.numel()
    if need > cap:  # grow the capacity (padding) so the new units fit
        grow = lambda x, v: torch.cat([x, torch.full((b, need - cap), v, dtype=x.dtype)], 1)  # noqa: E731
        units = Units(
            grow(units.level, -1),
            grow(units.index, 0),
            grow(units.stamp, NEVER),
            grow(units.born, 0),
            grow(units.memo, float("nan")),
            units.count,
        )
    slots = units.count[:, None] + torch.arange(new.numel())  # [B, n_new]
    rows = torch.arange(b)[:, None]
    level, index = units.level.clone(), units.index.clone()
    level[rows, slots] = 0
    index[rows, slots] = new
    return units._replace(level=level, index=index, count=units.count + new.numel())


def check_cover(units: Units, length: int, block: int = BLOCK) -> None:
    """Raise ``ValueError`` unless every row covers ``0 .. length-1`` exactly once, block-aligned,
    with LOD1/LOD2 units only over complete blocks/groups."""
    valid = units.valid()
    start, end = unit_span(units, length, block)
    if bool(((units.level < 0) & valid).any()) or bool((units.level > 2).any()):
        raise ValueError("units: a valid unit has a level outside 0..2")
    first = start[:, 0].masked_fill(units.count == 0, -1)
    if bool((first != 0).any()):
        raise ValueError("units: the working context does not start at token 0 (a gap at the start)")
    follows = (start[:, 1:] == end[:, :-1]) | ~valid[:, 1:]
    if not bool(follows.all()):
        row, slot = [int(v) for v in (~follows).nonzero()[0]]
        kind = "an overlap" if int(start[row, slot + 1]) < int(end[row, slot]) else "a gap"
        raise ValueError(
            f"units: {kind} in row {row} between units {slot} and {slot + 1} "
            f"(tokens {int(end[row, slot])} vs {int(start[row, slot + 1])})"
        )
    last = end.gather(1, (units.count - 1).clamp(min=0)[:, None])[:, 0]
    if bool((last != length).any()):
        raise ValueError(f"units: the working context must end at token {length} (a gap at the end)")
    size = torch.where(units.level == 2, block * block, block)
    if bool(((end - start != size) & valid & (units.level > 0)).any()):
        raise ValueError("units: a gist covers an unfinished block or group")


def assemble(units: Units, lod0: torch.Tensor, lod1: torch.Tensor, lod2: torch.Tensor, block: int = BLOCK) -> Entries:
    """Materialise the entries of each row's working context, in timeline order.

    Each unit offers ``block`` candidate slots (a LOD0 unit uses up to ``block``, a gist one); the
    used slots are packed with a cumulative sum and scattered into ``[B, W]``: no loop over rows.
    """
    b, length, c = lod0.shape
    if units.level.shape[0] != b:
        raise ValueError(f"units: expected {b} streams (from lod0 {list(lod0.shape)}), got {units.level.shape[0]}")
    per_unit = unit_entries(units, length, block)  # [B, U]
    w = max(int(per_unit.sum(1).max()), 1)
    k = torch.arange(block)
    used = k < per_unit[..., None]  # [B, U, block]
    pos = (per_unit.cumsum(1) - per_unit)[..., None] + k  # target slot of each candidate
    lvl = units.level[..., None].expand_as(pos)
    token = units.index[..., None] * block + k  # LOD0 candidates: the block's tokens
    rows = torch.arange(b)[:, None, None].expand_as(pos)[used]
    target = pos[used]
    slot = torch.arange(units.level.shape[1])[None, :, None].expand_as(pos)
    start = torch.where(lvl == 0, token, units.index[..., None] * torch.where(lvl == 2, block * block, block))
    src = torch.where(lvl == 0, token, units.index[..., None].expand_as(pos))
    level = torch.full((b, w), -1)
    unit, first, source = (torch.zeros(b, w, dtype=torch.long) for _ in range(3))
    for out, val in ((level, lvl), (unit, slot), (first, start), (source, src)):
        out[rows, target] = val[used]
    emb = torch.zeros(b, w, c, dtype=lod0.dtype)
    for lv, table in enumerate((lod0, lod1, lod2)):
        if table.shape[1] == 0:
            continue
        picked = table.gather(1, source.clamp(max=table.shape[1] - 1)[..., None].expand(-1, -1, c))
        emb = torch.where((level == lv)[..., None], picked, emb)
    return Entries(emb, level, unit, first, level >= 0)
