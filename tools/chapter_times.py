"""Measure how long each chapter notebook takes to run, estimate how long it takes to study, and
write the table the instructor guide shows.

Each notebook (a copy; the committed one is not touched) runs top to bottom in a fresh kernel, as a
student's would. Two numbers per notebook: the wall time of its cells (what a student waits on this
machine, load included) and the CPU time its kernel used (closer to what one free core needs,
since other work on the machine does not add to it).

The study time is an estimate, not a measurement: the chapter's prose (the words of its markdown
cells, without code, math or link targets) read at :data:`WORDS_PER_MINUTE`, plus its exercise:
the exercise notebook's prose read at the same pace and :data:`MINUTES_PER_FUNCTION` for each
function the student writes (each stub that raises ``NotImplementedError``). The table, with the
machine and the date, goes to ``book/chapter_times.md``, which ``book/instructor_guide.md`` includes.

Usage (from the repository root, in the course environment)::

    OMP_NUM_THREADS=1 python tools/chapter_times.py              # every chapter in notebooks/
    OMP_NUM_THREADS=1 python tools/chapter_times.py 08_copy      # some chapters (others keep their run times)
    python tools/chapter_times.py --study-only                   # recount study times, keep the run times
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "book" / "chapter_times.md"
#: A row of the table: its notebook's name in the link, then the two measured run times.
ROW = re.compile(
    r"^\| \[[^\]]+\]\(\.\./notebooks/(?P<name>[^)]+)\.ipynb\)[^|]* \| (?P<cells>\d+) \| (?P<wall>[^|]+) \| "
    r"(?P<cpu>[^|]+) \|"
)
#: Reading pace for course prose (a common figure for technical text read with care).
WORDS_PER_MINUTE = 200
#: Time allowed per function an exercise asks for: write it, run its check, fix it once.
MINUTES_PER_FUNCTION = 10
_NOT_PROSE = [
    re.compile(p, re.S)
    for p in (r"```.*?```", r"`[^`]*`", r"\$\$.*?\$\$", r"\$[^$]*\$", r"\]\([^)]*\)", r"<[^>]+>", r"\{glue(?::\w+)?\}")
]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def time_notebook(path: Path) -> tuple[float, float, int]:
    """``(wall seconds, kernel CPU seconds, code cells)`` of one run of ``path`` in a fresh kernel."""
    nb = nbformat.read(path, as_version=4)  # executed in memory: the file is not rewritten
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel(env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"}):  # as `make notebooks`
        pid = client.km.provisioner.process.pid
        start_cpu, start = _cpu_seconds(pid), time.monotonic()  # kernel start-up not counted
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        return time.monotonic() - start, _cpu_seconds(pid) - start_cpu, sum(c.cell_type == "code" for c in nb.cells)


def prose_words(path: Path) -> int:
    """Words a reader reads in a notebook: its markdown cells without code, math, link targets and tags."""
    nb = nbformat.read(path, as_version=4)
    words = 0
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = cell.source
        for pattern in _NOT_PROSE:
            text = pattern.sub(" ", text)
        words += len(re.findall(r"[A-Za-z0-9][\w'’.,-]*", text))
    return words


def _chapter(name: str) -> str:
    """The chapter a notebook name stands for: ``14`` for ``14_dnc``, ``14b`` for ``14b_dnc_measured``."""
    return name.split("_", 1)[0]


def exercise_of(name: str) -> Path | None:
    """The exercise notebook of chapter ``name`` (the same chapter, e.g. ``15_focus_allocator`` for
    ``15_megacontext``), if it has one."""
    found = sorted(p for p in (ROOT / "exercises").glob("*.ipynb") if _chapter(p.stem) == _chapter(name))
    return found[0] if found else None


def study_minutes(name: str) -> tuple[int, float, float]:
    """``(prose words, reading minutes, exercise minutes)`` of chapter ``name`` (see the module doc)."""
    words = prose_words(ROOT / "notebooks" / f"{name}.ipynb")
    exercise = exercise_of(name)
    practice = 0.0
    if exercise is not None:
        nb = nbformat.read(exercise, as_version=4)
        stubs = sum(c.source.count("raise NotImplementedError") for c in nb.cells if c.cell_type == "code")
        practice = prose_words(exercise) / WORDS_PER_MINUTE + MINUTES_PER_FUNCTION * stubs
    return words, words / WORDS_PER_MINUTE, practice


def _title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), path.stem)
    return first.split("\n")[0].lstrip("# ").strip()


def _old_runs() -> dict[str, tuple[str, str, str]]:
    """``{name: (code cells, wall time, CPU time)}`` as the current table states them."""
    if not OUT.exists():
        return {}

    def seconds(cell: str) -> str:  # "12 s", or an older table's "0.2 min (12 s)"
        found = re.search(r"(\d+ s)\)?\s*$", cell.strip())
        return found.group(1) if found else cell.strip()

    return {
        m["name"]: (m["cells"], seconds(m["wall"]), seconds(m["cpu"]))
        for line in OUT.read_text().splitlines()
        if (m := ROW.match(line))
    }


def _minutes(value: float) -> str:
    return f"{value:.0f} min" if value >= 1 or value == 0 else "< 1 min"


def table_row(path: Path, run: tuple[str, str, str]) -> str:
    """One row: the chapter, its measured run times, its prose and its estimated study time."""
    words, reading, practice = study_minutes(path.stem)
    exercise = _minutes(practice) if exercise_of(path.stem) else "none"
    return (
        f"| [{_title(path)}](../notebooks/{path.stem}.ipynb) | {run[0]} | {run[1]} | {run[2]} | {words:,} | "
        f"{_minutes(reading)} | {exercise} | {_minutes(reading + practice)} |"
    )


def write_table(rows: dict[str, str], note: str) -> None:
    lines = [
        "| chapter | code cells | run time (wall) | run time (kernel CPU) | prose words | reading | "
        "exercise | study time |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [rows[name] for name in sorted(rows)]
    OUT.write_text("\n".join(lines) + "\n\n" + note + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="chapter names (e.g. 08_copy); all in notebooks/ when omitted")
    parser.add_argument("--study-only", action="store_true", help="recount study times, keep the measured run times")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.names:
        unknown = set(args.names) - {p.stem for p in paths}
        if unknown:
            parser.error(f"unknown chapters {sorted(unknown)}")
        paths = [p for p in paths if p.stem in args.names]
    runs = _old_runs()
    load = os.getloadavg()[0]
    for path in paths:
        if args.study_only:
            break
        print(f"timing {path.name}", file=sys.stderr, flush=True)
        wall, cpu, cells = time_notebook(path)
        runs[path.stem] = (str(cells), f"{wall:.0f} s", f"{cpu:.0f} s")
        print(path.stem, runs[path.stem], flush=True)
    every = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in every:
        if p.stem not in runs:
            print(f"{p.stem}: not timed yet (run: python tools/chapter_times.py {p.stem})", file=sys.stderr)
            cells = sum(c.cell_type == "code" for c in nbformat.read(p, as_version=4).cells)
            runs[p.stem] = (str(cells), "not timed", "not timed")
    rows = {p.stem: table_row(p, runs[p.stem]) for p in every}
    old_note = OUT.read_text().split("\n\n", 1)[1].split("\n\nStudy time")[0].strip() if OUT.exists() else ""
    run_note = (
        old_note
        if args.study_only
        else (
            f"Run times measured by `python tools/chapter_times.py` on {datetime.date.today().isoformat()}: "
            f"{os.cpu_count()} CPU cores, `OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}`, "
            f"Python {platform.python_version()}, load average {load:.1f} when it started "
            f"(rows timed in separate runs may differ in load). Kernel start-up is not included."
        )
    )
    note = (
        f"{run_note}\n\nStudy time is an estimate: the chapter's prose at {WORDS_PER_MINUTE} words a minute, "
        f"plus its exercise (the exercise notebook's prose at the same pace and {MINUTES_PER_FUNCTION} minutes "
        f"for each function the student writes). Running the cells adds the run time."
    )
    write_table(rows, note)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
