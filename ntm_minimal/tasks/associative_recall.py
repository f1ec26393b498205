"""Associative recall (section 4.3 of the paper): see a list of items, then one of them as a query,
and answer with the item that came right after it.

An *item* is ``item_len`` consecutive random ``bits``-bit vectors (paper: 3 vectors of 6 bits). Two
extra input channels mark structure: channel ``bits`` (the *item delimiter*) is 1 at the step
before each item, channel ``bits + 1`` (the *query delimiter*) is 1 just before and just after the
query. For ``K`` items of length ``L = item_len`` (defaults: ``input_size = 8``, ``output_size = 6``):

==============================  ===============================================================
steps                           input ``x``
==============================  ===============================================================
``k(L+1)``, ``k = 0..K-1``      item delimiter: channel ``bits`` = 1, all others 0
``k(L+1)+1 .. k(L+1)+L``        the ``L`` vectors of item ``k``, channels ``0 .. bits-1``
``Q = K(L+1)``                  query delimiter: channel ``bits+1`` = 1
``Q+1 .. Q+L``                  the query: a copy of item ``q``, with ``q`` uniform in ``0..K-2``
``Q+L+1``                       query delimiter again: channel ``bits+1`` = 1
``Q+L+2 .. Q+2L+1``             all zero: the model answers here
==============================  ===============================================================

The target at the last ``L`` steps is item ``q+1`` (``mask`` = 1 there), so a sequence of ``K``
items lasts ``T = (K+2)(L+1)`` steps (32 for the paper's largest training case, ``K = 6``).
In a batch of mixed ``K`` each sequence is padded with zero steps at the end.

Items are drawn independently; two identical items (which would make the query ambiguous) have
probability below ``K^2 / 2^(bits*L+1)``, about 5e-5 for ``K = 6`` at the paper's sizes, and are not
excluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from .base import Batch, check_batch_size, check_int_range, draw_int, random_bits


@dataclass
class AssociativeRecallTask:
    """Recall the item after a query, from lists of ``min_items .. max_items`` items (paper: 2..6).

    ``sample(batch_size, generator, items=K)`` draws every sequence with ``K`` items instead (the
    paper tests generalisation up to ``K = 15``).
    """

    #: The setting that bounds each curriculum field from below (:func:`~.base.curriculum_floor`).
    CURRICULUM_FLOORS: ClassVar[dict[str, str]] = {"max_items": "min_items"}

    min_items: int = 2
    max_items: int = 6
    item_len: int = 3
    bits: int = 6
    name: str = "associative_recall"

    def __post_init__(self):
        check_int_range("min_items/max_items", self.min_items, self.max_items, minimum=2)
        check_int_range("item_len", self.item_len, self.item_len)
        check_int_range("bits", self.bits, self.bits)

    @property
    def input_size(self) -> int:
        return self.bits + 2

    @property
    def output_size(self) -> int:
        return self.bits

    def length(self, items: int) -> int:
        """Number of steps ``T`` of a sequence with ``items`` items."""
        return (items + 2) * (self.item_len + 1)

    def sample(self, batch_size: int, generator: torch.Generator, items: int | None = None) -> Batch:
        """A batch of recall sequences; item counts uniform in ``min_items..max_items`` unless ``items``."""
        check_batch_size(batch_size)
        if items is None:
            counts = draw_int(self.min_items, self.max_items, batch_size, generator)
        else:
            check_int_range("items", items, items, minimum=2)
            counts = torch.full((batch_size,), items)
        L, bits, top = self.item_len, self.bits, int(counts.max())
        item_vecs = random_bits((batch_size, top, L, bits), generator)  # [B, K, L, bits]
        # Query index q uniform in 0..K-2 per sequence (floor of a uniform draw keeps it batched).
        query = (torch.rand(batch_size, generator=generator) * (counts - 1)).long()  # [B]
        rows = torch.arange(batch_size)

        x = torch.zeros(batch_size, self.length(top), bits + 2)
        y = torch.zeros(batch_size, self.length(top), bits)
        mask = torch.zeros(batch_size, self.length(top))
        # The items: delimiter at k(L+1), vectors after it; sequences with fewer items keep zeros.
        k = torch.arange(top)
        valid = k[None, :] < counts[:, None]  # [B, K]
        b_idx, k_idx = valid.nonzero(as_tuple=True)
        x[b_idx, k_idx * (L + 1), bits] = 1.0
        steps = k_idx[:, None] * (L + 1) + 1 + torch.arange(L)  # [n, L]
        x[b_idx[:, None], steps, :bits] = item_vecs[b_idx, k_idx]
        # The query, its delimiters, and the answer (item q+1) in the last L steps.
        q_start = counts * (L + 1)  # [B]
        x[rows, q_start, bits + 1] = 1.0
        x[rows, q_start + L + 1, bits + 1] = 1.0
        offsets = torch.arange(L)
        x[rows[:, None], (q_start + 1)[:, None] + offsets, :bits] = item_vecs[rows, query]
        out_steps = (q_start + L + 2)[:, None] + offsets  # [B, L]
        y[rows[:, None], out_steps] = item_vecs[rows, query + 1]
        mask[rows[:, None], out_steps] = 1.0
        return Batch(x, y, mask)
