"""The shipped MegaContext-lite models load, and the chapter's claims about them hold on fresh data."""
from __future__ import annotations

import torch

from ntm_minimal.megacontext import experiments
from ntm_minimal.megacontext.train import DEFAULT_DIR, load


def test_shipped_models_load_with_their_command_and_label_cost():
    models = load()
    cfg = models["config"]
    assert cfg["command"].startswith("python -m ntm_minimal.megacontext.train")
    assert cfg["label_forward_passes"]["mean"] > 1
    assert (DEFAULT_DIR / "metrics.csv").read_text().count("\n") > 10
    assert not any(m.training for k, m in models.items() if k != "config")


def test_claims_hold_on_a_fresh_batch():
    models = load()
    with torch.no_grad():
        gap = experiments.substitution_gap(models, batch=96, seed=123)["results"]
        sweep = experiments.budget_sweep(models, 4096, [256], batch=64, seed=321)["rows"][0]
    # Learned LOD1 gists mostly substitute for their tokens; mean pooling and LOD2 gists do not.
    assert gap["learned_lod0"]["accuracy"] > 0.95 and gap["learned_lod1"]["accuracy"] > 0.8
    assert gap["mean_lod1"]["accuracy"] < 0.1 and gap["learned_lod2"]["accuracy"] < 0.1
    # The soft read over everything answers; the recency window cannot; MegaContext-lite mostly can.
    assert sweep["A"] > 0.95 and sweep["B"] < 0.2 and sweep["C"] > 0.8 and sweep["C_selection"] > 0.8
    assert sweep["oracle"] >= sweep["C"] > sweep["random"]
