"""The NTM and the DNC trained end to end on chapter 15's recall task (chapter 15b): the shipped run
folders load, their config is the task the MegaContext readers are measured on (the same for both),
and their eval.json holds."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from ntm_minimal import checkpoint, pretrained
from ntm_minimal.evaluation import GRID_SEQUENCES, evaluate_batch, heldout_batch
from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.long_recall import LongRecallTask

#: run folder -> model; the pairs trained alike: N = 64 rows, and N = the smallest W_max of the tables
RUNS = {
    "long_recall_ntm": "ntm",
    "long_recall_dnc": "dnc",
    "long_recall_ntm_n512": "ntm",
    "long_recall_dnc_n512": "dnc",
}
PAIRS = [("long_recall_ntm", "long_recall_dnc"), ("long_recall_ntm_n512", "long_recall_dnc_n512")]


def test_sample_overrides_replace_settings_for_one_batch():
    task = LongRecallTask(length=200, facts=4)
    got = task.sample(3, torch.Generator().manual_seed(5), length=300, facts=6)
    want = dataclasses.replace(task, length=300, facts=6).sample(3, torch.Generator().manual_seed(5))
    assert got.x.shape == (3, 300, task.channels)
    assert all(torch.equal(a, b) for a, b in zip(got, want))
    assert task.length == 200 and task.facts == 4  # the task itself is unchanged
    with pytest.raises(ValueError, match="overrides: .*'repeats'"):
        task.sample(2, torch.Generator(), repeats=3)
    with pytest.raises(ValueError, match="overrides: .*'name'"):
        task.sample(2, torch.Generator(), name="copy")
    with pytest.raises(ValueError, match="length"):
        task.sample(2, torch.Generator(), length=10)


@pytest.mark.parametrize("RUN", RUNS)
def test_run_folder_is_the_table_task_with_a_curriculum_over_t(RUN):
    model = RUNS[RUN]
    config = pretrained.config(RUN)
    assert config["command"].startswith("python -m ntm_minimal.train --task long_recall")
    assert config["task"] == "long_recall" and config["model"] == model
    task = make_task(config["task"], **config["task_config"])
    # the readers' task: 16 facts, 16 key bits, 8 value bits, no fact in the last 64 steps
    assert (task.facts, task.key_bits, task.value_bits, task.tail) == (16, 16, 8, 64)
    train = config["train"]
    assert train["curriculum_fields"] == ["length"] and train["curriculum_steps"] > 0
    assert train["curriculum_start"] < task.length
    assert {p.name for p in pretrained.folder(RUN).iterdir()} == {
        "model.safetensors",
        "config.json",
        "metrics.csv",
        "eval.json",
    }
    log = pretrained.metrics(RUN)
    assert len(log["step"]) >= 2 and all(b > a for a, b in zip(log["sequences"], log["sequences"][1:]))


def test_the_large_pair_has_one_working_context_of_rows():
    """Chapter 15b's like-for-like pair: N equals the smallest W_max of the shipped accuracy tables."""
    acc = pretrained.bench_result("megacontext_accuracy")["accuracy"]
    smallest = min(c["W_max"] for c in acc["cells"])
    for run in PAIRS[1]:
        assert pretrained.config(run)["model_config"]["memory_n"] == smallest
    # at this N the DNC's link matrix does not fit backpropagation through T steps on a CPU
    assert pretrained.config(PAIRS[1][1])["model_config"]["temporal_links"] is False
    assert pretrained.config(PAIRS[0][1])["model_config"]["temporal_links"] is True


@pytest.mark.parametrize("pair", PAIRS)
def test_the_dnc_is_trained_like_the_ntm(pair):
    ntm, dnc = (pretrained.config(run) for run in pair)
    assert dnc["task_config"] == ntm["task_config"] and dnc["eval_grid"] == ntm["eval_grid"]
    for key in ("memory_n", "memory_m", "controller", "controller_size", "read_heads"):
        assert dnc["model_config"][key] == ntm["model_config"][key]
    for key in (
        "steps",
        "batch_size",
        "lr",
        "optimizer",
        "curriculum_steps",
        "curriculum_start",
        "max_seconds",
        "seed",
    ):
        assert dnc["train"][key] == ntm["train"][key]


@pytest.mark.parametrize("RUN", RUNS)
def test_eval_json_holds_and_the_heldout_batch_reproduces(RUN):
    result = pretrained.eval_results(RUN)
    lengths = [row["length"] for row in result["grid"]]
    assert lengths == sorted(lengths) and max(lengths) >= 4096  # reaches the readers' first T
    for row in result["grid"]:
        assert row["batch_size"] >= GRID_SEQUENCES
        assert 0.0 <= row["bit_errors"] <= 8.0 and 0.0 <= row["perfect_share"] <= 1.0
        assert row["bit_errors_worst"] >= row["bit_errors"]
    held = result["heldout"]
    task = pretrained.task(RUN)
    got = evaluate_batch(pretrained.load(RUN), heldout_batch(task, held["batch_size"], held["seed"]))
    assert got["cost_bits"] == pytest.approx(held["cost_bits"], rel=1e-3, abs=1e-3)
    assert got["bit_errors"] == pytest.approx(held["bit_errors"], abs=0.01)
    model = checkpoint.load_model(pretrained.folder(RUN))
    assert model.config["memory_n"] == pretrained.config(RUN)["model_config"]["memory_n"]
