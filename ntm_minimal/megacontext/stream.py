"""Refocusing while tokens arrive: the streaming recall task, one refocus per query.

At each query step the new tokens join the tree (:class:`~.tree.MegaContextTree`) and the working
context (as LOD0 units), the scorer scores the working context, the allocator makes one refocus,
and the reader answers. :func:`run_stream` records, per query: correct answers, voluntary edits,
forced collapses, flip-flops (an edit that reverses one made at most
:data:`~.focus_allocator.FLIP_WINDOW` refocuses earlier), fragmentation (separate LOD0 regions
before the tail), whether the answer's block is at LOD0, and optionally the level of every block
of stream 0 (the pictures of chapter 15).
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from ..tasks.long_recall import RecallLayout
from .content_read import Reader, correct
from .focus_allocator import FocusConfig, fragmentation, refocus
from .read_strategies import answer_at_lod0, score_units
from .tree import MegaContextTree
from .working_context import Units, assemble, coarse_cover, extend, unit_span


class StreamLog(NamedTuple):
    """Per query ``[Q, B]`` tensors, and (if recorded) the block levels of stream 0 ``[Q, n_blocks]``."""

    correct: torch.Tensor
    edits: torch.Tensor
    forced: torch.Tensor
    flips: torch.Tensor
    fragments: torch.Tensor
    selected: torch.Tensor
    block_levels: torch.Tensor | None

    def summary(self) -> dict:
        """Means over queries and streams (the numbers of chapter 15's tables)."""
        return {
            "accuracy": self.correct.float().mean().item(),
            "edits_per_refocus": self.edits.float().mean().item(),
            "flips_per_refocus": self.flips.float().mean().item(),
            "fragments": self.fragments.float().mean().item(),
            "selection_recall": self.selected.float().mean().item(),
        }


def block_levels(units: Units, length: int, block: int, row: int = 0) -> torch.Tensor:
    """Level of detail of every block ``[ceil(length / block)]`` for one stream (LOD2 fills its 32 blocks)."""
    start, end = unit_span(units, length, block)
    valid = units.valid()[row]
    first, last, lvl = start[row, valid] // block, -(-end[row, valid] // block), units.level[row, valid]
    return torch.repeat_interleave(lvl, last - first)


def run_stream(
    layout: RecallLayout,
    gistnet,
    reader: Reader,
    config: FocusConfig,
    scorer: str = "lens",
    lensnet=None,
    generator: torch.Generator | None = None,
    record: bool = False,
) -> StreamLog:
    """Play a streaming-recall batch through the tree, the allocator and the reader."""
    x, y = layout.batch.x, layout.batch.y
    b, _, c = x.shape
    queries = layout.query_steps[0].tolist()
    tree = MegaContextTree(gistnet, b, c, config.block)
    logs = {k: [] for k in ("correct", "edits", "forced", "flips", "fragments", "selected", "levels")}
    units, done = None, 0
    with torch.no_grad():
        for step, q in enumerate(queries):
            tree.append(x[:, done : q + 1])
            length = q + 1
            units = (
                coarse_cover(b, length, config.tail, config.w_max, config.block)
                if units is None
                else extend(units, done, length, config.block)
            )
            done = length
            levels = tree.levels()
            query = x[:, q]
            answer = layout.answer_steps[:, step]
            scores = score_units(scorer, units, levels, query, lensnet, answer, generator, config.block)
            units, stats = refocus(units, scores, length, config, step)
            entries = assemble(units, *levels, block=config.block)
            logits = reader.logits(query, entries.embedding, entries.valid)
            logs["correct"].append(correct(logits, y[:, q]))
            logs["edits"].append(stats.edits)
            logs["forced"].append(stats.forced)
            logs["flips"].append(stats.flips)
            logs["fragments"].append(fragmentation(units, length, config))
            logs["selected"].append(answer_at_lod0(units, answer, length, config.block))
            if record:
                logs["levels"].append(block_levels(units, length, config.block))
    stacked = {k: torch.stack(v) for k, v in logs.items() if k != "levels"}
    grid = None
    if record:
        n = max(len(v) for v in logs["levels"])
        grid = torch.full((len(queries), n), -1)
        for i, v in enumerate(logs["levels"]):  # a picture: one row per query (not a numeric loop)
            grid[i, : v.numel()] = v
    return StreamLog(**stacked, block_levels=grid)
