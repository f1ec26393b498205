"""Priority sort (section 4.5 of the paper): read vectors tagged with priorities, then write out the
highest-priority ones, highest first.

Each of ``items`` random ``bits``-bit vectors (paper: 20; the paper does not give the width, we use
8 bits as in the copy task) comes with a scalar priority drawn uniformly from ``[-1, 1]``. For
``K = items`` and ``S = outputs`` (paper: 16), ``input_size = bits + 2``, ``output_size = bits``:

====================  =========================================================================
steps                 input ``x``
====================  =========================================================================
``0 .. K-1``          vector ``k`` in channels ``0 .. bits-1``, its priority in channel ``bits``
``K``                 the delimiter: channel ``bits + 1`` = 1, all others 0
``K+1 .. K+S``        all zero: the model answers here
====================  =========================================================================

The target at step ``K+1+j`` (``mask`` = 1 there) is the vector with the ``j``-th highest
priority, ``j = 0 .. S-1``; so ``T = K + S + 1`` steps (37 at the paper's sizes).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .base import Batch, check_batch_size, check_range, random_bits


@dataclass
class PrioritySortTask:
    """Sort ``items`` prioritised vectors and output the top ``outputs`` (paper: 20 in, 16 out).

    ``sample(batch_size, generator, items=K, outputs=S)`` overrides the counts (``S <= K``).
    """

    items: int = 20
    outputs: int = 16
    bits: int = 8
    name: str = "priority_sort"

    def __post_init__(self):
        check_range("outputs/items", self.outputs, self.items)
        check_range("bits", self.bits, self.bits)

    @property
    def input_size(self) -> int:
        return self.bits + 2

    @property
    def output_size(self) -> int:
        return self.bits

    def sample_with_priorities(self, batch_size: int, generator: torch.Generator, items: int | None = None,
                               outputs: int | None = None) -> tuple[Batch, torch.Tensor]:
        """A batch and the priorities ``[B, items]`` it was built from."""
        check_batch_size(batch_size)
        K = self.items if items is None else items
        S = min(self.outputs, K) if outputs is None else outputs
        check_range("outputs/items", S, K)
        vectors = random_bits((batch_size, K, self.bits), generator)
        priority = torch.rand(batch_size, K, generator=generator) * 2 - 1  # uniform in [-1, 1]
        order = priority.argsort(dim=1, descending=True)[:, :S]  # [B, S], highest first
        x = torch.zeros(batch_size, K + S + 1, self.bits + 2)
        y = torch.zeros(batch_size, K + S + 1, self.bits)
        mask = torch.zeros(batch_size, K + S + 1)
        x[:, :K, : self.bits] = vectors
        x[:, :K, self.bits] = priority
        x[:, K, self.bits + 1] = 1.0
        y[:, K + 1 :] = vectors.gather(1, order.unsqueeze(-1).expand(-1, -1, self.bits))
        mask[:, K + 1 :] = 1.0
        return Batch(x, y, mask), priority

    def sample(self, batch_size: int, generator: torch.Generator, items: int | None = None,
               outputs: int | None = None) -> Batch:
        """A batch of sort sequences with the task's counts unless ``items``/``outputs`` are given.

        With only ``items`` given, ``outputs`` keeps the task's value, capped at ``items``.
        """
        return self.sample_with_priorities(batch_size, generator, items, outputs)[0]


def answer_errors(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Wrong bits of each answer ``[B, S]`` (answer 0 = highest priority).

    Args:
        logits: ``[B, T, bits]``; batch: a sort batch whose scored steps are its last ``S`` steps.
    """
    if logits.shape != batch.y.shape:
        raise ValueError(f"logits: expected shape {list(batch.y.shape)}, got {list(logits.shape)}")
    S = int(batch.mask[0].sum())
    return ((logits[:, -S:] > 0) != (batch.y[:, -S:] > 0.5)).float().sum(-1)


def errors_per_position(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """Mean wrong bits at each scored output position ``[S]`` (position 0 = highest priority).

    Args:
        logits: ``[B, T, bits]``; batch: a sort batch whose scored steps are its last ``S`` steps.
    """
    return answer_errors(logits, batch).mean(0)


def sort_quality(logits: torch.Tensor, batch: Batch) -> dict[str, float]:
    """How well a batch was sorted, beyond the mean bit errors: the share of output vectors with
    all bits right, and the share of sequences sorted perfectly (every bit of every output right).

    Args:
        logits: ``[B, T, bits]``; batch: a sort batch whose scored steps are its last ``S`` steps.

    Returns:
        ``bit_errors`` (mean wrong bits per sequence), ``vectors_right`` and ``perfect`` (fractions).
    """
    wrong = answer_errors(logits, batch)  # [B, S]
    return {"bit_errors": float(wrong.sum(-1).mean()), "vectors_right": float((wrong == 0).float().mean()),
            "perfect": float((wrong.sum(-1) == 0).float().mean())}


def signed_rows(w: torch.Tensor) -> torch.Tensor:
    """The most-weighted row of each weighting ``[..., N]`` -> ``[...]``, as an offset around row 0.

    The memory wraps (Eq. 8 shifts row ``N-1`` next to row 0), so rows from ``N/2`` on count as
    negative: rows 126, 127, 0, 1 read -2, -1, 0, 1, and a run of locations across the wrap stays a run.
    """
    if not isinstance(w, torch.Tensor) or w.dim() < 1:
        raise TypeError(f"w: expected a tensor of shape [..., N], got {type(w).__name__}")
    n = w.shape[-1]
    rows = w.argmax(-1)
    return torch.where(rows >= (n + 1) // 2, rows - n, rows)


def read_write_agreement(priority: torch.Tensor, read_w: torch.Tensor, write_w: torch.Tensor) -> torch.Tensor:
    """How often each read head, while answering, is on the row where a write head stored the answer.

    Args:
        priority: ``[B, K]`` the inputs' priorities (:meth:`PrioritySortTask.sample_with_priorities`);
        read_w, write_w: ``[B, T, H_r, N]`` and ``[B, T, H_w, N]`` from a trace of the same batch,
            ``T = K + 1 + S`` (inputs, delimiter, answers).
    Returns ``[H_r, H_w]``: for read head ``i`` and write head ``j``, the fraction of answer steps
    ``K+1+s`` at which read head ``i``'s most-weighted row is the row where head ``j`` wrote the
    input with the ``s``-th highest priority. The sorting algorithm of the paper's Fig. 17 scores
    near 1 for some pair; reading rows at random would score about ``1/N``.
    """
    if priority.dim() != 2 or read_w.dim() != 4 or write_w.dim() != 4:
        raise ValueError(f"priority, read_w, write_w: expected [B, K], [B, T, H_r, N], [B, T, H_w, N], got "
                         f"{list(priority.shape)}, {list(read_w.shape)}, {list(write_w.shape)}")
    B, K = priority.shape
    S = read_w.shape[1] - K - 1
    if S < 1 or S > K or write_w.shape[:2] != read_w.shape[:2] or read_w.shape[0] != B:
        raise ValueError(f"read_w, write_w: expected [B={B}, T, H, N] with K + 2 <= T <= 2K + 1 (K={K}), got "
                         f"{list(read_w.shape)} and {list(write_w.shape)}")
    order = priority.argsort(dim=1, descending=True)[:, :S]  # [B, S]
    stored = write_w[:, :K].argmax(-1)  # [B, K, H_w] row of each input, per write head
    wanted = stored.gather(1, order[..., None].expand(-1, -1, stored.shape[-1]))  # [B, S, H_w]
    reading = read_w[:, K + 1 :].argmax(-1)  # [B, S, H_r]
    return (reading[..., :, None] == wanted[..., None, :]).float().mean((0, 1))


def main_writes(write_w: torch.Tensor, items: int) -> torch.Tensor:
    """The write weightings ``[B, K, N]`` of the ``K = items`` input steps of one write head: a DNC's
    only one (``write_w`` ``[B, T, N]``), or the NTM write head with the highest mean peak weight
    (``write_w`` ``[B, T, H_w, N]``; the trained sort NTMs write nearly everything with one head)."""
    if write_w.dim() not in (3, 4) or not 1 <= items <= write_w.shape[1]:
        raise ValueError(f"write_w, items: expected [B, T, N] or [B, T, H_w, N] with 1 <= items <= T, got "
                         f"{list(write_w.shape)} and {items!r}")
    writes = write_w[:, :items]
    if writes.dim() == 4:
        writes = writes[:, :, int(writes.max(-1).values.mean((0, 1)).argmax())]
    return writes


def write_spread(write_w: torch.Tensor) -> dict[str, torch.Tensor]:
    """How widely one head's writes ``[B, K, N]`` are spread, per sequence ``[B]``: ``distinct``, the
    number of different most-weighted rows, and ``span``, the rows from the lowest to the highest of
    them as :func:`signed_rows` counts them (across the wrap-around at row 0)."""
    if write_w.dim() != 3:
        raise ValueError(f"write_w: expected [B, K, N], got {list(write_w.shape)}")
    rows = write_w.argmax(-1)  # [B, K]
    distinct = (torch.nn.functional.one_hot(rows, write_w.shape[-1]).amax(1) > 0).sum(-1)
    signed = signed_rows(write_w)
    return {"distinct": distinct, "span": signed.amax(1) - signed.amin(1) + 1}


def shared_rows(priority: torch.Tensor, write_w: torch.Tensor, outputs: int) -> torch.Tensor:
    """For each answer, whether its input was stored on a row where another input was stored too.

    A row written twice holds a blend of two vectors, or at best (a full erase) only the later one:
    at most one of them can be read back, and the sort's answers can only be as good as the writes
    kept them apart.

    Args:
        priority: ``[B, K]`` the inputs' priorities; write_w: ``[B, K, N]`` one write head's weightings
            at the ``K`` input steps; outputs: ``S``, the number of answers (``1 <= S <= K``).
    Returns ``[B, S]`` booleans, answer ``s`` (the input with the ``s``-th highest priority) first:
    True where that input's most-weighted row is also another input's most-weighted row.
    """
    if priority.dim() != 2 or write_w.dim() != 3 or write_w.shape[:2] != priority.shape:
        raise ValueError(f"priority, write_w: expected [B, K] and [B, K, N], got {list(priority.shape)} "
                         f"and {list(write_w.shape)}")
    if isinstance(outputs, bool) or not isinstance(outputs, int) or not 1 <= outputs <= priority.shape[1]:
        raise ValueError(f"outputs: expected an int in 1..{priority.shape[1]}, got {outputs!r}")
    return _shared(priority, write_w.argmax(-1), outputs)


def _answers(priority: torch.Tensor, per_input: torch.Tensor, outputs: int) -> torch.Tensor:
    """``per_input`` ``[B, K]`` reordered to the answers ``[B, S]``, highest priority first."""
    return per_input.gather(1, priority.argsort(dim=1, descending=True)[:, :outputs])


def _shared(priority: torch.Tensor, rows: torch.Tensor, outputs: int) -> torch.Tensor:
    """:func:`shared_rows` from each input's row ``[B, K]``."""
    same = rows[:, :, None] == rows[:, None, :]  # [B, K, K]
    return _answers(priority, same.sum(-1) > 1, outputs)


def _overwritten(priority: torch.Tensor, rows: torch.Tensor, outputs: int) -> torch.Tensor:
    """Per answer ``[B, S]``: whether a later input (inputs are written in order) went to its row."""
    same = rows[:, :, None] == rows[:, None, :]  # [B, k, j]
    later = torch.ones_like(same[0]).triu(1)  # j > k
    return _answers(priority, (same & later).any(-1), outputs)


def even_address_collisions(rows: int, items: int = 20, outputs: int = 16, samples: int = 20_000,
                            seed: int = 0) -> dict[str, float]:
    """What addresses computed from the priority alone can keep apart: ``items`` priorities drawn as
    the task draws them (uniform in ``[-1, 1]``) are mapped to ``rows`` equal-width bins of
    ``[-1, 1]``, one row each, written in input order, and the top ``outputs`` are checked.

    Equal-width bins are the equally likely ones for uniform priorities, which make two inputs'
    collision least likely (``sum_r p_r^2`` is smallest when every ``p_r = 1/rows``).

    Returns fractions of the answers (and of sequences):

    * ``alone``: alone on their row (as :func:`shared_rows` counts);
    * ``readable``: the last write to their row. If a row keeps one vector, the last one written
      (a full erase), this is the most answers such a sort can read back; a blend keeps fewer;
    * ``sequences_apart``: sequences with every answer alone.
    """
    for name, value, low in [("rows", rows, 1), ("items", items, 1), ("outputs", outputs, 1), ("samples", samples, 1)]:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name}: expected a positive int, got {value!r}")
    if outputs > items:
        raise ValueError(f"outputs: expected at most items ({items}), got {outputs}")
    priority = torch.rand(samples, items, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * 2 - 1
    row = ((priority + 1) / 2 * rows).floor().clamp(max=rows - 1).long()
    shared = _shared(priority, row, outputs)
    return {"alone": 1 - float(shared.double().mean()),
            "readable": 1 - float(_overwritten(priority, row, outputs).double().mean()),
            "sequences_apart": float((~shared).all(1).double().mean())}
