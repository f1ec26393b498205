"""The notebooks as they run on Colab: the package installed by the set-up cell alone.

Colab starts with its own torch and a Jupyter kernel, and nothing of the course environment. So:

1. build a wheel of the checkout's tracked files (what ``pip install git+<repository>`` builds);
2. make a fresh virtual environment holding only a torch (the course's version, from pip's
   configured local wheels, standing in for Colab's own), ``ipykernel`` and ``nbclient``;
3. run chapters 0, 1 and 8 top to bottom in it, in a folder without the checkout, with
   ``google.colab`` importable, so the set-up cell takes its Colab branch and installs the package
   itself, with the repository URL swapped for the wheel. ``pyproject.toml``'s ranges decide
   everything else; ``requirements.txt`` is never read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtool  # noqa: E402

CHAPTERS = ("00_setup", "01_memory_read", "08_copy")
TIMEOUT_S = 600


def _run(*cmd, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert result.returncode == 0, f"{cmd}: {result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def colab(tmp_path_factory):
    """``(python, wheel, workdir)``: a Colab-like environment and the package's wheel, not yet installed."""
    tmp = tmp_path_factory.mktemp("colab")
    src = tmp / "src"
    files = _run("git", "ls-files", "-z", cwd=ROOT).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_bytes((ROOT / name).read_bytes())
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", src
    )  # builds as pip on Colab would
    wheel = next((tmp / "dist").glob("ntm_minimal-*.whl"))
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    colab_torch = torch.__version__.split("+")[0]
    _run(python, "-m", "pip", "install", "-q", f"torch=={colab_torch}", "ipykernel", "nbclient", "nbformat")
    work = tmp / "work"  # no ntm_minimal/ here: the notebooks must import the installed one
    work.mkdir()
    return python, wheel, work


RUNNER = textwrap.dedent("""
    import json, sys, nbformat
    from nbclient import NotebookClient
    path, work, out = sys.argv[1:4]
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout={timeout}, kernel_name="python3", resources={{"metadata": {{"path": work}}}}).execute()
    nbformat.write(nb, out)
""").format(timeout=TIMEOUT_S)
#: Runs first in the kernel: Colab's marker module, so the set-up cell takes its Colab branch.
FAKE_COLAB = "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')"
WHERE = "import sys, ntm_minimal\nprint(sys.executable)\nprint(ntm_minimal.__file__)"


def _as_on_colab(name: str, wheel: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    setup = next(c for c in nb.cells if "setup" in c.metadata.get("tags", []))
    assert setup.source == nbtool.SETUP_CELL
    assert f"git+{nbtool.REPOSITORY}" in setup.source
    setup.source = setup.source.replace(f"git+{nbtool.REPOSITORY}", wheel.as_uri())
    nb.cells.insert(0, nbformat.v4.new_code_cell(FAKE_COLAB))
    nb.cells.append(nbformat.v4.new_code_cell(WHERE))
    return nb


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_as_on_colab(colab, name):
    python, wheel, work = colab
    nb = _as_on_colab(name, wheel)
    src, out = work / f"{name}.in.ipynb", work / f"{name}.out.ipynb"
    nbformat.write(nb, src)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{python.parent}:{env.get('PATH', '')}", MPLBACKEND="agg")
    _run(python, "-c", RUNNER, src, work, out, cwd=work, env=env, timeout=TIMEOUT_S + 60)
    done = nbformat.read(out, as_version=4)
    errors = [o for c in done.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0]["ename"] + ": " + errors[0]["evalue"]
    where = "".join(o.get("text", "") for o in done.cells[-1].outputs).split()
    venv = python.parent.parent
    assert Path(where[0]).is_relative_to(venv), where  # the kernel ran in the Colab-like environment
    assert Path(where[1]).is_relative_to(venv) and "site-packages" in where[1], where  # with the installed package
    installed = json.loads(_run(python, "-m", "pip", "list", "--format=json").stdout)
    versions = {p["name"].lower(): p["version"] for p in installed}
    assert versions["torch"].split("+")[0] == torch.__version__.split("+")[0]  # Colab's torch was kept
    assert "jupyter-book" not in versions and "pytest" not in versions  # nothing of the course environment
