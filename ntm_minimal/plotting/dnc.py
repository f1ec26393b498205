"""Pictures of the DNC's memory management (chapters 14 and 14b), drawn from a :class:`~ntm_minimal.dnc.DNCTrace`.

* :func:`plot_memory_management`: the paper's Extended Data Fig. 1 for one sequence: write and read
  weightings, usage over time, and the gates that manage it (write, allocation and free gates);
* :func:`plot_link_matrix`: one link matrix ``L[i, j]`` (row ``i`` written after row ``j``) as a heatmap;
* :func:`plot_read_modes`: a read head's modes (backward, content, forward) over time;
* :func:`answer_phases`: the runs of scored steps of one sequence, to shade them in the plots;
* :func:`plot_rows_over_time`: weightings ``[T, N]`` as a heatmap, row 0 at the top as in every
  memory picture of the course, integer time ticks;
* :func:`plot_row_bars`: a few weightings ``[N]`` side by side as grouped bars, one group per row
  (the pictures of the single equations);
* :func:`plot_interface_layout`: how the interface vector ``ξ_t`` is cut into its pieces;
* :func:`plot_model_curves`: learning curves with one fixed colour per model (:data:`MODEL_COLORS`).

Each plot returns the :class:`~matplotlib.figure.Figure`; end the notebook cell with ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .style import COLORS, MODEL_COLORS, WEIGHT_CMAP

__all__ = [
    "plot_memory_management",
    "plot_link_matrix",
    "plot_read_modes",
    "answer_phases",
    "plot_rows_over_time",
    "plot_row_bars",
    "plot_model_curves",
    "plot_interface_layout",
    "MODE_NAMES",
    "PHASE_LABEL",
]

#: The read modes in the paper's order (the last axis of ``DNCTrace.read_modes``).
MODE_NAMES = ("backward", "content", "forward")


def _check_index(trace, index: int) -> None:
    if not 0 <= index < trace.usage.shape[0]:
        raise ValueError(f"index: expected 0 <= index < B={trace.usage.shape[0]}, got {index}")


#: What the shaded bands of :func:`plot_memory_management` and :func:`plot_read_modes` mark.
PHASE_LABEL = "answer steps"


def _phases(ax, phases: Sequence[tuple[int, int]] | None) -> None:
    """Shade the steps ``start..stop-1`` of each phase (e.g. the answer steps) in every panel."""
    for start, stop in phases or ():
        ax.axvspan(start - 0.5, stop - 0.5, color=COLORS["neutral"], alpha=0.18, lw=0)


def _phase_patch() -> Patch:
    """Legend entry naming the shaded band, so no band is left unexplained."""
    return Patch(color=COLORS["neutral"], alpha=0.18, label=PHASE_LABEL)


def _integer_time(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_rows_over_time(ax, w, title: str | None = None, cmap: str = WEIGHT_CMAP):
    """Heatmap of weightings ``[T, N]``: time on x (integer ticks), memory rows on y with row 0 at the
    top, white 0 to black 1."""
    w = w.detach().cpu() if isinstance(w, torch.Tensor) else torch.as_tensor(w)
    if w.dim() != 2:
        raise ValueError(f"w: expected weightings over time [T, N], got {list(w.shape)}")
    ax.imshow(w.T.numpy(), aspect="auto", origin="upper", cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xlabel("time step t")
    ax.set_ylabel("memory row i")
    _integer_time(ax)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    return ax


def plot_row_bars(
    weightings: Mapping[str, torch.Tensor],
    ax=None,
    title: str | None = None,
    colors: Sequence[str] | None = None,
    ylim: float | None = 1.0,
):
    """Several weightings ``[N]`` over the same rows as grouped bars: one group per memory row, one bar
    per weighting (in the order given), e.g. a usage before and after an update."""
    if not isinstance(weightings, Mapping) or not weightings:
        raise ValueError("weightings: expected a non-empty dict {label: tensor [N]}")
    values = {}
    for label, w in weightings.items():
        w = w.detach().cpu() if isinstance(w, torch.Tensor) else torch.as_tensor(w)
        if w.dim() != 1:
            raise ValueError(f"weightings[{label!r}]: expected one weighting [N], got {list(w.shape)}")
        values[label] = w
    n = {w.numel() for w in values.values()}
    if len(n) != 1:
        raise ValueError(f"weightings: expected the same number of rows N in each, got {sorted(n)}")
    colors = list(colors or [COLORS["neutral"], COLORS["read"], COLORS["write"], COLORS["content"]])
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.5, 2.6))
    width = 0.8 / len(values)
    for k, (label, w) in enumerate(values.items()):
        ax.bar(
            torch.arange(w.numel()) - 0.4 + width * (k + 0.5),
            w.numpy(),
            width=width,
            label=label,
            color=colors[k % len(colors)],
        )
    ax.set_xlabel("memory row i")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if ylim is not None:
        ax.set_ylim(0, ylim)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_interface_layout(word_size: int, read_heads: int):
    """The interface vector ``ξ_t`` as one bar cut into its pieces, in the order
    :class:`~ntm_minimal.dnc.interface.InterfaceLayer` splits it, each labelled with its length."""
    w, r = word_size, read_heads
    if not all(isinstance(v, int) and v >= 1 for v in (w, r)):
        raise ValueError(f"word_size, read_heads: expected positive ints, got {word_size!r}, {read_heads!r}")
    pieces = [
        ("read keys", r * w, COLORS["read"]),
        ("read strengths", r, COLORS["read"]),
        ("write key", w, COLORS["write"]),
        ("write strength", 1, COLORS["write"]),
        ("erase", w, COLORS["write"]),
        ("write vector", w, COLORS["write"]),
        ("free gates", r, COLORS["neutral"]),
        ("alloc. gate", 1, COLORS["neutral"]),
        ("write gate", 1, COLORS["neutral"]),
        ("read modes", 3 * r, COLORS["content"]),
    ]
    fig, ax = plt.subplots(figsize=(6.6, 1.9))
    start = 0
    for k, (label, length, color) in enumerate(pieces):
        ax.barh(0, length, left=start, height=0.6, color=color, alpha=0.35 + 0.3 * (k % 2), edgecolor="white")
        level = 0.55 + 0.32 * (k % 4)  # four heights, so the labels of short neighbours do not collide
        ax.plot([start + length / 2] * 2, [0.3, level], color=COLORS["neutral"], lw=0.6)
        ax.text(start + length / 2, level, f"{label} ({length})", ha="center", va="bottom", fontsize=7)
        start += length
    ax.set_xlim(0, start)
    ax.set_ylim(-0.4, 1.75)
    ax.set_yticks([])
    ax.set_xlabel(f"entry of $\\xi_t$ (W = {w}, R = {r}: {start} entries)")
    ax.spines["left"].set_visible(False)
    fig.tight_layout()
    return fig


def _model_color(label: str) -> str:
    """The colour of the model a label names: its first word (``"DNC without links"`` -> DNC)."""
    key = label.split()[0].lower().strip(",")
    if key not in MODEL_COLORS:
        raise ValueError(f"label: expected a label starting with one of {sorted(MODEL_COLORS)}, got {label!r}")
    return MODEL_COLORS[key]


def plot_model_curves(
    logs: Mapping[str, Mapping[str, Sequence[float]]],
    y: str = "heldout_bit_errors",
    x: str = "sequences",
    ax=None,
    floor: float = 1e-3,
):
    """Learning curves, one per run, coloured by model (:data:`MODEL_COLORS`; a label starts with
    ``NTM``, ``DNC`` or ``LSTM``); a second run of the same model is dashed. The y axis is
    logarithmic, so a value of 0 is drawn at ``floor`` and the axis says so."""
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.5, 3.0))
    seen: dict[str, int] = {}
    for label, log in logs.items():
        for column in (x, y):
            if column not in log:
                raise ValueError(f"logs[{label!r}]: expected a column {column!r}, got {sorted(log)}")
        color = _model_color(label)
        style = ["-", "--", ":"][seen.get(color, 0) % 3]
        seen[color] = seen.get(color, 0) + 1
        ax.plot(log[x], [max(v, floor) for v in log[y]], color=color, ls=style, lw=1.5, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("training sequences" if x == "sequences" else x)
    ax.set_ylabel(y.replace("_", " ") + f"\n(0 drawn at {floor:g})")
    ax.xaxis.set_major_locator(MaxNLocator(4))
    ax.legend()
    fig.tight_layout()
    return fig


def plot_memory_management(
    trace, index: int = 0, head: int = 0, steps: int | None = None, phases: Sequence[tuple[int, int]] | None = None
):
    """Extended Data Fig. 1 of the DNC paper for sequence ``index`` of a trace.

    Args:
        trace: a :class:`~ntm_minimal.dnc.DNCTrace` (``usage`` ``[B, T, N]``, gates ``[B, T, 1]`` /
            ``[B, T, R]``, weightings ``[B, T, N]`` / ``[B, T, R, N]``).
        index: which sequence of the batch.
        head: which read head (its weighting and free gate are drawn).
        steps: draw steps ``0 .. steps-1`` only (e.g. to cut off padding).
        phases: ``(start, stop)`` step ranges to shade, e.g. the steps where the model answers.

    Panels, time on x: the write weighting and the read weighting over the rows; the usage of every
    row; the write gate ``g^w``, allocation gate ``g^a`` and the read head's free gate ``f``.
    """
    _check_index(trace, index)
    t = steps or trace.usage.shape[1]
    r = trace.read_weights.shape[2]
    if not 0 <= head < r:
        raise ValueError(f"head: expected 0 <= head < R={r}, got {head}")
    fig, axes = plt.subplots(4, 1, figsize=(6.6, 7.0), sharex=True, gridspec_kw={"height_ratios": [1, 1, 1, 0.9]})
    panels = [
        (trace.write_weights[index, :t], "write weighting $w^w_t$"),
        (trace.read_weights[index, :t, head], f"read weighting $w^r_t$ (head {head})"),
        (trace.usage[index, :t], "usage $u_t$"),
    ]
    for ax, (w, title) in zip(axes, panels):
        plot_rows_over_time(ax, w, title=title)
        ax.set_xlabel("")
        _phases(ax, phases)
    gates = axes[3]
    steps_axis = range(t)
    gates.plot(steps_axis, trace.write_gate[index, :t, 0].cpu(), color=COLORS["write"], label="write gate $g^w$")
    gates.plot(steps_axis, trace.alloc_gate[index, :t, 0].cpu(), color=COLORS["content"], label="allocation gate $g^a$")
    gates.plot(
        steps_axis, trace.free_gates[index, :t, head].cpu(), color=COLORS["read"], label=f"free gate $f$ (head {head})"
    )
    gates.set_ylim(-0.05, 1.05)
    gates.set_ylabel("gate")
    gates.set_xlabel("time step t")
    _phases(gates, phases)
    handles = gates.get_legend_handles_labels()[0] + ([_phase_patch()] if phases else [])
    gates.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=4, fontsize=8)
    _integer_time(gates)
    fig.tight_layout()
    return fig


def plot_link_matrix(link: torch.Tensor, ax=None, title: str = "link matrix $L_t$"):
    """Heatmap of one link matrix ``[N, N]``: ``L[i, j]``, how much row ``i`` was written right after row ``j``."""
    if not isinstance(link, torch.Tensor) or link.dim() != 2 or link.shape[0] != link.shape[1]:
        shape = list(link.shape) if isinstance(link, torch.Tensor) else type(link).__name__
        raise ValueError(f"link: expected a square tensor [N, N], got {shape}")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(3.8, 3.4))
    image = ax.imshow(
        link.detach().cpu().numpy(), origin="upper", cmap="Greys", vmin=0.0, vmax=1.0, interpolation="nearest"
    )
    ax.set_xlabel("row j (written before)")
    ax.set_ylabel("row i (written after)")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def plot_read_modes(
    trace,
    index: int = 0,
    head: int = 0,
    steps: int | None = None,
    ax=None,
    phases: Sequence[tuple[int, int]] | None = None,
):
    """A read head's modes over time, stacked (they sum to 1): backward, content, forward."""
    _check_index(trace, index)
    t = steps or trace.read_modes.shape[1]
    modes = trace.read_modes[index, :t, head].detach().cpu().numpy().T  # [3, T]
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.5, 2.4))
    ax.stackplot(
        range(t), modes, labels=MODE_NAMES, colors=[COLORS["read"], COLORS["content"], COLORS["write"]], alpha=0.8
    )
    ax.set_ylim(0, 1)
    ax.set_xlim(-0.5, t - 0.5)
    ax.set_xlabel("time step t")
    ax.set_ylabel(f"read modes (head {head})")
    _integer_time(ax)
    _phases(ax, phases)
    handles = ax.get_legend_handles_labels()[0] + ([_phase_patch()] if phases else [])
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def answer_phases(mask: torch.Tensor) -> list[tuple[int, int]]:
    """``(start, stop)`` of every run of consecutive scored steps in one sequence's ``mask`` ``[T]``."""
    if not isinstance(mask, torch.Tensor) or mask.dim() != 1:
        raise ValueError(f"mask: expected one sequence's mask [T], got {getattr(mask, 'shape', type(mask).__name__)}")
    on = torch.cat([torch.zeros(1), (mask.detach().cpu() > 0).float(), torch.zeros(1)])
    edges = torch.nonzero(on[1:] - on[:-1]).flatten().tolist()  # a start, then its stop, and so on
    return list(zip(edges[::2], edges[1::2]))
