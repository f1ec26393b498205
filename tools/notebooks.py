"""Build the course notebooks from their sources, and check that the two agree.

Sources are jupytext "percent" scripts (reviewable diffs, no outputs):

* ``nbsrc/notebooks/NAME.py``  -> ``notebooks/NAME.ipynb`` (chapter, executed, outputs kept)
* ``nbsrc/solutions/NAME.py``  -> ``solutions/NAME.ipynb`` (executed, outputs kept) and
  ``exercises/NAME.ipynb`` (solution blocks replaced by stubs, saved without outputs)

Every notebook gets the same set-up cell (Colab install + device) right after its title cell, so
no source repeats it and every page opens with its title. The repository it installs from is the
one ``_config.yml`` states (``repository.url``), like the book's launch buttons. A solution's title
says "Solution N" where its source (and so its exercise) says "Exercise N", so the two pages differ
in the book's navigation and search.

Solution blocks are code lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION``; in the exercise
they become a stub that raises ``NotImplementedError``. A solution cell tagged ``uses-exercise``
calls the reader's code: in the exercise it must raise (it is tagged ``raises-exception`` for
nbval), and every other exercise cell must run cleanly. The build enforces both.

Usage (from the repository root, in the course environment)::

    python tools/notebooks.py build [NAME ...]   # regenerate and execute (all when no NAME)
    python tools/notebooks.py check              # sources and notebooks in sync (no execution)
    python tools/notebooks.py restyle            # copy code that only changed its layout (no execution)

``restyle`` is for a formatter run over ``nbsrc/``: where a code cell's new source parses to the
same syntax tree as the executed one, its outputs still belong to it, so the new text is copied
into the notebook without running it again. Any other difference is left for ``build``.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """The course's repository, as the book's ``_config.yml`` states it (the one place it is written)."""
    return yaml.safe_load(config.read_text())["repository"]["url"].rstrip("/")


REPOSITORY = repository_url()
SETUP_CELL = f"""# Set-up (the same in every notebook): on Colab, install the course package; then pick the device.
import sys

if "google.colab" in sys.modules:
    %pip install -q "ntm-minimal @ git+{REPOSITORY}"

import torch
import ntm_minimal

device = ntm_minimal.pick_device()  # CUDA when a GPU is visible, else the CPU
print(f"ntm_minimal {{ntm_minimal.__version__}} · torch {{torch.__version__}} · device {{device}}")"""
EXERCISE_TITLE = re.compile(r"\A# Exercise (?=\d)")
SOLUTION = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n?", re.M | re.S)
STUB = '{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError("exercise: replace this line with your code")\n'
KINDS = {"notebooks": ("notebooks",), "solutions": ("solutions", "exercises")}
TIMEOUT_S = 300


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _is_title(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("# ")


def _with_setup(nb):
    """The set-up cell goes right after the title cell (first when a notebook has no title cell)."""
    setup = nbformat.v4.new_code_cell(SETUP_CELL, metadata={"tags": ["setup"]})
    nb.cells.insert(1 if nb.cells and _is_title(nb.cells[0]) else 0, setup)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    return nb


def to_exercise(nb):
    """The exercise twin of a solution notebook: stubs in place of solutions, no outputs."""
    ex = nbformat.from_dict(nb)
    for cell in ex.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        cell.source = SOLUTION.sub(lambda m: STUB.format(indent=m["indent"]), cell.source)
        if "uses-exercise" in _tags(cell):
            cell.metadata["tags"] = _tags(cell) + ["raises-exception"]
    return ex


def expected(kind: str, name: str) -> dict[str, nbformat.NotebookNode]:
    """Notebooks (without outputs) generated from one source, keyed by output folder."""
    nb = _with_setup(jupytext.read(ROOT / "nbsrc" / kind / f"{name}.py"))
    out = {KINDS[kind][0]: nb}
    if kind == "solutions":
        out["exercises"] = to_exercise(nb)
        title = nb.cells[0]
        if _is_title(title):
            title.source = EXERCISE_TITLE.sub("# Solution ", title.source.lstrip(), count=1)
    return out


def _execute(nb, folder: Path, allow_errors: bool):
    # The kernel inherits this environment; with MPLBACKEND set (the Makefile sets agg for the
    # tests) it would not switch to the inline backend, and every figure would be lost.
    os.environ.pop("MPLBACKEND", None)
    NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return nb


def _raised(cell) -> bool:
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def _check_exercise_run(nb, path: Path) -> None:
    """In an exercise, exactly the cells tagged ``uses-exercise`` raise."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tagged = "uses-exercise" in _tags(cell)
        if tagged != _raised(cell):
            what = "is tagged uses-exercise but ran cleanly" if tagged else "raised but is not tagged uses-exercise"
            raise SystemExit(f"{path}: cell {i} {what}:\n{cell.source[:300]}")


def build(kind: str, name: str) -> None:
    for folder, nb in expected(kind, name).items():
        path = ROOT / folder / f"{name}.ipynb"
        path.parent.mkdir(exist_ok=True)
        print(f"executing {path.relative_to(ROOT)}", flush=True)
        if folder == "exercises":
            _check_exercise_run(_execute(nbformat.from_dict(nb), path.parent, allow_errors=True), path)
        else:
            _execute(nb, path.parent, allow_errors=False)
        nbformat.write(nb, path)


def sources() -> list[tuple[str, str]]:
    return [(kind, p.stem) for kind in KINDS for p in sorted((ROOT / "nbsrc" / kind).glob("*.py"))]


def out_of_sync() -> list[str]:
    """Paths whose cell sources or tags differ from what their source generates, or lack a source."""
    problems, made = [], set()
    for kind, name in sources():
        for folder, want in expected(kind, name).items():
            path = ROOT / folder / f"{name}.ipynb"
            made.add(path)
            if not path.exists():
                problems.append(f"{path.relative_to(ROOT)}: missing (run tools/notebooks.py build {name})")
                continue
            have = nbformat.read(path, as_version=4)
            key = lambda nb: [(c.cell_type, c.source, sorted(_tags(c))) for c in nb.cells]  # noqa: E731
            if key(have) != key(want):
                problems.append(f"{path.relative_to(ROOT)}: differs from nbsrc/{kind}/{name}.py (rebuild it)")
    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            if path not in made:
                problems.append(f"{path.relative_to(ROOT)}: has no source in nbsrc/")
    return problems


def _syntax(source: str) -> str | None:
    """The syntax tree of a cell, IPython magics (``%pip ...``) blanked; None if it does not parse."""
    code = re.sub(r"^([ \t]*)[%!].*$", r"\1pass", source, flags=re.M)
    try:
        return ast.dump(ast.parse(code))
    except SyntaxError:
        return None


def _same_but_layout(have, want) -> bool:
    if len(have.cells) != len(want.cells):
        return False
    for old, new in zip(have.cells, want.cells, strict=True):
        if (old.cell_type, sorted(_tags(old))) != (new.cell_type, sorted(_tags(new))):
            return False
        if old.source != new.source and (
            old.cell_type != "code" or _syntax(old.source) is None or _syntax(old.source) != _syntax(new.source)
        ):
            return False
    return True


def restyle() -> list[str]:
    """Copy reformatted code into notebooks whose cells differ only in layout; the paths updated."""
    updated = []
    for kind, name in sources():
        for folder, want in expected(kind, name).items():
            path = ROOT / folder / f"{name}.ipynb"
            if not path.exists():
                continue
            have = nbformat.read(path, as_version=4)
            if _same_but_layout(have, want) and any(
                a.source != b.source for a, b in zip(have.cells, want.cells, strict=True)
            ):
                for old, new in zip(have.cells, want.cells, strict=True):
                    old.source = new.source
                nbformat.write(have, path)
                updated.append(str(path.relative_to(ROOT)))
    return updated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="regenerate and execute notebooks")
    b.add_argument("names", nargs="*", help="source names (e.g. 01_memory); all when omitted")
    sub.add_parser("check", help="report notebooks out of sync with their sources")
    sub.add_parser("restyle", help="copy code that only changed its layout into the notebooks (no execution)")
    args = parser.parse_args(argv)
    if args.command == "restyle":
        print("\n".join(restyle()) or "nothing to restyle")
        return 0
    if args.command == "check":
        problems = out_of_sync()
        print("\n".join(problems) or "all notebooks in sync with nbsrc/")
        return 1 if problems else 0
    todo = [(k, n) for k, n in sources() if not args.names or n in args.names]
    if args.names and len({n for _, n in todo}) != len(set(args.names)):
        parser.error(f"unknown notebook name among {args.names}; known: {[n for _, n in sources()]}")
    for kind, name in todo:
        build(kind, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
