"""The committed notebooks are exactly what their sources in ``nbsrc/`` generate (no kernel needed)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

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
