"""The committed notebooks are exactly what their sources in ``nbsrc/`` generate (no kernel needed)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
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
                if (
                    cell.cell_type == "code"
                    and _draws(cell.source)
                    and not any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
                ):
                    missing.append(f"{path.relative_to(ROOT)} cell {i}")
    assert missing == [], "cells that draw a figure but saved none (rebuild with `make notebooks`):\n" + "\n".join(
        missing
    )


def test_make_notebooks_uses_the_inline_backend():
    recipe = subprocess.run(
        ["make", "-n", "notebooks", "NAMES=00_setup"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(row for row in recipe.splitlines() if "tools/notebooks.py build" in row)
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


def test_chapter_13_states_each_lstm_size_as_shipped():
    """Chapter 13 once said every LSTM baseline had 3 x 128 units while its own table listed 3 x 256."""
    from ntm_minimal import pretrained

    text = " ".join(
        line.lstrip("# ") for line in (ROOT / "nbsrc/notebooks/13_reproduction.py").read_text().splitlines()
    )
    tasks = {
        "copy": "copy_lstm",
        "repeat copy": "repeat_copy_lstm",
        "associative recall": "associative_recall_lstm",
        "N-grams": "ngrams_lstm",
        "priority sort": "priority_sort_lstm",
    }
    stated = {}
    for units, names in re.findall(r"3 layers\s+of (\d+) units for ([^(]+?) \(", text):
        for task in re.split(r",\s*|\s+and\s+", names.strip()):
            stated[tasks[task]] = int(units)
    assert stated.keys() == set(tasks.values()), stated
    for name, units in stated.items():
        assert pretrained.config(name)["model_config"]["hidden_size"] == units, name


def test_checkpoint_summaries_print_commands_that_run_in_order():
    """Chapter 8 once printed `--resume runs/copy_ft`, a folder no earlier command creates."""
    from ntm_minimal import pretrained

    for chapter in ("08_copy", "12_priority_sort"):  # the chapters whose checkpoints were resumed elsewhere
        assert 'commands="reproduce"' in (ROOT / "nbsrc" / "notebooks" / f"{chapter}.py").read_text(), chapter
    for name in pretrained.available():
        commands = [
            line.split("python -m ntm_minimal.train ")[1].split()
            for line in pretrained.summary(name, "reproduce").splitlines()
            if "python -m ntm_minimal.train " in line
        ]
        assert commands and "--out" in commands[0], name
        made = commands[0][commands[0].index("--out") + 1]
        for args in commands[1:]:
            assert "--out" not in args and args[args.index("--resume") + 1] == made, (name, args)


def test_chapter_8_says_what_its_lstm_is():
    """An LSTM stopped while still improving is labelled under-trained on chapter 8's figures and tables."""
    from ntm_minimal import pretrained

    cost = pretrained.metrics("copy_lstm")["heldout_cost_bits"]
    half = len(cost) // 2
    if min(cost) > 1.0 or min(cost[half:]) < min(cost[:half]) - 0.5:  # never learned the range, or still falling
        source = (ROOT / "nbsrc/notebooks/08_copy.py").read_text()
        label = re.search(r'^LSTM = "([^"]+)"', source, re.M)
        assert label and "under-trained" in label.group(1)
        assert re.search(r"NAMES = \{[^}]*LSTM: \"copy_lstm\"", source)


TASK_CHAPTERS = ("08_copy", "09_repeat_copy", "10_associative_recall", "12_priority_sort")


def test_chapter_11_core_is_as_long_as_a_task_chapter_and_its_deep_dive_is_marked():
    source = (ROOT / "nbsrc/notebooks/11_dynamic_ngrams.py").read_text()
    marker = "# ## Deep dive: where the NTM loses its bits"
    assert source.count(marker) == 1 and "{admonition} Optional" in source.split(marker)[1][:400]
    core = source.split(marker)[0].count("\n")
    longest = max((ROOT / "nbsrc/notebooks" / f"{name}.py").read_text().count("\n") for name in TASK_CHAPTERS)
    assert core <= longest, (core, longest)
    for section in (
        "## The task",
        "## The optimal estimator",
        "## On 1000 fresh sequences",
        "## How the NTM uses its memory",
        "## Summary",
    ):
        assert f"# {section}" in source.split(marker)[0], section


def test_chapter_11_live_demo_visibly_learns():
    """The saved output of the live run: its cost falls by a visible share of the way from a coin to the optimum."""
    nb = nbformat.read(ROOT / "notebooks/11_dynamic_ngrams.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "train(demo" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs)
    coin, optimum, untrained = map(
        float, re.search(r"a coin: ([\d.]+) .*the optimum: ([\d.]+); the untrained NTM: ([\d.]+)", text).groups()
    )
    last = float(re.findall(r"held-out cost ([\d.]+)", text)[-1])
    assert untrained > optimum + 0.8 * (coin - optimum), text  # starts near a coin
    assert untrained - last > 0.3 * (coin - optimum), text  # and closes a third of the gap, or more


def test_instructor_guide_times_are_measured():
    """The guide's per-chapter times come from tools/chapter_times.py's table, one row per chapter."""
    guide = (ROOT / "book/instructor_guide.md").read_text()
    assert "```{include} chapter_times.md\n```" in guide and "under a minute" not in guide
    table = (ROOT / "book/chapter_times.md").read_text()
    timed = set(re.findall(r"^\| \[[^\]]+\]\(\.\./notebooks/(\w+)\.ipynb\)", table, re.M))
    assert timed == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}, timed
    assert "measured by `python tools/chapter_times.py`" in table.lower().replace("run times ", "")
    assert "| study time |" in table and "not timed" not in table
    # A row timed before its chapter changed is stale: its code-cell count no longer matches.
    cells = dict(re.findall(r"^\| \[[^\]]+\]\(\.\./notebooks/(\w+)\.ipynb\) \| (\d+) \|", table, re.M))
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        count = sum(c.cell_type == "code" for c in nbformat.read(path, as_version=4).cells)
        assert int(cells[path.stem]) == count, f"{path.stem}: rerun `python tools/chapter_times.py {path.stem}`"


def _notebook(*sources: str, markdown: str = "# Title") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown)] + [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_restyle_accepts_layout_only_changes():
    executed = _notebook("x = f( 1,2 )\n%matplotlib inline", "y=[1,\n 2]")
    formatted = _notebook("x = f(1, 2)\n%matplotlib inline", "y = [1, 2]")
    assert notebooks_tool._same_but_layout(executed, formatted)


def test_restyle_refuses_any_other_change():
    executed = _notebook("x = f(1, 2)")
    assert not notebooks_tool._same_but_layout(executed, _notebook("x = f(1, 3)"))  # code that computes otherwise
    assert not notebooks_tool._same_but_layout(executed, _notebook("x = f(1, 2)", markdown="# Other title"))
    assert not notebooks_tool._same_but_layout(executed, _notebook("x = f(1, 2)", "z = 0"))  # a cell more
    assert not notebooks_tool._same_but_layout(_notebook("x = ("), _notebook("x = ()"))  # unparsable before
