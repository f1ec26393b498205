"""The addressing explorer (chapter 6): every stage of Eq. 5-9 for one head, as sliders move.

Two views of the same picture, one row of panels ``w_{t-1} | w^c | w^g | s | w~ | w``:

* :func:`addressing_explorer` - an ipywidgets UI with sliders for β, g, the three shift weights
  ``s(-1), s(0), s(+1)`` (normalised to sum to 1) and γ, redrawing the row live. It needs a running
  kernel; ipywidgets is imported only when it is called, so nothing else in the package needs it.
* :func:`plot_explorer_presets` - the static fallback for the HTML book: one row per preset
  slider setting (:data:`PRESETS`).

Both use a small fixed example (:func:`explorer_example`): a random memory of 10 rows, a key
that is a noisy copy of row 6, and a previous weighting focused on row 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import torch

from .. import addressing as _addr
from .addressing import _bars, _fmt, _vec, plot_shift_kernel
from .style import COLORS

__all__ = [
    "PRESETS",
    "ExplorerExample",
    "explorer_example",
    "explorer_stages",
    "plot_explorer_row",
    "plot_explorer",
    "plot_explorer_presets",
    "addressing_explorer",
]

#: Preset slider settings shown by the static fallback: ``{name: dict(beta, g, s, gamma)}``, ``s`` as
#: the weights of the offsets (-1, 0, +1).
PRESETS: dict[str, dict] = {
    "content lookup": dict(beta=20.0, g=1.0, s=(0.0, 1.0, 0.0), gamma=1.0),
    "keep position, step +1": dict(beta=20.0, g=0.0, s=(0.0, 0.0, 1.0), gamma=1.0),
    "content, then step +1": dict(beta=20.0, g=1.0, s=(0.0, 0.0, 1.0), gamma=1.0),
    "blurred step": dict(beta=20.0, g=0.0, s=(0.1, 0.3, 0.6), gamma=1.0),
    "blurred step, sharpened": dict(beta=20.0, g=0.0, s=(0.1, 0.3, 0.6), gamma=10.0),
}

_TITLES = (
    "previous $w_{t-1}$",
    "content $w^c$ (5)",
    "gated $w^g$ (7)",
    "shift $s$",
    "shifted $\\tilde w$ (8)",
    "sharpened $w$ (9)",
)


class ExplorerExample(NamedTuple):
    """One head's inputs apart from its parameters (unbatched, float64)."""

    memory: torch.Tensor  # [N, M]
    key: torch.Tensor  # [M]
    w_prev: torch.Tensor  # [N]


def explorer_example(n: int = 10, m: int = 6, key_row: int = 6, prev_row: int = 2, seed: int = 0) -> ExplorerExample:
    """A seeded example: random memory ``[n, m]``, key = row ``key_row`` plus noise, and a previous
    weighting focused on row ``prev_row`` with a little spread to its neighbours."""
    if not (0 <= key_row < n and 0 <= prev_row < n):
        raise ValueError(f"key_row, prev_row: expected rows in 0..{n - 1}, got {key_row}, {prev_row}")
    gen = torch.Generator().manual_seed(seed)
    memory = torch.randn(n, m, generator=gen, dtype=torch.float64)
    key = memory[key_row] + 0.3 * torch.randn(m, generator=gen, dtype=torch.float64)
    rows = torch.arange(n, dtype=torch.float64)
    w_prev = torch.softmax(-2.0 * (rows - prev_row) ** 2, dim=-1)
    return ExplorerExample(memory, key, w_prev)


def _shift_distribution(s: Sequence[float]) -> torch.Tensor:
    """Slider values for the offsets -k..k, normalised to sum to 1 (all zero: stay)."""
    v = torch.as_tensor(np.asarray(s, dtype=np.float64))
    if v.dim() != 1 or v.numel() % 2 == 0 or bool((v < 0).any()):
        raise ValueError(
            f"s: expected an odd number of non-negative weights for offsets -k..k, got {list(np.asarray(s))}"
        )
    if float(v.sum()) == 0.0:
        v = torch.zeros_like(v)
        v[v.numel() // 2] = 1.0
    return v / v.sum()


def explorer_stages(example: ExplorerExample, beta: float, g: float, s: Sequence[float], gamma: float):
    """Every stage of the addressing (``ntm_minimal.addressing.address_stages``) for scalar parameters.

    Args:
        example: from :func:`explorer_example`.
        beta: key strength ``>= 0``; g: gate in ``[0, 1]``; gamma: ``>= 1``.
        s: weights of the offsets ``-k..k`` (normalised here, so any non-negative values do).

    Returns:
        ``(stages, s)``: an ``AddressingStages`` of four ``[N]`` weightings, and the normalised ``s``.
    """
    dist = _shift_distribution(s)
    one = lambda x: torch.tensor([[float(x)]], dtype=torch.float64)  # noqa: E731 - [B=1, 1]
    stages = _addr.address_stages(
        example.key[None], one(beta), one(g), dist[None], one(gamma), example.w_prev[None], example.memory[None]
    )
    return _addr.AddressingStages(*(x[0] for x in stages)), dist


def plot_explorer_row(axes, example: ExplorerExample, stages, s, label: str | None = None, titles: bool = True):
    """Draw one row of six panels ``w_{t-1} | w^c | w^g | s | w~ | w`` into ``axes`` (6 axes)."""
    axes = list(axes)
    if len(axes) != 6:
        raise ValueError(f"axes: expected 6 axes, got {len(axes)}")
    values = [example.w_prev, stages.content, stages.gated, None, stages.shifted, stages.sharpened]
    colors = [COLORS["neutral"], COLORS["content"], COLORS["read"], None, COLORS["read"], COLORS["read"]]
    for ax, title, v, c in zip(axes, _TITLES, values, colors):
        if v is None:
            plot_shift_kernel(ax, s, title=title if titles else None)
        else:
            _bars(ax, _vec(v), title=title if titles else None, color=c)
        ax.set_ylabel("")
        if not titles:
            ax.set_title("")
    if label:
        axes[0].set_ylabel(label, fontsize=9)
    return axes


def _label(name: str, beta: float, g: float, s: torch.Tensor, gamma: float) -> str:
    shift = ", ".join(_fmt(round(float(x), 2)) for x in s)
    return f"{name}\nβ={_fmt(beta)}, g={_fmt(g)}\ns=({shift}), γ={_fmt(gamma)}"


def plot_explorer(
    example: ExplorerExample, beta: float, g: float, s: Sequence[float], gamma: float, name: str | None = None
):
    """One slider setting as a one-row figure (what :func:`addressing_explorer` redraws)."""
    stages, dist = explorer_stages(example, beta, g, s, gamma)
    fig, axes = plt.subplots(1, 6, figsize=(13.0, 2.5), layout="constrained")
    plot_explorer_row(axes, example, stages, dist, label=_label(name or "", beta, g, dist, gamma))
    return fig


def plot_explorer_presets(example: ExplorerExample | None = None, presets: Mapping[str, Mapping] | None = None):
    """The static explorer: one row per preset (default :data:`PRESETS`), columns the stages of Eq. 5-9.

    Args:
        example: from :func:`explorer_example` (default: ``explorer_example()``).
        presets: ``{name: dict(beta=..., g=..., s=(s_-1, s_0, s_+1), gamma=...)}``.

    Returns:
        The figure.
    """
    example = explorer_example() if example is None else example
    presets = PRESETS if presets is None else presets
    fig, axes = plt.subplots(
        len(presets), 6, figsize=(13.0, 2.1 * len(presets) + 0.3), squeeze=False, layout="constrained", sharex="col"
    )
    for row, (name, p) in enumerate(presets.items()):
        stages, dist = explorer_stages(example, p["beta"], p["g"], p["s"], p["gamma"])
        plot_explorer_row(
            axes[row], example, stages, dist, label=_label(name, p["beta"], p["g"], dist, p["gamma"]), titles=row == 0
        )
        if row < len(presets) - 1:
            for ax in axes[row]:
                ax.set_xlabel("")
    return fig


def addressing_explorer(example: ExplorerExample | None = None, preset: str = "keep position, step +1"):
    """An ipywidgets UI: sliders for β, g, s(-1), s(0), s(+1) and γ, redrawing Eq. 5-9 live.

    Needs a running Jupyter kernel (in the static book the sliders cannot re-run Python: show
    :func:`plot_explorer_presets` beside it). The shift sliders are normalised to sum to 1.

    Returns:
        An ``ipywidgets.VBox`` (display it by making it a cell's last expression).
    """
    try:
        import ipywidgets as widgets
    except ImportError as err:  # only the explorer needs ipywidgets
        raise ImportError(
            "addressing_explorer needs ipywidgets: pip install ipywidgets "
            "(or use plot_explorer_presets for a static picture)"
        ) from err
    example = explorer_example() if example is None else example
    if preset not in PRESETS:
        raise ValueError(f"preset: expected one of {sorted(PRESETS)}, got {preset!r}")
    start = PRESETS[preset]

    # Each control fills its grid cell with room for its label, and the grid wraps to as many
    # columns as fit: nothing overlaps or leaves the notebook's (or the book's) column.
    label = {"description_width": "6.5em"}
    fill = lambda: widgets.Layout(width="auto", min_width="0")  # noqa: E731 - one Layout per control

    def slider(description, value, low, high, step):
        return widgets.FloatSlider(
            value=value,
            min=low,
            max=high,
            step=step,
            description=description,
            continuous_update=False,
            readout_format=".2f",
            style=label,
            layout=fill(),
        )

    controls = {
        "beta": slider("β (Eq. 5)", start["beta"], 0.0, 50.0, 0.5),
        "g": slider("g (Eq. 7)", start["g"], 0.0, 1.0, 0.05),
        "s_minus": slider("s(-1) (Eq. 8)", start["s"][0], 0.0, 1.0, 0.05),
        "s_zero": slider("s(0)", start["s"][1], 0.0, 1.0, 0.05),
        "s_plus": slider("s(+1)", start["s"][2], 0.0, 1.0, 0.05),
        "gamma": slider("γ (Eq. 9)", start["gamma"], 1.0, 20.0, 0.5),
    }
    choose = widgets.Dropdown(options=list(PRESETS), value=preset, description="preset", style=label, layout=fill())

    def apply_preset(change):
        p = PRESETS[change["new"]]
        values = dict(beta=p["beta"], g=p["g"], s_minus=p["s"][0], s_zero=p["s"][1], s_plus=p["s"][2], gamma=p["gamma"])
        for name, value in values.items():
            controls[name].value = value

    choose.observe(apply_preset, names="value")

    def draw(beta, g, s_minus, s_zero, s_plus, gamma):
        plot_explorer(example, beta, g, (s_minus, s_zero, s_plus), gamma)
        plt.show()

    out = widgets.interactive_output(draw, controls)
    c = controls
    grid = widgets.GridBox(
        [choose, c["beta"], c["g"], c["s_minus"], c["s_zero"], c["s_plus"], c["gamma"]],
        layout=widgets.Layout(
            grid_template_columns="repeat(auto-fill, minmax(17em, 1fr))", grid_gap="0.2em 1em", width="100%"
        ),
    )
    return widgets.VBox([grid, out], layout=widgets.Layout(width="100%", max_width="100%"))
