"""Copy and repeat-copy batches: shapes, delimiters, targets, masks, mixed lengths, bad settings."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal import pretrained
from ntm_minimal.tasks import CopyTask, make_task
from ntm_minimal.tasks.copy import PAPER_NTM
from ntm_minimal.tasks.repeat_copy import RepeatCopyTask


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ copy


def test_copy_fixed_length_layout():
    task = CopyTask(bits=8)
    b = task.sample(4, _gen(), length=5)
    assert b.x.shape == (4, 11, 9) and b.y.shape == (4, 11, 8) and b.mask.shape == (4, 11)
    assert torch.equal(b.x[:, 5, 8], torch.ones(4)) and torch.equal(b.x[:, 5, :8], torch.zeros(4, 8))
    assert torch.equal(b.x[:, :5, 8], torch.zeros(4, 5)) and torch.equal(b.x[:, 6:], torch.zeros(4, 5, 9))
    assert torch.equal(b.y[:, 6:], b.x[:, :5, :8])
    assert torch.equal(b.mask, torch.cat([torch.zeros(4, 6), torch.ones(4, 5)], 1))


def test_paper_ntm_fits_the_default_task_and_is_the_shipped_copy_model():
    task = CopyTask()
    assert (PAPER_NTM["input_size"], PAPER_NTM["output_size"]) == (task.input_size, task.output_size)
    assert pretrained.config("copy")["model_config"] == PAPER_NTM


def test_copy_mixed_lengths_pad_and_mask():
    task = CopyTask(min_len=1, max_len=20)
    b = task.sample(64, _gen(1))
    lengths = b.x[..., 8].argmax(1)  # the delimiter step
    assert len(set(lengths.tolist())) > 5
    assert b.x.shape[1] == 2 * int(lengths.max()) + 1
    assert torch.equal(b.mask.sum(1), lengths.float())
    for i in range(0, 64, 7):
        n = int(lengths[i])
        assert torch.equal(b.y[i, n + 1 : 2 * n + 1], b.x[i, :n, :8])
        assert b.mask[i, n + 1 : 2 * n + 1].all() and not b.mask[i, 2 * n + 1 :].any()


@pytest.mark.parametrize(
    "settings, error",
    [
        (dict(min_len=0), ValueError),
        (dict(min_len=5, max_len=3), ValueError),
        (dict(max_len=2.5), TypeError),
        (dict(bits=0), ValueError),
    ],
)
def test_copy_bad_settings(settings, error):
    with pytest.raises(error):
        CopyTask(**settings)


def test_copy_bad_overrides():
    with pytest.raises(ValueError, match="length"):
        CopyTask().sample(2, _gen(), length=0)
    with pytest.raises(ValueError, match="batch_size"):
        CopyTask().sample(0, _gen())


# ------------------------------------------------------------------ repeat copy


def test_repeat_copy_sizes_and_registry():
    task = make_task("repeat_copy")
    assert isinstance(task, RepeatCopyTask)
    assert (task.input_size, task.output_size) == (10, 9)
    assert (task.max_len, task.max_repeats) == (10, 10)


@pytest.mark.parametrize("length, repeats", [(1, 1), (3, 4), (5, 2), (10, 10)])
def test_repeat_copy_fixed_layout(length, repeats):
    task = RepeatCopyTask()
    b = task.sample(3, _gen(2), length=length, repeats=repeats)
    end = length + repeats * length + 1
    assert b.x.shape == (3, end + 1, 10) and b.y.shape == (3, end + 1, 9) and b.mask.shape == (3, end + 1)
    seq = b.x[:, :length, :8]
    # the delimiter step carries the flag and the scaled repeat count, nothing else
    assert torch.equal(b.x[:, length, 8], torch.ones(3))
    torch.testing.assert_close(b.x[:, length, 9], torch.full((3,), repeats / 10))
    assert torch.equal(b.x[:, length, :8], torch.zeros(3, 8))
    assert torch.equal(b.x[:, length + 1 :], torch.zeros_like(b.x[:, length + 1 :]))
    assert not b.x[:, :length, 8:].any()
    # the targets: the sequence R times, then the end marker alone
    assert torch.equal(b.y[:, length + 1 : end, :8], seq.repeat(1, repeats, 1))
    assert not b.y[:, :end, 8].any()
    assert torch.equal(b.y[:, end], torch.cat([torch.zeros(3, 8), torch.ones(3, 1)], 1))
    assert torch.equal(b.mask, torch.cat([torch.zeros(3, length + 1), torch.ones(3, repeats * length + 1)], 1))


def test_repeat_copy_mixed_batch():
    task = RepeatCopyTask()
    b = task.sample(64, _gen(3))
    lengths = b.x[..., 8].argmax(1)
    reps = torch.round(b.x[torch.arange(64), lengths, 9] * 10).long()
    assert len(set(lengths.tolist())) > 5 and len(set(reps.tolist())) > 5
    ends = lengths + reps * lengths + 1
    assert b.x.shape[1] == int(ends.max()) + 1
    assert torch.equal(b.mask.sum(1), (reps * lengths + 1).float())
    assert torch.equal(b.y[torch.arange(64), ends, 8], torch.ones(64))
    for i in range(0, 64, 5):
        n, r, e = int(lengths[i]), int(reps[i]), int(ends[i])
        assert torch.equal(b.y[i, n + 1 : e, :8], b.x[i, :n, :8].repeat(r, 1))
        assert not b.mask[i, e + 1 :].any() and not b.y[i, e + 1 :].any()


def test_repeat_copy_generalisation_override_beyond_training():
    b = RepeatCopyTask(max_repeats=10).sample(2, _gen(), length=3, repeats=20)
    torch.testing.assert_close(b.x[:, 3, 9], torch.full((2,), 2.0))
    assert b.x.shape[1] == 3 + 20 * 3 + 2


def test_repeat_copy_is_seeded():
    task = RepeatCopyTask()
    assert all(torch.equal(a, b) for a, b in zip(task.sample(8, _gen(5)), task.sample(8, _gen(5))))


@pytest.mark.parametrize(
    "settings, error",
    [
        (dict(min_repeats=0), ValueError),
        (dict(min_repeats=4, max_repeats=3), ValueError),
        (dict(max_len=0), ValueError),
        (dict(repeat_scale=0), ValueError),
        (dict(repeat_scale="10"), ValueError),
        (dict(max_repeats=2.0), TypeError),
    ],
)
def test_repeat_copy_bad_settings(settings, error):
    with pytest.raises(error):
        RepeatCopyTask(**settings)


def test_repeat_copy_bad_overrides():
    with pytest.raises(ValueError, match="repeats"):
        RepeatCopyTask().sample(2, _gen(), repeats=0)
    with pytest.raises(ValueError, match="length"):
        RepeatCopyTask().sample(2, _gen(), length=-1)
    with pytest.raises(ValueError, match="batch_size"):
        RepeatCopyTask().sample(-1, _gen())
