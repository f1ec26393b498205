"""The set-up page's commands work: JupyterLab and nbconvert are in the course environment, and
nbconvert runs an exercise's notebook. The test runs the lines of the page's marked block itself."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "book" / "setup.md"


def _setup_check_lines() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- setup-check -->\s*```bash\n(.*?)```", text, re.S)
    assert block, "book/setup.md has no <!-- setup-check --> bash block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_the_page_names_make_lab_and_the_check():
    text = PAGE.read_text(encoding="utf-8")
    assert "make lab" in text
    lines = _setup_check_lines()
    assert any("jupyter lab --version" in line for line in lines)
    assert any("nbconvert" in line and "--execute" in line for line in lines)


def test_the_setup_check_runs():
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # as a learner's shell: no backend forced
    outputs = []
    for line in _setup_check_lines():
        run = subprocess.run(["bash", "-c", line], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
        assert run.returncode == 0, f"{line}\n{run.stdout}\n{run.stderr}"
        outputs.append(run.stdout.strip())
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", outputs[0]), outputs[0]  # JupyterLab's version
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", outputs[1]), outputs[1]  # nbconvert's version
    assert outputs[-1] == "ok"
