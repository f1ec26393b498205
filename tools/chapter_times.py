"""Measure how long each chapter notebook takes to run, and write the table the instructor guide shows.

Each notebook (a copy; the committed one is not touched) runs top to bottom in a fresh kernel, as a
student's would. Two numbers per notebook: the wall time of its cells (what a student waits on this
machine, load included) and the CPU time its kernel used (closer to what one free core needs,
since other work on the machine does not add to it). The table, with the machine and the date,
goes to ``book/chapter_times.md``, which ``book/instructor_guide.md`` includes.

Usage (from the repository root, in the course environment)::

    OMP_NUM_THREADS=1 python tools/chapter_times.py              # every chapter in notebooks/
    OMP_NUM_THREADS=1 python tools/chapter_times.py 08_copy      # some chapters (others keep their rows)
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
ROW = re.compile(r"^\| \[(?P<name>[^\]]+)\]")


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


def _title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    first = next((c.source for c in nb.cells if c.cell_type == "markdown"), path.stem)
    return first.split("\n")[0].lstrip("# ").strip()


def _old_rows() -> dict[str, str]:
    if not OUT.exists():
        return {}
    return {m["name"]: line for line in OUT.read_text().splitlines() if (m := ROW.match(line))}


def write_table(rows: dict[str, str], note: str) -> None:
    lines = ["| chapter | code cells | wall time | kernel CPU time |", "|---|---|---|---|"]
    lines += [rows[name] for name in sorted(rows)]
    OUT.write_text("\n".join(lines) + "\n\n" + note + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="chapter names (e.g. 08_copy); all in notebooks/ when omitted")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.names:
        unknown = set(args.names) - {p.stem for p in paths}
        if unknown:
            parser.error(f"unknown chapters {sorted(unknown)}")
        paths = [p for p in paths if p.stem in args.names]
    rows = _old_rows()
    load = os.getloadavg()[0]
    for path in paths:
        print(f"timing {path.name}", file=sys.stderr, flush=True)
        wall, cpu, cells = time_notebook(path)
        rows[path.stem] = (f"| [{path.stem}](../notebooks/{path.stem}.ipynb) {_title(path)} | {cells} | "
                           f"{wall / 60:.1f} min ({wall:.0f} s) | {cpu / 60:.1f} min ({cpu:.0f} s) |")
        print(rows[path.stem], flush=True)
    note = (f"Measured by `python tools/chapter_times.py` on {datetime.date.today().isoformat()}: "
            f"{os.cpu_count()} CPU cores, `OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}`, "
            f"Python {platform.python_version()}, load average {load:.1f} when it started "
            f"(rows timed in separate runs may differ in load). Kernel start-up is not included.")
    write_table(rows, note)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
