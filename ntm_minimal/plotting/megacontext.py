"""Figures of chapter 15 (MegaContext-lite): cost against length, accuracy against budget, and the
working context's levels of detail over time."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from .style import COLORS

#: Colours of the levels of detail (LOD0 tokens dark, gists lighter; not yet seen: white).
LOD_COLORS = ["#ffffff", "#1f3b73", "#6fa8dc", "#d9e7f5"]
READER_STYLE = {"A": ("A: soft read, all T", COLORS["read"], "-"), "B": ("B: recency window", COLORS["neutral"], "--"),
                "C": ("C: MegaContext-lite", COLORS["write"], "-"), "oracle": ("D: oracle allocator", COLORS["content"], ":"),
                "random": ("D: random allocator", "#9467bd", ":")}

__all__ = ["plot_scaling", "plot_budget_sweep", "plot_levels_over_time", "LOD_COLORS"]


def plot_scaling(result: dict):
    """Log-log per-query time (wall: solid, CPU: dashed) and peak extra memory of readers A and C
    against ``T`` (bench JSON), with the fitted slopes."""
    rows = result["rows"]
    t = np.array([r["T"] for r in rows])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    panels = ((axes[0], (("ms", "-", "wall"), ("cpu_ms", "--", "cpu")), "time per query (ms)"),
              (axes[1], (("peak_MiB", "-", ""),), "peak extra memory (MiB)"))
    for ax, curves, label in panels:
        for reader in ("A", "C"):
            name, color, _ = READER_STYLE[reader]
            for key, style, kind in curves:
                y = np.array([r[f"{reader}_{key}"] for r in rows])
                slope = result["slopes"][f"{reader}_{key}"]
                ax.loglog(t, y, style, marker="o", color=color, label=f"{name} {kind} (slope {slope:.2f})", base=2)
        ax.set_xlabel("tokens T")
        ax.set_ylabel(label)
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_budget_sweep(result: dict):
    """Accuracy of readers A-D against ``W_max / T`` (bench JSON), log x axis."""
    rows = result["rows"]
    x = np.array([r["W_over_T"] for r in rows])
    fig, ax = plt.subplots(figsize=(6, 3.2))
    for key, (name, color, style) in READER_STYLE.items():
        ax.semilogx(x, [r[key] for r in rows], style, marker="o", color=color, label=name, base=2)
    ax.set_xlabel("budget W_max / T")
    ax.set_ylabel("accuracy (all value bits)")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title(f"T = {result['T']}, {result['batch']} queries")
    fig.tight_layout()
    return fig


def plot_levels_over_time(ax, grid, answer_steps=None, block: int = 32, title: str | None = None):
    """The level of every block (x) at every refocus (y): LOD0 dark, LOD1 mid, LOD2 light, future white.

    ``grid`` ``[Q, n_blocks]`` from :func:`~ntm_minimal.megacontext.stream.run_stream` (``record=True``);
    ``answer_steps`` ``[Q]`` marks the block each query asks about.
    """
    g = np.asarray(grid)
    image = ax.imshow(g + 1, aspect="auto", origin="lower", cmap=ListedColormap(LOD_COLORS), vmin=-0.5, vmax=3.5,
                      interpolation="nearest")
    if answer_steps is not None:
        ax.scatter(np.asarray(answer_steps) // block, np.arange(len(answer_steps)), s=6, color=COLORS["write"],
                   label="block of the asked fact")
        ax.legend(loc="lower right", markerscale=2)  # the white (future) corner is empty
    ax.set_xlabel(f"block ({block} tokens)")
    ax.set_ylabel("refocus (query) number")
    if title:
        ax.set_title(title)
    bar = plt.colorbar(image, ax=ax, ticks=[0, 1, 2, 3])
    bar.ax.set_yticklabels(["not yet", "LOD0", "LOD1", "LOD2"])
    return ax
