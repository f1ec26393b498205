"""Read the built book as a reader does: headless Chromium over a loopback server, no other host.

For every page of the table of contents it records what a reader would notice, and
:func:`problems` turns that record into one message per defect:

* the page is not served (HTTP status other than 200), or a file it loads is missing;
* the browser console logs an error (a script error, a resource that did not load);
* an image did not load (``naturalWidth`` 0);
* an internal link points at a missing page or a missing ``#anchor``;
* math left as raw TeX (``\\(``, ``\\[``, ``$$`` in the text), math with no MathJax output, a MathJax error;
* the page or a code block, output, table or widget is wider than the content column (hidden or cut);
* a word in a table cell is broken across lines or wider than its cell (a column too narrow for it);
* a display equation is wider than the column (its end hidden behind a scrollbar or cut);
* an interactive widget did not render, or has no static figure before it (the static page cannot
  run Python, so its sliders do nothing);
* the page's title is not the first thing on it.

Used by ``tests/book/test_browser.py``; also a command that prints a report of the built book::

    python tools/site_check.py [_build/html]      # screenshots in _build/screenshots/
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
#: Chromium flags: headless, as root in a container, and no host but loopback resolves.
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,900",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--no-proxy-server",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
#: A px of slack for sub-pixel layout.
SLACK_PX = 1
PAGE_TIMEOUT_S = 30


def toc_pages(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Document names of every page in a Jupyter Book 1.x ``_toc.yml``, in reading order."""
    data = yaml.safe_load(toc.read_text())
    names = [data["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in data.get("parts", []):
        walk(part.get("chapters"))
    walk(data.get("chapters"))
    return [re.sub(r"\.(ipynb|md|py)$", "", n) for n in names]


# --- a loopback server that remembers what it served ------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # quiet: statuses are kept in server.served instead
        pass

    def send_response(self, code, message=None):
        self.server.served.append((urllib.parse.urlsplit(self.path).path, code))
        super().send_response(code, message)


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yields the server (``.url``, ``.served``)."""
    handler = functools.partial(_Handler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.served = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/"
    server.handle_error = lambda request, address: None  # the browser hangs up early at times
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def http_status(url: str) -> int:
    """Status of a GET on the loopback server (no proxy: outside hosts are not used anyway)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


# --- the browser ------------------------------------------------------------------------------


@contextmanager
def chromium(binary: str | None = None, driver: str | None = None):
    """A headless Chromium (Debian's ``chromium`` + ``chromium-driver``) that reaches only 127.0.0.1."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary or "/usr/bin/chromium"
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(driver or "/usr/bin/chromedriver"))
    browser.set_page_load_timeout(PAGE_TIMEOUT_S)
    browser.set_script_timeout(PAGE_TIMEOUT_S)
    try:
        yield browser
    finally:
        browser.quit()


#: Runs in the page once it has loaded: waits for MathJax and the images, then measures.
#: Resolves to a JSON-able dict (see :class:`PageReport`).
_INSPECT_JS = r"""
const done = arguments[arguments.length - 1];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  for (const img of document.images) img.loading = "eager";
  // MathJax's startup promise; typesetting queued later (the widgets) chains onto it, so wait until it settles
  for (let i = 0; i < 10 && window.MathJax && MathJax.startup && MathJax.startup.promise; i++) {
    const promise = MathJax.startup.promise;
    await Promise.race([promise.catch(() => null), sleep(15000)]);
    await sleep(50);
    if (promise === MathJax.startup.promise) break;
  }
  await Promise.race([Promise.all([...document.images].map((i) => i.decode().catch(() => null))), sleep(15000)]);
  // widgets render after load; give the manager a moment when the page has any
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  if (views.length) {
    for (let i = 0; i < 50 && document.querySelectorAll(".jupyter-widgets").length === 0; i++) await sleep(100);
    await sleep(500);
  }
  const column = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const colBox = column.getBoundingClientRect();
  const describe = (el) => {
    const cls = (el.className && el.className.baseVal === undefined) ? String(el.className).trim().split(/\s+/).slice(0, 2).join(".") : "";
    const id = el.closest("[id]") ? el.closest("[id]").id : "";
    return `${el.tagName.toLowerCase()}${cls ? "." + cls : ""} in #${id}`;
  };
  // the first 80 characters, never half of one (a lone surrogate of a math letter cannot be returned)
  const clip = (text) => Array.from(text || "").slice(0, 80).join("");
  const wide = [];
  const measure = (el, kind) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return;
    const hidden = el.scrollWidth - el.clientWidth;          // content scrolled or cut inside it
    const past = Math.round(box.right - colBox.right);        // sticking out of the column
    const over = Math.max(hidden, past);
    if (over > 0) wide.push({kind, where: describe(el), over, text: clip(el.innerText)});
  };
  measure(column, "column");
  column.querySelectorAll("pre").forEach((el) => measure(el, el.closest(".cell_output, .output") ? "output" : "code"));
  // printed text wraps to the column, which is fine for prose but breaks a table printed as text:
  // measure each printed output unwrapped, and call it a table when lines line up in columns
  column.querySelectorAll(".cell_output pre, .output pre").forEach((el) => {
    const lines = el.textContent.replace(/\n$/, "").split("\n");
    const rows = lines.filter((l) => /\S {2,}\S/.test(l));  // padded to line up in columns
    const saved = el.style.whiteSpace;
    el.style.whiteSpace = "pre";
    const over = Math.max(el.scrollWidth - el.clientWidth, Math.round(el.getBoundingClientRect().right - colBox.right));
    const longest = Math.max(...lines.map((l) => l.length));
    el.style.whiteSpace = saved;
    if (over <= 0) return;
    // monospace: the widest table row in px, from the widest line's
    const perChar = (el.clientWidth + over) / longest;
    const tableOver = rows.length >= 2 ? Math.round(Math.max(...rows.map((l) => l.length)) * perChar - el.clientWidth) : 0;
    const text = clip(el.innerText);
    if (tableOver > 0) wide.push({kind: "text table", where: describe(el), over: tableOver, text});
    else wide.push({kind: "wrapped text", where: describe(el), over, text});
  });
  column.querySelectorAll(".cell_output, .output").forEach((el) => measure(el, "output"));
  column.querySelectorAll("table").forEach((el) => measure(el, "table"));
  column.querySelectorAll(".pst-scrollable-table-container, .table-wrapper").forEach((el) => measure(el, "table"));
  column.querySelectorAll(".jupyter-widgets, .widget-box").forEach((el) => measure(el, "widget"));
  column.querySelectorAll("img").forEach((el) => measure(el, "image"));
  // words broken inside table cells: a word (letters between spaces, hyphens or slashes) set on two
  // or more lines of its cell, or wider than the cell's content box ("chapt/ers" in a narrow column)
  const broken = [];
  column.querySelectorAll("td, th").forEach((cell) => {
    const style = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (texts.nextNode() && broken.length < 50) {
      const node = texts.currentNode;
      if (node.parentElement.closest("mjx-container, script, style")) continue;
      for (const m of node.data.matchAll(/[^\s\-\u2010-\u2014\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        const width = range.getBoundingClientRect().width;
        if (lines.size > 1 || width > inner + 1)
          broken.push({word: m[0].slice(0, 40), where: describe(cell), lines: lines.size,
                       width: Math.round(width), cell: Math.round(inner)});
      }
    }
  });
  // display equations wider than the space they are set in (the column, or their box if narrower)
  const wideMath = [];
  column.querySelectorAll('mjx-container[display="true"]').forEach((el) => {
    const math = el.querySelector("mjx-math") || el;
    const width = math.getBoundingClientRect().width;
    const avail = Math.min(el.clientWidth || colBox.width, colBox.width);
    if (width > avail + 1)
      wideMath.push({where: describe(el), over: Math.round(width - avail), width: Math.round(width),
                     text: clip(el.getAttribute("aria-label") || el.textContent)});
  });
  // text a reader sees that still holds TeX delimiters
  const raw = [];
  const walker = document.createTreeWalker(column, NodeFilter.SHOW_TEXT, {acceptNode(node) {
    const p = node.parentElement;
    if (!p || p.closest("pre, code, script, style, textarea, mjx-container, .jupyter-widgets")) return NodeFilter.FILTER_REJECT;
    return /\\\(|\\\)|\\\[|\\\]|\$\$/.test(node.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
  }});
  while (walker.nextNode() && raw.length < 20) raw.push(clip(walker.currentNode.data.trim()));
  // widgets: rendered, interactive, and is there a figure before each one?
  const widgets = views.map((script) => {
    const cell = script.closest(".cell") || script.parentElement;
    const area = script.parentElement;
    const rendered = area.querySelector(".jupyter-widgets");
    const controls = rendered ? rendered.querySelectorAll("input, select, button, .widget-slider, .slider").length : 0;
    let figure = !!(cell && cell.querySelector(".cell_output img"));
    let prev = cell;
    for (let i = 0; i < 3 && prev && !figure; i++) {
      prev = prev.previousElementSibling;
      while (prev && !prev.matches(".cell") && !prev.querySelector(".cell")) prev = prev.previousElementSibling;
      if (prev && prev.querySelector(".cell_output img")) figure = true;
    }
    return {where: describe(area), rendered: !!rendered && rendered.getBoundingClientRect().height > 0,
            interactive: controls > 0, figure_before: figure};
  });
  const links = [...column.querySelectorAll("a[href]"), ...document.querySelectorAll("nav a[href], .prev-next-area a[href]")]
    .map((a) => a.href);
  const first = column.querySelector("h1, h2, h3, .cell, p, table, img, pre");
  done({
    title: document.title,
    first: first ? first.tagName.toLowerCase() : "",
    h1: [...column.querySelectorAll("h1")].map((h) => h.innerText.replace(/#$/, "").trim()),
    images: [...document.images].map((i) => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
    links: [...new Set(links)],
    math: column.querySelectorAll(".math, span.math, div.math").length,
    mathjax: column.querySelectorAll("mjx-container").length,
    mathjax_errors: [...column.querySelectorAll("mjx-merror")].map((e) => clip(e.getAttribute("data-mjx-error") || e.textContent)),
    raw_tex: raw,
    wide,
    broken_words: broken,
    wide_math: wideMath,
    widgets,
    column_width: Math.round(colBox.width),
  });
})().catch((err) => done({error: String(err)}));
"""


@dataclass
class PageReport:
    """What one page showed; every field is filled by :func:`inspect_page`."""

    name: str
    url: str
    status: int
    console: list[str] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


def _console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


class LinkChecker:
    """Resolves internal links and ``#anchors`` against the served files (each page fetched once)."""

    def __init__(self, base: str):
        self.base = base
        self._ids: dict[str, set[str] | None] = {}

    def _anchors(self, page: str) -> set[str] | None:
        if page not in self._ids:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            try:
                with opener.open(page, timeout=10) as response:
                    body = response.read().decode("utf-8", "replace")
                self._ids[page] = set(re.findall(r'\s(?:id|name)="([^"]+)"', body))
            except urllib.error.HTTPError:
                self._ids[page] = None
        return self._ids[page]

    def broken(self, href: str) -> str | None:
        """A message when ``href`` is internal and does not resolve, else None."""
        if not href.startswith(self.base):
            return None
        page, _, anchor = href.partition("#")
        ids = self._anchors(page)
        if ids is None:
            return f"{href}: page not found"
        if anchor and urllib.parse.unquote(anchor) not in ids:
            return f"{href}: no #{anchor} on that page"
        return None


def inspect_page(
    browser, server, url: str, name: str, links: LinkChecker, screenshot: Path | None = None
) -> PageReport:
    """Load ``url`` and record everything :func:`problems` judges; optionally save a full-page screenshot."""
    status = http_status(url)
    _console_errors(browser)  # drop what earlier pages left in the log
    start = len(server.served)
    browser.get(url)
    data = browser.execute_async_script(_INSPECT_JS)
    time.sleep(0.2)  # late console messages (e.g. a font that failed after layout)
    report = PageReport(name, url, status, console=_console_errors(browser), data=data)
    report.missing_files = sorted({p for p, code in server.served[start:] if code >= 400})
    report.broken_links = sorted(filter(None, (links.broken(h) for h in data.get("links", []))))
    if screenshot is not None:
        save_full_screenshot(browser, screenshot)
    return report


def save_full_screenshot(browser, path: Path) -> None:
    """The whole page as a reader scrolls it: the viewport is stretched to the page's height for the
    capture, so the layout stays the window's (a clip beyond the viewport shifted wide pages sideways)."""
    import base64

    width = browser.execute_script("return window.innerWidth")
    height = min(browser.execute_script("return document.documentElement.scrollHeight"), 30000)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def problems(report: PageReport) -> list[str]:
    """Every defect the page shows, one message each (empty: the page reads well)."""
    d, out = report.data, []
    if report.status != 200:
        out.append(f"HTTP {report.status}")
    if "error" in d:
        return out + [f"inspection failed: {d['error']}"]
    out += [f"console error: {m}" for m in report.console]
    out += [f"missing file (HTTP >= 400): {p}" for p in report.missing_files]
    out += [f"image not loaded: {i['src']}" for i in d["images"] if not i["ok"]]
    out += [f"broken link: {b}" for b in report.broken_links]
    out += [f"unrendered math: {t!r}" for t in d["raw_tex"]]
    if d["math"] and not d["mathjax"]:
        out.append(f"{d['math']} math elements but no MathJax output")
    out += [f"MathJax error: {e}" for e in d["mathjax_errors"]]
    out += [
        f"{w['kind']} wider than the column by {w['over']} px: {w['where']} {w['text']!r}"
        for w in d["wide"]
        if w["over"] > SLACK_PX and w["kind"] != "wrapped text"
    ]
    out += [
        f"word broken in a table cell: {b['word']!r} on {b['lines']} lines, {b['width']} px in a "
        f"{b['cell']} px cell ({b['where']})"
        for b in d.get("broken_words", [])
    ]
    out += [
        f"display equation wider than the column by {m['over']} px ({m['width']} px): {m['where']} {m['text']!r}"
        for m in d.get("wide_math", [])
    ]
    for w in d["widgets"]:
        if not w["rendered"]:
            out.append(f"widget not rendered: {w['where']}")
        if w["interactive"] and not w["figure_before"]:
            out.append(f"interactive widget without a static figure before it: {w['where']}")
    if d["first"] not in ("h1", ""):
        out.append(f"the first thing on the page is a <{d['first']}>, not its title")
    return out


def duplicate_titles(reports: list[PageReport]) -> dict[str, list[str]]:
    """Titles (the first ``h1``) that more than one page has: ``{title: [page, ...]}``. Navigation,
    prev/next links and search show pages by title, so two pages with one title look like one."""
    pages: dict[str, list[str]] = {}
    for r in reports:
        h1 = r.data.get("h1") or [""]
        pages.setdefault(h1[0], []).append(r.name)
    return {title: names for title, names in pages.items() if len(names) > 1}


def widest(report: PageReport, kinds: tuple[str, ...] | None = None) -> int:
    """Px by which the widest element of the page (of ``kinds``, default all but text that wraps
    fine) exceeds its box or the column (0: none does)."""
    return max(
        [
            w["over"]
            for w in report.data.get("wide", [])
            if (w["kind"] in kinds if kinds else w["kind"] != "wrapped text")
        ]
        + [0]
    )


def check_site(html: Path, names: list[str], screenshots: Path | None = None) -> list[PageReport]:
    """Inspect every page ``names`` (document names) of the site built in ``html``."""
    reports = []
    with serve(html) as server, chromium() as browser:
        links = LinkChecker(server.url)
        for name in names:
            url = urllib.parse.urljoin(server.url, f"{name}.html")
            shot = screenshots / f"{name.replace('/', '__')}.png" if screenshots else None
            reports.append(inspect_page(browser, server, url, name, links, shot))
    return reports


def main(argv: list[str]) -> int:
    html = Path(argv[0]) if argv else ROOT / "_build" / "html"
    names = toc_pages()
    reports = check_site(html, names, ROOT / "_build" / "screenshots")
    bad = 0
    for r in reports:
        found = problems(r)
        bad += bool(found)
        print(
            f"{r.name}: {len(found)} problems, {len(r.console)} console errors, widest +{widest(r)} px, "
            f"column {r.data.get('column_width')} px"
        )
        for p in found[:12]:
            print("   ", p)
    for title, pages in duplicate_titles(reports).items():
        print(f"title {title!r} on {len(pages)} pages: {', '.join(pages)}")
    summary = {
        "pages": len(reports),
        "pages_with_problems": bad,
        "console_errors": sum(len(r.console) for r in reports),
        "widest_px": max(widest(r) for r in reports),
        "broken_table_words": sum(len(r.data.get("broken_words", [])) for r in reports),
        "wide_display_equations": sum(len(r.data.get("wide_math", [])) for r in reports),
    }
    print(json.dumps(summary))
    (ROOT / "_build" / "site_check.json").write_text(
        json.dumps({"summary": summary, "pages": [dict(vars(r), problems=problems(r)) for r in reports]}, indent=1)
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
