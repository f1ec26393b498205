"""The two-stage LensNet (no hand-coded similarity) and the two training losses on fixed labels."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.megacontext import FocusConfig, Reader, build_levels, coarse_cover
from ntm_minimal.megacontext.gistnet import GistNet
from ntm_minimal.megacontext.lens_training import label_set, pairwise_loss, regression_loss, scores_of, train_scorer
from ntm_minimal.megacontext.read_strategies import read_focused
from ntm_minimal.megacontext.two_stage_lensnet import TwoStageLensNet
from ntm_minimal.megacontext.working_context import assemble
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
