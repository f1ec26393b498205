"""Grade a folder of submitted exercise notebooks; the marks are decided in this process.

Usage (from any folder, in the course environment, or after ``pip install "ntm-minimal[grade]"``)::

    python -m ntm_minimal.grade SUBMISSIONS [--out REPORT] [--timeout SECONDS] [--cell-timeout SECONDS]

How a notebook is graded. It is copied to a scratch folder and run from top to bottom in a fresh
Jupyter kernel (each cell with its own time limit; the submissions themselves are only read).
Then, for each check of its exercise, this process draws the check's cases (the fixed ones and as
many from a seed drawn now), computes the expected results with its own reference, and sends the
kernel only the inputs: the kernel calls the student's function on each and sends back the raw
outputs and what ran meanwhile. The comparison, and so the mark, happens here. Nothing the
notebook prints, writes or patches in its kernel reaches a verdict except the outputs of its
function on inputs it could not know in advance. Each check has its own time limit: a function
that hangs loses that check, and the kernel is interrupted (or restarted, and the notebook run
again) before the next one.

Rules: the loop rule is read from the notebook's source here; the rule "write it yourself" is
observed in the kernel (:mod:`ntm_minimal.course.serve`): any implementation the course ships
for the exercise that runs while the function computes fails the check, whatever name reached it.

Reports: ``REPORT.csv`` (one row per student x exercise x check, and one per notebook),
``REPORT_gradebook.csv`` (one row per student and exercise: ``passed``, ``total``, ``score``
``passed / total``, then one column per check), ``REPORT.md`` and ``REPORT.html``.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple

import torch

from ..tables import Table
from . import dnc, megacontext, ntm, runner, serve, tasks  # noqa: F401 - importing them registers their checks
from . import rules as rules_module
from .runner import CHECKS, CheckFailed

#: Exercise -> the checks its notebook is graded on, in order.
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
CHECK_CALL = re.compile(r"\b(check_\w+)\(\s*([A-Za-z_]\w*)\s*\)")
TITLE = re.compile(r"^#\s*(?:Exercise|Solution)\s+(\d+)\b", re.M | re.I)  # a solution twin submitted too
NUMBER = re.compile(r"(?:^|[^0-9])(?:ex(?:ercise)?[ _-]?)?(\d{1,2})(?=[^0-9]|$)", re.I)
DETAIL_CHARS = 300
MAX_OUTPUT_BYTES = 200_000_000  # an answer file larger than this is not read


class Row(NamedTuple):
    student: str
    exercise: str
    check: str
    result: str  # passed | failed | timeout | not run | ran | error | invalid | wrong exercise | unknown
    detail: str


class Submission(NamedTuple):
    student: str
    exercise: str | None  # from the file name, e.g. "05_shift"; None when it names no exercise
    path: Path


EPILOG = """\
submission layouts (SUBMISSIONS is only read; the two may be mixed):
  one folder per student      SUBMISSIONS/alice/05_shift.ipynb, SUBMISSIONS/alice/ex6.ipynb
  notebooks named by student  SUBMISSIONS/alice_05_shift.ipynb, SUBMISSIONS/bob-ex5.ipynb
The exercise is read from the file name (its number, e.g. 05, ex5, exercise-05) and checked against
the notebook's title ("# Exercise 5: ..."); a notebook without a number in its name is graded by its
title. Hidden folders (.ipynb_checkpoints) are skipped.

reports: REPORT.csv (one row per check), REPORT_gradebook.csv (one row per student and exercise,
with passed, total, score and one column per check), REPORT.md, REPORT.html.
Run untrusted submissions in a container or a throw-away account: their code runs with your rights.
"""


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
        student = rel.parts[0] if len(rel.parts) > 1 else _student_from_stem(path.stem)
        out.append(Submission(student, exercise_named(path.stem, known), path))
    return out


# ------------------------------------------------------------------ the kernel


def _first_line(text: str) -> str:
    line = text.strip().split("\n")[0]
    return line if len(line) <= DETAIL_CHARS else line[: DETAIL_CHARS - 1] + "…"


def _quiet_logger() -> logging.Logger:
    """nbclient logs every timeout and interrupt as an error: the report says it once, not stderr."""
    log = logging.getLogger("ntm_minimal.grade.kernel")
    log.setLevel(logging.CRITICAL + 1)
    log.propagate = False
    return log


class _DropAbandonedPolls(logging.Filter):
    """When a cell is interrupted or its kernel dies, nbclient leaves its output-polling task with a
    ``queue.Empty`` nobody retrieves, and asyncio logs it when the task is collected: expected here
    (the report says what happened), so it is dropped; any other asyncio error still reaches stderr."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        abandoned = record.getMessage().startswith("Task exception was never retrieved")
        return not (abandoned and isinstance(exc, queue.Empty))


_ASYNCIO_FILTER = _DropAbandonedPolls()


class Kernel:
    """A fresh kernel running one notebook, which can be interrupted, restarted and asked for outputs."""

    def __init__(self, nb, folder: Path, kernel_name: str, cell_timeout: float):
        self.nb, self.folder, self.kernel_name, self.cell_timeout = nb, folder, kernel_name, cell_timeout
        self.cells = len(nb.cells)  # the notebook's own cells (the grader's requests are appended after)
        self.client = None
        self.timed_out: set[int] = set()  # cells stopped by their time limit
        self.skipped: set[int] = set()  # cells that killed the kernel: not run again

    def __enter__(self):
        self._start()
        return self

    def __exit__(self, *exc):
        self._stop()

    def _start(self) -> None:
        import nbclient

        logging.getLogger("asyncio").addFilter(_ASYNCIO_FILTER)  # once: adding the same filter again is a no-op

        self.client = nbclient.NotebookClient(
            self.nb,
            kernel_name=self.kernel_name,
            allow_errors=True,
            startup_timeout=120,
            log=_quiet_logger(),
            resources={"metadata": {"path": str(self.folder)}},
        )
        self.client.km = self.client.create_kernel_manager()
        env = dict(os.environ, MPLBACKEND="agg")
        # The kernel's own stderr (a warning per kernel, and its traceback when it is stopped) would
        # only clutter the grader's: what a cell prints reaches the report through the notebook.
        self.client.start_new_kernel(env=env, cwd=str(self.folder), stderr=subprocess.DEVNULL)
        self.client.start_new_kernel_client()

    def _stop(self) -> None:
        if self.client is not None:
            try:
                self.client._cleanup_kernel()
            except Exception:  # noqa: BLE001 - a kernel that is already gone
                pass
            self.client = None

    def _execute(self, index: int, timeout: float) -> str:
        """Run cell ``index``: ``"ran"``, ``"timeout"`` (interrupted, the kernel answers again) or ``"dead"``."""
        from jupyter_core.utils import run_sync
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        self.client.timeout = max(1, int(timeout + 0.999))
        try:
            self.client.execute_cell(self.nb.cells[index], index)
            return "ran"
        except CellTimeoutError:
            pass
        except DeadKernelError:
            return "dead"
        try:  # interrupt, then make sure the kernel answers again
            run_sync(self.client.km.interrupt_kernel)()
            self.client.timeout = 10
            probe = self._append("pass")
            self.client.execute_cell(self.nb.cells[probe], probe)
            return "timeout"
        except Exception:  # noqa: BLE001 - it ignored the interrupt, or died
            return "dead"

    def _append(self, source: str) -> int:
        import nbformat

        self.nb.cells.append(nbformat.v4.new_code_cell(source))
        return len(self.nb.cells) - 1

    def run_notebook(self) -> None:
        """Run the notebook's cells in turn. A cell that hangs is interrupted; one that kills the
        kernel is skipped from then on, and the cells before it run again in a fresh kernel."""
        index = 0
        while index < self.cells:
            if self.nb.cells[index].cell_type == "code" and index not in self.skipped:
                state = self._execute(index, self.cell_timeout)
                if state == "timeout":
                    self.timed_out.add(index)
                if state == "dead":
                    self.skipped.add(index)
                    self._stop()
                    self._start()
                    index = 0
                    continue
            index += 1

    def restart(self) -> None:
        """A fresh kernel that has run the notebook again (the next check needs its functions)."""
        self._stop()
        self._start()
        self.run_notebook()

    def ask(self, function: str, cases: list[dict], watch: dict, timeout: float) -> tuple[str, dict | None]:
        """Call ``function`` of the notebook on every case; ``(state, answer)`` (see :func:`serve.serve`)."""
        request, answer = (
            self.folder / f".request-{len(self.nb.cells)}.pt",
            self.folder / f".answer-{len(self.nb.cells)}.pt",
        )
        answer.unlink(missing_ok=True)
        torch.save({"function": function, "cases": cases, "watch": watch}, request)
        source = Path(serve.__file__).read_text(encoding="utf-8")
        code = (
            f"__ntm_grade = {{'__name__': 'ntm_grade'}}\n"
            f"exec(compile({source!r}, '<ntm-grade>', 'exec'), __ntm_grade)\n"
            f"__ntm_grade['serve'](globals(), {str(request)!r}, {str(answer)!r})\n"
            f"del __ntm_grade"
        )
        state = self._execute(self._append(code), timeout)
        if state == "dead":
            self.restart()
            return "dead", None
        if state != "ran" or not answer.is_file() or answer.stat().st_size > MAX_OUTPUT_BYTES:
            return state if state != "ran" else "no answer", None
        try:  # tensors, numbers, strings and containers only: a file the kernel wrote cannot run code here
            return "ran", torch.load(answer, weights_only=True)
        except Exception:  # noqa: BLE001 - an answer file the notebook spoiled
            return "no answer", None


# ------------------------------------------------------------------ one check, decided here


def _result_of(
    check: runner.Check, cases: list[runner.Case], wants: list[Any], answer: dict, function: str, sources: list[str]
) -> tuple[str, str]:
    """``("passed" | "failed", detail)`` from the kernel's answer, compared with this process's references."""
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or len(results) != len(cases):
        return "failed", "the kernel's answer is incomplete (the notebook interfered with the grader)"
    try:
        for case, want, result in zip(cases, wants, results):
            if not isinstance(result, tuple) or not result:
                raise CheckFailed(f"{runner.where(check, case)}: no result")
            if result[0] == "raised":
                raise CheckFailed(runner.raised_message(check, case, str(result[1]), str(result[2])))
            runner.judge_case(check, case, result[1], want)
    except CheckFailed as err:
        return "failed", _first_line(str(err))
    if check.rules is not None:
        broken = rules_module.ran_message(
            function, list(answer.get("ran") or []), list(answer.get("spawned") or []), bool(answer.get("unobserved"))
        )
        if not broken and check.rules.loops:
            broken = rules_module.find_loop_in_sources(sources, function)
        if broken:
            return "failed", _first_line(str(runner.rule_failed(check, broken)))
    return "passed", f"{len(cases)} cases"


def grade_check(
    kernel: Kernel, check: runner.Check, function: str, sources: list[str], timeout_s: float, seed: int | None = None
) -> tuple[str, str]:
    """Grade one check of a running notebook: ``(result, detail)``."""
    cases = runner.cases_for(check, seed)
    wants = [runner.expected(check, case) for case in cases]
    watch = rules_module.resolve(check.rules.forbidden if check.rules is not None else ())
    state, answer = kernel.ask(function, [runner.clone(c.args) for c in cases], watch, timeout_s)
    if state == "timeout":
        return "timeout", f"`{function}` did not return within {timeout_s:g} s on the {len(cases)} cases"
    if state == "dead":
        return "failed", f"the kernel died while `{function}` ran"
    if answer is None:
        return "failed", "the kernel sent back no readable answer (the notebook interfered with the grader)"
    if not answer.get("defined"):
        return "not run", f"the notebook defines no `{function}` (the cell that defines it raised, or was removed)"
    return _result_of(check, cases, wants, answer, function, sources)


# ------------------------------------------------------------------ one notebook


def _title_exercise(nb, known: list[str]) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = TITLE.search(cell.source)
            if match:
                return exercise_named(f"_{match.group(1)}_", known)
    return None


def _errors(nb, cells: int) -> dict[int, str]:
    """Cell index -> ``"Name: message"`` for every cell of the notebook's own that raised (a check the
    notebook calls itself raising ``CheckFailed`` is not counted: the check's own row says it)."""
    out = {}
    for i, cell in enumerate(nb.cells[:cells]):
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if o.get("output_type") == "error" and o.get("ename") != "CheckFailed":
                out[i] = _first_line(f"{o.get('ename')}: {o.get('evalue')}")
    return out


def _functions(nb) -> dict[str, str]:
    """Check name -> the function the notebook hands it (``checks.check_shift(my_shift)`` -> ``my_shift``)."""
    out: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            for check, fn in CHECK_CALL.findall(cell.source):
                out.setdefault(check, fn)
    return out


def grade_one(
    sub: Submission, known: list[str], timeout_s: float, kernel_name: str = "python3", cell_timeout_s: float = 300
) -> list[Row]:
    """Rows for one submission: one about the notebook, then one per check."""
    import nbformat

    label = sub.exercise or "?"

    def row(check, result, detail=""):
        return Row(sub.student, label, check, result, detail)

    def unrun(result, detail):  # the notebook is not run: its row, and each check it should have passed
        return [row(NOTEBOOK, result, detail)] + [
            row(c, "not run", f"the notebook is {result}") for c in EXERCISES.get(label, ())
        ]

    try:
        nb = nbformat.reads(sub.path.read_text(encoding="utf-8"), as_version=4)
    except Exception as err:  # noqa: BLE001 - not JSON, not a notebook, not UTF-8...
        return unrun("invalid", _first_line(f"not a readable notebook ({type(err).__name__}: {err})"))
    titled = _title_exercise(nb, known)
    if sub.exercise is None:
        label = titled or "?"
    elif titled is not None and titled != sub.exercise:
        return unrun(
            "wrong exercise", f"the file is named for exercise {sub.exercise} but the notebook is exercise {titled}"
        )
    handed = _functions(nb)
    wanted = list(EXERCISES.get(label, ())) or [c for c in handed if c in CHECKS]
    if not wanted:
        return [row(NOTEBOOK, "unknown", "no exercise named in the file name or title, and no check calls")]
    sources = [c.source for c in nb.cells if c.cell_type == "code"]

    with tempfile.TemporaryDirectory(prefix="ntm-grade-") as scratch:
        folder = Path(scratch)
        shutil.copy2(sub.path, folder / sub.path.name)  # the submission itself is only read
        started = time.monotonic()
        checks = []
        try:
            with Kernel(nb, folder, kernel_name, cell_timeout_s) as kernel:
                kernel.run_notebook()
                seconds = time.monotonic() - started
                timed_out, killed, errors = sorted(kernel.timed_out), sorted(kernel.skipped), _errors(nb, kernel.cells)
                for name in wanted:
                    function = handed.get(name, CHECKS[name].function)
                    checks.append(row(name, *grade_check(kernel, CHECKS[name], function, sources, timeout_s)))
        except Exception as err:  # noqa: BLE001 - the kernel could not start: the run goes on
            return unrun("error", _first_line(f"could not run the notebook: {type(err).__name__}: {err}"))
    detail = f"ran in {seconds:.1f} s"
    if timed_out:
        detail += f"; cells stopped after {cell_timeout_s:g} s: {', '.join(map(str, timed_out))}"
    if killed:
        detail += f"; cells that stopped the kernel (skipped when it restarted): {', '.join(map(str, killed))}"
    if errors:
        detail += f"; cells that raised: {'; '.join(f'cell {i}: {e}' for i, e in errors.items())}"
    result = "timeout" if timed_out else "error" if errors or killed else "ran"
    return [row(NOTEBOOK, result, detail)] + checks


def grade(
    root: Path, timeout_s: float = 120, kernel: str = "python3", progress=None, cell_timeout_s: float = 300
) -> list[Row]:
    """Grade every submission under ``root`` (see the module docstring); never stops early."""
    known = sorted(EXERCISES)
    rows = []
    for sub in find_submissions(root, known):
        if progress:
            progress(f"grading {sub.path.relative_to(root)} ({sub.student}, {sub.exercise or '?'})")
        rows += grade_one(sub, known, timeout_s, kernel, cell_timeout_s)
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
    return [
        (s, e, f"{p} / {t} checks passed" + (f" ({problem})" if problem else ""))
        for (s, e), (p, t, problem) in out.items()
    ]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(rows: list[Row]) -> str:
    lines = ["# Grade report", "", "| student | exercise | result |", "|---|---|---|"]
    lines += [f"| {_md_cell(s)} | {_md_cell(e)} | {_md_cell(r)} |" for s, e, r in summary(rows)]
    lines += ["", "## Every check", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def to_html(rows: list[Row]) -> str:
    style = (
        "body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:2em}"
        "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grade report</title><style>{style}</style>"
        f"</head><body><h1>Grade report</h1>{Table(['student', 'exercise', 'result'], summary(rows))._repr_html_()}"
        f"<h2>Every check</h2>{Table(COLUMNS, rows)._repr_html_()}</body></html>\n"
    )


def gradebook(rows: list[Row]) -> tuple[list[str], list[list]]:
    """One row per student and exercise: notebook result, ``passed``, ``total``, ``score`` and each check's result.

    The check columns are every check of the exercises in ``rows``, in the course's order; a check
    that is not part of a row's exercise is left empty. ``score`` is ``"passed / total"``, with
    spaces so that a spreadsheet does not read it as a date.
    """
    order = [c for checks in EXERCISES.values() for c in checks]
    present = {r.check for r in rows if r.check != NOTEBOOK}
    columns = [c for c in order if c in present] + sorted(present - set(order))
    table: dict[tuple[str, str], dict] = {}
    for r in rows:
        entry = table.setdefault((r.student, r.exercise), {"notebook": "", "checks": {}})
        if r.check == NOTEBOOK:
            entry["notebook"] = r.result
        else:
            entry["checks"][r.check] = r.result
    header = ["student", "exercise", "notebook", "passed", "total", "score", *columns]
    out = []
    for (student, exercise), entry in table.items():
        passed = sum(v == "passed" for v in entry["checks"].values())
        total = len(entry["checks"])
        out.append(
            [
                student,
                exercise,
                entry["notebook"],
                passed,
                total,
                f"{passed} / {total}",
                *(entry["checks"].get(c, "") for c in columns),
            ]
        )
    return header, out


def write_report(rows: list[Row], out: Path) -> list[Path]:
    """Write ``out.csv``, ``out_gradebook.csv``, ``out.md`` and ``out.html``; return their paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = [
        out.with_suffix(".csv"),
        out.with_name(out.name + "_gradebook.csv"),
        out.with_suffix(".md"),
        out.with_suffix(".html"),
    ]
    with open(paths[0], "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    header, table = gradebook(rows)
    with open(paths[1], "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(table)
    paths[2].write_text(to_markdown(rows), encoding="utf-8")
    paths[3].write_text(to_html(rows), encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ntm_minimal.grade",
        description=__doc__.split("\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks (see the layouts below)")
    parser.add_argument(
        "--out", type=Path, default=Path("grade_report"), help="report path without suffix (default: grade_report)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120,
        help="seconds per check, for the student's function on all its cases (default: 120)",
    )
    parser.add_argument(
        "--cell-timeout", type=float, default=300, help="seconds per cell while the notebook runs (default: 300)"
    )
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel to run them in (default: python3)")
    parser.add_argument("--quiet", action="store_true", help="print only the paths of the reports")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"submissions: expected a folder, got {args.submissions}")
    root = args.submissions.resolve()
    if root in args.out.resolve().parents:
        parser.error("--out: write the report outside the submissions folder (it is only read)")
    progress = None if args.quiet else (lambda m: print(m, flush=True))
    rows = grade(root, args.timeout, args.kernel, progress=progress, cell_timeout_s=args.cell_timeout)
    if not rows:
        print(f"no .ipynb files under {args.submissions}")
    for path in write_report(rows, args.out):
        print(f"wrote {path}")
    if not args.quiet:
        print(to_markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
