"""Plotting for the course: one style (:mod:`.style`), addressing pictures (:mod:`.addressing`)
and task/training pictures (:mod:`.tasks`)."""
from .addressing import *  # noqa: F401,F403
from .explorer import *  # noqa: F401,F403  (the addressing explorer; ipywidgets imported only when used)
from .style import COLORS, MEMORY_CMAP, WEIGHT_CMAP, plot_memory, plot_weighting, plot_weightings_over_time, use_style  # noqa: F401
from .tasks import *  # noqa: F401,F403
from .algorithms import *  # noqa: F401,F403
