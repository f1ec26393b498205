"""Analyses of a trained model's trace: where its heads wrote and read, and what that says about the
algorithm it learned. The task modules (:mod:`ntm_minimal.tasks`) generate the data and score the
outputs; the functions here read the weightings of a trace (``forward(x, return_trace=True)``).

Priority sort (chapters 12 and 12b): :func:`signed_rows`, :func:`read_write_agreement`,
:func:`main_writes`, :func:`write_spread`, :func:`shared_rows`, :func:`even_address_collisions` (the
best any address computed from the priority can do), :func:`rank_overlap` (which input a read finds,
by priority rank), and :func:`priority_gaps` with :func:`share_right_by_gap` (which answers are hard:
those whose priorities lie close together). Dynamic N-grams (chapter 11): :func:`record_overlap`,
:func:`same_context_records` and :func:`same_context_read_share`.
"""

from __future__ import annotations

import torch

from .tasks.ngrams import contexts
from .validation import check_tensor

# ---------------------------------------------------------------- priority sort


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
        priority: ``[B, K]`` the inputs' priorities
            (:meth:`~ntm_minimal.tasks.priority_sort.PrioritySortTask.sample_with_priorities`);
        read_w, write_w: ``[B, T, H_r, N]`` and ``[B, T, H_w, N]`` from a trace of the same batch,
            ``T = K + 1 + S`` (inputs, delimiter, answers).
    Returns ``[H_r, H_w]``: for read head ``i`` and write head ``j``, the fraction of answer steps
    ``K+1+s`` at which read head ``i``'s most-weighted row is the row where head ``j`` wrote the
    input with the ``s``-th highest priority. The sorting algorithm of the paper's Fig. 17 scores
    near 1 for some pair; reading rows at random would score about ``1/N``.
    """
    if priority.dim() != 2 or read_w.dim() != 4 or write_w.dim() != 4:
        raise ValueError(
            f"priority, read_w, write_w: expected [B, K], [B, T, H_r, N], [B, T, H_w, N], got "
            f"{list(priority.shape)}, {list(read_w.shape)}, {list(write_w.shape)}"
        )
    B, K = priority.shape
    S = read_w.shape[1] - K - 1
    if S < 1 or S > K or write_w.shape[:2] != read_w.shape[:2] or read_w.shape[0] != B:
        raise ValueError(
            f"read_w, write_w: expected [B={B}, T, H, N] with K + 2 <= T <= 2K + 1 (K={K}), got "
            f"{list(read_w.shape)} and {list(write_w.shape)}"
        )
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
        raise ValueError(
            f"write_w, items: expected [B, T, N] or [B, T, H_w, N] with 1 <= items <= T, got "
            f"{list(write_w.shape)} and {items!r}"
        )
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
        raise ValueError(
            f"priority, write_w: expected [B, K] and [B, K, N], got {list(priority.shape)} and {list(write_w.shape)}"
        )
    if isinstance(outputs, bool) or not isinstance(outputs, int) or not 1 <= outputs <= priority.shape[1]:
        raise ValueError(f"outputs: expected an int in 1..{priority.shape[1]}, got {outputs!r}")
    return _shared(priority, write_w.argmax(-1), outputs)


def rank_overlap(priority: torch.Tensor, read_w: torch.Tensor, write_w: torch.Tensor) -> torch.Tensor:
    """How much of each read lands where the input of each priority rank was written: ``[B, H_r, S, K]``.

    Entry ``[b, h, s, k]`` is ``w_r(s) . w_w(k-th highest priority)``: read head ``h``'s weighting at
    read step ``s`` (e.g. the step before answer ``s``) against the write weighting of the input with
    the ``k``-th highest priority. A model that reads its inputs in order of priority puts the
    weight of row ``s`` on column ``k = s``, wherever in memory the inputs were written.

    Args:
        priority: ``[B, K]`` the inputs' priorities; read_w: ``[B, S, H_r, N]`` read weightings at
            ``S`` steps; write_w: ``[B, K, N]`` one write head's weightings at the ``K`` input steps.
    """
    if priority.dim() != 2 or write_w.dim() != 3 or write_w.shape[:2] != priority.shape:
        raise ValueError(
            f"priority, write_w: expected [B, K] and [B, K, N], got {list(priority.shape)} and {list(write_w.shape)}"
        )
    if read_w.dim() != 4 or read_w.shape[0] != priority.shape[0] or read_w.shape[-1] != write_w.shape[-1]:
        raise ValueError(
            f"read_w: expected [B, S, H_r, N] with B = {priority.shape[0]} and N = {write_w.shape[-1]}, "
            f"got {list(read_w.shape)}"
        )
    order = priority.argsort(dim=1, descending=True)  # [B, K]: input index of each rank
    ranked = write_w.gather(1, order[:, :, None].expand_as(write_w))  # [B, K, N] by rank
    return torch.einsum("bshn,bkn->bhsk", read_w, ranked)


def priority_gaps(priority: torch.Tensor, outputs: int) -> torch.Tensor:
    """How close each answer's priority is to its neighbours in the sorted list: ``[B, S]``.

    Answer ``s`` is the input with the ``s``-th highest priority; its gap is the smaller of the
    distances to the priorities just above and just below it among all ``K`` inputs (the input
    ranked ``S + 1``, not answered, counts as the last answer's neighbour). Two inputs with nearly
    equal priorities are the hardest to put in order.

    Args:
        priority: ``[B, K]`` the inputs' priorities; outputs: ``S``, the number of answers (``1 <= S <= K``, ``K >= 2``).
    """
    if not isinstance(priority, torch.Tensor) or priority.dim() != 2 or priority.shape[1] < 2:
        shape = list(priority.shape) if isinstance(priority, torch.Tensor) else type(priority).__name__
        raise ValueError(f"priority: expected [B, K] with K >= 2, got {shape}")
    if isinstance(outputs, bool) or not isinstance(outputs, int) or not 1 <= outputs <= priority.shape[1]:
        raise ValueError(f"outputs: expected an int in 1..{priority.shape[1]}, got {outputs!r}")
    ranked = priority.sort(dim=1, descending=True).values  # [B, K]
    step = ranked[:, :-1] - ranked[:, 1:]  # [B, K-1]: gap between ranks k and k+1
    inf = torch.full_like(step[:, :1], float("inf"))
    above, below = torch.cat([inf, step], 1), torch.cat([step, inf], 1)  # [B, K] each
    return torch.minimum(above, below)[:, :outputs]


def share_right_by_gap(gaps: torch.Tensor, right: torch.Tensor, edges) -> list[dict[str, float]]:
    """The share of answers right in each band of :func:`priority_gaps`.

    Args:
        gaps: ``[B, S]`` from :func:`priority_gaps`; right: ``[B, S]`` booleans (all bits of the answer
            right); edges: increasing band edges, e.g. ``[0, 0.01, 0.05, 0.1, 2]``.
    Returns one dict per band ``[lo, hi)``: ``lo``, ``hi``, ``answers`` (how many fall in it; a band
    with none has ``share_right`` NaN) and ``share_right``.
    """
    if gaps.shape != right.shape or gaps.dim() != 2:
        raise ValueError(f"gaps, right: expected the same shape [B, S], got {list(gaps.shape)} and {list(right.shape)}")
    edges = [float(e) for e in edges]
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError(f"edges: expected at least two increasing values, got {edges}")
    bands = []
    for lo, hi in zip(edges, edges[1:]):
        inside = (gaps >= lo) & (gaps < hi)
        n = int(inside.sum())
        bands.append(
            {
                "lo": lo,
                "hi": hi,
                "answers": n,
                "share_right": float(right[inside].float().mean()) if n else float("nan"),
            }
        )
    return bands


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


def even_address_collisions(
    rows: int, items: int = 20, outputs: int = 16, samples: int = 20_000, seed: int = 0
) -> dict[str, float]:
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
    return {
        "alone": 1 - float(shared.double().mean()),
        "readable": 1 - float(_overwritten(priority, row, outputs).double().mean()),
        "sequences_apart": float((~shared).all(1).double().mean()),
    }


# ---------------------------------------------------------------- dynamic N-grams


def record_overlap(read_w: torch.Tensor, write_w: torch.Tensor) -> torch.Tensor:
    """How much of the read at step ``t`` lands where the write of step ``s`` went: ``[B, T, T]``.

    ``read_w, write_w``: ``[B, T, N]``, one read and one write head of a trace. Entry ``[b, t, s]``
    is ``w_r(t) . w_w(s)`` for ``s <= t`` (the NTM writes before it reads within a step), 0 above.
    With sharp writes to distinct rows, row ``t`` is the read at ``t`` spread over earlier writes.
    """
    check_tensor("read_w", read_w, "[B, T, N]")
    if read_w.dim() != 3:
        raise ValueError(f"read_w: expected shape [B, T, N], got {list(read_w.shape)}")
    check_tensor("write_w", write_w, "[B, T, N]")
    if write_w.shape != read_w.shape:
        raise ValueError(f"write_w: expected the shape of read_w {list(read_w.shape)}, got {list(write_w.shape)}")
    return torch.einsum("btn,bsn->bts", read_w, write_w).tril()


def same_context_records(bits: torch.Tensor, context: int = 5) -> torch.Tensor:
    """``[B, T, T]`` bool: did the input at an earlier step ``s < t`` complete the context step ``t`` predicts?

    ``bits``: ``[B, T+1]`` (:func:`batch_bits`). At step ``t`` the model reads bit ``b_t``, which
    ends an occurrence of context ``c(b_t)``, and predicts ``b_{t+1}``, whose context is ``c(b_{t+1})``.
    A memory used as a log of (context, next bit) records would be looked up by ``[b, t, s]``.
    """
    ctx = contexts(bits, context)
    query, record = ctx[:, 1:], ctx[:, :-1]
    T = query.shape[1]
    earlier = torch.ones(T, T, dtype=torch.bool).tril(-1)
    return (record[:, None, :] == query[:, :, None]) & (query[:, :, None] >= 0) & earlier


def same_context_read_share(
    bits: torch.Tensor, read_w: torch.Tensor, write_w: torch.Tensor, context: int = 5, lag: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Share of each read that falls on rows written by earlier records of the predicted context.

    Returns ``(share, chance)``, each ``[B, T]``, NaN at steps whose context has no earlier record.
    ``share`` is the read weight on the rows those writes went to (a row counts once, however many
    records it holds); ``chance`` is what the same read would put there if it picked among the
    rows of *all* earlier records regardless of context: its weight on those rows times the
    fraction of the records that have the predicted context.

    ``lag``: the record of the input at step ``s`` is looked for where step ``s + lag`` wrote (a
    model may store an outcome a step or more after it saw it); records not yet written at the
    read step ``t`` (``s + lag > t``) do not count.
    """
    record_overlap(read_w, write_w)  # validates the weightings
    bits = torch.as_tensor(bits)
    if bits.dim() != 2 or bits.shape[0] != read_w.shape[0] or bits.shape[1] != read_w.shape[1] + 1:
        raise ValueError(
            f"bits: expected shape [B, T+1] for weightings [B, T, N], got {list(bits.shape)} and {list(read_w.shape)}"
        )
    T = read_w.shape[1]
    if isinstance(lag, bool) or not isinstance(lag, int) or not 0 <= lag < T:
        raise ValueError(f"lag: expected an int in 0..{T - 1} (steps of the weightings), got {lag!r}")
    written = torch.ones(T, T, dtype=torch.bool).tril(-max(lag, 1))  # [t, s]: record s is in memory at t
    same = same_context_records(bits, context) & written
    record = contexts(bits, context)[:, :-1]
    any_record = (record[:, None, :] >= 0) & written
    record_rows = torch.cat([write_w[:, lag:], torch.zeros_like(write_w[:, :lag])], dim=1)  # row of record s

    def weight_on_rows(chosen: torch.Tensor) -> torch.Tensor:  # [B, T, T] -> [B, T]
        rows = torch.einsum("bts,bsn->btn", chosen.to(write_w.dtype), record_rows).clamp(max=1)
        return (read_w * rows).sum(-1)

    n_same = same.sum(-1)
    share = weight_on_rows(same)
    chance = weight_on_rows(any_record) * n_same / any_record.sum(-1).clamp(min=1)
    missing = n_same == 0
    return share.masked_fill(missing, float("nan")), chance.masked_fill(missing, float("nan"))
