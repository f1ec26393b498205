"""Repeat copy to 20 repeats: the fine-tuned extra/repeat_copy_ft20 re-measured against its eval.json,
and ntm_minimal/results/repeat_tail.json (what chapter 9 shows about the end marker) re-measured too."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import torch

from ntm_minimal import checkpoint, pretrained
from ntm_minimal.evaluation import evaluate
from ntm_minimal.tasks import make_task

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import repeat_tail  # noqa: E402

FINE_TUNED = "repeat_copy_ft20"  # the shipped repeat_copy fine-tuned on repeats 1..20 (bench/repeat_tail.md)


def _grid(result: dict) -> dict:
    return {(row["length"], row["repeats"]): row for row in result["grid"]}


def test_fine_tuned_repeat_copy_reproduces_its_grid():
    """Two rows of its eval.json, at the edge of its training range (R = 20) and beyond it (R = 25)."""
    run = pretrained.folder(FINE_TUNED)
    config, rows = checkpoint.load_config(run), _grid(checkpoint.load_eval(run))
    assert Path(config["init_from"]["run"]).parts[-2:] == pretrained.folder("repeat_copy").parts[-2:]
    assert config["task_config"] == {"max_repeats": 20}
    model, task = checkpoint.load_model(run), make_task(config["task"], **config["task_config"])
    for setting in ((10, 20), (10, 25)):
        row = rows[setting]
        again = evaluate(model, task, [{"length": setting[0], "repeats": setting[1]}], row["batch_size"], row["seed"])[
            0
        ]
        assert again["cost_bits"] == pytest.approx(row["cost_bits"], rel=1e-4, abs=1e-3)
        assert again["bit_errors"] == pytest.approx(row["bit_errors"], abs=1e-6)


def test_the_committed_end_marker_table_is_what_the_checkpoints_do():
    """One setting of ntm_minimal/results/repeat_tail.json (L = 5, R = 15, 1,024 sequences: short enough to
    redo here, beyond the shipped range), measured again for both checkpoints: every number, the
    stopping times included."""
    result = json.loads(repeat_tail.OUT.read_text())
    torch.set_num_threads(1)
    for name, measured in result["runs"].items():
        row = next(r for r in measured["rows"] if (r["length"], r["repeats"]) == (5, 15))
        model, _, _ = repeat_tail.load_run(name, None)
        again = repeat_tail.measure(model, make_task("repeat_copy"), 5, 15, row["sequences"], row["seed"])
        assert again["stops"] == row["stops"]
        for key in ("bit_errors", "copy_errors", "marker_errors", "perfect", "copies_perfect", "marker_perfect"):
            assert again[key] == pytest.approx(row[key], abs=1e-6), key
        assert again["marker_logit_after_copy"] == pytest.approx(row["marker_logit_after_copy"], abs=1e-3)
        assert again["read_path_as_copy_1"] == pytest.approx(row["read_path_as_copy_1"], abs=1e-6)


def test_fine_tune_counts_to_20_where_the_shipped_model_stops_early():
    """At R = 20 the shipped model raises its end marker after 13-16 copies; the fine-tune after 20."""
    rows = {
        name: {(r["length"], r["repeats"]): r for r in m["rows"]}
        for name, m in json.loads(repeat_tail.OUT.read_text())["runs"].items()
    }
    before, after = rows["repeat_copy"][(10, 20)], rows[FINE_TUNED][(10, 20)]
    assert max(after["stops"], key=after["stops"].get) == "20"
    assert max(before["stops"], key=before["stops"].get) != "20"
    assert after["bit_errors"] < before["bit_errors"] / 10
    # Inside the shipped range it stays as good as the shipped model was, up to a bit per sequence.
    assert all(
        rows[FINE_TUNED][(10, r)]["bit_errors"] <= rows["repeat_copy"][(10, r)]["bit_errors"] + 1.0
        for r in range(1, 11)
    )
