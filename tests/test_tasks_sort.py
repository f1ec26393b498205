"""Priority sort data: layout, targets sorted by priority, overrides, seeding, per-position errors."""
from __future__ import annotations

import pytest
import torch

from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.priority_sort import PrioritySortTask, errors_per_position


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_registered_and_layout():
    task = make_task("priority_sort")
    assert isinstance(task, PrioritySortTask) and (task.input_size, task.output_size) == (10, 8)
    batch, prio = task.sample_with_priorities(5, _gen())
    assert batch.x.shape == (5, 37, 10) and batch.y.shape == (5, 37, 8) and prio.shape == (5, 20)
    torch.testing.assert_close(batch.x[:, :20, 8], prio)
    assert bool((prio.abs() <= 1).all())
    assert batch.x[:, :, 9].nonzero()[:, 1].tolist() == [20] * 5  # one delimiter, after the inputs
    assert float(batch.x[:, 21:].abs().sum()) == 0.0 and float(batch.x[:, 20, :9].abs().sum()) == 0.0
    assert batch.mask[:, :21].sum() == 0 and bool((batch.mask[:, 21:] == 1).all())


@pytest.mark.parametrize("items,outputs", [(20, 16), (5, 5), (30, 3)])
def test_targets_are_sorted_by_priority(items, outputs):
    task = PrioritySortTask()
    batch, prio = task.sample_with_priorities(4, _gen(items), items=items, outputs=outputs)
    for b in range(4):
        vectors = batch.x[b, :items, :8].tolist()
        ranked = sorted(range(items), key=lambda k: -float(prio[b, k]))[:outputs]  # plain-Python sort
        assert batch.y[b, items + 1 :].tolist() == [vectors[k] for k in ranked]


def test_items_override_caps_outputs():
    assert PrioritySortTask().sample(2, _gen(), items=10).mask.sum(1).tolist() == [10.0, 10.0]
    assert PrioritySortTask().sample(2, _gen(), items=30).mask.sum(1).tolist() == [16.0, 16.0]


def test_seeded():
    task = PrioritySortTask()
    assert all(torch.equal(u, v) for u, v in zip(task.sample(3, _gen(1)), task.sample(3, _gen(1))))
    assert not torch.equal(task.sample(3, _gen(1)).x, task.sample(3, _gen(2)).x)


def test_errors_per_position():
    batch = PrioritySortTask(items=6, outputs=4, bits=3).sample(2, _gen(3))
    logits = batch.y * 20 - 10  # perfect answers
    assert errors_per_position(logits, batch).tolist() == [0.0] * 4
    logits[0, -4] = -logits[0, -4]  # every bit of the first output of sequence 0 wrong
    assert errors_per_position(logits, batch).tolist() == [1.5, 0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="logits"):
        errors_per_position(logits[:, :-1], batch)


@pytest.mark.parametrize("settings", [dict(outputs=21), dict(outputs=0), dict(bits=0), dict(items=0)])
def test_bad_settings(settings):
    with pytest.raises(ValueError):
        PrioritySortTask(**settings)


def test_bad_overrides():
    with pytest.raises(ValueError, match="outputs"):
        PrioritySortTask().sample(2, _gen(), items=4, outputs=5)
    with pytest.raises(ValueError, match="batch_size"):
        PrioritySortTask().sample(-1, _gen())
