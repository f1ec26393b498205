"""One look for every figure of the course: colours, sizes, and the basic weighting/memory plots."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .arrays import to_numpy

#: Colour of each kind of head, used in every figure.
COLORS = {"read": "#1f77b4", "write": "#d62728", "content": "#2ca02c", "neutral": "#7f7f7f"}
#: Colour of each model, the same in every figure that sets models side by side (chapter 8's NTM red,
#: LSTM blue; the DNC takes the remaining green).
MODEL_COLORS = {"ntm": COLORS["write"], "dnc": COLORS["content"], "lstm": COLORS["read"]}
#: Colour map for weightings (0 = white) and for memory contents (signed, centred on 0).
WEIGHT_CMAP = "Greys"
MEMORY_CMAP = "RdBu_r"

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (7.0, 3.0),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
}


def use_style() -> None:
    """Apply the course style to every later figure (call once per notebook)."""
    plt.rcParams.update(STYLE)


def draw_weighting(ax, w, title: str | None = None, color: str = COLORS["read"], ylim: float | None = 1.0):
    """Bar chart of one weighting ``[N]`` over memory rows."""
    w = to_numpy(w)
    ax.bar(range(len(w)), w, color=color, width=0.85)
    ax.set_xlabel("memory row i")
    ax.set_ylabel("w(i)")
    if ylim is not None:
        ax.set_ylim(0, ylim)
    if title:
        ax.set_title(title)
    return ax


def draw_weighting_heatmap(ax, w, title: str | None = None, cmap: str = WEIGHT_CMAP):
    """Heatmap of weightings ``[T, N]``: time on x, memory rows on y (as in the paper's Fig. 6)."""
    ax.imshow(to_numpy(w).T, aspect="auto", origin="lower", cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xlabel("time step t")
    ax.set_ylabel("memory row i")
    if title:
        ax.set_title(title)
    return ax


def plot_memory(ax, memory, title: str | None = None, vmax: float | None = None):
    """Heatmap of a memory ``[N, M]``: rows on y, row entries on x, signed colours centred on 0."""
    m = to_numpy(memory)
    vmax = vmax if vmax is not None else max(float(abs(m).max()), 1e-6)
    image = ax.imshow(
        m, aspect="auto", origin="lower", cmap=MEMORY_CMAP, vmin=-vmax, vmax=vmax, interpolation="nearest"
    )
    ax.set_xlabel("entry j")
    ax.set_ylabel("memory row i")
    if title:
        ax.set_title(title)
    return image
