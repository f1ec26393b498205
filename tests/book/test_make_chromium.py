"""``make test`` checks for Chromium and its driver before anything else: without them, on a machine
where it cannot install them (not root, or no apt), it stops at once with one line saying what to
install. Here the commands are hidden by a PATH that holds only a shell and an ``id`` that says
"not root"; ``make`` itself is called by its full path."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_stops_first_without_chromium(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sh").symlink_to(shutil.which("sh"))
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "id").chmod(0o755)
    # Without the MAKE* variables of an enclosing `make test`, this make is a top-level one (no "make[1]:").
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    env["PATH"] = str(bin_dir)
    run = subprocess.run(
        [shutil.which("make"), "--no-print-directory", "-C", str(ROOT), "test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode != 0
    assert run.stdout == ""  # nothing else ran: no venv, no book, no tests
    lines = [line for line in run.stderr.splitlines() if not line.startswith("make: ")]
    assert lines == [
        "make test needs Chromium and its driver: install them "
        "(Debian/Ubuntu: sudo apt-get install chromium chromium-driver)"
    ], run.stderr


def test_the_recipe_installs_them_as_root_with_apt():
    recipe = (ROOT / "Makefile").read_text()
    assert "\ntest: chromium " in recipe  # the first prerequisite of make test
    assert "apt-get install -y -qq chromium chromium-driver" in recipe
