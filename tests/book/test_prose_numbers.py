"""No measured number is typed into a chapter's prose.

Chapters 8 on report results: every measured figure their text states must come from the page's own
code, glued into the text (``{glue:text}`name```, see :mod:`ntm_minimal.prose`) or printed in a cell
output. This test reads the markdown cells of those chapters' sources and fails on any number that
looks measured (a decimal, a percentage, a multiple with ×, a time, a count of bit errors) outside
a glue role, code, math, a link target, or the short list of numbers that are not measurements
(:data:`NOT_MEASURED`: the paper's settings, section numbers, sizes).
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "nbsrc" / "notebooks"
#: The chapters that report measurements (8 to the last), each checked on its own.
CHAPTERS = sorted(p for p in SOURCES.glob("*.py") if p.stem[:2].isdigit() and int(p.stem[:2]) >= 8)

#: A number that looks measured: a decimal, a percentage, a multiple (×, "times"), a duration, or a
#: count of wrong bits. Integers alone (lengths, steps, sizes) are settings far more often than not.
_NUM = r"\d[\d,]*(?:\.\d+)?"
MEASURED = re.compile(
    rf"(?<![\w.])(?:{_NUM}\s?%"  # a percentage
    rf"|{_NUM}\s?(?:×|x\b)|×\s?{_NUM}"  # a multiple or a product
    rf"|{_NUM}\stimes\s(?:the|as|more|less|fewer|longer|faster|slower|larger|smaller|higher|lower)\b"
    rf"|{_NUM}\s?(?:ms|s|min|minutes?|seconds?|hours?|h)\b"  # a duration
    rf"|{_NUM}\s(?:bit errors|wrong bits|errors)"  # a count of wrong bits
    rf"|\d[\d,]*\.\d+(?!\.?\d))"
)  # any other decimal: 0.52, 1,234.5

#: Text that holds numbers which are not measurements, removed before the search (each a regex):
NOT_MEASURED = [
    r"[Ss]ections? \d+(?:\.\d+)*(?:\s?(?:and|–|-|,)\s?\d+(?:\.\d+)*)*",  # the paper's section numbers
    r"[Tt]able \d+",
    r"[Ff]igure \d+",
    r"[Ee]q(?:uation|\.)? ?\(?\d+\)?",  # the paper's tables, figures, equations
    r"\bmomentum 0\.9\b",  # the paper's optimiser setting
    r"(?:at|above|below|of|probability) 0\.5\b",  # the threshold that defines a bit error
    r"\bwith probability \d*\.\d+",  # a task's setting ("switching with probability 0.25")
    r"\b\d+ ?[×x] ?\d+\b(?! ?%)",  # sizes: memory 128 × 20, 3 x 256
    r"\b\d+ (?:units|rows|bits|vectors|items|heads)\b",  # sizes of models and inputs
]

_SKIP = [
    (re.compile(r"\{glue(?::\w+)?\}`[^`]*`"), "glued"),  # a glued number: computed by the page
    (re.compile(r"```.*?```|~~~.*?~~~", re.S), "code"),
    (re.compile(r"`[^`]*`"), "code"),
    (re.compile(r"\$\$.*?\$\$", re.S), "math"),
    (re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S), "math"),
    (re.compile(r"\$[^$\n]+\$"), "math"),  # math defines; it does not report
    (re.compile(r"\]\([^)]*\)"), "link"),  # a link's target
    (re.compile(r"<!--.*?-->", re.S), "comment"),
    (re.compile(r"^:[\w-]+:.*$", re.M), "directive option"),  # :width: 80%
]


def unsourced_numbers(markdown: str) -> list[str]:
    """The measured-looking numbers of ``markdown`` that no glue role, code, math or allowed
    phrase accounts for, each with a little context."""
    text = markdown
    for pattern, _ in _SKIP:
        text = pattern.sub(" ", text)
    for phrase in NOT_MEASURED:
        text = re.sub(phrase, " ", text)
    return [
        f"{m.group(0)!r} in '…{text[max(0, m.start() - 40) : m.end() + 20].strip()}…'".replace("\n", " ")
        for m in MEASURED.finditer(text)
    ]


def markdown_cells(path: Path) -> list[str]:
    return [c.source for c in jupytext.read(path).cells if c.cell_type == "markdown"]


def test_the_scanner_finds_typed_numbers_and_passes_glued_ones():
    typed = (
        "At length 100 it makes 3.10 bit errors per sequence, 99.2 % perfect, about 8× the NTM, in 20 s, "
        "3 times the LSTM's error."
    )
    assert [s.split("'")[1] for s in unsourced_numbers(typed)] == [
        "3.10 bit errors",
        "99.2 %",
        "8×",
        "20 s",
        "3 times the",
    ]
    assert unsourced_numbers("a context seen 16 times before") == []
    glued = (
        "At length 100 it makes {glue:text}`copy_l100` bit errors per sequence ({glue:text}`copy_perfect` "
        "perfect); $\\beta = 0.5$ and `lr=1e-4` are code and math, section 4.1 and a memory of 128 × 20 "
        "rows are not measured, and the paper used momentum 0.9 with a threshold at 0.5."
    )
    assert unsourced_numbers(glued) == []
    assert unsourced_numbers("it got 17 bit errors") and unsourced_numbers("in 65 minutes")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_number_typed_into_a_chapter(path):
    found = [hit for cell in markdown_cells(path) for hit in unsourced_numbers(cell)]
    assert not found, (
        f"{path.name}: {len(found)} measured-looking numbers typed into the prose; glue them "
        f"(ntm_minimal.prose.glue and {{glue:text}}`name`):\n  " + "\n  ".join(found)
    )


GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)(?::[^`]*)?`")


def glued_names(notebook: Path) -> set[str]:
    """The names an executed notebook glues (the outputs myst-nb reads)."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return {
        out["metadata"]["scrapbook"]["name"]
        for c in nb.cells
        if c.cell_type == "code"
        for out in c.get("outputs", [])
        if "scrapbook" in out.get("metadata", {})
    }


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_glued_name_is_computed_on_its_page(path):
    """A ``{glue:text}`name``` in the prose is glued by the page's executed notebook (the committed
    ``notebooks/`` copy, which the book shows)."""
    used = {m.group(1) for cell in markdown_cells(path) for m in GLUE_ROLE.finditer(cell)}
    notebook = ROOT / "notebooks" / f"{path.stem}.ipynb"
    if not used:
        return
    assert notebook.exists(), f"{notebook.name}: not built (make notebooks NAMES={path.stem})"
    missing = sorted(used - glued_names(notebook))
    assert not missing, f"{notebook.name}: glued in the text but not in its outputs (rebuild it?): {missing}"
