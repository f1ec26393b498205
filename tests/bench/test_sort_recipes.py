"""The further priority-sort recipes of chapter 12b (``checkpoints/extra/priority_sort_*``): each
reproduces its ``eval.json``, was trained with the flag that defines it, and the wider-shift run
shows on fresh data what chapter 12b says of it (its writes share fewer rows, and it sorts better)."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal import checkpoint, pretrained
from ntm_minimal.analysis import main_writes, shared_rows, write_spread
from ntm_minimal.evaluation import evaluate_batch, heldout_batch
from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.priority_sort import sort_quality

RECIPES = {
    "priority_sort_learned": "--memory-init learned",
    "priority_sort_learned_curr": "--curriculum-fields items outputs",
    "priority_sort_shift4": "--shift-range 4",
}


@pytest.mark.parametrize("name, flag", RECIPES.items())
def test_recipe_reproduces_its_heldout_row_and_records_its_flag(name, flag):
    run = pretrained.folder(name)
    config, result = checkpoint.load_config(run), checkpoint.load_eval(run)
    assert flag in config["command"] and config["task"] == "priority_sort"
    held = result["heldout"]
    batch = heldout_batch(make_task("priority_sort"), held["batch_size"], held["seed"])
    got = evaluate_batch(checkpoint.load_model(run), batch)
    assert got["cost_bits"] == pytest.approx(held["cost_bits"], rel=1e-3, abs=1e-3)
    assert got["bit_errors"] == pytest.approx(held["bit_errors"], abs=0.01)


def _sharing(name, batch, priority):
    with torch.no_grad():
        logits, trace = checkpoint.load_model(pretrained.folder(name)).eval()(batch.x, return_trace=True)
    writes = main_writes(trace.write_weights, 20)
    span = float(write_spread(writes)["span"].float().mean())
    return span, float(shared_rows(priority, writes, 16).float().mean()), sort_quality(logits, batch)


def test_a_wider_shift_spreads_the_writes_and_sorts_better_on_fresh_data():
    batch, priority = make_task("priority_sort").sample_with_priorities(256, torch.Generator().manual_seed(31))
    span1, shared1, q1 = _sharing("priority_sort_4heads", batch, priority)
    span4, shared4, q4 = _sharing("priority_sort_shift4", batch, priority)
    assert span4 > span1 + 5 and shared4 < shared1 - 0.15
    assert q4["vectors_right"] > q1["vectors_right"] + 0.1 and q4["bit_errors"] < q1["bit_errors"] - 5
    assert q4["vectors_right"] < 0.9  # and still no sort
