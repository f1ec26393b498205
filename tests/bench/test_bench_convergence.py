"""``bench/convergence.py`` writes what it measured: per run wall and CPU seconds, steps and the final
held-out bit errors as JSON, and its table between the markers of the Markdown file (it asserts no speed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import convergence  # noqa: E402

TINY = [
    "--settings",
    "adam16",
    "--seeds",
    "0",
    "1",
    "--no-compile",
    "--max-seconds",
    "0.001",
    "--eval-sequences",
    "16",
]  # an evaluation after every step; the time limit stops each run there


def test_defaults_are_the_issue_measurement():
    args = convergence.parse_args([])
    assert args.settings == [convergence.RECIPE] and args.seeds == [0, 1, 2] and args.target == 0.1
    assert args.save and args.warm_compile and 3 * args.max_seconds < 360  # three seeds fit in six minutes


def test_writes_json_and_the_markdown_table(tmp_path, monkeypatch):
    md = tmp_path / "convergence.md"
    md.write_text(f"# prose before\n\n{convergence.MD_BEGIN}\nold table\n{convergence.MD_END}\n\nprose after\n")
    monkeypatch.setattr(convergence, "JSON_OUT", tmp_path / "results" / "convergence.json")
    monkeypatch.setattr(convergence, "MD_OUT", md)
    convergence.main(TINY)
    result = json.loads((tmp_path / "results" / "convergence.json").read_text())
    assert [r["seed"] for r in result["runs"]] == [0, 1] and result["compiled"] is False
    for run in result["runs"]:
        assert run["steps"] == 1 and run["sequences"] == 16 and not run["converged"]
        assert run["seconds_wall"] > 0 and run["seconds_cpu"] > 0 and run["final_heldout_bit_errors"] > 0.1
    text = md.read_text()
    assert text.startswith("# prose before") and text.rstrip().endswith("prose after") and "old table" not in text
    assert text.count("| adam16 |") == 2 and text.count(convergence.MD_BEGIN) == 1
    assert "--no-compile" in result["command"]
