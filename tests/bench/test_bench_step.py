"""``bench/step.py`` times the package's step side by side with the step before the speed work and the
plain baseline, and prints both tables in Markdown (it asserts no speed)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import step  # noqa: E402


def test_prints_every_implementation_and_the_ratios(capsys):
    step.main(
        ["--batch-sizes", "2", "--length", "2", "--repeats", "2", "--warmup", "0", "--baselines", "roll", "--no-dnc"]
    )
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| 2 |")]
    names = [[c.strip() for c in r.strip("|").split("|")][1] for r in rows]
    assert names[:3] == [step.PACKAGE, step.BEFORE, "plain-roll"]  # the step table
    ratios = [r for r in rows if r.count("×") == 2]
    assert {tuple(c.strip() for c in r.strip("|").split("|"))[1:3] for r in ratios} == {
        (step.PACKAGE, step.BEFORE),
        (step.PACKAGE, "plain-roll"),
    }
    assert all(float(c.strip().rstrip("×")) > 0 for r in ratios for c in r.strip("|").split("|")[3:])


def test_compiled_rows_are_named_by_their_chunk():
    assert step.compiled_name(1) == step.PACKAGE + " (compiled step)"
    assert "4 steps per call" in step.compiled_name(4)
    assert step.parse_args(["--compile"]).chunks == [1, step.STEP_CHUNK]
    with pytest.raises(SystemExit):
        step.parse_args(["--compile", "--chunks", "0"])


def test_compiled_dncs_are_compared_with_the_eager_dnc():
    def timed(name, seconds):
        return SimpleNamespace(name=name, times=[seconds], cpu=[seconds])

    dnc_compiled = step.compiled_name(4, step.DNC_NAME)
    assert dnc_compiled == step.DNC_NAME + " (compiled, 4 steps per call)"
    runners = [timed(step.PACKAGE, 2.0), timed(step.BEFORE, 4.0), timed(step.DNC_NAME, 6.0), timed(dnc_compiled, 2.0)]
    assert step.speedup_rows(16, runners) == [
        f"| 16 | {step.PACKAGE} | {step.BEFORE} | 2.00× | 2.00× |",
        f"| 16 | {dnc_compiled} | {step.DNC_NAME} | 3.00× | 3.00× |",
    ]
