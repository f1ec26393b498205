"""Plotting for the course: one style (:mod:`.style`), addressing pictures (:mod:`.addressing`)
and task/training pictures (:mod:`.tasks`)."""

from .addressing import *  # noqa: F401,F403
from .algorithms import *  # noqa: F401,F403
from .arrays import to_numpy  # noqa: F401
from .explorer import *  # noqa: F401,F403  (the addressing explorer; ipywidgets imported only when used)
from .style import (  # noqa: F401  (re-exported: plotting.COLORS, plotting.use_style, ...)
    COLORS,
    MEMORY_CMAP,
    WEIGHT_CMAP,
    draw_weighting,
    draw_weighting_heatmap,
    plot_memory,
    use_style,
)
from .tasks import *  # noqa: F401,F403
