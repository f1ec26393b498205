"""Held-out results carry their spread: standard errors, the worst sequence and the share of perfect
sequences, from the per-sequence figures, and every shipped ``eval.json`` holds them on at least
``GRID_SEQUENCES`` fresh sequences per setting."""

from __future__ import annotations

import glob
import json
import math
from pathlib import Path

import pytest
import torch
from torch import nn

from ntm_minimal import evaluation
from ntm_minimal.evaluation import (
    GRID_SEQUENCES,
    RESULT_KEYS,
    SPREAD_KEYS,
    evaluate,
    evaluate_batch,
    setting_of,
    summarize,
)
from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.base import Batch

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILES = sorted(glob.glob(str(ROOT / "ntm_minimal" / "checkpoints" / "**" / "eval.json"), recursive=True))


def test_summarize_by_hand():
    cost = torch.tensor([1.0, 2.0, 3.0, 6.0])
    errors = torch.tensor([0.0, 0.0, 2.0, 6.0])
    got = summarize(cost, errors)
    assert got["cost_bits"] == 3.0 and got["bit_errors"] == 2.0
    # sample standard deviation of (1, 2, 3, 6) is sqrt(14/3); over sqrt(4)
    assert got["cost_bits_se"] == pytest.approx(math.sqrt(14 / 3) / 2)
    assert got["bit_errors_se"] == pytest.approx(math.sqrt((4 + 4 + 0 + 16) / 3) / 2)
    assert got["bit_errors_worst"] == 6.0 and got["perfect_share"] == 0.5
    one = summarize(torch.tensor([2.5]), torch.tensor([1.0]))
    assert one["cost_bits_se"] == 0.0 and one["bit_errors_worst"] == 1.0 and one["perfect_share"] == 0.0


@pytest.mark.parametrize(
    "cost, errors, match",
    [
        (torch.zeros(0), torch.zeros(0), "cost"),
        (torch.zeros(2, 3), torch.zeros(2, 3), "cost"),
        (torch.zeros(3), torch.zeros(4), "same shape"),
        (torch.zeros(3), [0, 0, 0], "errors"),
    ],
)
def test_summarize_rejects_bad_input(cost, errors, match):
    with pytest.raises(ValueError, match=match):
        summarize(cost, errors)


class Fixed(nn.Module):
    """Outputs fixed logits whatever the input: the errors per sequence are known in advance."""

    def __init__(self, logits: torch.Tensor):
        super().__init__()
        self.logits = nn.Parameter(logits, requires_grad=False)

    def forward(self, x):
        return self.logits


def test_evaluate_batch_spread_of_known_errors():
    y = torch.zeros(3, 2, 4)
    mask = torch.ones(3, 2)
    logits = torch.full((3, 2, 4), -5.0)
    logits[1, 0, 0] = 5.0  # sequence 1: one wrong bit
    logits[2, :, :3] = 5.0  # sequence 2: six wrong bits
    batch = Batch(x=torch.zeros(3, 2, 1), y=y, mask=mask)
    got = evaluate_batch(Fixed(logits), batch)
    assert got["bit_errors"] == pytest.approx(7 / 3)
    assert got["bit_errors_worst"] == 6.0 and got["perfect_share"] == pytest.approx(1 / 3)
    assert got["bit_errors_se"] == pytest.approx(torch.tensor([0.0, 1.0, 6.0]).std().item() / math.sqrt(3))
    assert set(got) == set(RESULT_KEYS) - {"batch_size", "seed"}


def test_evaluate_rows_hold_setting_spread_and_count():
    task = make_task("copy", bits=4, min_len=1, max_len=3)
    logits_model = nn.Linear(task.input_size, task.output_size)
    rows = evaluate(logits_model, task, [{"length": 2}, {"length": 3}], batch_size=16, seed=5)
    for row, length in zip(rows, (2, 3)):
        assert setting_of(row) == {"length": length}
        assert row["batch_size"] == 16 and row["seed"] == 5
        assert 0 <= row["perfect_share"] <= 1 and row["bit_errors_worst"] >= row["bit_errors"]
        assert row["bit_errors_se"] >= 0 and row["cost_bits_se"] > 0


def test_setting_of_keeps_a_setting_named_like_a_training_figure():
    # the memory-reuse runs have a setting "sequences" (not a result key)
    row = {
        "sequences": 4,
        "cost_bits": 1.0,
        "bit_errors": 0.0,
        "batch_size": 1024,
        "seed": 1,
        **{k: 0.0 for k in SPREAD_KEYS},
    }
    assert setting_of(row) == {"sequences": 4}


@pytest.mark.parametrize(
    "path", EVAL_FILES, ids=lambda p: str(Path(p).parent.relative_to(ROOT / "ntm_minimal" / "checkpoints"))
)
def test_shipped_eval_json_has_the_spread_on_enough_sequences(path):
    result = json.loads(Path(path).read_text())
    rows = [result["heldout"], *result["grid"]]
    assert result["grid"], "no generalisation grid"
    for row in rows:
        missing = [k for k in RESULT_KEYS if k not in row]
        assert not missing, f"{row}: missing {missing}"
        assert 0 <= row["perfect_share"] <= 1
        assert row["bit_errors_worst"] >= row["bit_errors"] - 1e-9
        assert row["bit_errors_se"] >= 0 and row["cost_bits_se"] >= 0
        # no wrong bit at all is the same as every sequence perfect
        assert (row["bit_errors"] == 0) == (row["perfect_share"] == 1)
    for row in result["grid"]:
        assert row["batch_size"] >= GRID_SEQUENCES, f"{setting_of(row)}: {row['batch_size']} sequences"


def test_grid_sequences_is_at_least_a_thousand():
    assert evaluation.GRID_SEQUENCES >= 1024
