"""The grader from a plain install: the package's wheel, installed into a fresh virtual environment,
grades a folder (``pip install "ntm-minimal[grade]"`` gives the same set of modules).

To stay fast and offline, the wheel is installed with ``--no-deps`` and the fresh environment sees
the course environment's third-party packages (torch, nbclient, ipykernel...) through a ``.pth``
file; the ``ntm_minimal`` it imports is the wheel's (the course environment's editable install is
not visible there), which the test checks.
"""

from __future__ import annotations

import csv
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    env = work / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    wheel = next((work / "dist").glob("ntm_minimal-*.whl"))
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", purelib, str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    # the course environment's third-party packages, after the wheel's (a .pth line adds a folder,
    # without running that folder's own .pth files: the editable install stays out of sight)
    (Path(purelib) / "course_env.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


def _package_file(python: Path, cwd: Path, imports: str = "ntm_minimal") -> str:
    """``ntm_minimal.__file__`` as ``python`` sees it, after importing ``imports``."""
    return subprocess.run(
        [str(python), "-c", f"import {imports}; print(ntm_minimal.__file__)"],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    ).stdout.strip()


def test_the_wheel_is_what_runs(fresh, tmp_path):
    out = _package_file(fresh, tmp_path, "ntm_minimal, nbclient, nbformat")
    assert str(fresh.parent.parent) in out, out


def _data_files(package: Path) -> set[str]:
    """The shipped data files below ``package`` (checkpoints and results), relative to it."""
    return {
        p.relative_to(package).as_posix()
        for folder in ("checkpoints", "results")
        for p in (package / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_wheel_ships_every_checkpoint_and_result_but_no_training_state(fresh, tmp_path):
    installed = _data_files(Path(_package_file(fresh, tmp_path)).parent)
    source = _data_files(ROOT / "ntm_minimal")
    in_progress = {f for f in source if f.startswith("checkpoints/in_progress/")}
    assert source - in_progress - installed == set()  # e.g. a run folder one level deeper than the globs
    assert not any(f.endswith(".pt") for f in installed)  # resumable optimizer states stay out


def test_the_installed_grader_grades_a_folder(fresh, tmp_path):
    subs = tmp_path / "subs" / "ana"
    subs.mkdir(parents=True)
    (subs / "01_memory_read.ipynb").write_bytes((ROOT / "solutions" / "01_memory_read.ipynb").read_bytes())
    run = subprocess.run(
        [str(fresh), "-m", "ntm_minimal.grade", str(tmp_path / "subs"), "--out", str(tmp_path / "report"), "--quiet"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert run.returncode == 0 and run.stderr == "", run.stderr
    rows = list(csv.DictReader(open(tmp_path / "report_gradebook.csv")))
    assert [(r["student"], r["exercise"], r["score"]) for r in rows] == [("ana", "01_memory_read", "1 / 1")]
