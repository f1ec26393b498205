"""The committed notebooks are exactly what their sources in ``nbsrc/`` generate (no kernel needed)."""
from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools" / "notebooks.py")
notebooks_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebooks_tool)


def test_notebooks_in_sync_with_sources():
    problems = notebooks_tool.out_of_sync()
    assert problems == [], "rebuild with `python tools/notebooks.py build NAME`:\n" + "\n".join(problems)


def test_exercise_has_no_solution_code():
    for name in [p.stem for p in sorted((ROOT / "nbsrc" / "solutions").glob("*.py"))]:
        exercise = notebooks_tool.expected("solutions", name)["exercises"]
        for cell in exercise.cells:
            assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source, name


def _draws(source: str) -> bool:
    """A cell that shows a figure: ``plt.show()``, ``display(fig)``, or a figure as its last line."""
    return bool(re.search(r"plt\.show\(\)|display\(fig\w*\)|^fig\w*\s*$", source, re.M))


def test_every_cell_that_draws_saved_its_figure():
    """Regenerated with a non-inline backend (MPLBACKEND=agg), a chapter keeps no figure: this fails then."""
    missing = []
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code" and _draws(cell.source) and not any(
                        "image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                    missing.append(f"{path.relative_to(ROOT)} cell {i}")
    assert missing == [], "cells that draw a figure but saved none (rebuild with `make notebooks`):\n" + \
        "\n".join(missing)


def test_make_notebooks_uses_the_inline_backend():
    recipe = subprocess.run(["make", "-n", "notebooks", "NAMES=00_setup"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    line = next(l for l in recipe.splitlines() if "tools/notebooks.py build" in l)
    assert "env -u MPLBACKEND" in line, line


def test_every_chapter_ends_with_what_next():
    """The last cell of each chapter (0-13) says what to do next: its exercise, the next chapter, the glossary."""
    chapters = sorted(p.stem for p in (ROOT / "nbsrc" / "notebooks").glob("*.py"))
    assert (ROOT / "book" / "glossary.md").exists()
    for i, name in enumerate(chapters):
        if int(name[:2]) > 13:  # chapters 14-15 are added by their own engineers
            continue
        last = notebooks_tool.expected("notebooks", name)["notebooks"].cells[-1]
        assert last.cell_type == "markdown" and last.source.startswith("**What next:**"), name
        assert "](../book/glossary.md)" in last.source, name
        if (ROOT / "nbsrc" / "solutions" / f"{name}.py").exists():
            assert f"](../exercises/{name}.ipynb)" in last.source, name
        if i + 1 < len(chapters):
            assert f"]({chapters[i + 1]}.ipynb)" in last.source, name
