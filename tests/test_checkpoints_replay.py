"""A recorded command still runs, and runs the same: the first segment of the shipped copy checkpoint's
commands (``pretrained.reproduction``), replayed for its first log row, gives the row its
``metrics.csv`` recorded (the held-out batch every later row is measured on, too)."""

from __future__ import annotations

import json

import pytest

from ntm_minimal import checkpoint, pretrained
from ntm_minimal.train import main

NAME, STEPS = "copy", 100


@pytest.mark.skipif(NAME not in pretrained.available(), reason="checkpoint not shipped")
def test_the_first_log_row_of_a_recorded_command(tmp_path):
    first = pretrained.reproduction(NAME, str(tmp_path / "replay"))[0]
    assert pretrained.config(NAME)["train"]["eval_every"] == STEPS
    # The recorded command up to its first log row; a small generalisation grid, which is not training.
    main([*first, "--steps", str(STEPS), "--eval-grid", json.dumps([{"length": 10}])])
    replayed, recorded = checkpoint.load_metrics(tmp_path / "replay"), pretrained.metrics(NAME)
    assert replayed["step"] == [STEPS] and recorded["step"][0] == STEPS
    # The training batches, initial weights and held-out batch all come from the recorded seeds: only
    # float rounding (another CPU, the cosine's smoothed norms since) may move the costs.
    for column in ("train_cost_bits", "heldout_cost_bits"):
        assert replayed[column][0] == pytest.approx(recorded[column][0], rel=1e-3), column
