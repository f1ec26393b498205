"""The chapter's readers, all answering with the same :class:`~.content_read.Reader` on the same data.

* (A) :func:`read_all` — the NTM's soft content read over all ``T`` LOD0 tokens: ``O(T)`` per query.
* (B) :func:`read_recent` — the same read over the last ``W_max`` tokens only.
* (C/D) :func:`read_focused` — refocus a working context (start: :func:`~.working_context.coarse_cover`)
  with scores from LensNet (C), from an oracle that knows the answer's step, or at random (D), then
  read over its entries: ``O(W_max)`` per query once the tree is built.
"""
from __future__ import annotations

from typing import NamedTuple

import torch

from .focus_allocator import FocusConfig, refocus
from .lensnet import unit_scores
from .content_read import Reader, recency_window
from .gistnet import BLOCK
from .working_context import Units, assemble, coarse_cover, unit_span

SCORERS = ("lens", "oracle", "random")


class Focused(NamedTuple):
    """Result of :func:`read_focused`: logits ``[B, V]``, the final units, and per-pass edit counts."""

    logits: torch.Tensor
    units: Units
    edits: list[torch.Tensor]


def read_all(reader: Reader, tokens: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
    """(A) Logits ``[B, V]`` of a soft read over every token ``[B, T, C]``."""
    return reader.logits(query, tokens)


def read_recent(reader: Reader, tokens: torch.Tensor, query: torch.Tensor, w_max: int) -> torch.Tensor:
    """(B) Logits of a soft read over the last ``w_max`` tokens."""
    return reader.logits(query, recency_window(tokens, w_max))


def covers(units: Units, step: torch.Tensor, length: int, block: int) -> torch.Tensor:
    """``[B, U]`` True for the unit covering token ``step`` ``[B]``."""
    start, end = unit_span(units, length, block)
    return units.valid() & (start <= step[:, None]) & (step[:, None] < end)


def oracle_scores(units: Units, answer_step: torch.Tensor, length: int, block: int) -> torch.Tensor:
    """+1 on the unit holding the answer, 0 elsewhere: the allocator expands exactly that path."""
    return covers(units, answer_step, length, block).to(torch.float32)


def random_scores(units: Units, generator: torch.Generator) -> torch.Tensor:
    """Uniform scores in ``[-1, 1]``: the allocator expands and collapses at random."""
    return torch.rand(units.level.shape, generator=generator) * 2 - 1


def score_units(scorer: str, units: Units, levels, query, lensnet=None, answer_step=None, generator=None,
                block: int = BLOCK) -> torch.Tensor:
    """Unit scores ``[B, U]`` from ``scorer`` (one of :data:`SCORERS`)."""
    length = levels[0].shape[1]
    if scorer == "lens":
        entries = assemble(units, *levels, block=block)
        return unit_scores(lensnet(query, entries), entries, units.level.shape[1])
    if scorer == "oracle":
        return oracle_scores(units, answer_step, length, block)
    if scorer == "random":
        return random_scores(units, generator)
    raise ValueError(f"scorer: expected one of {SCORERS}, got {scorer!r}")


def read_focused(reader: Reader, levels, query: torch.Tensor, config: FocusConfig, scorer: str = "lens",
                 lensnet=None, answer_step=None, generator=None, passes: int = 3, units: Units | None = None,
                 first_step: int = 0) -> Focused:
    """(C/D) Refocus ``passes`` times from the coarse cover (or ``units``), then read the working context.

    Each pass scores the current working context and makes one refocus (at most ``max_edits``
    edits); two passes are the least that can reach a token inside a LOD2 gist. Refocus steps are
    numbered from ``first_step`` (continue the numbering when passing earlier ``units``, so the
    allocator knows which units were just made).
    """
    length = levels[0].shape[1]
    if units is None:
        units = coarse_cover(query.shape[0], length, config.tail, config.w_max, config.block)
    edits = []
    for step in range(first_step, first_step + passes):
        scores = score_units(scorer, units, levels, query, lensnet, answer_step, generator, config.block)
        units, stats = refocus(units, scores, length, config, step)
        edits.append(stats.edits)
    entries = assemble(units, *levels, block=config.block)
    return Focused(reader.logits(query, entries.embedding, entries.valid), units, edits)


def answer_at_lod0(units: Units, answer_step: torch.Tensor, length: int, block: int = BLOCK) -> torch.Tensor:
    """Selection recall per query ``[B]``: is the answer's block at LOD0 in the working context?"""
    return (covers(units, answer_step, length, block) & (units.level == 0)).any(1)
