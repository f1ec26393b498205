"""The repeat copy task (section 4.2 of the paper): read a sequence, then write it out ``R`` times.

The number of repeats ``R`` arrives on its own input channel, scaled by ``repeat_scale`` (default
10, so the paper's training range 1..10 maps to 0.1..1.0; the scale is a fixed setting, not
``max_repeats``, so asking for more repeats than in training feeds the model values above 1, as in
the paper's generalisation test). The model must also say when it is done: after the ``R`` copies
it raises an end marker on an extra output channel.

Channel layout (``bits = 8`` by default: ``input_size = 10``, ``output_size = 9``), for a sequence
of length ``L`` and ``R`` repeats:

=======================  ================================================  ===================================
steps                    input ``x``                                       target ``y`` (``mask``)
=======================  ================================================  ===================================
``0 .. L-1``             the vectors, channels ``0 .. bits-1``             0 (mask 0)
``L``                    delimiter: channel ``bits`` = 1, channel          0 (mask 0)
                         ``bits+1`` = ``R / repeat_scale``
``L+1 .. L+R*L``         all zero: the model answers here                  vector ``(t-L-1) mod L`` on
                                                                           ``0 .. bits-1``, channel ``bits``
                                                                           = 0 (mask 1)
``L+R*L+1``              all zero                                          end marker: channel ``bits`` = 1,
                                                                           others 0 (mask 1)
=======================  ================================================  ===================================

A sequence spans ``(R+1)*L + 2`` steps. In a batch of mixed lengths and repeats every sequence is
padded with zero steps (mask 0) to the longest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from .base import Batch, check_batch_size, check_int_range, draw_int, random_bits


@dataclass
class RepeatCopyTask:
    """Repeat sequences of ``min_len .. max_len`` random vectors ``min_repeats .. max_repeats`` times.

    Paper: lengths 1..10, repeats 1..10, 8 bits. ``sample(batch_size, generator, length=L,
    repeats=R)`` fixes the length and/or the number of repeats of every sequence instead.
    """

    #: The setting that bounds each curriculum field from below (:func:`~.base.curriculum_floor`).
    CURRICULUM_FLOORS: ClassVar[dict[str, str]] = {"max_len": "min_len", "max_repeats": "min_repeats"}

    min_len: int = 1
    max_len: int = 10
    min_repeats: int = 1
    max_repeats: int = 10
    bits: int = 8
    repeat_scale: float = 10.0
    name: str = "repeat_copy"

    def __post_init__(self):
        check_int_range("min_len/max_len", self.min_len, self.max_len)
        check_int_range("min_repeats/max_repeats", self.min_repeats, self.max_repeats)
        check_int_range("bits", self.bits, self.bits)
        if (
            isinstance(self.repeat_scale, bool)
            or not isinstance(self.repeat_scale, (int, float))
            or not self.repeat_scale > 0
        ):
            raise ValueError(f"repeat_scale: expected a positive number, got {self.repeat_scale!r}")

    @property
    def input_size(self) -> int:
        return self.bits + 2

    @property
    def output_size(self) -> int:
        return self.bits + 1

    def _draw(self, name: str, low: int, high: int, fixed: int | None, size: int, generator) -> torch.Tensor:
        """``size`` values uniform in ``low..high``, or all equal to ``fixed`` when it is given."""
        if fixed is None:
            return draw_int(low, high, size, generator)
        check_int_range(name, fixed, fixed)
        return torch.full((size,), fixed)

    def sample(
        self, batch_size: int, generator: torch.Generator, length: int | None = None, repeats: int | None = None
    ) -> Batch:
        """A batch of repeat-copy sequences (layout in the module docstring).

        Returns a :class:`Batch` with ``x`` ``[B, T, bits+2]``, ``y`` ``[B, T, bits+1]``,
        ``mask`` ``[B, T]``, ``T = max((R+1)*L + 2)`` over the batch.
        """
        check_batch_size(batch_size)
        lengths = self._draw("length", self.min_len, self.max_len, length, batch_size, generator)
        reps = self._draw("repeats", self.min_repeats, self.max_repeats, repeats, batch_size, generator)
        top = int(lengths.max())
        ends = lengths + reps * lengths + 1  # the step of the end marker, [B]
        t = int(ends.max()) + 1
        seq = random_bits((batch_size, top, self.bits), generator)
        steps = torch.arange(top)
        seq = seq * (steps < lengths[:, None]).unsqueeze(-1)  # zero beyond each sequence's length
        rows = torch.arange(batch_size)
        x = torch.zeros(batch_size, t, self.bits + 2)
        x[:, :top, : self.bits] = seq
        x[rows, lengths, self.bits] = 1.0
        x[rows, lengths, self.bits + 1] = reps.float() / self.repeat_scale
        # Output step t (L < t < end) carries vector (t - L - 1) mod L: gather it for every step at once.
        time = torch.arange(t)[None, :]  # [1, T]
        answering = (time > lengths[:, None]) & (time < ends[:, None])  # [B, T]
        source = (time - lengths[:, None] - 1).clamp(min=0) % lengths[:, None]  # [B, T]
        y = torch.zeros(batch_size, t, self.bits + 1)
        y[..., : self.bits] = torch.gather(seq, 1, source.unsqueeze(-1).expand(-1, -1, self.bits))
        y[..., : self.bits] *= answering.unsqueeze(-1)
        y[rows, ends, self.bits] = 1.0
        mask = (answering | (time == ends[:, None])).float()
        return Batch(x, y, mask)
