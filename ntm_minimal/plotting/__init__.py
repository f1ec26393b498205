"""Plotting for the course: one style (:mod:`.style`), addressing pictures (:mod:`.addressing`)
and task/training pictures (:mod:`.tasks`)."""
from .addressing import *  # noqa: F401,F403
from .explorer import *  # noqa: F401,F403  (the addressing explorer; ipywidgets imported only when used)
from .arrays import to_numpy  # noqa: F401
from .style import (COLORS, MEMORY_CMAP, WEIGHT_CMAP, draw_weighting, draw_weighting_heatmap,  # noqa: F401
                    plot_memory, use_style)
from .tasks import *  # noqa: F401,F403
from .algorithms import *  # noqa: F401,F403
