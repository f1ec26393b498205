"""``bench/retrain.py`` builds each shipped checkpoint's model and training set-up from its config
and prints one timed row per checkpoint (it asserts no speed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ntm_minimal import pretrained

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import retrain  # noqa: E402


@pytest.mark.skipif("associative_recall" not in pretrained.available(), reason="checkpoint not shipped")
def test_prints_one_row_per_checkpoint(capsys):
    retrain.main(["--names", "associative_recall", "--repeats", "1", "--warmup", "0"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| associative_recall |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    params = sum(p.numel() for p in pretrained.load("associative_recall").parameters())
    assert cells[1] == f"{params:,}" and cells[2] == str(pretrained.config("associative_recall")["train"]["batch_size"])
    assert float(cells[3]) > 0
