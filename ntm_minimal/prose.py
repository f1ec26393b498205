"""Numbers for the chapters' prose, computed by the page that states them.

A chapter never types a measured number into its text: a code cell computes it and *glues* it under
a name, and the text says ``{glue:text}`name``` where the number goes. The book (myst-nb) puts the
glued text there when it renders the page; in Jupyter the cell output holds it. :func:`glue`
writes the same record as ``myst_nb.glue(name, value, display=False)`` but needs only IPython, so a
chapter runs where the book's tools are not installed (Colab).

The formatters say how a number from a sample is written everywhere in the course: a mean with its
standard error (:func:`mean_se`), a share as a percentage (:func:`percent`), and a result row of
:mod:`~ntm_minimal.evaluation` with its spread (:func:`spread`).
"""

from __future__ import annotations

import math
import numbers

#: myst-nb's prefix for glued data that is not displayed (``myst_nb.ext.glue.GLUE_PREFIX``).
GLUE_PREFIX = "application/papermill.record/"

__all__ = ["glue", "mean_se", "number", "percent", "spread"]


def _real(value, name: str) -> float:
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):  # a 0-d tensor or array: its number
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"{name}: expected a finite real number, got {value!r}")
    return float(value)


def number(value, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals and thousands separators (``1,024``, ``3.10``)."""
    return f"{_real(value, 'value'):,.{int(digits)}f}"


def mean_se(mean, se, digits: int = 2) -> str:
    """A mean and its standard error, e.g. ``1.77 ± 0.18``."""
    return f"{number(mean, digits)} ± {number(se, digits)}"


def percent(share, digits: int = 1) -> str:
    """A share from 0 to 1 as a percentage, e.g. ``99.2 %`` (never 100 % unless it is exactly 1)."""
    share = _real(share, "share")
    if not 0 <= share <= 1:
        raise ValueError(f"share: expected a value from 0 to 1, got {share!r}")
    text = f"{100 * share:.{int(digits)}f}"
    if share < 1 and float(text) == 100:  # 99.97 % is not "100.0 %": say how close
        text = f"{100 * share:.{int(digits) + 2}f}"
    return f"{text} %"


def spread(row: dict, digits: int = 2) -> str:
    """A result row of :mod:`~ntm_minimal.evaluation` in words: mean bit errors ± standard error,
    the worst sequence and the share of perfect sequences, out of how many."""
    missing = [
        k for k in ("bit_errors", "bit_errors_se", "bit_errors_worst", "perfect_share", "batch_size") if k not in row
    ]
    if missing:
        raise ValueError(f"row: expected a result row with its spread, missing {missing}")
    return (
        f"{mean_se(row['bit_errors'], row['bit_errors_se'], digits)} bit errors per sequence, "
        f"worst {number(row['bit_errors_worst'], 0)}, {percent(row['perfect_share'])} of "
        f"{number(row['batch_size'], 0)} perfect"
    )


def glue(name: str, value) -> str:
    """Record ``value``'s text under ``name`` for a ``{glue:text}`name``` role; returns the text.

    Numbers are written with :func:`number` (two decimals) unless they are integers; give a string
    (e.g. from :func:`mean_se`) for any other form. Nothing is shown in the notebook.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name: expected a name made of letters, digits and _, got {name!r}")
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        text = f"{int(value):,}"
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        text = number(value)
    elif isinstance(value, str):
        text = value
    else:
        raise TypeError(f"value: expected a number or a string, got {type(value).__name__}")
    from IPython.display import display  # IPython comes with every Jupyter kernel

    display(
        {GLUE_PREFIX + "text/plain": repr(text)},
        raw=True,
        metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
    )
    return text
