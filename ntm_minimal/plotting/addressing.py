"""Pictures of reading, writing and the addressing pipeline (Eq. 2-9) for chapters 1-7.

Every figure-level function takes *unbatched* tensors (one example, one head unless said
otherwise): a memory is ``[N, M]``, a weighting ``[N]``, a key or erase/add vector ``[M]``, a shift
distribution ``[2k+1]``. Leading dimensions of size 1 are dropped, so ``w[0:1]`` works too. Tensors
may live on any device; the pictures are computed on the CPU with the package's own functions.
Each figure-level function returns the :class:`~matplotlib.figure.Figure`; end the notebook cell
with ``plt.show()``. Axes-level helpers (``ax`` first) draw into an existing axes.

Conventions shared with :mod:`.style`: memory row ``i`` runs bottom to top as in
:func:`~ntm_minimal.plotting.style.plot_memory`; a weighting drawn beside a memory is a horizontal
bar chart on the same rows (:func:`draw_weighting_rows`); elsewhere it is a vertical bar chart
(:func:`~ntm_minimal.plotting.style.draw_weighting`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.ticker import MaxNLocator

from .. import addressing as _addr
from .. import memory as _mem
from .arrays import to_numpy
from .style import COLORS, MEMORY_CMAP, WEIGHT_CMAP, draw_weighting, draw_weighting_heatmap, plot_memory

__all__ = [
    "HEAD_COLORS",
    "plot_weighting_panels",
    "draw_weighting_rows",
    "plot_vector_strip",
    "plot_read",
    "plot_write",
    "plot_content_addressing",
    "plot_interpolation",
    "plot_weighting_sequences",
    "plot_shift_kernel",
    "plot_shift",
    "plot_sharpening",
    "plot_address_stages",
]

#: Colours for several heads drawn in one panel (head 0, head 1, ...).
HEAD_COLORS = ("#1f77b4", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")

_PANEL = (2.3, 2.1)  # width, height in inches of one small panel


# ---------------------------------------------------------------- conversions


def _squeeze_to(x, ndim: int, name: str, shape: str) -> np.ndarray:
    a = to_numpy(x)
    while a.ndim > ndim and a.shape[0] == 1:
        a = a[0]
    if a.ndim < ndim and ndim == 2:
        a = a[None]
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected shape {shape} (one example), got {list(to_numpy(x).shape)}")
    return a


def _vec(x, name: str = "w", shape: str = "[N]") -> np.ndarray:
    return _squeeze_to(x, 1, name, shape)


def _mat(x, name: str = "memory", shape: str = "[N, M]") -> np.ndarray:
    return _squeeze_to(x, 2, name, shape)


def _t(a: np.ndarray) -> torch.Tensor:
    """A float64 CPU tensor with a batch dimension of 1, for the package's functions."""
    return torch.as_tensor(a, dtype=torch.float64).unsqueeze(0)


def _named(weightings, titles, default: str = "w") -> list[tuple[str, np.ndarray]]:
    """Normalise ``{title: w}``, ``[P, N]``, ``[N]`` or a list of ``[N]`` to ``[(title, w), ...]``."""
    if isinstance(weightings, Mapping):
        items = [(str(k), _vec(v)) for k, v in weightings.items()]
    else:
        if isinstance(weightings, (torch.Tensor, np.ndarray)):
            arr = to_numpy(weightings)
            rows = [arr] if arr.ndim == 1 else list(_mat(arr, "weightings", "[P, N]"))
        else:
            rows = [_vec(w) for w in weightings]
        names = (
            list(titles)
            if titles is not None
            else ([default] if len(rows) == 1 else [f"{default}{i}" for i in range(len(rows))])
        )
        if len(names) != len(rows):
            raise ValueError(f"titles: got {len(names)} titles for {len(rows)} weightings")
        items = list(zip(names, rows))
    if not items:
        raise ValueError("weightings: nothing to plot")
    return items


def _vmax(*arrays: np.ndarray) -> float:
    return max(max(float(np.abs(a).max()) for a in arrays), 1e-6)


def _colors(color, n: int) -> list[str]:
    if color is None:
        return [COLORS["read"]] * n
    if isinstance(color, str):
        return [color] * n
    color = list(color)
    if len(color) != n:
        raise ValueError(f"color: got {len(color)} colours for {n} panels")
    return color


def _grid(n: int, ncols: int | None, panel=_PANEL, **kw):
    ncols = min(n, 5) if ncols is None else ncols
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel[0] * ncols, panel[1] * nrows), squeeze=False, layout="constrained", **kw
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n]


def _fmt(x: float) -> str:
    return f"{x:g}"


def _bars(ax, w, title=None, color=COLORS["read"], ylim=1.0):
    """:func:`draw_weighting` with integer row ticks."""
    draw_weighting(ax, w, title=title, color=color, ylim=ylim)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return ax


# ---------------------------------------------------------------- axes-level helpers


def draw_weighting_rows(ax, w, title: str | None = None, color=None, xlim: float | None = 1.0, labels=None):
    """Horizontal bar chart of a weighting on memory rows, to sit beside :func:`plot_memory`.

    Args:
        ax: the axes to draw into.
        w: ``[N]``, or ``[H, N]`` for several heads (grouped bars, one colour per head).
        title: axes title.
        color: a colour, or one per head; default: the read colour for one head, ``HEAD_COLORS``.
        xlim: right end of the x axis (``None``: automatic).
        labels: legend labels, one per head (only used with several heads).

    Returns:
        ``ax``. Row ``i`` is at ``y = i`` (bottom to top), as in :func:`plot_memory`.
    """
    w = to_numpy(w)
    w = w[None] if w.ndim == 1 else _mat(w, "w", "[N] or [H, N]")
    h, n = w.shape
    if color is None:
        colors = [COLORS["read"]] if h == 1 else [HEAD_COLORS[i % len(HEAD_COLORS)] for i in range(h)]
    else:
        colors = _colors(color, h)
    height = 0.85 / h
    for j in range(h):
        y = np.arange(n) - 0.425 + height * (j + 0.5)
        label = labels[j] if labels is not None else None
        ax.barh(y, w[j], height=height, color=colors[j], label=label)
    ax.set_ylim(-0.5, n - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if xlim is not None:
        ax.set_xlim(0, xlim)
    ax.set_xlabel("w(i)")
    ax.set_ylabel("memory row i")
    if labels is not None and h > 1:
        ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return ax


def plot_vector_strip(
    ax,
    v,
    labels: Sequence[str] | None = None,
    vmax: float | None = None,
    cmap: str = MEMORY_CMAP,
    vmin: float | None = None,
):
    """One or more vectors as a strip of coloured cells, to sit under :func:`plot_memory`.

    Args:
        ax: the axes to draw into.
        v: ``[M]`` or ``[P, M]`` (e.g. read vectors, a key, erase or add vectors); the first row is on top.
        labels: one y-tick label per row.
        vmax: colour scale ``[-vmax, vmax]`` (default: the largest magnitude); pass the memory's to
            compare colours with a memory heatmap.
        cmap: colour map (signed memory colours by default; use ``WEIGHT_CMAP`` with ``vmin=0`` for
            values in ``[0, 1]`` such as erase vectors).
        vmin: lower end of the colour scale (default ``-vmax``).

    Returns:
        The ``AxesImage``, for a colour bar.
    """
    a = to_numpy(v)
    a = a[None] if a.ndim == 1 else _mat(a, "v", "[M] or [P, M]")
    vmax = _vmax(a) if vmax is None else vmax
    vmin = -vmax if vmin is None else vmin
    image = ax.imshow(a, aspect="auto", origin="upper", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.set_yticks(range(a.shape[0]))
    ax.set_yticklabels(labels if labels is not None else [""] * a.shape[0])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("entry j")
    return image


def plot_shift_kernel(ax, s, title: str | None = None, color: str = COLORS["neutral"]):
    """Bar chart of a shift distribution ``[2k+1]`` over the offsets ``-k..k`` (Eq. 8)."""
    s = _vec(s, "s", "[2k+1]")
    k = len(s) // 2
    offsets = np.arange(-k, k + 1)
    ax.bar(offsets, s, color=color, width=0.7)
    ax.set_xticks(offsets)
    ax.set_xticklabels([f"{o:+d}" if o else "0" for o in offsets])
    ax.set_xlabel("offset")
    ax.set_ylabel("s(offset)")
    ax.set_ylim(0, 1)
    if title:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------- figures


def plot_weighting_panels(
    weightings,
    titles: Sequence[str] | None = None,
    color=None,
    ncols: int | None = None,
    ylim: float | None = 1.0,
    suptitle: str | None = None,
    panel_size=_PANEL,
):
    """A row (or grid) of bar charts, one weighting per panel.

    Args:
        weightings: a dict ``{title: w}``, a list of ``[N]`` tensors, or a tensor ``[P, N]``.
        titles: panel titles when ``weightings`` is not a dict.
        color: one colour for all panels or one per panel (default: the read colour).
        ncols: panels per row (default: all in one row, at most 5).
        ylim: top of the y axis shared by all panels (``None``: the largest weight, plus a margin).
        suptitle: a title over the whole figure.
        panel_size: ``(width, height)`` of one panel in inches.

    Returns:
        The figure.
    """
    items = _named(weightings, titles)
    if ylim is None:
        ylim = 1.05 * _vmax(*[w for _, w in items])
    fig, axes = _grid(len(items), ncols, panel_size, sharey=True)
    for ax, (title, w), c in zip(axes, items, _colors(color, len(items))):
        _bars(ax, w, title=title, color=c, ylim=ylim)
        if ax.get_subplotspec().colspan.start:
            ax.set_ylabel("")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def plot_read(memory, weightings, titles: Sequence[str] | None = None, vmax: float | None = None):
    """Reading (Eq. 2) pictured: weightings beside the memory, the read vectors under it.

    Args:
        memory: ``[N, M]``.
        weightings: one ``[N]``, or a dict ``{name: [N]}`` / list / ``[P, N]`` to compare reads
            (e.g. a sharp and a blurry weighting).
        titles: names when ``weightings`` is not a dict.
        vmax: memory colour scale ``[-vmax, vmax]`` (default: the largest entry).

    Returns:
        The figure: one horizontal bar chart per weighting on the left, the memory on the right, and
        under it the read vector of each weighting ``r = sum_i w(i) M(i)``, in the memory's colours.
    """
    mem = _mat(memory)
    items = _named(weightings, titles)
    n, m = mem.shape
    w = np.stack([v for _, v in items])
    if w.shape[1] != n:
        raise ValueError(f"weightings: expected [N={n}] (from memory {list(mem.shape)}), got {list(w.shape)}")
    reads = _mem.read(_t(mem), _t(w))[0].numpy()  # [P, M]
    vmax = _vmax(mem, reads) if vmax is None else vmax
    p = len(items)
    mem_width = max(1.6, 0.32 * m)
    fig = plt.figure(figsize=(1.5 * p + mem_width + 0.8, 0.26 * n + 0.3 * p + 1.7), layout="constrained")
    grid = fig.add_gridspec(2, p + 1, width_ratios=[1.5] * p + [mem_width], height_ratios=[n, p + 0.8])
    ax_mem = fig.add_subplot(grid[0, p])
    image = plot_memory(ax_mem, mem, title="memory M", vmax=vmax)
    ax_mem.set_xlabel("")
    for j, (title, v) in enumerate(items):
        ax = fig.add_subplot(grid[0, j], sharey=ax_mem)
        draw_weighting_rows(ax, v, title=title)
        if j:
            ax.set_ylabel("")
        fig.add_subplot(grid[1, j]).axis("off")
    ax_mem.set_ylabel("")
    ax_r = fig.add_subplot(grid[1, p], sharex=ax_mem)
    plot_vector_strip(ax_r, reads, labels=[f"r ({t})" if p > 1 else "r" for t, _ in items], vmax=vmax)
    ax_r.set_title("read vector (Eq. 2)")
    fig.colorbar(image, ax=[ax_mem, ax_r], shrink=0.8, label="value")
    return fig


def plot_write(memory, w, e, a, vmax: float | None = None, show_change: bool = True):
    """Writing (Eq. 3 then Eq. 4) pictured: memory before, after the erase, after the add.

    Args:
        memory: ``[N, M]``, the memory before the write.
        w: ``[N]``, or ``[H, N]`` for ``H`` write heads.
        e: ``[M]`` or ``[H, M]``, erase vectors in ``[0, 1]``.
        a: ``[M]`` or ``[H, M]``, add vectors.
        vmax: memory colour scale (default: the largest entry before or after).
        show_change: add a panel with the change ``after - before``.

    Returns:
        The figure: the weighting(s) beside the rows, then the memory before, after erasing
        (``ntm_minimal.memory.erase``) and after adding (``ntm_minimal.memory.add``), with the erase
        and add vectors under the panels they act on. Several heads use the paper's rule: all
        erases multiply, then all adds sum.
    """
    mem = _mat(memory)
    n, m = mem.shape
    w = to_numpy(w)
    heads = w.ndim == 2 and w.shape[0] > 1
    w = _mat(w, "w", "[N] or [H, N]") if heads else _vec(w, "w", "[N] or [H, N]")
    e = _mat(e, "e", "[H, M]") if heads else _vec(e, "e", "[M]")
    a = _mat(a, "a", "[H, M]") if heads else _vec(a, "a", "[M]")
    erased = _mem.erase(_t(mem), _t(w), _t(e))
    after = _mem.add(erased, _t(w), _t(a))[0].numpy()
    erased = erased[0].numpy()
    vmax = _vmax(mem, after, a) if vmax is None else vmax
    h = w.shape[0] if heads else 1
    panels = [("before", mem), ("after erase (Eq. 3)", erased), ("after add (Eq. 4)", after)]
    if show_change:
        panels.append(("change", after - mem))
    mem_width = max(1.5, 0.3 * m)
    fig = plt.figure(
        figsize=(1.6 + (mem_width + 0.1) * len(panels) + 0.6, 0.26 * n + 0.3 * h + 1.8), layout="constrained"
    )
    grid = fig.add_gridspec(
        2, len(panels) + 1, width_ratios=[1.6] + [mem_width] * len(panels), height_ratios=[n, h + 0.9]
    )
    axes = [fig.add_subplot(grid[0, 1])]
    axes += [fig.add_subplot(grid[0, j + 1], sharey=axes[0], sharex=axes[0]) for j in range(1, len(panels))]
    for ax, (title, values) in zip(axes, panels):
        image = plot_memory(ax, values, title=title, vmax=vmax)
        ax.set_xlabel("")
        ax.set_ylabel("")
    ax_w = fig.add_subplot(grid[0, 0], sharey=axes[0])
    labels = [f"head {i}" for i in range(h)] if heads else None
    draw_weighting_rows(ax_w, w, title="write weighting", color=COLORS["write"] if not heads else None, labels=labels)
    head_labels = [f"e{i}" for i in range(h)] if heads else ["e"]
    strips = {
        1: (e, [lbl for lbl in head_labels], dict(cmap=WEIGHT_CMAP, vmin=0.0, vmax=1.0), "erase vector (black = 1)"),
        2: (a, [lbl.replace("e", "a") for lbl in head_labels], dict(vmax=vmax), "add vector"),
    }
    for j in range(len(panels)):
        ax = fig.add_subplot(grid[1, j + 1], sharex=axes[0]) if j in strips else fig.add_subplot(grid[1, j + 1])
        if j in strips:
            values, lbls, kw, title = strips[j]
            plot_vector_strip(ax, values, labels=lbls, **kw)
            ax.set_title(title)
        else:
            ax.axis("off")
    fig.add_subplot(grid[1, 0]).axis("off")
    fig.colorbar(image, ax=axes, shrink=0.8, label="value")
    return fig


def plot_content_addressing(key, memory, betas: Sequence[float] = (1.0, 5.0, 20.0, 100.0), vmax: float | None = None):
    """Content addressing (Eq. 5-6) pictured for several key strengths β.

    Args:
        key: ``[M]``.
        memory: ``[N, M]``.
        betas: the key strengths to compare, one panel each.
        vmax: memory colour scale (default: the largest entry of memory or key).

    Returns:
        The figure: the memory with the key under it, the cosine similarity of the key with each row
        (Eq. 6, ``ntm_minimal.addressing.cosine_similarity``), then the content weighting for each β
        (Eq. 5, ``ntm_minimal.addressing.content_weighting``), all on the memory's rows.
    """
    mem = _mat(memory)
    k = _vec(key, "key", "[M]")
    n, m = mem.shape
    sim = _addr.cosine_similarity(_t(k), _t(mem))[0].numpy()
    ws = [
        _addr.content_weighting(_t(k), torch.full((1, 1), float(b), dtype=torch.float64), _t(mem))[0].numpy()
        for b in betas
    ]
    vmax = _vmax(mem, k) if vmax is None else vmax
    mem_width = max(1.5, 0.3 * m)
    cols = 2 + len(betas)
    fig = plt.figure(figsize=(mem_width + 1.6 * (cols - 1) + 0.3, 0.26 * n + 2.0), layout="constrained")
    grid = fig.add_gridspec(2, cols, width_ratios=[mem_width] + [1.6] * (cols - 1), height_ratios=[n, 1.9])
    ax_mem = fig.add_subplot(grid[0, 0])
    plot_memory(ax_mem, mem, title="memory M", vmax=vmax)
    ax_mem.set_xlabel("")
    ax_key = fig.add_subplot(grid[1, 0], sharex=ax_mem)
    plot_vector_strip(ax_key, k, labels=["key k"], vmax=vmax)
    ax_sim = fig.add_subplot(grid[0, 1], sharey=ax_mem)
    ax_sim.barh(np.arange(n), sim, height=0.85, color=COLORS["neutral"])
    ax_sim.axvline(0, color="black", linewidth=0.6)
    ax_sim.set_xlim(-1, 1)
    ax_sim.set_xlabel("K[k, M(i)]")
    ax_sim.set_title("cosine (Eq. 6)")
    for j, (b, w) in enumerate(zip(betas, ws)):
        ax = fig.add_subplot(grid[0, 2 + j], sharey=ax_mem)
        draw_weighting_rows(ax, w, title=f"β = {_fmt(b)}", color=COLORS["content"])
        ax.set_ylabel("")
        ax.set_xlabel("$w^c(i)$")
    for j in range(1, cols):
        fig.add_subplot(grid[1, j]).axis("off")
    return fig


def plot_interpolation(
    w_content, w_prev, gates: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0), ncols: int | None = None
):
    """The interpolation gate (Eq. 7) pictured: ``g w^c + (1 - g) w_{t-1}`` for several ``g``.

    Args:
        w_content: ``[N]``, this step's content weighting.
        w_prev: ``[N]``, the head's previous weighting.
        gates: the values of ``g`` to show, one panel each.
        ncols: panels per row (default: all in one row, at most 7).

    Returns:
        The figure: the two inputs, then the gated weighting (``ntm_minimal.addressing.interpolate``)
        for each ``g``, with the two inputs drawn as outlines for comparison.
    """
    wc, wp = _vec(w_content, "w_content"), _vec(w_prev, "w_prev")
    n = len(wc)
    outs = [
        _addr.interpolate(_t(wc), _t(wp), torch.full((1, 1), float(g), dtype=torch.float64))[0].numpy() for g in gates
    ]
    ylim = 1.05 * _vmax(wc, wp)
    fig, axes = _grid(2 + len(gates), min(2 + len(gates), 7) if ncols is None else ncols, (2.0, 2.1), sharey=True)
    _bars(axes[0], wp, title="previous $w_{t-1}$", color=COLORS["neutral"], ylim=ylim)
    _bars(axes[1], wc, title="content $w^c_t$", color=COLORS["content"], ylim=ylim)
    x = np.arange(n)
    for ax, g, w in zip(axes[2:], gates, outs):
        _bars(ax, w, title=f"g = {_fmt(g)}", color=COLORS["read"], ylim=ylim)
        ax.step(x, wp, where="mid", color=COLORS["neutral"], linewidth=1.0, linestyle="--")
        ax.step(x, wc, where="mid", color=COLORS["content"], linewidth=1.0, linestyle=":")
    for ax in axes:
        if ax.get_subplotspec().colspan.start:
            ax.set_ylabel("")
    return fig


def plot_weighting_sequences(
    sequences,
    titles: Sequence[str] | None = None,
    ncols: int | None = None,
    panel_size=(2.8, 2.4),
    annotate=None,
    sharey: bool = True,
):
    """Several weightings over time side by side, as heatmaps (time on x, rows on y; the paper's Fig. 6).

    Args:
        sequences: a dict ``{title: [T, N]}``, a list of ``[T, N]``, or a tensor ``[P, T, N]``.
        titles: panel titles when ``sequences`` is not a dict.
        ncols: panels per row (default: all in one row, at most 4).
        panel_size: ``(width, height)`` of one panel in inches.
        annotate: optional dict ``{title: [T] values}`` (or a list, one per panel, ``None`` to
            skip) printed above each time step, e.g. the gate ``g_t`` of each step.
        sharey: share the row axis between panels; pass ``False`` when some panels are not
            weightings over the same memory (e.g. a task's input and target channels beside them).

    Returns:
        The figure (white = 0, black = 1).
    """
    if isinstance(sequences, Mapping):
        items = [(str(k), _mat(v, "sequence", "[T, N]")) for k, v in sequences.items()]
    else:
        seqs = list(to_numpy(sequences)) if isinstance(sequences, (torch.Tensor, np.ndarray)) else list(sequences)
        names = list(titles) if titles is not None else [f"w{i}" for i in range(len(seqs))]
        if len(names) != len(seqs):
            raise ValueError(f"titles: got {len(names)} titles for {len(seqs)} sequences")
        items = [(t, _mat(v, "sequence", "[T, N]")) for t, v in zip(names, seqs)]
    if isinstance(annotate, Mapping):
        notes = [annotate.get(t) for t, _ in items]
    else:
        notes = list(annotate) if annotate is not None else [None] * len(items)
    fig, axes = _grid(len(items), min(len(items), 4) if ncols is None else ncols, panel_size, sharey=sharey)
    for ax, (title, seq), note in zip(axes, items, notes):
        draw_weighting_heatmap(ax, seq, title=title)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if note is not None:
            values = _vec(note, "annotate", "[T]")
            for t, v in enumerate(values):
                ax.text(
                    t,
                    seq.shape[1] - 0.5,
                    _fmt(round(float(v), 2)),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color=COLORS["neutral"],
                    clip_on=False,
                )
            ax.set_title(title, pad=12)
        if sharey and ax.get_subplotspec().colspan.start:
            ax.set_ylabel("")
    return fig


def plot_shift(w, shifts, titles: Sequence[str] | None = None, shifted=None):
    """The convolutional shift (Eq. 8) pictured: weighting, shift distribution, result.

    Args:
        w: ``[N]``, the weighting before the shift.
        shifts: one shift distribution ``[2k+1]``, or a dict ``{name: s}`` / list / ``[P, 2k+1]``
            to compare several (one row of panels each).
        titles: names when ``shifts`` is not a dict.
        shifted: optional results to draw instead of computing them with
            ``ntm_minimal.addressing.shift`` (``[N]`` or ``[P, N]``, e.g. a reader's own function).

    Returns:
        The figure: for each shift a row ``w | s over offsets -k..k | shifted w``.
    """
    wv = _vec(w, "w")
    items = _named(shifts, titles, default="s")
    if shifted is None:
        outs = [_addr.shift(_t(wv), _t(s))[0].numpy() for _, s in items]
    else:
        outs = [
            _vec(o, "shifted") for o in (to_numpy(shifted)[None] if to_numpy(shifted).ndim == 1 else to_numpy(shifted))
        ]
    p = len(items)
    fig, axes = plt.subplots(p, 3, figsize=(7.2, 2.1 * p), squeeze=False, layout="constrained")
    for row, ((name, s), out) in enumerate(zip(items, outs)):
        top = row == 0
        _bars(axes[row, 0], wv, title="w (before)" if top else None, color=COLORS["neutral"])
        plot_shift_kernel(axes[row, 1], s, title=(f"s: {name}" if p > 1 or titles else "s (Eq. 8)"))
        _bars(axes[row, 2], out, title="shifted $\\tilde w$ (after)" if top else None)
    return fig


def plot_sharpening(w, gammas: Sequence[float] = (1.0, 2.0, 5.0, 20.0)):
    """Sharpening (Eq. 9) pictured: ``w^γ / sum w^γ`` for several ``γ`` (``γ = 1`` changes nothing).

    Args:
        w: ``[N]``, the weighting to sharpen.
        gammas: the exponents to show (each ``>= 1``), one panel each.

    Returns:
        The figure: ``w``, then ``ntm_minimal.addressing.sharpen(w, γ)`` for each ``γ``.
    """
    wv = _vec(w, "w")
    outs = {"before": wv}
    for gamma in gammas:
        outs[f"γ = {_fmt(gamma)}"] = _addr.sharpen(_t(wv), torch.full((1, 1), float(gamma), dtype=torch.float64))[
            0
        ].numpy()
    colors = [COLORS["neutral"]] + [COLORS["read"]] * len(gammas)
    return plot_weighting_panels(outs, color=colors, ncols=min(len(outs), 6), panel_size=(2.0, 2.1))


_STAGE_TITLES = ("content $w^c$ (Eq. 5)", "gated $w^g$ (Eq. 7)", "shifted $\\tilde w$ (Eq. 8)", "sharpened $w$ (Eq. 9)")


def plot_address_stages(stages, w_prev=None, s=None, titles: Sequence[str] | None = None):
    """The addressing pipeline (Fig. 2 of the paper) pictured: the weighting after each stage.

    Args:
        stages: an :class:`ntm_minimal.addressing.AddressingStages` (or any sequence of the four
            weightings content, gated, shifted, sharpened) for one example and head: each ``[N]``.
            Index a batched result first, e.g. ``AddressingStages(*(x[0, 0] for x in stages))``.
        w_prev: optional ``[N]``, the previous weighting, drawn first.
        s: optional ``[2k+1]``, the shift distribution, drawn between gated and shifted.
        titles: four panel titles (default: the stage names with their equation numbers).

    Returns:
        The figure: one bar chart per stage, left to right in the paper's order.
    """
    stages = list(stages)
    if len(stages) != 4:
        raise ValueError(f"stages: expected 4 weightings (content, gated, shifted, sharpened), got {len(stages)}")
    titles = list(_STAGE_TITLES if titles is None else titles)
    panels = []  # (kind, title, values, colour)
    if w_prev is not None:
        panels.append(("w", "previous $w_{t-1}$", _vec(w_prev, "w_prev"), COLORS["neutral"]))
    panels.append(("w", titles[0], _vec(stages[0], "content"), COLORS["content"]))
    panels.append(("w", titles[1], _vec(stages[1], "gated"), COLORS["read"]))
    if s is not None:
        panels.append(("s", "shift s", _vec(s, "s", "[2k+1]"), COLORS["neutral"]))
    panels.append(("w", titles[2], _vec(stages[2], "shifted"), COLORS["read"]))
    panels.append(("w", titles[3], _vec(stages[3], "sharpened"), COLORS["read"]))
    fig, axes = _grid(len(panels), len(panels), (2.0, 2.1))
    for ax, (kind, title, values, color) in zip(axes, panels):
        if kind == "s":
            plot_shift_kernel(ax, values, title=title, color=color)
        else:
            _bars(ax, values, title=title, color=color)
        if ax is not axes[0]:
            ax.set_ylabel("")
    return fig
