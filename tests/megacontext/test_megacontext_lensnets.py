"""The two-stage LensNet (no hand-coded similarity) and the two training losses on fixed labels."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.megacontext import FocusConfig, Reader, build_levels, coarse_cover
from ntm_minimal.megacontext.gistnet import GistNet
from ntm_minimal.megacontext.lens_training import (
    curriculum_lengths,
    curriculum_pool,
    label_budget,
    label_set,
    pairwise_loss,
    regression_loss,
    scores_of,
    train_scorer,
)
from ntm_minimal.megacontext.lensnet import LensNet
from ntm_minimal.megacontext.read_strategies import read_focused
from ntm_minimal.megacontext.two_stage_lensnet import TwoStageLensNet
from ntm_minimal.megacontext.working_context import assemble, minimal_entries
from ntm_minimal.tasks.long_recall import LongRecallTask


def _example(b=2, length=2048):
    lay = LongRecallTask(length=length, facts=8).sample_layout(b, torch.Generator().manual_seed(0))
    x = lay.batch.x
    levels = build_levels(x, GistNet(x.shape[2]))
    units = coarse_cover(b, length, 64, 256)
    return lay, levels, units


def test_two_stage_scores_are_masked_and_depend_on_the_tail():
    torch.manual_seed(0)
    lay, levels, units = _example()
    net = TwoStageLensNet(16, 8, width=16)
    e = assemble(units, *levels)
    q = lay.batch.x[:, -1]
    s = net(q, e, levels[0])
    assert s.shape == e.level.shape and bool((s.abs() < 1).all()) and bool((s[~e.valid] == 0).all())
    other = levels[0].clone()
    other[:, -64:] = torch.rand_like(other[:, -64:])
    assert not torch.allclose(net(q, e, other), s)  # the tail gists reach the scores
    with pytest.raises(ValueError, match="lod0"):
        net(q, e, levels[0][:, :10])
    with pytest.raises(ValueError, match="tail"):
        TwoStageLensNet(16, 8, tail=40)
    # The allocator uses it like any LensNet (it gets the stream's tokens).
    out = read_focused(Reader(16, 8), levels, q, FocusConfig(w_max=256), "lens", net)
    assert out.logits.shape == (2, 8)


def test_losses_prefer_the_right_order():
    delta = torch.tensor([[1.0, 0.0, -0.5]])
    on = torch.ones(1, 3, dtype=torch.bool)
    good, bad = torch.tensor([[0.9, -0.5, -0.9]]), torch.tensor([[-0.9, 0.5, 0.9]])
    assert pairwise_loss(good, delta, on) < pairwise_loss(bad, delta, on)
    assert regression_loss(good, delta, on) < regression_loss(bad, delta, on)
    # Pairs: (0,1), (0,2), (1,2) and each unit against the reference (Δ = 0.05): 0 above it, 1 and 2 below.
    s = torch.zeros(1, 3)
    assert torch.isclose(pairwise_loss(s, delta, on), torch.log(torch.tensor(2.0)))
    assert regression_loss(good, delta, torch.zeros_like(on)) == 0
    # Balanced: one unit worth expanding among many weighs as much as all the others together.
    many = torch.cat([torch.tensor([[1.0]]), torch.full((1, 99), -0.5)], 1)
    all_on = torch.ones(1, 100, dtype=torch.bool)
    collapse_all = torch.full((1, 100), -1.0)  # right on the 99, wrong on the one
    fixed = regression_loss(collapse_all, many, all_on)
    balanced = regression_loss(collapse_all, many, all_on, balanced=True)
    # weights 99 and 99 x 1: half the positive's squared error (the negatives' targets are about -1)
    assert torch.isclose(balanced, torch.tensor(2.0), atol=1e-3) and balanced > 5 * fixed


def test_a_scorer_trains_on_fixed_labels():
    task = LongRecallTask(length=2048, facts=8)
    models = {"gistnet": GistNet(task.channels), "reader": Reader(16, 8)}
    data = label_set(models, task, FocusConfig(w_max=256), batches=2, batch=2, seed=0)
    assert data[0]["delta"].shape == data[0]["units"].level.shape
    net = TwoStageLensNet(16, 8, width=8)
    before = [p.clone() for p in net.parameters()]
    rows = train_scorer(net, data, "pairwise", steps=2, lr=1e-2, seed=0, log_every=1)
    assert [r["step"] for r in rows] == [1, 2]
    assert any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert scores_of(net, data[0]).shape == data[0]["delta"].shape
    with pytest.raises(ValueError, match="loss"):
        train_scorer(net, data, "hinge", steps=1, lr=1e-2, seed=0)


def test_curriculum_lengths_budgets_and_pool():
    lengths = curriculum_lengths(7, 4096, 16384)
    assert lengths == [4096, 4096, 4096, 8192, 8192, 16384, 16384]  # rising, each length an equal share
    assert curriculum_lengths(3, 4096, 4096) == [4096] * 3
    # The label budget doubles until the coarsest cover fills at most half of it.
    for t in (4096, 2**16, 2**20):
        w = label_budget(t, 256, 64)
        assert 2 * minimal_entries(t, 64) <= w and (w == 256 or 2 * minimal_entries(t, 64) > w // 2)
    assert label_budget(2**20, 256, 64) == 4096
    # The pool grows from one batch to all of them over the ramp, then stays there.
    pools = [curriculum_pool(step, 8, 100) for step in range(1, 201)]
    assert pools[0] == 1 and pools[99] == 8 and pools[-1] == 8 and pools == sorted(pools)
    with pytest.raises(ValueError, match="t_max"):
        curriculum_lengths(4, 4096, 3000)
    with pytest.raises(ValueError, match="t_max"):
        curriculum_lengths(4, 8192, 4096)
    with pytest.raises(ValueError, match="batches"):
        curriculum_lengths(2, 4096, 16384)
    with pytest.raises(ValueError, match="w_max"):
        label_budget(4096, 0, 64)
    with pytest.raises(ValueError, match="ramp_steps"):
        curriculum_pool(1, 8, 0)


def test_curriculum_labels_follow_their_lengths_and_train_in_rising_order():
    task = LongRecallTask(length=2048, facts=8)
    models = {"gistnet": GistNet(task.channels), "reader": Reader(16, 8)}
    lengths = curriculum_lengths(2, 2048, 4096)
    data = label_set(models, task, FocusConfig(w_max=256), batches=2, batch=2, seed=0, lengths=lengths)
    assert [ex["levels"][0].shape[1] for ex in data] == lengths
    with pytest.raises(ValueError, match="lengths"):
        label_set(models, task, FocusConfig(w_max=256), batches=3, batch=2, seed=0, lengths=lengths)
    # With a ramp, the first steps see the first (shortest) batch only: a scorer trained one step on the
    # ramp equals one trained one step on that batch alone.
    a, b = LensNet(16, 8, width=8), LensNet(16, 8, width=8)
    b.load_state_dict(a.state_dict())
    train_scorer(a, data, "regression", steps=1, lr=1e-2, seed=0, ramp_steps=10)
    train_scorer(b, data[:1], "regression", steps=1, lr=1e-2, seed=0)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_curriculum_cli_writes_a_run_that_loads_as_the_runs_curriculum_lensnet(tmp_path):
    import shutil

    from ntm_minimal.megacontext.lens_training import main
    from ntm_minimal.megacontext.train import CURRICULUM, DEFAULT_DIR, load

    info = main(
        ["--out", str(tmp_path / "cur"), "--batches", "2", "--batch", "1", "--steps", "2"]
        + ["--curriculum-max-t", "8192"]
    )
    assert info["curriculum"]["lengths"] == [4096, 8192] and "--curriculum-max-t 8192" in info["command"]
    run = tmp_path / "run"
    shutil.copytree(DEFAULT_DIR, run, ignore=shutil.ignore_patterns("seed*", "lensnets", CURRICULUM))
    assert "lensnet_curriculum" not in load(run)
    shutil.copytree(tmp_path / "cur", run / CURRICULUM)
    models = load(run)
    assert isinstance(models["lensnet_curriculum"], LensNet)
    assert not torch.equal(models["lensnet_curriculum"].q.weight, models["lensnet"].q.weight)


def test_seeds_combine_into_spreads_and_a_table():
    from ntm_minimal.megacontext import tables
    from ntm_minimal.megacontext.lens_training import combine_seeds

    def result(acc):
        rows = [{"T": 4096, "scorer": "x", "accuracy": acc, "selection": acc / 2}]
        same = {"w_max": 512, "edits": 12, "queries": 128, "label_examples": 8, "steps": 2, "lr": 0.01}
        return same | {"rows": rows, "label_cpu_seconds": 1.0}

    joined = combine_seeds({"seed 0": result(0.5), "seed 1": result(1.0)})
    row = joined["rows"][0]
    assert row["accuracy"] == {"mean": 0.75, "min": 0.5, "max": 1.0, "n": 2} and row["selection"]["max"] == 0.5
    assert joined["seeds"] == ["seed 0", "seed 1"] and joined["runs"]["seed 1"][0]["accuracy"] == 1.0
    assert "0.75 [0.50, 1.00]" in tables.lensnet_table(joined).to_text()
    other = result(0.5) | {"queries": 64}
    with pytest.raises(ValueError, match="results"):
        combine_seeds({"seed 0": result(0.5), "seed 1": other})
    with pytest.raises(ValueError, match="result"):
        tables.lensnet_table(result(0.5))
