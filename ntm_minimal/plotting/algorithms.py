"""Pictures for the algorithm chapters: associative recall, dynamic N-grams and priority sort.

Learning curves, generalisation and Fig. 6-style traces come from :mod:`.tasks`; this module adds
what only these tasks need. Figure-level functions take *one* example (no batch dimension) and
return the :class:`~matplotlib.figure.Figure`; end the notebook cell with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from .arrays import to_numpy
from .style import COLORS, WEIGHT_CMAP

__all__ = [
    "MODEL_COLORS",
    "add_reference_line",
    "plot_ngram_predictions",
    "plot_context_rows",
    "plot_record_lookup",
    "plot_sort_writes",
    "plot_sort_reads",
    "plot_sort_write_order",
    "plot_rank_overlap",
    "plot_errors_per_position",
]

#: One colour per model family in every comparison.
MODEL_COLORS = {"NTM": COLORS["write"], "LSTM": COLORS["read"], "DNC": COLORS["content"], "optimal": "black"}


def add_reference_line(fig, value: float, label: str = "optimal estimator"):
    """A dashed horizontal line at ``value`` on the first axes of ``fig`` (e.g. the N-gram optimum)."""
    ax = fig.axes[0]
    ax.axhline(value, color=MODEL_COLORS["optimal"], ls="--", lw=1, label=label)
    ax.legend()
    return fig


def plot_ngram_predictions(bits, predictions: Mapping[str, Sequence[float]], steps: slice = slice(0, 100)):
    """Fig. 15-style: one sequence's bits and each predictor's ``P(next bit = 1)`` over time.

    Args:
        bits: ``[T]`` the sequence; predictions: ``{label: [T]}`` probabilities for each bit.
    """
    bits = to_numpy(bits)[steps]
    t = np.arange(len(to_numpy(bits))) + (steps.start or 0)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 3.6), sharex=True, gridspec_kw=dict(height_ratios=[1, 3]))
    top.imshow(
        bits[None],
        aspect="auto",
        cmap=WEIGHT_CMAP,
        vmin=0,
        vmax=1,
        interpolation="nearest",
        extent=(t[0] - 0.5, t[-1] + 0.5, 0, 1),
    )
    top.set_yticks([])
    top.set_title("the sequence (black = 1)")
    for label, p in predictions.items():
        color = next((c for k, c in MODEL_COLORS.items() if label.startswith(k)), None)
        bottom.plot(
            t,
            to_numpy(p)[steps],
            label=label,
            color=color,
            lw=1.6 if label.startswith("optimal") else 1.1,
            ls="--" if label.startswith("optimal") else "-",
        )
    bottom.set_ylim(-0.02, 1.3)  # head room for the legend above the curves
    bottom.set_yticks([0, 0.25, 0.5, 0.75, 1])
    bottom.set_xlabel("time step t")
    bottom.set_ylabel("P(bit t = 1)")
    bottom.legend(ncol=len(predictions), loc="upper center")
    fig.tight_layout()
    return fig


def plot_context_rows(contexts, write_w, read_w, title: str = ""):
    """Which memory rows the heads use for each N-gram context (a test of "one location per context").

    Args:
        contexts: ``[T]`` context index of each step (``-1`` where there is none yet, left out);
        write_w, read_w: ``[T, N]`` weightings of one write and one read head at the same steps.
    Each dot is one step: its context (x) against the head's most-weighted row (y), drawn with an
    opacity equal to that row's weight.
    """
    c = to_numpy(contexts)
    keep = c >= 0
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.4), sharey=True)
    panels = [(axes[0], write_w, "write head", COLORS["write"]), (axes[1], read_w, "read head", COLORS["read"])]
    for ax, w, name, color in panels:
        w = to_numpy(w)[keep]
        rgba = np.tile(np.array(plt.matplotlib.colors.to_rgba(color)), (len(w), 1))
        rgba[:, 3] = np.clip(w.max(-1), 0.05, 1.0)
        ax.scatter(c[keep], w.argmax(-1), c=rgba, s=18)
        ax.set_xlabel("context (previous 5 bits as a number)")
        ax.set_title(name, color=color)
    axes[0].set_ylabel("most-weighted memory row")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_record_lookup(overlap, same, steps: slice = slice(0, 100), title: str = ""):
    """Does the read at step t (y) land where earlier steps s (x) wrote? One N-gram sequence.

    Args:
        overlap: ``[T, T]`` from :func:`ntm_minimal.analysis.record_overlap` (one sequence);
        same: ``[T, T]`` bool from :func:`~ntm_minimal.analysis.same_context_records`: the
            input at ``s`` ended the context that step ``t`` predicts; drawn as small dots.
    """
    a, m = to_numpy(overlap)[steps, steps], to_numpy(same)[steps, steps] > 0
    lo = steps.start or 0
    fig, ax = plt.subplots(figsize=(5.6, 5.0))
    extent = (lo - 0.5, lo + len(a) - 0.5, lo + len(a) - 0.5, lo - 0.5)
    im = ax.imshow(a, cmap=WEIGHT_CMAP, vmin=0, vmax=max(float(a.max()), 1e-6), interpolation="nearest", extent=extent)
    t, s = np.nonzero(m)
    ax.scatter(s + lo, t + lo, s=4, color=COLORS["write"], label="earlier step that ended the same context")
    ax.set_xlabel("write step s")
    ax.set_ylabel("read step t")
    ax.legend(loc="upper right", fontsize=8)  # the upper triangle is empty: no read sees a later write
    fig.colorbar(im, ax=ax, fraction=0.046, label="read(t) . write(s)")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _head_rows(x, w, xlabel: str, name: str, color: str, title: str):
    """One panel per head: ``x`` ``[K]`` against each head's most-weighted row (as a signed offset)."""
    from ..analysis import signed_rows

    w = torch.as_tensor(w)
    w = w[:, None] if w.dim() == 2 else w  # [K, H, N]
    x, rows, peak = to_numpy(x), to_numpy(signed_rows(w)), to_numpy(w.max(-1).values)
    heads = w.shape[1]
    fig, axes = plt.subplots(1, heads, figsize=(2.6 * heads + 1.2, 3.2), sharey=True, squeeze=False)
    for h, ax in enumerate(axes[0]):
        rgba = np.tile(np.array(plt.matplotlib.colors.to_rgba(color)), (len(x), 1))
        rgba[:, 3] = np.clip(peak[:, h], 0.05, 1.0)
        ax.scatter(x, rows[:, h], c=rgba, s=24)
        ax.set_xlabel(xlabel)
        ax.set_title(f"{name} head {h}", color=color)
    axes[0, 0].set_ylabel("most-weighted row\n(past N/2 as negative)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_sort_writes(priority, write_w, title: str = ""):
    """Fig. 17-style: where each input vector was written, against its priority; one panel per write head.

    Args:
        priority: ``[K]`` priorities of the inputs; write_w: ``[K, N]`` or ``[K, H, N]`` the write
            weightings at the input steps.
    Each dot is one input: its priority (x) against the most-weighted row (y, rows from ``N/2`` on
    drawn as negative offsets because the memory wraps), with an opacity equal to that row's weight
    (a faint dot is a weak or blurred write).
    """
    return _head_rows(priority, write_w, "priority", "write", COLORS["write"], title)


def plot_sort_reads(read_w, title: str = ""):
    """Where each read head is while the answers are given: ``[S, N]`` or ``[S, H, N]``, one panel per head.

    x is the output position (0 = highest priority), y the most-weighted row as in :func:`plot_sort_writes`.
    """
    return _head_rows(torch.arange(len(read_w)), read_w, "output position", "read", COLORS["read"], title)


def plot_sort_write_order(priority, write_w, title: str = ""):
    """Where one write head put each input: against the step it arrived (left) and its priority (right).

    Args:
        priority: ``[K]`` the inputs' priorities; write_w: ``[K, N]`` that head's weightings at the
            input steps. Rows are drawn as :func:`plot_sort_writes` draws them (past ``N/2`` as
            negative offsets), with an opacity equal to the row's weight.
    A head that stores the inputs in arrival order draws a line on the left and a cloud on the
    right; one that computes an address from the priority draws the reverse.
    """
    from ..analysis import signed_rows

    w = torch.as_tensor(write_w)
    if w.dim() != 2 or torch.as_tensor(priority).shape != (w.shape[0],):
        raise ValueError(
            f"priority, write_w: expected [K] and [K, N], got {list(torch.as_tensor(priority).shape)} "
            f"and {list(w.shape)}"
        )
    rows, peak = to_numpy(signed_rows(w)), np.clip(to_numpy(w.max(-1).values), 0.05, 1.0)
    rgba = np.tile(np.array(plt.matplotlib.colors.to_rgba(COLORS["write"])), (len(rows), 1))
    rgba[:, 3] = peak
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.0), sharey=True)
    for ax, x, label in ((axes[0], np.arange(len(rows)), "input step"), (axes[1], to_numpy(priority), "priority")):
        ax.scatter(x, rows, c=rgba, s=24)
        ax.set_xlabel(label)
    axes[0].xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    axes[0].set_ylabel("most-weighted row\n(past N/2 as negative)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_rank_overlap(overlap, title: str = ""):
    """Which input each read finds, by priority rank: ``overlap`` ``[S, K]`` (e.g. the batch mean of
    one read head's :func:`~ntm_minimal.analysis.rank_overlap`) as a grid, answer ``s`` down, input of
    rank ``k`` across. A read that finds the inputs in order of priority lights the diagonal."""
    o = to_numpy(overlap)
    if o.ndim != 2:
        raise ValueError(f"overlap: expected [S, K], got {list(o.shape)}")
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    image = ax.imshow(o, cmap=WEIGHT_CMAP, vmin=0, vmax=max(float(o.max()), 1e-9), aspect="auto")
    ax.set_xlabel("input, by priority rank (0 = highest)")
    ax.set_ylabel("answer (0 = highest priority)")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(plt.MaxNLocator(integer=True))
    fig.colorbar(image, ax=ax, label="read weight on that input's row")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_errors_per_position(errors: Mapping[str, Sequence[float]], ax=None):
    """Mean bit errors at each output position of priority sort (position 0 = highest priority)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 3.0))
    width = 0.8 / max(len(errors), 1)
    for i, (label, err) in enumerate(errors.items()):
        e = to_numpy(err)
        color = next((c for k, c in MODEL_COLORS.items() if label.startswith(k)), None)
        ax.bar(np.arange(len(e)) + (i - (len(errors) - 1) / 2) * width, e, width=width, label=label, color=color)
    ax.set_xlabel("output position (0 = highest priority)")
    ax.set_ylabel("bit errors")
    ax.legend()
    return ax.figure
