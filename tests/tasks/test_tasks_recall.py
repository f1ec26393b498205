"""Associative recall data: layout, the query and its answer, item-count overrides, seeding, bad settings."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.associative_recall import AssociativeRecallTask


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def _items(x, bits, L, K):
    """The K items of one sequence ``x [T, bits+2]`` as a tensor [K, L, bits], read from the layout."""
    return torch.stack([x[k * (L + 1) + 1 : k * (L + 1) + 1 + L, :bits] for k in range(K)])


def test_registered_and_sizes():
    task = make_task("associative_recall")
    assert isinstance(task, AssociativeRecallTask)
    assert (task.input_size, task.output_size) == (8, 6)
    assert task.length(6) == 32


@pytest.mark.parametrize("K", [2, 3, 6, 12])
def test_layout_query_and_target(K):
    task = AssociativeRecallTask()
    L, bits = task.item_len, task.bits
    batch = task.sample(16, _gen(K), items=K)
    assert batch.x.shape == (16, task.length(K), bits + 2)
    assert batch.y.shape == (16, task.length(K), bits) and batch.mask.shape == (16, task.length(K))
    q = K * (L + 1)
    for b in range(16):
        x, y, m = batch.x[b], batch.y[b], batch.mask[b]
        delim = [k * (L + 1) for k in range(K)]
        assert x[:, bits].nonzero().flatten().tolist() == delim
        assert x[:, bits + 1].nonzero().flatten().tolist() == [q, q + L + 1]
        items = _items(x, bits, L, K)
        query = x[q + 1 : q + 1 + L, :bits]
        hits = [k for k in range(K) if torch.equal(items[k], query)]
        assert len(hits) >= 1 and hits[0] <= K - 2  # the query is one of the items, never the last
        assert m.nonzero().flatten().tolist() == list(range(q + L + 2, q + 2 * L + 2))
        assert torch.equal(y[m.bool()], items[hits[0] + 1].reshape(L, bits))
        assert float(x[q + L + 2 :].abs().sum()) == 0.0  # nothing but zeros while answering
        assert float(y[~m.bool()].abs().sum()) == 0.0


def test_mixed_counts_pad_at_end():
    task = AssociativeRecallTask(min_items=2, max_items=6)
    batch = task.sample(64, _gen(1))
    counts = batch.x[..., task.bits].sum(1).long()  # one item delimiter per item
    assert set(counts.tolist()) <= set(range(2, 7)) and len(set(counts.tolist())) > 1
    last = batch.mask.nonzero()[:, 1].view(64, task.item_len)[:, -1]
    assert torch.equal(last, torch.tensor([task.length(int(k)) - 1 for k in counts]))


def test_query_position_is_uniform_enough():
    task = AssociativeRecallTask()
    batch = task.sample(2000, _gen(2), items=4)
    L = task.item_len
    q = 4 * (L + 1)
    query = batch.x[:, q + 1 : q + 1 + L, : task.bits]
    which = (
        torch.stack(
            [
                (batch.x[:, k * (L + 1) + 1 : k * (L + 1) + 1 + L, : task.bits] == query).all(-1).all(-1)
                for k in range(4)
            ],
            1,
        )
        .float()
        .argmax(1)
    )
    counts = torch.bincount(which, minlength=4)
    assert counts[3] == 0 and counts[:3].min() > 550  # q in 0..K-2, about 667 each


def test_seeded():
    task = AssociativeRecallTask()
    a, b = task.sample(8, _gen(5)), task.sample(8, _gen(5))
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    assert not torch.equal(task.sample(8, _gen(5), items=4).x, task.sample(8, _gen(6), items=4).x)


@pytest.mark.parametrize(
    "settings", [dict(min_items=1), dict(min_items=5, max_items=4), dict(bits=0), dict(item_len=0)]
)
def test_bad_settings(settings):
    with pytest.raises(ValueError):
        AssociativeRecallTask(**settings)


def test_bad_overrides():
    task = AssociativeRecallTask()
    with pytest.raises(ValueError, match="items"):
        task.sample(2, _gen(), items=1)
    with pytest.raises(ValueError, match="batch_size"):
        task.sample(0, _gen())
    with pytest.raises(TypeError):
        AssociativeRecallTask(min_items=2.5)
