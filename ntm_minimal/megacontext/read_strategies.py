"""The chapter's readers, all answering with the same :class:`~.content_read.Reader` on the same data.

* (A) :func:`read_all` — the NTM's soft content read over all ``T`` LOD0 tokens: ``O(T)`` per query.
* (B) :func:`read_recent` — the same read over the last ``W_max`` tokens only.
* (C/D) :func:`read_focused` — refocus a working context (start: :func:`~.working_context.coarse_cover`)
  with scores from LensNet (C), from an oracle that knows the answer's step, or at random (D), then
  read over its entries: ``O(W_max)`` per query once the tree is built.
* (A, cached keys) :func:`cache_keys` + :func:`read_cached` — (A)'s read with every token's unit-length
  key computed once when it arrives (as C's tree is built once): the same answers as (A), ``O(T)``
  dot products per query and nothing else.
* (flat top-k) :func:`read_top_blocks` — score every LOD1 gist with the reader's own key, read the
  tokens of the ``k`` best blocks plus the recent tail: one level, no allocator, ``O(T / 32 + W)``.

The cached forms take a cache of one stream ``[1, N, ...]`` for a batch of queries about it, or one
cache per query ``[B, N, ...]``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from ..validation import check_tensor
from .content_read import Reader, recency_window
from .focus_allocator import FocusConfig, refocus
from .gistnet import BLOCK
from .lensnet import unit_scores
from .working_context import Units, assemble, coarse_cover, protected_block, unit_span

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


def score_units(
    scorer: str, units: Units, levels, query, lensnet=None, answer_step=None, generator=None, block: int = BLOCK
) -> torch.Tensor:
    """Unit scores ``[B, U]`` from ``scorer`` (one of :data:`SCORERS`)."""
    length = levels[0].shape[1]
    if scorer == "lens":
        entries = assemble(units, *levels, block=block)
        # A LensNet that reads the recent tail (TwoStageLensNet) gets the stream's tokens too.
        entry_scores = (
            lensnet(query, entries, levels[0]) if getattr(lensnet, "uses_tail", False) else lensnet(query, entries)
        )
        return unit_scores(entry_scores, entries, units.level.shape[1])
    if scorer == "oracle":
        return oracle_scores(units, answer_step, length, block)
    if scorer == "random":
        return random_scores(units, generator)
    raise ValueError(f"scorer: expected one of {SCORERS}, got {scorer!r}")


def read_focused(
    reader: Reader,
    levels,
    query: torch.Tensor,
    config: FocusConfig,
    scorer: str = "lens",
    lensnet=None,
    answer_step=None,
    generator=None,
    passes: int = 3,
    units: Units | None = None,
    first_step: int = 0,
) -> Focused:
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


class KeyCache(NamedTuple):
    """Unit-length content keys ``[B, N, key_bits + 1]`` and values ``[B, N, value_bits]`` of ``N`` entries."""

    keys: torch.Tensor
    values: torch.Tensor


def _unit(x: torch.Tensor) -> torch.Tensor:
    return x / torch.linalg.vector_norm(x, dim=-1, keepdim=True).clamp_min(1e-12)


def cache_keys(reader: Reader, entries: torch.Tensor) -> KeyCache:
    """The reader's keys of ``entries`` ``[B, N, C]``, divided by their norms once (Eq. 6's denominator)."""
    check_tensor("entries", entries, f"[B, N, C={reader.channels}]")
    if entries.dim() != 3 or entries.shape[2] != reader.channels:
        raise ValueError(f"entries: expected shape [B, N, {reader.channels}], got {list(entries.shape)}")
    kb = reader.key_bits
    return KeyCache(_unit(reader.keys(entries)), entries[..., kb : kb + reader.value_bits])


def _check_cache(cache: KeyCache, query: torch.Tensor, reader: Reader) -> None:
    check_tensor("query", query, f"[B, C={reader.channels}]")
    if query.dim() != 2 or query.shape[1] != reader.channels:
        raise ValueError(f"query: expected shape [B, {reader.channels}], got {list(query.shape)}")
    if cache.keys.shape[0] not in (1, query.shape[0]):
        raise ValueError(f"cache: expected 1 or B={query.shape[0]} streams, got {cache.keys.shape[0]}")


def _similarity(reader: Reader, keys: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
    """Eq. 6 against cached unit keys ``[1 or B, N, K]``: ``[B, N]`` (one matrix product)."""
    q = _unit(reader.keys(query, query=True))  # [B, K]
    if keys.shape[0] == 1:
        return q @ keys[0].T
    return torch.bmm(keys, q[:, :, None])[..., 0]


def _read_weights(reader: Reader, w: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Eq. 2 with weights ``[B, N]`` over values ``[1 or B, N, V]``, mapped to answer logits."""
    r = w @ values[0] if values.shape[0] == 1 else torch.bmm(w[:, None, :], values)[:, 0]
    return reader.log_alpha.exp() * (2 * r - 1)


def read_cached(reader: Reader, cache: KeyCache, query: torch.Tensor) -> torch.Tensor:
    """(A, cached keys) logits ``[B, V]``: Eq. 5 over the cached keys, Eq. 2 over the values."""
    _check_cache(cache, query, reader)
    w = torch.softmax(reader.log_beta.exp() * _similarity(reader, cache.keys, query), -1)
    return _read_weights(reader, w, cache.values)


class TopBlocks(NamedTuple):
    """Result of :func:`read_top_blocks`: logits ``[B, V]`` and the chosen blocks ``[B, k]``."""

    logits: torch.Tensor
    blocks: torch.Tensor


def top_k_for_budget(length: int, w_max: int, tail: int, block: int = BLOCK) -> int:
    """Blocks that fit in ``w_max`` entries beside the LOD0 tail of a ``length``-token stream."""
    tail_entries = length - protected_block(length, tail, block) * block
    k = (w_max - tail_entries) // block
    if k < 1:
        raise ValueError(f"w_max: {w_max} entries leave no room for a block beside the {tail_entries}-token tail")
    return k


def read_top_blocks(
    reader: Reader, tokens: KeyCache, gists: KeyCache, query: torch.Tensor, k: int, tail: int, block: int = BLOCK
) -> TopBlocks:
    """(flat top-k) Read the tokens of the ``k`` blocks whose LOD1 gists best match the query, plus the
    LOD0 tail: ``k * block + tail`` entries, found with ``T / block`` dot products.

    ``tokens`` caches the ``T`` tokens, ``gists`` the ``T // block`` LOD1 gists (both from :func:`cache_keys`).
    """
    _check_cache(tokens, query, reader)
    length = tokens.keys.shape[1]
    first_tail = protected_block(length, tail, block)
    if not 1 <= k <= first_tail:
        raise ValueError(f"k: expected 1 <= k <= {first_tail} blocks before the tail, got {k!r}")
    score = _similarity(reader, gists.keys[:, :first_tail], query)  # [B, first_tail]
    blocks = score.topk(k, dim=1).indices.sort(dim=1).values  # [B, k], in timeline order
    steps = (blocks[..., None] * block + torch.arange(block)).reshape(blocks.shape[0], -1)  # [B, k * block]
    steps = torch.cat([steps, torch.arange(first_tail * block, length).expand(blocks.shape[0], -1)], 1)
    b = query.shape[0]
    keys = tokens.keys.expand(b, -1, -1).gather(1, steps[..., None].expand(-1, -1, tokens.keys.shape[2]))
    values = tokens.values.expand(b, -1, -1).gather(1, steps[..., None].expand(-1, -1, tokens.values.shape[2]))
    w = torch.softmax(reader.log_beta.exp() * _similarity(reader, keys, query), -1)
    return TopBlocks(_read_weights(reader, w, values), blocks)
