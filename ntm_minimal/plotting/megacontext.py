"""Figures of chapter 15 (MegaContext-lite): cost against length, accuracy against budget, and the
working context's levels of detail over time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from .style import COLORS

#: Colours of the levels of detail (LOD0 tokens dark, gists lighter; not yet seen: white).
LOD_COLORS = ["#ffffff", "#1f3b73", "#6fa8dc", "#d9e7f5"]
READER_STYLE = {
    "A": ("A: soft read, all T", COLORS["read"], "-"),
    "B": ("B: recency window", COLORS["neutral"], "--"),
    "C": ("C: MegaContext-lite", COLORS["write"], "-"),
    "oracle": ("D: oracle allocator", COLORS["content"], ":"),
    "random": ("D: random allocator", "#9467bd", ":"),
}

#: Readers of the against-T comparison: label, colour, line style.
AGAINST_T_STYLE = {
    "A_cached": ("A: soft read, all T (keys cached)", COLORS["read"], "-"),
    "B": ("B: recency window", COLORS["neutral"], "--"),
    "top_k": ("flat top-k LOD1 retrieval", "#ff7f0e", "-"),
    "C": ("C: MegaContext-lite, 4 edits/pass", COLORS["write"], ":"),
    "C_scaled": ("C: MegaContext-lite, edits scaled", COLORS["write"], "-"),
    "oracle": ("oracle allocator", COLORS["content"], ":"),
    "random": ("random allocator", "#9467bd", ":"),
    "A": ("A: soft read, all T", COLORS["read"], ":"),
}

__all__ = [
    "plot_scaling",
    "plot_budget_sweep",
    "plot_levels_over_time",
    "plot_accuracy_against_t",
    "plot_cost_against_t",
    "plot_gist_attention",
    "plot_unit_scores",
    "LOD_COLORS",
]


def plot_accuracy_against_t(result: dict, kind: str = "accuracy"):
    """``kind`` (accuracy or selection) of every reader against ``T``, one panel per ``W_max``; bars: min-max over runs."""
    budgets = sorted({c["W_max"] for c in result["cells"]})
    fig, axes = plt.subplots(1, len(budgets), figsize=(4.6 * len(budgets), 3.4), sharey=True, squeeze=False)
    for ax, w in zip(axes[0], budgets):
        cells = [c for c in result["cells"] if c["W_max"] == w]
        for name, (label, color, style) in AGAINST_T_STYLE.items():
            pts = [(c["T"], c[kind][name]) for c in cells if name in c[kind]]
            if not pts or name == "A":
                continue
            t = np.array([p[0] for p in pts])
            mean = np.array([p[1]["mean"] for p in pts])
            err = np.array([[p[1]["mean"] - p[1]["min"] for p in pts], [p[1]["max"] - p[1]["mean"] for p in pts]])
            ax.errorbar(t, mean, yerr=err, fmt=style, marker="o", ms=3, color=color, label=label, capsize=2)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("tokens T")
        ax.set_title(f"W_max = {w}")
        ax.set_ylim(-0.02, 1.02)
    axes[0, 0].set_ylabel("accuracy" if kind == "accuracy" else "selection recall")
    axes[0, -1].legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.tight_layout()
    return fig


def plot_cost_against_t(result: dict, w_max: int):
    """Log-log CPU time, counted FLOPs and peak extra memory per query of every measured reader against ``T``
    at ``w_max``: the mean over the training runs, shaded from min to max where the rows hold a spread."""
    rows = [r for r in result["rows"] if r["W_max"] == w_max]
    # One panel under the other, so that each is as wide as the book's column and its labels stay legible.
    fig, axes = plt.subplots(3, 1, figsize=(6.4, 8.6), sharex=True)
    for ax, field, label in zip(
        axes,
        ("cpu_ms", "flops", "peak_MiB"),
        ("CPU time per query (ms)", "counted FLOPs per query", "peak extra memory (MiB)"),
    ):
        for name, (text, color, style) in AGAINST_T_STYLE.items():
            pts = [(r["T"], r[name][field], r[name].get("spread", {}).get(field)) for r in rows if name in r]
            pts = [p for p in pts if p[1] > 0]
            if pts:
                t = [p[0] for p in pts]
                ax.loglog(t, [p[1] for p in pts], style, marker="o", ms=3, color=color, label=text, base=2)
                spreads = [p[2] for p in pts]
                if all(sp is not None and sp["min"] > 0 for sp in spreads):
                    lo, hi = [sp["min"] for sp in spreads], [sp["max"] for sp in spreads]
                    ax.fill_between(t, lo, hi, color=color, alpha=0.2, lw=0)
        ax.set_ylabel(label)
    axes[-1].set_xlabel("tokens T")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    runs = result.get("runs", [])
    over = f";\nmean over {len(runs)} training runs, shaded: min to max" if len(runs) > 1 else ""
    fig.suptitle(f"W_max = {w_max}, one query, batch 1{over}")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def plot_gist_attention(ax, weights, marks=(), title: str | None = None):
    """GistNet's attention ``a_i`` over the ``block`` entries of one block (bars); ``marks``: positions to flag."""
    w = np.asarray(weights)
    colors = [COLORS["write"] if i in set(marks) else COLORS["neutral"] for i in range(len(w))]
    ax.bar(np.arange(len(w)), w, color=colors)
    ax.set_xlabel("position in the block")
    ax.set_ylabel("attention a_i")
    if title:
        ax.set_title(title)
    return ax


def plot_unit_scores(ax, scores, levels, answer_unit: int | None = None, title: str | None = None):
    """LensNet's score of every unit of a working context (bars coloured by level); the answer's unit marked."""
    s, lv = np.asarray(scores), np.asarray(levels)
    ax.bar(np.arange(len(s)), s, color=[LOD_COLORS[1 + int(v)] for v in lv], edgecolor="#333333", linewidth=0.3)
    if answer_unit is not None:
        ax.axvline(answer_unit, color=COLORS["write"], lw=1, ls="--", label="unit holding the answer")
        ax.legend(loc="lower right", fontsize=8)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("unit (timeline order)")
    ax.set_ylabel("score")
    if title:
        ax.set_title(title)
    return ax


def plot_scaling(result: dict):
    """Log-log per-query time (wall: solid, CPU: dashed) and peak extra memory of readers A and C
    against ``T`` (bench JSON), with the fitted slopes."""
    rows = result["rows"]
    t = np.array([r["T"] for r in rows])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    panels = (
        (axes[0], (("ms", "-", "wall"), ("cpu_ms", "--", "cpu")), "time per query (ms)"),
        (axes[1], (("peak_MiB", "-", ""),), "peak extra memory (MiB)"),
    )
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
    image = ax.imshow(
        g + 1,
        aspect="auto",
        origin="lower",
        cmap=ListedColormap(LOD_COLORS),
        vmin=-0.5,
        vmax=3.5,
        interpolation="nearest",
    )
    if answer_steps is not None:
        ax.scatter(
            np.asarray(answer_steps) // block,
            np.arange(len(answer_steps)),
            s=6,
            color=COLORS["write"],
            label="block of the asked fact",
        )
        ax.legend(loc="lower right", markerscale=2)  # the white (future) corner is empty
    ax.set_xlabel(f"block ({block} tokens)")
    ax.set_ylabel("refocus (query) number")
    if title:
        ax.set_title(title)
    bar = plt.colorbar(image, ax=ax, ticks=[0, 1, 2, 3])
    bar.ax.set_yticklabels(["not yet", "LOD0", "LOD1", "LOD2"])
    return ax
