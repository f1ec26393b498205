"""ntm_minimal.tables: one table, two faces (HTML for Jupyter and the book, aligned text for plain output)."""

from __future__ import annotations

import re

import pytest

from ntm_minimal.tables import Table, show


def _table():
    return Table(
        ["task", "NTM", "LSTM", "note"],
        [("copy", 0.0, 31.5, "a <b> & c"), ("sort", 12, None, "")],
        formats={"NTM": ".2f", 2: ".1f"},
        caption="bit errors per sequence",
    )


def test_text_is_aligned_with_numbers_right_and_text_left():
    text = _table().to_text().splitlines()
    assert text[0] == "bit errors per sequence"
    assert text[1] == "task    NTM  LSTM  note"
    assert text[2] == "----  -----  ----  ---------"
    assert text[3] == "copy   0.00  31.5  a <b> & c"
    assert text[4] == "sort  12.00"  # an empty cell, trailing blanks dropped
    assert repr(_table()) == str(_table()) == _table().to_text()


def test_html_is_a_real_table_with_the_same_escaped_cells():
    page = _table()._repr_html_()
    assert page.startswith('<table class="ntm-table"><caption>bit errors per sequence</caption>')
    assert re.findall(r"<th[^>]*>([^<]*)</th>", page) == ["task", "NTM", "LSTM", "note"]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page)
    assert cells == ["copy", "0.00", "31.5", "a &lt;b&gt; &amp; c", "sort", "12.00", "", ""]
    assert page.count('<td class="num">') == 4 and page.count("<tr>") == 3


def test_unformatted_values_are_deterministic():
    t = Table(["x", "y", "flag"], [(1 / 3, 10**6, True)])
    assert t.cells == [["0.3333", "1000000", "True"]]
    assert t.numeric == [True, True, False]
    assert Table(["x"], [(2.5,)], formats={"x": lambda v: f"{v:.0%}"}).cells == [["250%"]]


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="rows: row 1 has 1 values, expected 2"):
        Table(["a", "b"], [(1, 2), (3,)])
    with pytest.raises(ValueError, match="formats: unknown columns"):
        Table(["a"], [(1,)], formats={"b": ".2f"})
    with pytest.raises(ValueError, match="columns"):
        Table([], [])


def test_show_prints_outside_ipython_and_returns_nothing(capsys):
    assert show(["a", "b"], [(1, "x")]) is None  # a cell ending with show() shows one table, not two
    assert capsys.readouterr().out == "a  b\n-  -\n1  x\n"
