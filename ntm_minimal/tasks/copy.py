"""The copy task (section 4.1 of the paper): read a sequence of random bit vectors, then write it out.

Channel layout (``bits = 8`` by default, so ``input_size = 9``), for a sequence of length ``L``:

======================  =========================================================
steps                   input ``x``
======================  =========================================================
``0 .. L-1``            the vectors, channels ``0 .. bits-1``; channel ``bits`` = 0
``L``                   the delimiter: channel ``bits`` = 1, all others 0
``L+1 .. 2L``           all zero: the model answers here
======================  =========================================================

The target at steps ``L+1 .. 2L`` is the ``L`` vectors in order (``mask`` = 1 there), so for a
batch of one length the scored outputs are ``logits[:, L+1:, :bits]``. In a batch of mixed lengths
each sequence is padded with zero steps to ``2 * max(L) + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from .base import Batch, check_batch_size, check_int_range, draw_int, random_bits

#: The NTM of the paper's copy experiment (Graves et al. 2014, Table 2) for 8-bit vectors: an LSTM
#: controller of 100 units, a 128 x 20 memory, one read and one write head, shifts of -1, 0, +1.
PAPER_NTM = dict(
    input_size=9,
    output_size=8,
    controller="lstm",
    controller_size=100,
    memory_n=128,
    memory_m=20,
    read_heads=1,
    write_heads=1,
    shift_range=1,
)


@dataclass
class CopyTask:
    """Copy sequences of ``min_len .. max_len`` random ``bits``-bit vectors (paper: 1..20, 8 bits).

    ``sample(batch_size, generator, length=L)`` draws every sequence with length ``L`` instead.
    """

    #: The setting that bounds each curriculum field from below (:func:`~.base.curriculum_floor`).
    CURRICULUM_FLOORS: ClassVar[dict[str, str]] = {"max_len": "min_len"}

    min_len: int = 1
    max_len: int = 20
    bits: int = 8
    name: str = "copy"

    def __post_init__(self):
        check_int_range("min_len/max_len", self.min_len, self.max_len)
        check_int_range("bits", self.bits, self.bits)

    @property
    def input_size(self) -> int:
        return self.bits + 1

    @property
    def output_size(self) -> int:
        return self.bits

    def sample(self, batch_size: int, generator: torch.Generator, length: int | None = None) -> Batch:
        """A batch of copy sequences; lengths uniform in ``min_len..max_len`` unless ``length`` is given."""
        check_batch_size(batch_size)
        if length is None:
            lengths = draw_int(self.min_len, self.max_len, batch_size, generator)
        else:
            check_int_range("length", length, length)
            lengths = torch.full((batch_size,), length)
        top = int(lengths.max())
        t = 2 * top + 1
        seq = random_bits((batch_size, top, self.bits), generator)
        steps = torch.arange(top)
        seq = seq * (steps < lengths[:, None]).unsqueeze(-1)  # zero beyond each sequence's length
        x = torch.zeros(batch_size, t, self.bits + 1)
        y = torch.zeros(batch_size, t, self.bits)
        mask = torch.zeros(batch_size, t)
        rows = torch.arange(batch_size)
        x[:, :top, : self.bits] = seq
        x[rows, lengths, self.bits] = 1.0
        # Output step L+1+i carries vector i: scatter the vectors to start right after the delimiter.
        out_steps = lengths[:, None] + 1 + steps  # [B, top]
        valid = steps < lengths[:, None]
        y[rows[:, None].expand_as(out_steps)[valid], out_steps[valid]] = seq[valid]
        mask[rows[:, None].expand_as(out_steps)[valid], out_steps[valid]] = 1.0
        return Batch(x, y, mask)
