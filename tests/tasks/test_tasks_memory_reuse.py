"""Memory-reuse batches: back-to-back copies, their delimiters, targets and masks; overrides; bad settings."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.tasks import CopyTask, make_task
from ntm_minimal.tasks.memory_reuse import MemoryReuseTask


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_registered_with_sizes():
    task = make_task("memory_reuse", sequences=10, min_len=5, max_len=5)
    assert isinstance(task, MemoryReuseTask)
    assert (task.input_size, task.output_size, task.name) == (7, 6, "memory_reuse")


def test_fixed_length_layout():
    task = MemoryReuseTask(sequences=3, bits=6)
    b = task.sample(2, _gen(), length=4)
    assert b.x.shape == (2, 27, 7) and b.y.shape == (2, 27, 6) and b.mask.shape == (2, 27)
    for k in range(3):
        s = 9 * k  # each sequence spans 2 * 4 + 1 steps
        assert torch.equal(b.x[:, s + 4], torch.cat([torch.zeros(2, 6), torch.ones(2, 1)], 1))  # delimiter only
        assert not b.x[:, s : s + 4, 6].any() and not b.x[:, s + 5 : s + 9].any()  # answer steps get no input
        assert torch.equal(b.y[:, s + 5 : s + 9], b.x[:, s : s + 4, :6])
        assert torch.equal(b.mask[:, s : s + 9], torch.cat([torch.zeros(2, 5), torch.ones(2, 4)], 1))
        assert not b.y[:, s : s + 5].any()
    assert b.x[:, :, :6].sum() > 0 and b.mask.sum() == 2 * 3 * 4


def test_mixed_lengths_follow_each_other():
    task = MemoryReuseTask(sequences=5, min_len=1, max_len=6)
    b = task.sample(32, _gen(1))
    assert torch.equal(b.x[..., 6].sum(1), torch.full((32,), 5.0))  # five delimiters per row
    for i in range(0, 32, 5):
        delimiters = torch.nonzero(b.x[i, :, 6]).flatten().tolist()
        start = 0
        for d in delimiters:
            n = d - start  # the vectors before this delimiter
            assert 1 <= n <= 6
            assert torch.equal(b.y[i, d + 1 : d + 1 + n], b.x[i, start:d, :6])
            assert b.mask[i, d + 1 : d + 1 + n].all() and not b.mask[i, start : d + 1].any()
            start = d + 1 + n  # the next sequence starts right after the answer
        assert not b.mask[i, start:].any() and not b.x[i, start:].any()  # padding
    lengths = b.mask.sum(1)
    assert len(set(lengths.tolist())) > 3 and b.x.shape[1] == int((2 * lengths + 5).max())


def test_one_sequence_is_the_copy_task_layout():
    reuse = MemoryReuseTask(sequences=1, bits=8).sample(3, _gen(2), length=5)
    copy = CopyTask(bits=8).sample(3, _gen(3), length=5)
    assert reuse.x.shape == copy.x.shape
    assert torch.equal(reuse.mask, copy.mask) and torch.equal(reuse.x[..., 8], copy.x[..., 8])
    assert torch.equal(reuse.y[:, 6:], reuse.x[:, :5, :8])


def test_more_items_than_rows_and_overrides():
    task = MemoryReuseTask(sequences=10, min_len=5, max_len=5)
    b = task.sample(4, _gen(4))
    assert b.mask.sum(1).tolist() == [50.0] * 4  # 50 vectors: more than a 10-row memory holds
    more = task.sample(4, _gen(4), sequences=20, length=3)
    assert more.x[..., 6].sum(1).tolist() == [20.0] * 4 and more.x.shape[1] == 20 * 7


def test_seeded_and_batched():
    task = MemoryReuseTask()
    a, b = task.sample(8, _gen(5)), task.sample(8, _gen(5))
    assert all(torch.equal(u, v) for u, v in zip(a, b))
    c = task.sample(8, _gen(6))
    assert not torch.equal(a.mask, c.mask) or not torch.equal(a.x, c.x)
    assert a.x.dtype == a.y.dtype == a.mask.dtype == torch.float32


@pytest.mark.parametrize(
    "settings, error",
    [
        (dict(sequences=0), ValueError),
        (dict(min_len=0), ValueError),
        (dict(min_len=4, max_len=2), ValueError),
        (dict(sequences=2.0), TypeError),
        (dict(bits=0), ValueError),
    ],
)
def test_bad_settings(settings, error):
    with pytest.raises(error):
        MemoryReuseTask(**settings)


def test_bad_overrides():
    with pytest.raises(ValueError, match="length"):
        MemoryReuseTask().sample(2, _gen(), length=0)
    with pytest.raises(ValueError, match="sequences"):
        MemoryReuseTask().sample(2, _gen(), sequences=0)
    with pytest.raises(ValueError, match="batch_size"):
        MemoryReuseTask().sample(0, _gen())
