"""The built book in a real browser: headless Chromium over loopback, every other host blocked.

Two parts:

* the checker (``tools/site_check.py``) on small synthetic pages, each with one defect the book
  once had (a duplicated inline script, math left raw offline, a MathJax 2 call on a MathJax 3 page,
  a missing font, a wide text table, a cut code line, the set-up cell above the title, a word broken
  letter by letter in a narrow table cell, a display equation wider than the column, ...): each is
  caught, and the clean page passes, so the check below can fail;
* every page of ``_toc.yml`` in ``_build/html`` (``make test`` builds the book first): no problem
  at all, and a full-page screenshot of each under ``_build/screenshots/``.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); without them the
tests fail rather than skip.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import site_check  # noqa: E402

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
EXT_STATIC = ROOT / "tools" / "book_ext" / "static"


@pytest.fixture(scope="module")
def browser():
    for tool in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not Path(tool).exists():
            pytest.fail(f"{tool} missing: apt-get install -y chromium chromium-driver (.ci/run does)")
    with site_check.chromium() as b:
        yield b


# --- the checker on synthetic pages -----------------------------------------------------------

HEAD = '<meta charset="utf-8"><title>t</title><link rel="icon" href="data:,">'
#: The layout the checks expect (as in sphinx-book-theme): a 600 px content column.
BODY = '<main><article class="bd-article" style="width:600px">{}</article></main>'
CODE_CSS = "<style>pre{font:14px monospace;white-space:pre;overflow:auto}</style>"
WRAP_CSS = "<style>pre{font:14px monospace;white-space:pre-wrap}</style>"
MATHJAX = '<script>window.MathJax = {}</script><script defer src="mathjax/tex-chtml.js"></script>'
TITLE = "<h1>A page</h1>"
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
WIDE_TEXT_TABLE = "\n".join(f"{f'row {i}':20s}" + "".join(f"{v:>12.3f}" for v in range(i, i + 8)) for i in range(4))

PAGES = {
    "clean": (
        MATHJAX + CODE_CSS,
        TITLE + r'<p>Math <span class="math">\(x^2\)</span>.</p>'
        f'<img src="{PIXEL}" width="10"><p><a href="other.html#here">a link</a></p>'
        '<div class="cell"><div class="cell_output"><pre>short output</pre></div></div>'
        "<table><tr><th>chapter</th><th>topic</th></tr><tr><td>4</td><td>Interpolation, gated</td></tr></table>"
        r'<div class="math">\[ w_t = g_t w^c_t + (1 - g_t) w_{t-1} \]</div>',
    ),
    "other": ("", '<h1 id="here">Other</h1>'),
    "duplicate_script": ('<script>const THEBE_JS_URL = "x";</script><script>const THEBE_JS_URL = "x";</script>', TITLE),
    "raw_math": (
        "",
        TITLE + r'<p>Offline: <span class="math">\(\gamma_t \ge 1\)</span></p>'
        r'<div class="math">\[ w = 1 \tag{9} \]</div>',
    ),
    "mathjax2_call": (
        MATHJAX,
        TITLE + "<p>widget label</p><script>window.addEventListener('load', () => "
        "MathJax.Hub.Queue(['Typeset', MathJax.Hub, document.body]));</script>",
    ),
    "missing_font": (
        "<style>@font-face{font-family:icons;src:url(fonts/icons.woff2) format('woff2')}.i{font-family:icons}</style>",
        TITLE + '<p class="i">icon</p>',
    ),
    "missing_image": ("", TITLE + '<img src="figures/gone.png">'),
    "outside_host": ("", TITLE + '<img src="https://cdn.example.org/logo.png">'),
    "broken_links": ("", TITLE + '<a href="nowhere.html">page</a> <a href="other.html#not-there">anchor</a>'),
    "wide_text_table": (
        WRAP_CSS,
        TITLE + f'<div class="cell"><div class="cell_output"><pre>{WIDE_TEXT_TABLE}</pre></div></div>',
    ),
    "wide_html_table": (
        "",
        TITLE + "<table><tr>" + "".join(f"<td>column&nbsp;number&nbsp;{i}</td>" for i in range(12)) + "</tr></table>",
    ),
    "broken_table_word": (
        "<style>td{overflow-wrap:anywhere}</style>",
        TITLE + '<table style="width:90px"><tr><td>Interpolation</td><td>gate</td></tr></table>',
    ),
    "wide_equation": (
        MATHJAX,
        TITLE + r'<div class="math">\[ ' + " + ".join(f"a_{{{i}}} b_{{{i}}}" for i in range(60)) + r" \]</div>",
    ),
    "cut_code": (
        CODE_CSS,
        TITLE + '<div class="cell"><div class="cell_input"><pre>' + "x = 1  # " + "long " * 40 + "</pre></div></div>",
    ),
    "setup_above_title": (
        CODE_CSS,
        '<div class="cell"><div class="cell_input"><pre>import torch</pre></div></div>' + TITLE,
    ),
    "widget_unrendered": (
        "",
        TITLE + '<div class="cell"><div class="cell_output"><script type="application/'
        'vnd.jupyter.widget-view+json">{"model_id": "1"}</script></div></div>',
    ),
    "widget_too_wide": (
        "",
        TITLE + '<div class="cell"><div class="cell_output"><div class="jupyter-widgets" '
        'style="width:900px;height:20px">three columns of sliders</div></div></div>',
    ),
    "same_title": ("", TITLE),
    "widget_no_figure": (
        "",
        TITLE + '<div class="cell"><div class="cell_output"><script type="application/'
        'vnd.jupyter.widget-view+json">{"model_id": "1"}</script><div class="jupyter-widgets" '
        'style="height:20px"><input type="range"></div></div></div>',
    ),
}
#: Each defect page and the start of the problem it must raise.
DEFECTS = {
    "duplicate_script": "console error",  # Identifier 'THEBE_JS_URL' has already been declared
    "raw_math": "unrendered math",
    "mathjax2_call": "console error",  # Cannot read properties of undefined (reading 'Queue')
    "missing_font": "missing file",
    "missing_image": "image not loaded",
    "outside_host": "image not loaded",
    "broken_links": "broken link",
    "wide_text_table": "text table wider than the column",
    "wide_html_table": "table wider than the column",
    "cut_code": "code wider than the column",
    "broken_table_word": "word broken in a table cell: 'Interpolation'",
    "wide_equation": "display equation wider than the column",
    "setup_above_title": "the first thing on the page",
    "widget_unrendered": "widget not rendered",
    "widget_no_figure": "interactive widget without a static figure",
    "widget_too_wide": "widget wider than the column",
}


def _mathjax_dir() -> Path:
    """MathJax 3 as the book ships it (the sphinx-mathjax-offline package)."""
    return Path(importlib.import_module("sphinx-mathjax-offline").__file__).parent / "static" / "mathjax"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, browser):
    """Every synthetic page, served and inspected once: ``{name: PageReport}``."""
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(_mathjax_dir(), site / "mathjax")
    shutil.copy(EXT_STATIC / "widgets-offline.js", site / "widgets-offline.js")
    pages = dict(PAGES)
    # the same MathJax 2 call with the book's bridge loaded: no error, and the late math is typeset
    pages["mathjax2_bridged"] = (
        '<script>window.MathJax = {}</script><script src="widgets-offline.js"></script>'
        '<script defer src="mathjax/tex-chtml.js"></script>',
        TITLE + "<div id='late'></div><script>window.addEventListener('load', () => { "
        "MathJax.startup.promise.then(() => { const el = document.getElementById('late'); "
        r"el.textContent = '\\(y^2\\)'; MathJax.Hub.Queue(['Typeset', MathJax.Hub, el]); }); });</script>",
    )
    for name, (head, body) in pages.items():
        (site / f"{name}.html").write_text(
            f"<!DOCTYPE html><html><head>{HEAD}{head}</head><body>{BODY.format(body)}</body></html>"
        )
    with site_check.serve(site) as server:
        links = site_check.LinkChecker(server.url)
        reports = {
            name: site_check.inspect_page(browser, server, f"{server.url}{name}.html", name, links)
            for name in [*pages, "missing_page"]
        }
    return reports


def test_clean_page_passes_and_math_renders_offline(synthetic):
    clean = synthetic["clean"]
    assert site_check.problems(clean) == []
    assert clean.data["mathjax"] >= 2 and clean.data["math"] == 2
    assert clean.data["broken_words"] == [] and clean.data["wide_math"] == []


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_checker_catches_defect(synthetic, name):
    found = site_check.problems(synthetic[name])
    assert any(p.startswith(DEFECTS[name]) for p in found), found


def test_checker_details(synthetic):
    assert "already been declared" in " ".join(synthetic["duplicate_script"].console)
    assert "Queue" in " ".join(synthetic["mathjax2_call"].console)
    assert synthetic["missing_font"].missing_files == ["/fonts/icons.woff2"]
    assert len(synthetic["broken_links"].broken_links) == 2
    assert "ERR_NAME_NOT_RESOLVED" in " ".join(synthetic["outside_host"].console)  # the host is blocked
    assert "no MathJax output" in " ".join(site_check.problems(synthetic["raw_math"]))
    assert site_check.problems(synthetic["missing_page"])[0] == "HTTP 404"


def test_checker_finds_pages_sharing_a_title(synthetic):
    reports = [synthetic["same_title"], synthetic["clean"], synthetic["other"]]
    assert site_check.duplicate_titles(reports) == {"A page": ["same_title", "clean"]}


def test_mathjax2_call_works_through_the_books_bridge(synthetic):
    bridged = synthetic["mathjax2_bridged"]
    assert site_check.problems(bridged) == []
    assert bridged.data["mathjax"] == 1  # the math added after start-up was typeset via MathJax.Hub.Queue


# --- the book --------------------------------------------------------------------------------

NAMES = site_check.toc_pages()


@pytest.fixture(scope="module")
def book(browser):
    if not (HTML / "index.html").exists():
        pytest.fail("_build/html is missing: build the book first (make book; make test does)")
    shutil.rmtree(SHOTS, ignore_errors=True)
    with site_check.serve(HTML) as server:
        yield server, site_check.LinkChecker(server.url)


#: Reports of the book's pages, filled by test_page_reads_well (one worker runs this file in order).
BOOK_REPORTS: dict[str, site_check.PageReport] = {}


@pytest.mark.book
@pytest.mark.parametrize("name", NAMES)
def test_page_reads_well(browser, book, name):
    server, links = book
    shot = SHOTS / f"{name.replace('/', '__')}.png"
    report = site_check.inspect_page(browser, server, f"{server.url}{name}.html", name, links, screenshot=shot)
    BOOK_REPORTS[name] = report
    assert site_check.problems(report) == []
    assert shot.stat().st_size > 10_000


@pytest.mark.book
def test_every_page_has_its_own_title():
    assert set(BOOK_REPORTS) == set(NAMES), "runs after test_page_reads_well"
    assert site_check.duplicate_titles(list(BOOK_REPORTS.values())) == {}


@pytest.mark.book
def test_toc_lists_every_built_notebook_page():
    built = {
        p.relative_to(HTML).with_suffix("").as_posix()
        for folder in ("notebooks", "exercises", "solutions")
        for p in (HTML / folder).glob("*.html")
    }
    assert built <= set(NAMES)
    assert len(NAMES) == len(set(NAMES))
