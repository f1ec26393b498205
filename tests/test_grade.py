"""The autograder on a folder of six submissions: correct, wrong, crashing, looping, corrupt, other exercise.

Each notebook runs in a real kernel (a few seconds each); the looping one is stopped by a short
per-notebook time limit.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ntm_minimal import grade

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_LINE = "    return g * w_content + (1 - g) * w_prev  # g [.., 1] broadcasts over the N rows\n"
TIMEOUT_S = 15  # per notebook: the correct one needs about 3 s after its kernel starts


def _exercise(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)


def _with_body(body: str) -> nbformat.NotebookNode:
    """Exercise 4's solution notebook with the solution line replaced by ``body``."""
    nb = _exercise("04_interpolation")
    cells = [c for c in nb.cells if SOLUTION_LINE in c.source]
    assert len(cells) == 1
    cells[0].source = cells[0].source.replace(SOLUTION_LINE, body)
    return nb


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("submissions")
    for folder in ("alice", "carol", "dave"):
        (root / folder).mkdir()
    nbformat.write(_exercise("04_interpolation"), root / "alice" / "04_interpolation.ipynb")
    nbformat.write(_with_body("    return (1 - g) * w_content + g * w_prev\n"), root / "bob_04_interpolation.ipynb")
    nbformat.write(_with_body("    return g * w_content +\n"), root / "carol" / "04_interpolation.ipynb")
    nbformat.write(_with_body("    while True:\n        pass\n"), root / "dave" / "04_interpolation.ipynb")
    text = (ROOT / "solutions" / "04_interpolation.ipynb").read_text()
    (root / "erin_04_interpolation.ipynb").write_text(text[: len(text) // 2])  # cut off mid-file
    nbformat.write(_exercise("05_shift"), root / "frank_04_interpolation.ipynb")  # the wrong exercise
    return root


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def graded(submissions, tmp_path_factory):
    before = _digest(submissions)
    out = tmp_path_factory.mktemp("report") / "report"
    assert grade.main([str(submissions), "--out", str(out), "--timeout", str(TIMEOUT_S)]) == 0
    return before, out, {(r["student"], r["check"]): r for r in csv.DictReader(open(out.with_suffix(".csv")))}


def test_correct_submission_passes(graded):
    rows = graded[2]
    assert rows[("alice", "check_interpolate")]["result"] == "passed"
    assert rows[("alice", grade.NOTEBOOK)]["result"] == "ran"
    assert rows[("alice", "check_interpolate")]["exercise"] == "04_interpolation"


def test_wrong_submission_names_the_failing_case(graded):
    row = graded[2][("bob", "check_interpolate")]
    assert row["result"] == "failed"
    assert row["detail"].startswith("interpolation (Eq. 7), case 'one head': results differ")


def test_crashing_submission_reports_the_error(graded):
    rows = graded[2]
    assert rows[("carol", grade.NOTEBOOK)]["result"] == "error"
    assert "SyntaxError" in rows[("carol", grade.NOTEBOOK)]["detail"]
    assert rows[("carol", "check_interpolate")]["result"] == "not run"
    assert "NameError" in rows[("carol", "check_interpolate")]["detail"]


def test_looping_submission_times_out_and_the_run_goes_on(graded):
    rows = graded[2]
    assert rows[("dave", grade.NOTEBOOK)]["result"] == "timeout"
    assert f"within {TIMEOUT_S} s" in rows[("dave", grade.NOTEBOOK)]["detail"]
    assert rows[("dave", "check_interpolate")]["result"] == "not run"
    assert "stopped (timeout)" in rows[("dave", "check_interpolate")]["detail"]
    assert {s for s, _ in rows} == {"alice", "bob", "carol", "dave", "erin", "frank"}  # graded after dave


def test_corrupt_and_wrong_exercise_get_their_own_rows(graded):
    rows = graded[2]
    assert rows[("erin", grade.NOTEBOOK)]["result"] == "invalid"
    assert rows[("erin", "check_interpolate")]["result"] == "not run"
    assert rows[("frank", grade.NOTEBOOK)]["result"] == "wrong exercise"
    assert "exercise 05_shift" in rows[("frank", grade.NOTEBOOK)]["detail"]


def test_submissions_unchanged_and_report_complete(graded, submissions):
    before, out, rows = graded
    assert _digest(submissions) == before
    markdown, page = out.with_suffix(".md").read_text(), out.with_suffix(".html").read_text()
    for student in ("alice", "bob", "carol", "dave", "erin", "frank"):
        assert f"| {student} |" in markdown and f"<td>{student}</td>" in page
    assert "| alice | 04_interpolation | 1 / 1 checks passed |" in markdown
    assert "| bob | 04_interpolation | 0 / 1 checks passed |" in markdown


def test_exercise_from_file_names():
    known = sorted(grade.EXERCISES)
    assert grade.exercise_named("alice_05_shift", known) == "05_shift"
    assert grade.exercise_named("ex5", known) == "05_shift"
    assert grade.exercise_named("exercise-07", known) == "07_ntm"
    assert grade.exercise_named("notes", known) is None
    assert grade._student_from_stem("bob-ex3") == "bob"


def test_report_outside_submissions(submissions):
    with pytest.raises(SystemExit):
        grade.main([str(submissions), "--out", str(submissions / "report")])


def test_a_jupyter_user_sees_the_message_without_checker_frames(tmp_path):
    """What a learner sees: the error output of a failed check in a real kernel."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from ntm_minimal import checks\n\ndef interpolate(w_content, w_prev, g):\n"
                                  "    return w_prev\n\nchecks.check_interpolate(interpolate)"),
        nbformat.v4.new_code_cell("def interpolate(w_content, w_prev, g):\n    return w_content / 0 + undefined\n\n"
                                  "checks.check_interpolate(interpolate)")])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    wrong, raising = (c.outputs[-1] for c in nb.cells)
    assert wrong.ename == "CheckFailed"
    shown = "\n".join(wrong.traceback)
    assert shown.startswith("CheckFailed: interpolation (Eq. 7), case 'one head': results differ")
    assert "checks.py" not in shown and "exercise_rules.py" not in shown
    shown = "\n".join(raising.traceback)
    assert "return w_content / 0 + undefined" in shown and "NameError: name 'undefined' is not defined" in shown
    assert "checks.py" not in shown


@pytest.mark.parametrize("name", ["14_dnc", "15_focus_allocator"])
def test_later_chapters_solutions_report_every_check(name, tmp_path):
    """The DNC and MegaContext checks record through ``checks.graded``: a solution passes each listed check."""
    (tmp_path / "subs" / "zoe").mkdir(parents=True)
    nbformat.write(_exercise(name), tmp_path / "subs" / "zoe" / f"{name}.ipynb")
    out = tmp_path / "report"
    assert grade.main([str(tmp_path / "subs"), "--out", str(out), "--timeout", "120"]) == 0
    rows = {r["check"]: r["result"] for r in csv.DictReader(open(out.with_suffix(".csv")))}
    assert {check: rows.get(check) for check in grade.EXERCISES[name]} == dict.fromkeys(grade.EXERCISES[name], "passed")
