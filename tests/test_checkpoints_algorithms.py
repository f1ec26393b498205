"""The shipped associative-recall, N-gram and priority-sort checkpoints: small, complete, and each
reproduces the held-out results logged in its ``eval.json`` (and the N-gram optimum it is compared with)."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal import pretrained
from ntm_minimal.evaluation import evaluate, evaluate_batch, heldout_batch, setting_of
from ntm_minimal.tasks.ngrams import optimal_cost_bits

NAMES = [
    "associative_recall",
    "associative_recall_lstm",
    "ngrams",
    "ngrams_learned",
    "ngrams_lstm",
    "priority_sort",
    "priority_sort_lstm",
]
FILES = ("model.safetensors", "config.json", "metrics.csv", "eval.json")


@pytest.fixture(params=NAMES)
def name(request):
    if request.param not in pretrained.available():
        pytest.skip(f"checkpoint {request.param} not shipped")
    return request.param


def test_files_and_size(name):
    folder = pretrained.folder(name)
    for f in FILES:
        assert (folder / f).is_file(), f
    assert (folder / "model.safetensors").stat().st_size < 2_100_000
    cfg = pretrained.config(name)
    assert cfg["command"].startswith("python -m ntm_minimal.train") and f"--task {cfg['task']}" in cfg["command"]
    assert cfg["task"] == name.removesuffix("_lstm").removesuffix("_learned") and cfg["model"] == (
        "lstm" if name.endswith("_lstm") else "ntm"
    )


def test_heldout_reproduces_eval_json(name):
    ev = pretrained.eval_results(name)
    model, task = pretrained.load(name), pretrained.task(name)
    held = ev["heldout"]
    got = evaluate_batch(model, heldout_batch(task, held["batch_size"], held["seed"]))
    # Rounding differs between CPUs (see test_training.test_shipped_checkpoint_reproduces_its_eval):
    # an output within rounding of 0.5 may flip, one bit per 100 sequences at most.
    assert got["cost_bits"] == pytest.approx(held["cost_bits"], rel=1e-3, abs=1e-3)
    assert got["bit_errors"] == pytest.approx(held["bit_errors"], abs=0.01)
    # one setting of the generalisation grid, too (the first: the cheapest for every task here)
    assert ev["grid"], "eval.json has no generalisation grid"
    row = ev["grid"][0]
    setting = setting_of(row)
    again = evaluate(model, task, [setting], row["batch_size"], row["seed"])[0]
    assert again["cost_bits"] == pytest.approx(row["cost_bits"], rel=1e-4, abs=1e-3)


def test_log_is_complete(name):
    log, ev = pretrained.metrics(name), pretrained.eval_results(name)
    assert log["step"][-1] == ev["steps"] and log["sequences"][-1] == ev["sequences"]
    assert all(torch.isfinite(torch.tensor(log["heldout_cost_bits"])))


def test_ngram_optimum_is_below_both_models():
    if not {"ngrams", "ngrams_lstm"} <= set(pretrained.available()):
        pytest.skip("N-gram checkpoints not shipped")
    held = pretrained.eval_results("ngrams")["heldout"]
    batch = heldout_batch(pretrained.task("ngrams"), held["batch_size"], held["seed"])
    optimum = float(optimal_cost_bits(batch).mean())
    for name in ("ngrams", "ngrams_learned", "ngrams_lstm"):
        assert pretrained.eval_results(name)["heldout"]["cost_bits"] > optimum
