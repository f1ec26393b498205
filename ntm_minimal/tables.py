"""Tables of results that read well everywhere: HTML in Jupyter and the book, aligned text elsewhere.

A :class:`Table` is what a notebook cell shows (its last expression, or ``display(table)`` for
several): Jupyter and the web book render its ``_repr_html_`` as a real table that the page lays
out in its column; plain output (``print``, a terminal, nbval's text comparison) gets
:meth:`Table.to_text`, the same cells in aligned columns. Both are made from the same formatted
strings, so they always agree, and are deterministic for deterministic values.

>>> t = Table(["length", "NTM", "LSTM"], [(10, 0.0, 0.01), (120, 0.031, 31.5)], formats={"NTM": ".2f", "LSTM": ".2f"},
...           caption="bit errors per sequence")
>>> print(t)
bit errors per sequence
length   NTM   LSTM
------  ----  -----
    10  0.00   0.01
   120  0.03  31.50
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = ["Table", "show"]

Format = str | Callable[[Any], str]


def _format(value: Any, spec: Format | None) -> str:
    if callable(spec):
        return str(spec(value))
    if value is None:
        return ""
    if spec is not None:
        return format(value, spec)
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return f"{float(value):.4g}"


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


class Table:
    """A small table of results.

    Args:
        columns: the header, one name per column.
        rows: the rows, each a sequence of ``len(columns)`` values (numbers, strings, None for empty).
        formats: per column (by name or by position) a format spec such as ``".2f"`` or ``","``, or a
            function of the value returning its text. Unformatted floats get 4 significant digits.
        caption: a line above the table (e.g. what the numbers are and where they come from).

    Numeric columns are right-aligned, others left-aligned.
    """

    def __init__(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        formats: Mapping[str | int, Format] | None = None,
        caption: str | None = None,
    ):
        self.columns = [str(c) for c in columns]
        if not self.columns:
            raise ValueError("columns: expected at least one column name, got none")
        self.rows = [list(r) for r in rows]
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"rows: row {i} has {len(row)} values, expected {len(self.columns)} "
                    f"(one per column of {self.columns})"
                )
        formats = dict(formats or {})
        unknown = [k for k in formats if not (k in self.columns or (isinstance(k, int) and 0 <= k < len(self.columns)))]
        if unknown:
            raise ValueError(f"formats: unknown columns {unknown}; columns are {self.columns}")
        self._specs = [formats.get(name, formats.get(j)) for j, name in enumerate(self.columns)]
        self.caption = caption
        self.cells = [[_format(v, spec) for v, spec in zip(row, self._specs)] for row in self.rows]
        self.numeric = [
            bool(self.rows) and all(_is_number(r[j]) or r[j] is None for r in self.rows)
            for j in range(len(self.columns))
        ]

    def __len__(self) -> int:
        return len(self.rows)

    def to_text(self) -> str:
        """The table as aligned plain text (what ``print`` and ``repr`` show)."""
        widths = [max([len(c)] + [len(r[j]) for r in self.cells]) for j, c in enumerate(self.columns)]

        def line(cells):
            parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, self.numeric)]
            return "  ".join(parts).rstrip()

        out = [self.caption] if self.caption else []
        out += [line(self.columns), "  ".join("-" * w for w in widths)]
        out += [line(r) for r in self.cells]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        def cls(j):
            return ' class="num"' if self.numeric[j] else ""

        head = "".join(f"<th{cls(j)}>{html.escape(c)}</th>" for j, c in enumerate(self.columns))
        body = "".join(
            "<tr>" + "".join(f"<td{cls(j)}>{html.escape(c)}</td>" for j, c in enumerate(r)) + "</tr>"
            for r in self.cells
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f'<table class="ntm-table">{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def __repr__(self) -> str:
        return self.to_text()

    __str__ = to_text


def show(columns: Sequence[str], rows: Iterable[Sequence[Any]], **options) -> None:
    """Show a :class:`Table` now (``display`` in Jupyter, ``print`` elsewhere).

    For cells that show several tables, or text between them; ``options`` as for :class:`Table`.
    Returns nothing, so a cell ending with it does not show the table twice.
    """
    table = Table(columns, rows, **options)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python without IPython
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(table)
    else:
        print(table.to_text())
