"""The grader on folders of submissions: honest, wrong, crashing, hanging, corrupt, forged, rule-dodging.

Each notebook runs in a real kernel. The marks are decided in the grader's process, from the
outputs the kernel returns for cases drawn fresh on every run: the forged and rule-dodging
submissions below (each a route that passed with the earlier grader) get no mark, and every
shipped solution gets every mark.
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ntm_minimal.course import grade

ROOT = Path(__file__).resolve().parents[2]
SOLUTION_LINE = "    return g * w_content + (1 - g) * w_prev  # g [.., 1] broadcasts over the N rows\n"
CHECK_TIMEOUT_S = 10  # per check: a solution's function needs well under a second on all its cases
CELL_TIMEOUT_S = 120  # per cell while the notebook runs


def _solution(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)


def _with_body(body: str) -> nbformat.NotebookNode:
    """Exercise 4's solution notebook with the solution line replaced by ``body``."""
    nb = _solution("04_interpolation")
    cells = [c for c in nb.cells if SOLUTION_LINE in c.source]
    assert len(cells) == 1
    cells[0].source = cells[0].source.replace(SOLUTION_LINE, body)
    return nb


def _minimal(number: int, *sources: str) -> nbformat.NotebookNode:
    """A submission of exercise ``number`` made of its title and the given code cells only."""
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(f"# Exercise {number}: a submission"),
            *(nbformat.v4.new_code_cell(s) for s in sources),
        ]
    )


#: Appended to a wrong notebook: everything the earlier grader trusted, forged.
FORGERY = """
import glob, json, os, sys
records = [{"check": "check_interpolate", "title": "interpolation (Eq. 7)", "passed": True, "detail": "passed"}]
for path in [v for k, v in os.environ.items() if "LOG" in k] + glob.glob("*.jsonl") + glob.glob(".*"):
    try:
        with open(path, "a") as f:
            f.write("\\n".join(json.dumps(r) for r in records) + "\\n")
    except OSError:
        pass
import ntm_minimal.course.runner as runner, ntm_minimal.course.serve as serve
runner.judge_case = lambda *args, **kwargs: None  # the checker's comparison, patched away
serve.serve = lambda *args, **kwargs: None
print("✓ interpolation (Eq. 7): 8 cases (4 fixed, 4 drawn fresh) match ntm_minimal.addressing.interpolate")
"""

#: Exercise 14, 15 and 12 submissions that reach the course's own implementations, by student.
ROUTES = {
    "eve": (
        14,
        "from ntm_minimal.dnc import equations\n\ndef allocation(u):\n    return equations.allocation(u)",
        "import types\nfrom ntm_minimal import dnc\n"
        "eq = next(m for m in vars(dnc.model).values() if isinstance(m, types.ModuleType) and hasattr(m, 'link'))\n\n"
        "def link(L_prev, p_prev, w_write):\n    return eq.link(L_prev, p_prev, w_write)  # dnc.model.eq.link",
    ),
    "fay": (
        14,
        "import ntm_minimal.dnc\nallocation = ntm_minimal.dnc.allocation  # no def at all",
        "from ntm_minimal.course import dnc as dnc_checks\nlink = dnc_checks.reference_link",
    ),
    "gus": (
        14,
        "import torch\nfrom ntm_minimal.course import dnc as dnc_checks\nfrom ntm_minimal.course.runner import gen\n"
        "TABLE = {c.args['u'].numpy().tobytes(): dnc_checks.reference_allocation(c.args['u'])\n"
        "         for c in dnc_checks._allocation_cases(gen(14))}\n\n"
        "def allocation(u):\n    return TABLE.get(u.numpy().tobytes(), torch.zeros_like(u))",
        "from ntm_minimal.dnc import equations\n_link = getattr(equations, '_link', None)\n"
        "if _link is None:\n    from ntm_minimal.dnc.kernels import link as _link\n\n"
        "def link(L_prev, p_prev, w_write):\n    return _link(L_prev, p_prev, w_write)  # the private kernel",
    ),
    "ivy": (
        15,
        "from ntm_minimal.course import megacontext as mc_checks\n\n"
        "def focus(levels, scores, age, length, w_max, tail=64, cooldown=2, max_edits=4, threshold=0.2):\n"
        "    return mc_checks.reference_focus(levels, scores, age, length, w_max, tail, cooldown, max_edits, threshold)",
    ),
    "kim": (
        12,
        "from ntm_minimal.course import tasks as task_checks\nerrors_per_position = task_checks._sort_errors_reference",
        "from ntm_minimal.tasks import priority_sort\n\ndef sort_targets(vectors, priority, outputs):\n"
        "    order = priority.argsort(dim=1, descending=True)[:, :outputs]\n"
        "    priority_sort.PrioritySortTask()  # harmless: building a task object is not the work...\n"
        "    return priority_sort.PrioritySortTask.sample_with_priorities  # ...and this is not a result",
    ),
}


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("submissions")
    for folder in ("alice", "carol", "mallory"):
        (root / folder).mkdir()
    nbformat.write(_solution("04_interpolation"), root / "alice" / "04_interpolation.ipynb")
    nbformat.write(_with_body("    return (1 - g) * w_content + g * w_prev\n"), root / "bob_04_interpolation.ipynb")
    nbformat.write(_with_body("    return g * w_content +\n"), root / "carol" / "04_interpolation.ipynb")
    text = (ROOT / "solutions" / "04_interpolation.ipynb").read_text()
    (root / "erin_04_interpolation.ipynb").write_text(text[: len(text) // 2])  # cut off mid-file
    nbformat.write(_solution("05_shift"), root / "frank_04_interpolation.ipynb")  # the wrong exercise
    forged = _with_body("    return (1 - g) * w_content + g * w_prev\n")
    forged.cells.append(nbformat.v4.new_code_cell(FORGERY))
    nbformat.write(forged, root / "mallory" / "04_interpolation.ipynb")
    for student, (number, *sources) in ROUTES.items():
        name = next(n for n in grade.EXERCISES if int(n[:2]) == number)
        nbformat.write(_minimal(number, *sources), root / f"{student}_{name}.ipynb")
    # exercise 12: a sort that never returns, beside a correct errors_per_position
    hang = "def sort_targets(vectors, priority, outputs):\n    while True:\n        pass"
    correct = next(c.source for c in _solution("12_priority_sort").cells if "def errors_per_position" in c.source)
    nbformat.write(_minimal(12, hang, "import torch\n" + correct), root / "lee_12_priority_sort.ipynb")
    # the same with a sort that ends the kernel's process, called once by the notebook itself too
    kill = "import os\n\ndef sort_targets(vectors, priority, outputs):\n    os._exit(1)"
    nbformat.write(
        _minimal(12, kill, "import torch\n" + correct, "sort_targets(None, None, 1)"),
        root / "max_12_priority_sort.ipynb",
    )
    return root


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(submissions, tmp_path_factory):
    before = _digest(submissions)
    out = tmp_path_factory.mktemp("report") / "report"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ntm_minimal.grade",
            str(submissions),
            "--out",
            str(out),
            "--timeout",
            str(CHECK_TIMEOUT_S),
            "--cell-timeout",
            str(CELL_TIMEOUT_S),
        ],
        capture_output=True,
        text=True,
        cwd=submissions.parent,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr
    rows = {(r["student"], r["check"]): r for r in csv.DictReader(open(out.with_suffix(".csv")))}
    book = {(r["student"], r["exercise"]): r for r in csv.DictReader(open(f"{out}_gradebook.csv"))}
    return before, out, rows, book, run


def test_correct_submission_passes(graded):
    rows = graded[2]
    assert rows[("alice", "check_interpolate")]["result"] == "passed"
    assert rows[("alice", grade.NOTEBOOK)]["result"] == "ran"
    assert rows[("alice", "check_interpolate")]["exercise"] == "04_interpolation"


def test_wrong_submission_names_the_failing_case(graded):
    row = graded[2][("bob", "check_interpolate")]
    assert graded[2][("bob", grade.NOTEBOOK)]["result"] == "ran"  # its own check cell failing is the check's row
    assert row["result"] == "failed"
    assert row["detail"].startswith("interpolation (Eq. 7), case 'one head': results differ")


def test_crashing_submission_reports_the_error(graded):
    rows = graded[2]
    assert rows[("carol", grade.NOTEBOOK)]["result"] == "error"
    assert "SyntaxError" in rows[("carol", grade.NOTEBOOK)]["detail"]
    assert rows[("carol", "check_interpolate")]["result"] == "not run"
    assert "defines no `interpolate`" in rows[("carol", "check_interpolate")]["detail"]


def test_forged_records_and_patches_get_no_mark(graded):
    rows, book = graded[2], graded[3]
    assert rows[("mallory", "check_interpolate")]["result"] == "failed"
    assert "results differ" in rows[("mallory", "check_interpolate")]["detail"]
    assert book[("mallory", "04_interpolation")]["score"] == "0 / 1"


@pytest.mark.parametrize("student", sorted(ROUTES))
def test_every_route_to_the_course_implementations_gets_no_mark(graded, student):
    book = graded[3]
    entry = next(r for (s, _), r in book.items() if s == student)
    assert entry["passed"] == "0", entry
    details = {c: r["detail"] for (s, c), r in graded[2].items() if s == student and c != grade.NOTEBOOK}
    assert all(
        ("do not run the course's implementation" in d or "drawn fresh" in d or "expected" in d)
        for d in details.values()
    ), details


def test_a_hanging_function_loses_only_its_own_check(graded):
    rows = graded[2]
    assert rows[("lee", "check_sort_targets")]["result"] == "timeout"
    assert f"within {CHECK_TIMEOUT_S:g} s" in rows[("lee", "check_sort_targets")]["detail"]
    assert rows[("lee", "check_errors_per_position")]["result"] == "passed"
    assert graded[3][("lee", "12_priority_sort")]["score"] == "1 / 2"


def test_a_function_that_kills_the_kernel_loses_only_its_own_check(graded):
    rows = graded[2]
    assert rows[("max", grade.NOTEBOOK)]["result"] == "error"
    assert "stopped the kernel" in rows[("max", grade.NOTEBOOK)]["detail"]
    assert rows[("max", "check_sort_targets")]["result"] == "failed"
    assert "kernel died" in rows[("max", "check_sort_targets")]["detail"]
    assert rows[("max", "check_errors_per_position")]["result"] == "passed"  # in a restarted kernel


def test_corrupt_and_wrong_exercise_get_their_own_rows(graded):
    rows = graded[2]
    assert rows[("erin", grade.NOTEBOOK)]["result"] == "invalid"
    assert rows[("erin", "check_interpolate")]["result"] == "not run"
    assert rows[("frank", grade.NOTEBOOK)]["result"] == "wrong exercise"
    assert "exercise 05_shift" in rows[("frank", grade.NOTEBOOK)]["detail"]


def test_gradebook_has_one_row_per_student_and_exercise(graded):
    out, book = graded[1], graded[3]
    header = next(csv.reader(open(f"{out}_gradebook.csv")))
    assert header[:6] == ["student", "exercise", "notebook", "passed", "total", "score"]
    assert {"check_interpolate", "check_allocation", "check_link", "check_focus", "check_sort_targets"} <= set(header)
    assert len(book) == len({(s, e) for s, e in book}) == 13
    assert book[("alice", "04_interpolation")]["score"] == "1 / 1"
    assert book[("alice", "04_interpolation")]["check_interpolate"] == "passed"
    assert book[("alice", "04_interpolation")]["check_allocation"] == ""  # not part of exercise 4


def test_stderr_quiet_and_submissions_unchanged(graded, submissions):
    before, out, _, _, run = graded
    assert run.stderr == ""
    assert _digest(submissions) == before
    markdown, page = out.with_suffix(".md").read_text(), out.with_suffix(".html").read_text()
    for student in ("alice", "bob", "carol", "erin", "frank", "mallory"):
        assert f"| {student} |" in markdown and f"<td>{student}</td>" in page


def test_help_documents_the_layouts():
    run = subprocess.run([sys.executable, "-m", "ntm_minimal.grade", "--help"], capture_output=True, text=True)
    assert run.returncode == 0
    for words in (
        "one folder per student",
        "alice/05_shift.ipynb",
        "alice_05_shift.ipynb",
        "_gradebook.csv",
        "seconds per check",
    ):
        assert words in run.stdout, words


def test_every_solution_gets_full_marks(tmp_path):
    (tmp_path / "subs" / "zoe").mkdir(parents=True)
    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        (tmp_path / "subs" / "zoe" / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "report"
    assert grade.main([str(tmp_path / "subs"), "--out", str(out), "--quiet", "--timeout", "60"]) == 0
    book = list(csv.DictReader(open(f"{out}_gradebook.csv")))
    assert {r["exercise"] for r in book} == set(grade.EXERCISES)
    for r in book:
        assert r["notebook"] == "ran" and r["passed"] == r["total"] == str(len(grade.EXERCISES[r["exercise"]])), r


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
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from ntm_minimal.course import ntm as checks\n\n"
                "def interpolate(w_content, w_prev, g):\n    return w_prev\n\n"
                "checks.check_interpolate(interpolate)"
            ),
            nbformat.v4.new_code_cell(
                "def interpolate(w_content, w_prev, g):\n    return w_content / 0 + undefined\n\n"
                "checks.check_interpolate(interpolate)"
            ),
        ]
    )
    NotebookClient(
        nb, timeout=60, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    wrong, raising = (c.outputs[-1] for c in nb.cells)
    assert wrong.ename == "CheckFailed"
    shown = "\n".join(wrong.traceback)
    assert shown.startswith("CheckFailed: interpolation (Eq. 7), case 'one head': results differ")
    assert "ntm_minimal/course" not in shown
    shown = "\n".join(raising.traceback)
    assert "return w_content / 0 + undefined" in shown and "NameError: name 'undefined' is not defined" in shown
    assert "ntm_minimal/course" not in shown


def test_abandoned_output_polls_stay_off_stderr_and_other_asyncio_errors_do_not():
    import logging
    import queue

    def record(message, exc):
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, None, (type(exc), exc, None))

    drop = grade._DropAbandonedPolls()
    assert not drop.filter(record("Task exception was never retrieved", queue.Empty()))
    assert drop.filter(record("Task exception was never retrieved", RuntimeError("a real error")))
    assert drop.filter(record("Unclosed client session", queue.Empty()))
