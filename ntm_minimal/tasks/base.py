"""What every task shares: a :class:`Batch` of inputs, targets and a mask of scored steps.

All tasks of the paper's section 4 fit one format, so one training loop, one loss and one set of
metrics serve them all:

* ``x`` ``[B, T, input_size]``: the input at every step;
* ``y`` ``[B, T, output_size]``: the target at every step (bits, or probabilities for N-grams);
* ``mask`` ``[B, T]``: 1 at the steps whose output is scored, 0 elsewhere.

Sequences of different lengths share a batch by padding at the end with all-zero steps and mask 0.
A model is causal, so padding after a sequence cannot change its scored outputs.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

import torch


class Batch(NamedTuple):
    """One batch of a task: inputs, targets and the mask of scored steps (all float32, CPU)."""

    x: torch.Tensor  # [B, T, input_size]
    y: torch.Tensor  # [B, T, output_size]
    mask: torch.Tensor  # [B, T]

    def to(self, device: torch.device | str) -> Batch:
        return Batch(*(t.to(device) for t in self))


class Task(Protocol):
    """A task draws seeded batches; ``input_size``/``output_size`` size the model."""

    name: str
    input_size: int
    output_size: int

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch: ...


def draw_int(low: int, high: int, size: int, generator: torch.Generator) -> torch.Tensor:
    """``size`` integers uniform in ``low..high`` (both included)."""
    return torch.randint(low, high + 1, (size,), generator=generator)


def random_bits(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """Bernoulli(0.5) bits as float32."""
    return torch.randint(0, 2, shape, generator=generator).float()


def check_int_range(name: str, low: int, high: int, minimum: int = 1) -> None:
    """Task settings: ``minimum <= low <= high``, integers."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        raise TypeError(f"{name}: expected ints, got {low!r}, {high!r}")
    if not minimum <= low <= high:
        raise ValueError(f"{name}: expected {minimum} <= min <= max, got min={low}, max={high}")


def curriculum_floor(task: object, field: str) -> int:
    """The smallest value a curriculum may give setting ``field`` of ``task``: the setting the task's
    ``CURRICULUM_FLOORS`` names for it (e.g. ``min_len`` for ``max_len``), else 1."""
    floor = getattr(type(task), "CURRICULUM_FLOORS", {}).get(field)
    return getattr(task, floor) if floor is not None else 1


def check_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
    return batch_size
