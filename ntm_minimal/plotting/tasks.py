"""Pictures of training and trained models: learning curves, generalisation, Fig. 6-style traces.

* :func:`plot_task_example`: one sequence of a task: its inputs, its targets and the scored steps;
* :func:`plot_learning_curves`: held-out (or train) cost or bit errors against sequences seen or
  wall time, one line per run, from ``metrics.csv`` or from a live :func:`~ntm_minimal.training.train`;
* :func:`plot_seed_spread`: the same, for several seeds of each model: a thin line per seed, a
  thick one for their mean, one colour per model;
* :func:`plot_error_vs_length`: bit errors (or cost) per sequence against a setting such as the
  sequence length, one line per model, from :func:`ntm_minimal.evaluation.evaluate` rows;
* :func:`plot_copy_trace`: one sequence the way the paper's Fig. 6 shows it: inputs, outputs,
  the vectors added and read, and the write and read weightings over time;
* :func:`plot_memory_after`: the memory rows a sequence used, after its last step.

Each returns the :class:`~matplotlib.figure.Figure`; end the notebook cell with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch

from ..model import Trace
from ..tasks.base import Batch
from .style import COLORS, MEMORY_CMAP, draw_weighting_heatmap, plot_memory

__all__ = [
    "plot_task_example",
    "plot_learning_curves",
    "plot_seed_spread",
    "plot_error_vs_length",
    "used_rows",
    "plot_copy_trace",
    "plot_memory_after",
]

#: Readable axis labels for the columns of metrics.csv and of evaluation rows.
LABELS = {
    "sequences": "sequences seen",
    "wall_s": "wall time (s)",
    "step": "step",
    "heldout_cost_bits": "held-out cost (bits / sequence)",
    "heldout_bit_errors": "held-out bit errors / sequence",
    "train_cost_bits": "train cost (bits / sequence)",
    "train_bit_errors": "train bit errors / sequence",
    "cost_bits": "cost (bits / sequence)",
    "bit_errors": "bit errors / sequence",
    "length": "sequence length L",
    "repeats": "number of repeats",
}
#: One colour per model kind, so every figure shows the NTM and the LSTM the same way.
RUN_COLORS = [COLORS["write"], COLORS["read"], COLORS["content"], COLORS["neutral"]]


def plot_task_example(batch: Batch, index: int = 0):
    """Inputs ``x`` and targets ``y`` of sequence ``index`` (time on x, channel on y).

    Steps whose output is not scored (``mask`` = 0) are shaded in the target panel; padding after
    the sequence is cut off.
    """
    if not 0 <= index < batch.x.shape[0]:
        raise ValueError(f"index: expected 0 <= index < B={batch.x.shape[0]}, got {index}")
    mask = batch.mask[index]
    t_end = int(torch.nonzero(mask).max()) + 1
    fig, axes = plt.subplots(2, 1, figsize=(7.0, 3.6), sharex=True)
    for ax, values, title in [
        (axes[0], batch.x[index, :t_end], "input x"),
        (axes[1], batch.y[index, :t_end], "target y"),
    ]:
        ax.imshow(
            values.T.cpu().numpy(), aspect="auto", origin="lower", cmap="Greys", vmin=0, vmax=1, interpolation="nearest"
        )
        ax.set_ylabel("channel")
        ax.set_title(title)
    for t in torch.nonzero(mask[:t_end] == 0).flatten().tolist():
        axes[1].axvspan(t - 0.5, t + 0.5, color=COLORS["neutral"], alpha=0.25, lw=0)
    axes[1].set_xlabel("time step t  (shaded: not scored)")
    fig.tight_layout()
    return fig


def _columns(label: str, log) -> Mapping[str, Sequence[float]]:
    """A log as columns: those of ``metrics.csv``, or the list of rows :func:`ntm_minimal.training.train` returns."""
    if isinstance(log, Mapping):
        return log
    rows = list(log)
    if not rows or not all(isinstance(r, Mapping) for r in rows):
        raise ValueError(f"logs[{label!r}]: expected columns (a dict of lists) or a non-empty list of log rows")
    return {k: [r[k] for r in rows] for k in rows[0]}


def plot_learning_curves(
    logs: Mapping[str, object],
    x: str | Sequence[str] = "sequences",
    y: str = "heldout_cost_bits",
    logy: bool = True,
    ax=None,
):
    """One line per run: column ``y`` of its log against column ``x``.

    Args:
        logs: run label -> its log: the columns of ``metrics.csv`` (:func:`ntm_minimal.pretrained.metrics`)
            or the rows :func:`ntm_minimal.training.train` returns.
        x, y: column names (``"sequences"`` or ``"wall_s"``; any cost or bit-error column). Several
            ``x`` columns, e.g. ``("sequences", "wall_s")``, draw one panel each, side by side.
        logy: logarithmic y axis (zeros are drawn at the bottom of the axis).
    """
    if not isinstance(x, str):
        if ax is not None:
            raise ValueError("ax: give one x column to draw into an existing axes")
        fig, axes = plt.subplots(1, len(x), figsize=(5 * len(x), 3.4), squeeze=False)
        for column, panel in zip(x, axes[0]):
            plot_learning_curves(logs, column, y, logy, ax=panel)
        return fig
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.5, 3.2))
    for i, (label, log) in enumerate(logs.items()):
        log = _columns(label, log)
        for column in (x, y):
            if column not in log:
                raise ValueError(f"logs[{label!r}]: expected a column {column!r}, got {sorted(log)}")
        values = [max(v, 1e-3) for v in log[y]] if logy else list(log[y])
        ax.plot(log[x], values, color=RUN_COLORS[i % len(RUN_COLORS)], label=label, lw=1.5)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(LABELS.get(x, x))
    ax.set_ylabel(LABELS.get(y, y))
    ax.legend()
    fig.tight_layout()
    return fig


def plot_seed_spread(
    runs: Mapping[str, Sequence[Mapping[str, Sequence[float]]]],
    x: str = "sequences",
    y: str = "heldout_cost_bits",
    ax=None,
):
    """Several seeds per model: a thin line per seed and a thick line for their mean, one colour per model.

    Args:
        runs: model label -> the logs of its seeds (columns of ``metrics.csv``), which must share
            their ``x`` values (the same schedule and logging interval) so they can be averaged.
        x, y: column names, as in :func:`plot_learning_curves` (linear y axis).
    """
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.5, 3.2))
    for i, (label, logs) in enumerate(runs.items()):
        logs = [_columns(label, log) for log in logs]
        if not logs or any(list(log[x]) != list(logs[0][x]) for log in logs):
            raise ValueError(f"runs[{label!r}]: expected one or more logs with the same {x!r} column")
        color = RUN_COLORS[i % len(RUN_COLORS)]
        for log in logs:
            ax.plot(log[x], log[y], color=color, lw=0.6, alpha=0.45)
        mean = [sum(values) / len(values) for values in zip(*(log[y] for log in logs))]
        ax.plot(logs[0][x], mean, color=color, lw=2, label=f"{label} (mean of {len(logs)})")
    ax.set_xlabel(LABELS.get(x, x))
    ax.set_ylabel(LABELS.get(y, y))
    ax.legend()
    fig.tight_layout()
    return fig


def plot_error_vs_length(
    results: Mapping[str, Sequence[Mapping]],
    x: str = "length",
    y: str = "bit_errors",
    train_max: float | None = None,
    ax=None,
):
    """One line per model: ``y`` (mean per sequence) against the setting ``x``.

    Args:
        results: model label -> rows from :func:`ntm_minimal.evaluation.evaluate`.
        x: the setting on the x axis (``"length"`` or ``"repeats"``).
        train_max: if given, shade the settings beyond training (``x > train_max``).
    """
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.5, 3.2))
    for i, (label, rows) in enumerate(results.items()):
        ax.plot(
            [r[x] for r in rows], [r[y] for r in rows], "o-", color=RUN_COLORS[i % len(RUN_COLORS)], label=label, ms=4
        )
    if train_max is not None:
        ax.axvspan(train_max, ax.get_xlim()[1], color=COLORS["neutral"], alpha=0.12, lw=0)
        ax.text(train_max, ax.get_ylim()[1], "  beyond training", va="top", fontsize=9, color=COLORS["neutral"])
    ax.set_xlabel(LABELS.get(x, x))
    ax.set_ylabel(LABELS.get(y, y))
    ax.legend(loc="center left")
    fig.tight_layout()
    return fig


def used_rows(trace: Trace, index: int = 0, pad: int = 2) -> slice:
    """The band of memory rows where some head of sequence ``index`` had its largest weight at some step."""
    w = torch.cat([trace.read_weights[index], trace.write_weights[index]], dim=1)  # [T, H, N]
    focus = w.argmax(-1)  # [T, H]
    return slice(max(int(focus.min()) - pad, 0), min(int(focus.max()) + pad + 1, w.shape[-1]))


def _strip(ax, values, title: str, cmap: str = "Greys", signed: bool = False):
    """A ``[T, C]`` tensor as an image: time on x, channel on y."""
    v = values.detach().cpu().T.numpy()
    limits = dict(vmin=-1, vmax=1) if signed else dict(vmin=0, vmax=1)
    ax.imshow(v, aspect="auto", origin="lower", cmap=cmap, interpolation="nearest", **limits)
    ax.set_title(title)
    ax.set_yticks([])


def plot_copy_trace(
    batch: Batch,
    logits: torch.Tensor,
    trace: Trace,
    index: int = 0,
    rows: slice | None = None,
    head: int = 0,
    write_head: int | None = None,
):
    """Fig. 6 of the paper for one sequence: what went in and out, and where the heads were.

    Args:
        batch: the batch the model ran on (``x`` ``[B, T, in]``, ``mask`` ``[B, T]``).
        logits: the model's output ``[B, T, out]``.
        trace: the model's :class:`~ntm_minimal.Trace` for the same run.
        index: which sequence of the batch.
        rows: memory rows to show (default :func:`used_rows`).
        head: which read head (and write head, unless ``write_head`` is given).

    Panels: inputs and outputs (output probabilities at the scored steps), the add vectors written
    and the vectors read (``[T, M]``), and the write and read weightings over the rows (``[T, N]``).
    """
    if not 0 <= index < batch.x.shape[0]:
        raise ValueError(f"index: expected 0 <= index < B={batch.x.shape[0]}, got {index}")
    rows = rows or used_rows(trace, index)
    write_head = head if write_head is None else write_head
    t_end = int(torch.nonzero(batch.mask[index]).max()) + 1  # drop padding after the sequence
    probs = torch.sigmoid(logits[index, :t_end]) * batch.mask[index, :t_end, None]
    fig, axes = plt.subplots(3, 2, figsize=(8.5, 6.5), sharex=True)
    _strip(axes[0, 0], batch.x[index, :t_end], "inputs")
    _strip(axes[0, 1], probs, "outputs (probabilities)")
    _strip(axes[1, 0], trace.params.add[index, :t_end, write_head], "add vectors", cmap=MEMORY_CMAP, signed=True)
    _strip(axes[1, 1], trace.reads[index, :t_end, head], "read vectors", cmap=MEMORY_CMAP, signed=True)
    for ax, w, name in [
        (axes[2, 0], trace.write_weights[:, :, write_head], "write"),
        (axes[2, 1], trace.read_weights[:, :, head], "read"),
    ]:
        draw_weighting_heatmap(ax, w[index, :t_end, rows], title=f"{name} weightings")
        ticks = ax.get_yticks()
        ax.set_yticks([t for t in ticks if 0 <= t < rows.stop - rows.start])
        ax.set_yticklabels([f"{int(t) + rows.start}" for t in ax.get_yticks()])
    for ax in axes[:2].flat:
        ax.set_ylabel("channel")
    fig.tight_layout()
    return fig


def plot_memory_after(trace: Trace, index: int = 0, step: int = -1, rows: slice | None = None):
    """The memory of sequence ``index`` after ``step`` (default: the last), rows ``rows`` only."""
    rows = rows or used_rows(trace, index)
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    image = plot_memory(ax, trace.memory[index, step, rows], title="memory after the last step")
    ticks = [t for t in ax.get_yticks() if 0 <= t < rows.stop - rows.start]
    ax.set_yticks(ticks)
    ax.set_yticklabels([f"{int(t) + rows.start}" for t in ticks])
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return fig
