"""The demonstration runs of chapters 14 and 14b in ``checkpoints/extra``: complete, reproducing their ``eval.json``,
replayable from their commands, and showing on fresh data what the chapter says they show."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal import checkpoint, pretrained
from ntm_minimal.evaluation import evaluate_batch, heldout_batch
from ntm_minimal.metrics import bit_errors
from ntm_minimal.tasks import make_task
from ntm_minimal.train import reproduction

RUNS = {
    "dnc_demo_reuse": "dnc",
    "dnc_demo_reuse_ntm": "ntm",
    "dnc_demo_reuse_dealloc": "dnc",
    "dnc_demo_copy": "dnc",
    "dnc_demo_copy_nolinks": "dnc",
    "dnc_demo_copy_ntm": "ntm",
}
FILES = ("model.safetensors", "config.json", "metrics.csv", "eval.json")


def _load(name):
    folder = pretrained.folder(name)
    cfg = checkpoint.load_config(folder)
    return (
        checkpoint.load_model(folder),
        make_task(cfg["task"], **cfg["task_config"]),
        cfg,
        checkpoint.load_eval(folder),
    )


@pytest.mark.parametrize("name", RUNS)
def test_files_config_and_replay(name):
    folder = pretrained.folder(name)
    assert all((folder / f).is_file() for f in FILES)
    _, _, cfg, ev = _load(name)
    assert cfg["model"] == RUNS[name] and cfg["command"].startswith("python -m ntm_minimal.train")
    assert cfg["model_config"].get("temporal_links", True) is (not name.endswith("_nolinks"))
    assert cfg["model_config"].get("dealloc_content", False) is name.endswith("_dealloc")
    replay = reproduction(cfg, "runs/x", ev["steps"])
    assert replay[-1][-4:] == ["--steps", str(ev["steps"]), "--max-seconds", "none"]


def test_pretrained_summary_and_reproduction_take_further_runs():
    """Chapters 14 and 14b print and retrain their demonstration runs through ``pretrained`` like shipped checkpoints."""
    name = "dnc_demo_reuse"
    cfg, ev = checkpoint.load_config(pretrained.folder(name)), checkpoint.load_eval(pretrained.folder(name))
    text = pretrained.summary(name)
    assert text.startswith(f"{name}: {ev['parameters']:,} parameters; trained {ev['steps']} steps")
    assert cfg["command"] in text and len(text.splitlines()) == 2 + len(cfg.get("resumed_with", []))
    assert pretrained.reproduction(name) == reproduction(cfg, f"runs/{name}", ev["steps"])
    with pytest.raises(ValueError, match="name"):
        pretrained.summary("no_such_run")


@pytest.mark.parametrize("name", RUNS)
def test_heldout_reproduces_eval_json(name):
    model, task, _, ev = _load(name)
    held = ev["heldout"]
    got = evaluate_batch(model, heldout_batch(task, held["batch_size"], held["seed"]))
    assert got["bit_errors"] == pytest.approx(held["bit_errors"], abs=0.02)
    assert got["cost_bits"] == pytest.approx(held["cost_bits"], rel=0.01, abs=0.01)


@torch.no_grad()
def _errors(name, seed, memory_n=None, **setting):
    model, task, _, _ = _load(name)
    model = model.with_memory_rows(memory_n) if memory_n else model
    batch = task.sample(128, torch.Generator().manual_seed(seed), **setting)
    return bit_errors(model(batch.x), batch)


def test_links_matter_on_fresh_copies():
    """With links the DNC copies length-10 sequences (nearly) perfectly; without links it does not."""
    linked, unlinked = _errors("dnc_demo_copy", 5, length=10), _errors("dnc_demo_copy_nolinks", 5, length=10)
    assert linked.mean() < 0.2 and (linked == 0).float().mean() > 0.95
    assert unlinked.mean() > 5 * max(float(linked.mean()), 0.05) and (unlinked == 0).float().mean() < 0.8


def test_memory_transfer_needs_rows():
    """20 vectors do not fit into 16 rows; with 32 rows most are copied without retraining."""
    for name in ("dnc_demo_copy", "dnc_demo_copy_ntm"):
        assert (_errors(name, 6, length=20) == 0).float().mean() < 0.05
        assert (_errors(name, 6, memory_n=32, length=20) == 0).float().mean() > 0.6


def test_both_models_reuse_six_rows():
    """Neither model collapses on 20 sequences (up to 100 vectors) in 6 rows; the NTM makes fewer errors
    than the plain DNC, and wiping freed rows lets the DNC copy more rows perfectly than without."""
    dnc, ntm = _errors("dnc_demo_reuse", 7, sequences=20), _errors("dnc_demo_reuse_ntm", 7, sequences=20)
    wiping = _errors("dnc_demo_reuse_dealloc", 7, sequences=20)
    assert dnc.mean() < 10 and ntm.mean() < dnc.mean()
    assert (wiping == 0).float().mean() > (dnc == 0).float().mean() + 0.2
