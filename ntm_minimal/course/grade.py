"""Grade a folder of submitted exercise notebooks: run each in a fresh kernel, report every check.

Usage (from any folder, in the course environment)::

    python -m ntm_minimal.grade SUBMISSIONS [--out REPORT] [--timeout SECONDS]

``SUBMISSIONS`` holds one folder per student (``alice/05_shift.ipynb``) or notebooks named by
student (``alice_05_shift.ipynb``); the exercise is read from the file name (its number) and from the
notebook's title (``# Exercise 5: ...``). Each notebook is copied to a scratch folder and executed
there from top to bottom in a fresh kernel, with a time limit for the whole notebook; the
submissions themselves are only read. The checks of :mod:`ntm_minimal.checks` append their results
to a log the grader names (:data:`ntm_minimal.checks.GRADE_LOG_ENV`), so every check gets its own
row: ``passed``, ``failed`` with the failing case, or ``not run`` with the reason (the cell that
calls it raised, or the notebook ran out of time). A notebook that is not valid JSON, is for
another exercise, raises outside the checks, or never ends gets a row of its own. One bad
submission never stops the run.

The report is written three ways: ``REPORT.csv`` (one row per student x exercise x check),
``REPORT.md`` and ``REPORT.html`` (a summary per student and exercise, then every row).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .checks import GRADE_LOG_ENV
from .tables import Table

#: Exercise -> the checks its notebook calls, in order (exercises of later chapters are read from
#: the notebook's own check calls when they are not listed here).
EXERCISES: dict[str, tuple[str, ...]] = {
    "01_memory_read": ("check_read",),
    "02_writing": ("check_erase", "check_add", "check_write"),
    "03_content_addressing": ("check_cosine_similarity", "check_content_weighting"),
    "04_interpolation": ("check_interpolate",),
    "05_shift": ("check_shift",),
    "06_sharpening": ("check_sharpen", "check_address"),
    "07_ntm": ("check_head_params", "check_ntm_step"),
    "08_copy": ("check_copy_batch", "check_cost_bits", "check_bit_errors"),
    "09_repeat_copy": ("check_repeat_copy_batch",),
    "10_associative_recall": ("check_recall_batch",),
    "11_dynamic_ngrams": ("check_optimal_predictions",),
    "12_priority_sort": ("check_sort_targets", "check_errors_per_position"),
    "14_dnc": ("check_allocation", "check_link"),
    "15_focus_allocator": ("check_focus",),
}
NOTEBOOK = "(notebook)"  # the check column of a row about the whole notebook
CHECK_CALL = re.compile(r"\bcheck_\w+(?=\()")
TITLE = re.compile(r"^#\s*(?:Exercise|Solution)\s+(\d+)\b", re.M | re.I)  # a solution twin submitted too
NUMBER = re.compile(r"(?:^|[^0-9])(?:ex(?:ercise)?[ _-]?)?(\d{1,2})(?=[^0-9]|$)", re.I)
DETAIL_CHARS = 300


class Row(NamedTuple):
    student: str
    exercise: str
    check: str
    result: str  # passed | failed | not run | ran | error | timeout | invalid | wrong exercise | unknown
    detail: str


class Submission(NamedTuple):
    student: str
    exercise: str | None  # from the file name, e.g. "05_shift"; None when it names no exercise
    path: Path


# ------------------------------------------------------------------ finding submissions


def exercise_named(text: str, known: list[str]) -> str | None:
    """The exercise a file name (or title number) refers to: ``"alice_05_shift"`` -> ``"05_shift"``."""
    for name in known:
        if name in text:
            return name
    match = NUMBER.search(text)
    if match:
        number = int(match.group(1))
        return next((name for name in known if int(name.split("_")[0]) == number), f"{number:02d}")
    return None


def _student_from_stem(stem: str) -> str:
    """``alice_05_shift`` -> ``alice``: the file name without its exercise part."""
    match = NUMBER.search(stem)
    head = stem[: match.start(1)] if match else stem
    head = re.sub(r"(?i)ex(ercise)?[ _-]?$", "", head)
    return head.strip(" _-.") or stem


def find_submissions(root: Path, known: list[str]) -> list[Submission]:
    """Every ``.ipynb`` under ``root``: in a student's folder, or named by student at the top."""
    out = []
    for path in sorted(root.rglob("*.ipynb")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):  # .ipynb_checkpoints and the like
            continue
        if len(rel.parts) > 1:
            student, exercise = rel.parts[0], exercise_named(path.stem, known)
        else:
            student, exercise = _student_from_stem(path.stem), exercise_named(path.stem, known)
        out.append(Submission(student, exercise, path))
    return out


# ------------------------------------------------------------------ running one notebook


def _title_exercise(nb, known: list[str]) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = TITLE.search(cell.source)
            if match:
                return exercise_named(f"_{match.group(1)}_", known)
    return None


def _first_line(text: str) -> str:
    line = text.strip().split("\n")[0]
    return line if len(line) <= DETAIL_CHARS else line[: DETAIL_CHARS - 1] + "…"


def _errors(nb) -> dict[int, str]:
    """Cell index -> ``"Name: message"`` for every cell that raised."""
    out = {}
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if o.get("output_type") == "error":
                out[i] = _first_line(f"{o.get('ename')}: {o.get('evalue')}")
    return out


def _checks_called(nb) -> dict[str, int]:
    """Check name -> index of the first code cell that calls it."""
    out: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for name in CHECK_CALL.findall(cell.source):
                out.setdefault(name, i)
    return out


def _read_log(path: Path) -> dict[str, dict]:
    """Check name -> its last recorded result."""
    results = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                results[record["check"]] = record
            except (ValueError, KeyError, TypeError):
                continue  # a line the reader's code wrote into the log: not a check result
    return results


def execute(nb, folder: Path, log: Path, timeout_s: float, kernel: str) -> tuple[str, str, int | None]:
    """Run ``nb`` (in place) in a fresh kernel in ``folder``; return ``(result, detail, stopped_cell)``.

    ``result`` is ``ran`` (every cell executed, errors or not), ``timeout`` or ``error`` (the kernel
    died or could not start). Errors inside cells are left in the outputs (``allow_errors``).
    """
    current = {"cell": None, "deadline": None}

    def remaining(cell) -> int:  # the clock starts at the first cell, once the kernel is up
        current["cell"] = next((i for i, c in enumerate(nb.cells) if c is cell), None)
        if current["deadline"] is None:
            current["deadline"] = time.monotonic() + timeout_s
        return max(1, int(current["deadline"] - time.monotonic() + 0.999))

    env = dict(os.environ, **{GRADE_LOG_ENV: str(log), "MPLBACKEND": "agg"})
    client = NotebookClient(nb, timeout_func=remaining, kernel_name=kernel, allow_errors=True,
                            startup_timeout=120, resources={"metadata": {"path": str(folder)}})
    try:
        client.execute(env=env, cwd=str(folder))
    except CellTimeoutError:
        return "timeout", f"did not finish within {timeout_s:g} s (stopped in cell {current['cell']})", current["cell"]
    except DeadKernelError as err:
        return "error", _first_line(f"the kernel died in cell {current['cell']}: {err}"), current["cell"]
    except Exception as err:  # noqa: BLE001 - whatever a submission does, the run goes on
        return "error", _first_line(f"could not run the notebook: {type(err).__name__}: {err}"), current["cell"]
    return "ran", "", None


def grade_one(sub: Submission, known: list[str], timeout_s: float, kernel: str = "python3") -> list[Row]:
    """Rows for one submission: one about the notebook, then one per check."""
    label = sub.exercise or "?"

    def row(check, result, detail=""):
        return Row(sub.student, label, check, result, detail)

    def unrun(result, detail):  # the notebook is not run: its row, and each check it should have passed
        return [row(NOTEBOOK, result, detail)] + [row(c, "not run", f"the notebook is {result}")
                                                   for c in EXERCISES.get(label, ())]

    try:
        nb = nbformat.reads(sub.path.read_text(encoding="utf-8"), as_version=4)
    except Exception as err:  # noqa: BLE001 - not JSON, not a notebook, not UTF-8...
        return unrun("invalid", _first_line(f"not a readable notebook ({type(err).__name__}: {err})"))
    titled = _title_exercise(nb, known)
    if sub.exercise is None:
        label = titled or "?"
    elif titled is not None and titled != sub.exercise:
        return unrun("wrong exercise",
                     f"the file is named for exercise {sub.exercise} but the notebook is exercise {titled}")
    called = _checks_called(nb)
    wanted = list(EXERCISES.get(label, ())) or list(called)
    if not wanted:
        return [row(NOTEBOOK, "unknown", "no exercise named in the file name or title, and no check calls")]

    with tempfile.TemporaryDirectory(prefix="ntm-grade-") as scratch:
        folder = Path(scratch)
        shutil.copy2(sub.path, folder / sub.path.name)  # the submission is only read
        log = folder / "checks.jsonl"
        started = time.monotonic()
        result, detail, stopped = execute(nb, folder, log, timeout_s, kernel)
        seconds = time.monotonic() - started
        results = _read_log(log)
    errors = _errors(nb)
    check_cells = set(called.values())
    other = [f"cell {i}: {e}" for i, e in errors.items() if i not in check_cells]
    shown = result
    if result == "ran":
        detail = f"ran in {seconds:.1f} s" + (f"; errors outside the checks: {'; '.join(other)}" if other else "")
        shown = "error" if other else "ran"
    rows = [row(NOTEBOOK, shown, detail)]
    for check in wanted + [c for c in results if c not in wanted]:
        rows.append(row(check, *_check_result(check, results, called, errors, result, stopped)))
    return rows


def _check_result(check, results, called, errors, run_result, stopped) -> tuple[str, str]:
    if check in results:
        record = results[check]
        return ("passed", "") if record["passed"] else ("failed", _first_line(record["detail"]))
    cell = called.get(check)
    if cell is None:
        return "not run", "the notebook no longer calls this check"
    if run_result != "ran" and (stopped is None or cell >= stopped):
        return "not run", f"the notebook stopped ({run_result}) in cell {stopped}, before this check finished"
    if cell in errors:
        return "not run", f"its cell raised {errors[cell]}"
    return "not run", "the check ran but recorded no result (its module does not report to the grader: " \
                      "decorate it with ntm_minimal.checks.graded)"


def grade(root: Path, timeout_s: float = 300, kernel: str = "python3", progress=None) -> list[Row]:
    """Grade every submission under ``root`` (see the module docstring); never stops early."""
    known = sorted(EXERCISES)
    rows = []
    for sub in find_submissions(root, known):
        if progress:
            progress(f"grading {sub.path.relative_to(root)} ({sub.student}, {sub.exercise or '?'})")
        rows += grade_one(sub, known, timeout_s, kernel)
    return rows


# ------------------------------------------------------------------ the report


COLUMNS = list(Row._fields)


def summary(rows: list[Row]) -> list[tuple[str, str, str]]:
    """``(student, exercise, "k / n checks passed" or the notebook's problem)`` per submission."""
    out = {}
    for r in rows:
        key = (r.student, r.exercise)
        passed, total, problem = out.get(key, (0, 0, ""))
        if r.check == NOTEBOOK:
            problem = "" if r.result == "ran" else r.result
        else:
            passed, total = passed + (r.result == "passed"), total + 1
        out[key] = (passed, total, problem)
    return [(s, e, f"{p} / {t} checks passed" + (f" ({problem})" if problem else ""))
            for (s, e), (p, t, problem) in out.items()]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(rows: list[Row]) -> str:
    lines = ["# Grade report", "", "| student | exercise | result |", "|---|---|---|"]
    lines += [f"| {_md_cell(s)} | {_md_cell(e)} | {_md_cell(r)} |" for s, e, r in summary(rows)]
    lines += ["", "## Every check", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def to_html(rows: list[Row]) -> str:
    style = ("body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:2em}"
             "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grade report</title><style>{style}</style>"
            f"</head><body><h1>Grade report</h1>{Table(['student', 'exercise', 'result'], summary(rows))._repr_html_()}"
            f"<h2>Every check</h2>{Table(COLUMNS, rows)._repr_html_()}</body></html>\n")


def write_report(rows: list[Row], out: Path) -> list[Path]:
    """Write ``out.csv``, ``out.md`` and ``out.html``; return their paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = [out.with_suffix(".csv"), out.with_suffix(".md"), out.with_suffix(".html")]
    with open(paths[0], "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    paths[1].write_text(to_markdown(rows), encoding="utf-8")
    paths[2].write_text(to_html(rows), encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ntm_minimal.grade", description=__doc__.split("\n")[0])
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--out", type=Path, default=Path("grade_report"),
                        help="report path without suffix (writes .csv, .md, .html; default: grade_report)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per notebook (default: 300)")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel to run them in (default: python3)")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"submissions: expected a folder, got {args.submissions}")
    root = args.submissions.resolve()
    if root in args.out.resolve().parents:
        parser.error("--out: write the report outside the submissions folder (it is only read)")
    rows = grade(root, args.timeout, args.kernel, progress=lambda m: print(m, file=sys.stderr, flush=True))
    if not rows:
        print(f"no .ipynb files under {args.submissions}", file=sys.stderr)
    for path in write_report(rows, args.out):
        print(f"wrote {path}")
    print(to_markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
