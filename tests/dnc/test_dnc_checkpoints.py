"""The shipped DNC checkpoints (``ntm_minimal/checkpoints/*_dnc/``): complete, each reproduces the
held-out results in its ``eval.json``, and each meets its target on freshly drawn data (seeds the
training never evaluated on), looking at the worst sequences as well as the mean."""

from __future__ import annotations

import pytest
import torch
from test_checkpoints_algorithms import test_heldout_reproduces_eval_json as _reproduces_eval_json
from test_checkpoints_algorithms import test_log_is_complete as _log_is_complete

from ntm_minimal import DNC, pretrained
from ntm_minimal.evaluation import heldout_batch
from ntm_minimal.metrics import bit_errors

NAMES = ["copy_dnc", "repeat_copy_dnc", "associative_recall_dnc", "ngrams_dnc", "priority_sort_dnc"]
FILES = ("model.safetensors", "config.json", "metrics.csv", "eval.json")
#: Seeds for fresh batches: none of them is a held-out or grid seed of a run (those use 1234).
FRESH_SEEDS = (2026, 7, 99)
#: The course's targets: (setting drawn fresh, mean bit errors per sequence below this).
TARGETS = {
    "copy_dnc": [({"length": n}, 0.1) for n in (5, 10, 15, 20)] + [({}, 0.1)],
    "repeat_copy_dnc": [({}, 0.1), ({"length": 10, "repeats": 10}, 0.1), ({"length": 1, "repeats": 1}, 0.1)],
    "associative_recall_dnc": [({"items": 6}, 0.5)],
}


@pytest.fixture(params=NAMES)
def name(request):
    if request.param not in pretrained.available():
        pytest.skip(f"checkpoint {request.param} not shipped")
    return request.param


def test_files_config_and_model(name):
    folder = pretrained.folder(name)
    for f in FILES:
        assert (folder / f).is_file(), f
    assert (folder / "model.safetensors").stat().st_size < 2_100_000
    cfg = pretrained.config(name)
    assert cfg["model"] == "dnc" and cfg["task"] == name.removesuffix("_dnc")
    assert cfg["command"].startswith("python -m ntm_minimal.train") and f"--task {cfg['task']}" in cfg["command"]
    assert "--model dnc" in cfg["command"]
    assert isinstance(pretrained.load(name), DNC)


def test_heldout_reproduces_eval_json(name):
    _reproduces_eval_json(name)  # the NTM checkpoints' test, on the DNC ones


def test_log_is_complete(name):
    _log_is_complete(name)


@pytest.mark.parametrize("target_name", sorted(TARGETS))
def test_target_on_fresh_data(target_name):
    """Mean bit errors per sequence below the target on three fresh batches of 128 per setting, and
    the tail: at most 5 % of the sequences with any wrong bit (a mean can hide a few sequences that
    fail completely)."""
    if target_name not in pretrained.available():
        pytest.skip(f"checkpoint {target_name} not shipped")
    model, task = pretrained.load(target_name), pretrained.task(target_name)
    for setting, target in TARGETS[target_name]:
        errors = torch.cat([_errors(model, heldout_batch(task, 128, seed, **setting)) for seed in FRESH_SEEDS])
        assert float(errors.mean()) < target, f"{target_name} {setting}: {float(errors.mean()):.3f} bit errors"
        failed = float((errors > 0).float().mean())
        assert failed <= 0.05, f"{target_name} {setting}: {failed:.1%} of the sequences have a wrong bit"


@torch.no_grad()
def _errors(model, batch) -> torch.Tensor:
    return bit_errors(model(batch.x), batch)
