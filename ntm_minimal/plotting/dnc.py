"""Pictures of the DNC's memory management (chapter 14), drawn from a :class:`~ntm_minimal.dnc.DNCTrace`.

* :func:`plot_memory_management`: the paper's Extended Data Fig. 1 for one sequence: write and read
  weightings, usage over time, and the gates that manage it (write, allocation and free gates);
* :func:`plot_link_matrix`: one link matrix ``L[i, j]`` (row ``i`` written after row ``j``) as a heatmap;
* :func:`plot_read_modes`: a read head's modes (backward, content, forward) over time;
* :func:`answer_phases`: the runs of scored steps of one sequence, to shade them in the plots.

Each plot returns the :class:`~matplotlib.figure.Figure`; end the notebook cell with ``plt.show()``.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import torch

from .style import COLORS, plot_weightings_over_time

__all__ = ["plot_memory_management", "plot_link_matrix", "plot_read_modes", "answer_phases", "MODE_NAMES"]

#: The read modes in the paper's order (the last axis of ``DNCTrace.read_modes``).
MODE_NAMES = ("backward", "content", "forward")


def _check_index(trace, index: int) -> None:
    if not 0 <= index < trace.usage.shape[0]:
        raise ValueError(f"index: expected 0 <= index < B={trace.usage.shape[0]}, got {index}")


def _phases(ax, phases: Sequence[tuple[int, int]] | None) -> None:
    """Shade the steps ``start..stop-1`` of each phase (e.g. the answer steps) in every panel."""
    for start, stop in phases or ():
        ax.axvspan(start - 0.5, stop - 0.5, color=COLORS["neutral"], alpha=0.12, lw=0)


def plot_memory_management(trace, index: int = 0, head: int = 0, steps: int | None = None,
                           phases: Sequence[tuple[int, int]] | None = None):
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
    fig, axes = plt.subplots(4, 1, figsize=(7.5, 7.0), sharex=True,
                             gridspec_kw={"height_ratios": [1, 1, 1, 0.8]})
    panels = [(trace.write_weights[index, :t], "write weighting $w^w_t$"),
              (trace.read_weights[index, :t, head], f"read weighting $w^r_t$ (head {head})"),
              (trace.usage[index, :t], "usage $u_t$")]
    for ax, (w, title) in zip(axes, panels):
        plot_weightings_over_time(ax, w, title=title)
        ax.set_xlabel("")
        _phases(ax, phases)
    gates = axes[3]
    steps_axis = range(t)
    gates.plot(steps_axis, trace.write_gate[index, :t, 0].cpu(), color=COLORS["write"], label="write gate $g^w$")
    gates.plot(steps_axis, trace.alloc_gate[index, :t, 0].cpu(), color=COLORS["content"], label="allocation gate $g^a$")
    gates.plot(steps_axis, trace.free_gates[index, :t, head].cpu(), color=COLORS["read"], label=f"free gate $f$ (head {head})")
    gates.set_ylim(-0.05, 1.05)
    gates.set_ylabel("gate")
    gates.set_xlabel("time step t" + ("  (shaded: answer steps)" if phases else ""))
    gates.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _phases(gates, phases)
    fig.tight_layout()
    return fig


def plot_link_matrix(link: torch.Tensor, ax=None, title: str = "link matrix $L_t$"):
    """Heatmap of one link matrix ``[N, N]``: ``L[i, j]``, how much row ``i`` was written right after row ``j``."""
    if not isinstance(link, torch.Tensor) or link.dim() != 2 or link.shape[0] != link.shape[1]:
        shape = list(link.shape) if isinstance(link, torch.Tensor) else type(link).__name__
        raise ValueError(f"link: expected a square tensor [N, N], got {shape}")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(3.8, 3.4))
    image = ax.imshow(link.detach().cpu().numpy(), origin="upper", cmap="Greys", vmin=0.0, vmax=1.0,
                      interpolation="nearest")
    ax.set_xlabel("row j (written before)")
    ax.set_ylabel("row i (written after)")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def plot_read_modes(trace, index: int = 0, head: int = 0, steps: int | None = None, ax=None,
                    phases: Sequence[tuple[int, int]] | None = None):
    """A read head's modes over time, stacked (they sum to 1): backward, content, forward."""
    _check_index(trace, index)
    t = steps or trace.read_modes.shape[1]
    modes = trace.read_modes[index, :t, head].detach().cpu().numpy().T  # [3, T]
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(7.0, 2.4))
    ax.stackplot(range(t), modes, labels=MODE_NAMES,
                 colors=[COLORS["read"], COLORS["content"], COLORS["write"]], alpha=0.8)
    ax.set_ylim(0, 1)
    ax.set_xlim(-0.5, t - 0.5)
    ax.set_xlabel("time step t")
    ax.set_ylabel(f"read modes (head {head})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _phases(ax, phases)
    fig.tight_layout()
    return fig


def answer_phases(mask: torch.Tensor) -> list[tuple[int, int]]:
    """``(start, stop)`` of every run of consecutive scored steps in one sequence's ``mask`` ``[T]``."""
    if not isinstance(mask, torch.Tensor) or mask.dim() != 1:
        raise ValueError(f"mask: expected one sequence's mask [T], got {getattr(mask, 'shape', type(mask).__name__)}")
    on = torch.cat([torch.zeros(1), (mask.detach().cpu() > 0).float(), torch.zeros(1)])
    edges = torch.nonzero(on[1:] - on[:-1]).flatten().tolist()  # a start, then its stop, and so on
    return list(zip(edges[::2], edges[1::2]))
