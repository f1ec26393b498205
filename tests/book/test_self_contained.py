"""The course speaks of itself only.

No page, notebook source, benchmark write-up, docstring, message or test text refers a reader to a
document outside the repository that the reader cannot see: planning notes, a task tracker's
numbered items, "the seed" as a document (a random seed is fine), "anchors". Outside work is cited
by name and link (``book/references.md``). Checked on the sources here and, marked ``book``, on the
built pages in ``_build/html``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"

#: How a text points at a document that is not part of the course (case-insensitive).
OUTSIDE = re.compile(
    "|".join(
        [
            r"\bseed notes?\b",  # planning notes
            r"\bthe seed['’]s\b",  # "the seed's open questions"
            r"\bthe seed (?:expects|proposes|proposal|asks|says|suggests|document)\b",
            r"(?<![#\w-])anchors\b",  # a background document of that name ("#anchors" is HTML)
            r"\bissues? #?\d+\b",  # a tracker's numbered item
            r"\bthe issue['’]s\b",  # its targets, its wording
            r"\bthe (?:seed |design |planning )?notes\b",
        ]
    ),
    re.I,
)


def _sources() -> list[Path]:
    files = [
        *(ROOT / "nbsrc").rglob("*.py"),
        *(ROOT / "book").glob("*.md"),
        *(ROOT / "bench").glob("*.md"),
        *(ROOT / "ntm_minimal").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        ROOT / "README.md",
    ]
    return sorted(p for p in files if p.resolve() != Path(__file__).resolve())


def outside_references(text: str) -> list[str]:
    """Each reference of ``text`` to an outside document, with a little context."""
    return [f"'…{text[max(0, m.start() - 40) : m.end() + 30]}…'".replace("\n", " ") for m in OUTSIDE.finditer(text)]


def page_text(markup: str) -> str:
    """The words a reader sees on an HTML page (no scripts, styles or tags)."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_the_pattern_finds_outside_documents_and_spares_random_seeds():
    for bad in (
        "as the seed notes say",
        "the seed's open questions 2-4",
        "(anchors, section 4.2)",
        "the speed work of issue 16",
        "the issue's targets",
        "see the notes",
        "Issue 16, item 5",
    ):
        assert outside_references(bad), bad
    for fine in (
        "drawn with the seed the file records",
        "seed 20261201 + L",
        "a random seed",
        "issued",
        'href="#anchors"',
        "the issue is that the gate saturates",
    ):
        assert not outside_references(fine), fine


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_source_refers_to_outside_documents(path):
    found = outside_references(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: refers to documents outside the course: {found}"


@pytest.mark.book
def test_no_built_page_refers_to_outside_documents():
    pages = sorted(HTML.rglob("*.html"))
    assert pages, f"no built book in {HTML} (make book)"
    found = {
        str(p.relative_to(HTML)): hits
        for p in pages
        if not p.relative_to(HTML).parts[0].startswith("_")
        and (hits := outside_references(page_text(p.read_text(encoding="utf-8"))))
    }
    assert not found, f"built pages refer to documents outside the course: {found}"
