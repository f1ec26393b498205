"""Copy with memory reuse (the DNC paper's Extended Data Fig. 1): many short copies in a row.

``sequences`` copy sequences follow each other without a break; each is answered right after its
delimiter, before the next one begins. Together they hold more vectors than a small memory has
rows (the paper: 10 sequences of 5 vectors, 10 memory locations), so a model can only succeed if
it reuses rows whose content has already been copied out. Each single sequence fits.

Channel layout (``bits = 6`` by default: ``input_size = 7``, ``output_size = 6``). Sequence ``k``
has length ``L_k`` and starts at step ``s_k = sum_{j<k} (2 L_j + 1)``:

=============================  =====================================  ==============================
steps                          input ``x``                            target ``y`` (``mask``)
=============================  =====================================  ==============================
``s_k .. s_k+L_k-1``           the vectors, channels ``0 .. bits-1``  0 (mask 0)
``s_k+L_k``                    the delimiter: channel ``bits`` = 1     0 (mask 0)
``s_k+L_k+1 .. s_k+2L_k``      all zero: the model answers here       the ``L_k`` vectors (mask 1)
=============================  =====================================  ==============================

A batch spans ``max_b sum_k (2 L_k + 1)`` steps; shorter rows are padded at the end (mask 0).
With a single sequence the layout is exactly :class:`~ntm_minimal.tasks.copy.CopyTask`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .base import Batch, check_batch_size, check_int_range, draw_int, random_bits
from .copy import CopyTask


@dataclass
class MemoryReuseTask(CopyTask):
    """``sequences`` copy sequences in a row, each of ``min_len .. max_len`` random ``bits``-bit vectors.

    The copy task's settings and channel sizes, plus the number of sequences.
    ``sample(batch_size, generator, length=L, sequences=K)`` fixes every sequence's length to ``L``
    and/or their number to ``K`` (e.g. to test more sequences than in training).
    """

    min_len: int = 1
    max_len: int = 5
    bits: int = 6
    name: str = "memory_reuse"
    sequences: int = 4

    def __post_init__(self):
        super().__post_init__()
        check_int_range("sequences", self.sequences, self.sequences)

    def sample(
        self, batch_size: int, generator: torch.Generator, length: int | None = None, sequences: int | None = None
    ) -> Batch:
        """A batch of ``sequences`` back-to-back copies per row (lengths drawn unless ``length`` is given)."""
        check_batch_size(batch_size)
        k = self.sequences if sequences is None else sequences
        check_int_range("sequences", k, k)
        if length is None:
            lengths = draw_int(self.min_len, self.max_len, batch_size * k, generator).view(batch_size, k)
        else:
            check_int_range("length", length, length)
            lengths = torch.full((batch_size, k), length)
        top = int(lengths.max())
        seq = random_bits((batch_size, k, top, self.bits), generator)
        item = torch.arange(top)
        valid = item < lengths[..., None]  # [B, K, top]
        seq = seq * valid.unsqueeze(-1)
        span = 2 * lengths + 1
        start = torch.cumsum(span, dim=1) - span  # [B, K]: where each sequence begins
        t = int(span.sum(1).max())
        x = torch.zeros(batch_size, t, self.bits + 1)
        y = torch.zeros(batch_size, t, self.bits)
        mask = torch.zeros(batch_size, t)
        rows = torch.arange(batch_size)[:, None].expand(batch_size, k)
        x[rows, start + lengths, self.bits] = 1.0  # one delimiter per sequence
        rows3 = rows[..., None].expand_as(valid)[valid]
        in_steps = (start[..., None] + item)[valid]  # the vectors, then ...
        out_steps = (start[..., None] + lengths[..., None] + 1 + item)[valid]  # ... the same vectors as targets
        x[rows3, in_steps, : self.bits] = seq[valid]
        y[rows3, out_steps] = seq[valid]
        mask[rows3, out_steps] = 1.0
        return Batch(x, y, mask)
