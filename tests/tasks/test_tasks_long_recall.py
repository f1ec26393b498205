"""Long-context recall tasks: the documented layout, seeding, and bad settings."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.long_recall import LongRecallTask, StreamingRecallTask


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_layout_of_one_query_at_the_end():
    task = make_task("long_recall", length=3000, facts=20, tail=64)
    lay = task.sample_layout(4, _gen())
    x, y, mask = lay.batch
    kb, vb = task.key_bits, task.value_bits
    assert x.shape == (4, 3000, task.channels) and y.shape == (4, 3000, vb) and mask.shape == (4, 3000)
    assert mask.sum(1).tolist() == [1.0] * 4 and bool((mask[:, -1] == 1).all())
    facts = x[..., kb + vb]
    assert facts.sum(1).tolist() == [20.0] * 4
    assert bool((facts.nonzero()[:, 1].view(4, 20) == lay.fact_steps).all())
    assert int(lay.fact_steps.max()) < 3000 - 1 - 64  # never in the tail
    rows = torch.arange(4)
    keys = x[rows[:, None], lay.fact_steps, :kb]  # distinct keys per sequence
    for row in keys:
        assert len({tuple(k.tolist()) for k in row}) == 20
    q = x[:, -1]
    assert bool((q[:, kb + vb + 1] == 1).all()) and bool((q[:, kb : kb + vb] == 0).all())
    answer = x[rows, lay.answer_steps[:, 0]]
    assert bool((answer[:, :kb] == q[:, :kb]).all()) and bool((answer[:, kb + vb] == 1).all())
    assert bool((y[:, -1] == answer[:, kb : kb + vb]).all())
    assert set(torch.unique(x).tolist()) <= {0.0, 1.0}


def test_streaming_queries_ask_about_earlier_facts_and_switch():
    task = StreamingRecallTask(length=5000, facts=24, warmup=1000, query_every=200, switch=0.3)
    lay = task.sample_layout(16, _gen(1))
    x, y, mask = lay.batch
    kb, vb = task.key_bits, task.value_bits
    steps = task.query_step_list()
    assert steps[0] == 999 and bool((steps[1:] - steps[:-1] == 200).all())
    assert bool((mask.sum(1) == len(steps)).all())
    assert bool((lay.answer_steps < lay.query_steps).all())
    rows = torch.arange(16)[:, None]
    assert bool((x[rows, lay.answer_steps, kb + vb] == 1).all())
    assert bool((x[rows, lay.query_steps, :kb] == x[rows, lay.answer_steps, :kb]).all())
    assert bool((y[rows, lay.query_steps] == x[rows, lay.answer_steps, kb : kb + vb]).all())
    assert bool((x[rows, lay.query_steps, kb + vb] == 0).all())  # no fact on a query step
    changes = (lay.answer_steps[:, 1:] != lay.answer_steps[:, :-1]).float().mean().item()
    assert 0.1 < changes < 0.35  # switch 0.3, minus the switches that redraw the same fact


def test_seeded():
    task = LongRecallTask(length=500, facts=5)
    a, b = task.sample(3, _gen(5)), task.sample(3, _gen(5))
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not torch.equal(a.x, task.sample(3, _gen(6)).x)


def test_bad_settings_name_the_argument():
    with pytest.raises(ValueError, match="length"):
        LongRecallTask(length=50, facts=10, tail=64)
    with pytest.raises(ValueError, match="facts"):
        LongRecallTask(length=5000, facts=20, key_bits=4)
    with pytest.raises(ValueError, match="switch"):
        StreamingRecallTask(switch=1.5)
    with pytest.raises(ValueError, match="warmup"):
        StreamingRecallTask(length=4096, warmup=5000)
    with pytest.raises(ValueError, match="batch_size"):
        LongRecallTask().sample(0, _gen())
