"""Sphinx extension of the course book (``_config.yml``: ``sphinx.local_extensions``).

* **One copy of each inline script.** Sphinx 7.4 adds every inline script registered after the
  builder started twice (once with filename ``None``, once with ``""``; fixed upstream in Sphinx 8.2,
  sphinx-doc/sphinx#13402, which Jupyter Book 1.x cannot use). The second copy of sphinx-thebe's
  ``const THEBE_JS_URL`` is a SyntaxError on every page; this drops such duplicates.
* **Widgets with no network.** ``static/html-manager/`` holds the widget manager that myst-nb
  otherwise loads from a CDN (``@jupyter-widgets/html-manager`` 1.0.6 ``dist/`` and RequireJS 2.3.4,
  unchanged, from the npm registry), so the widget pages render their widgets offline;
  ``widgets-offline.js`` points RequireJS at it (the manager finds its icon fonts next to itself)
  and lets its MathJax 2 call typeset with the page's MathJax 3.
* **No console error on a first visit.** pydata-sphinx-theme logs "invalid theme mode" when the
  reader has no stored mode and ``default_mode`` is unset; it is ``auto`` here.
* **The column holds its content.** ``course.css``: code and text outputs wrap instead of hiding
  the end of long lines; tables from :mod:`ntm_minimal.tables` are compact; no table breaks a word
  inside a cell (they wrap between words only).

MathJax itself comes from ``sphinx-mathjax-offline`` (``_config.yml``), so math renders offline.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).parent / "static"
#: myst-nb's ``nb_ipywidgets_js`` for the local manager (paths relative to ``_static``), in load order.
WIDGET_SCRIPTS = {
    "widgets-offline.js": {},
    "html-manager/require.js": {},
    "html-manager/embed-amd.js": {"data-jupyter-widgets-cdn-only": "true"},
}


def _add_static(app) -> None:
    app.config.html_static_path.append(str(STATIC))


def _default_mode(app, config) -> None:
    config.html_context.setdefault("default_mode", "auto")


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of scripts that differ only in ``None`` vs ``""`` as their filename."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", None) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("config-inited", _default_mode)
    app.connect("builder-inited", _add_static)
    app.connect("html-page-context", _dedupe_scripts, priority=900)  # after every other extension's scripts
    app.add_css_file("course.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
