"""The algorithm-chapter pictures draw what they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from ntm_minimal import plotting  # noqa: E402
from ntm_minimal.analysis import record_overlap, same_context_records  # noqa: E402
from ntm_minimal.tasks import make_task  # noqa: E402


def test_record_lookup_draws_overlap_and_same_context_dots():
    bits = make_task("ngrams").sample_bits(1, torch.Generator().manual_seed(0), length=60)[0]
    same = same_context_records(bits)
    T = same.shape[1]
    read_w = torch.softmax(torch.randn(1, T, T, generator=torch.Generator().manual_seed(1)), -1)
    overlap = record_overlap(read_w, torch.eye(T)[None])
    fig = plotting.plot_record_lookup(overlap[0], same[0], steps=slice(10, 50))
    ax = fig.axes[0]
    image = ax.images[0].get_array()
    assert image.shape == (40, 40)
    assert abs(float(image[0, 0]) - float(overlap[0, 10, 10])) < 1e-6
    assert len(ax.collections[0].get_offsets()) == int(same[0, 10:50, 10:50].sum())
    plt.close(fig)


def test_sort_pictures_have_a_panel_per_head():
    w = torch.nn.functional.one_hot(torch.tensor([[1, 127], [2, 126], [3, 0]]), 128).float()  # [K=3, H=2, N]
    fig = plotting.plot_sort_writes(torch.tensor([0.5, 0.1, -0.3]), w)
    assert len(fig.axes) == 2
    assert fig.axes[1].collections[0].get_offsets()[:, 1].tolist() == [-1, -2, 0]  # wrapped rows
    plt.close(fig)
    fig = plotting.plot_sort_reads(w[:, 0])
    assert len(fig.axes) == 1 and fig.axes[0].collections[0].get_offsets()[:, 0].tolist() == [0, 1, 2]
    plt.close(fig)


def test_sort_write_order_draws_rows_against_arrival_and_priority():
    w = torch.nn.functional.one_hot(torch.tensor([0, 1, 2, 127]), 128).float()  # [K=4, N]
    fig = plotting.plot_sort_write_order(torch.tensor([0.5, -0.2, 0.9, 0.1]), w)
    left, right = (ax.collections[0].get_offsets() for ax in fig.axes[:2])
    assert left[:, 0].tolist() == [0, 1, 2, 3] and left[:, 1].tolist() == [0, 1, 2, -1]  # row 127 wraps to -1
    assert right[:, 0].tolist() == pytest.approx([0.5, -0.2, 0.9, 0.1])
    plt.close(fig)
    with pytest.raises(ValueError, match="priority, write_w"):
        plotting.plot_sort_write_order(torch.zeros(3), w)


def test_rank_overlap_picture_is_the_grid_it_is_given():
    overlap = torch.eye(4)[:3]  # [S=3, K=4]
    fig = plotting.plot_rank_overlap(overlap)
    assert fig.axes[0].images[0].get_array().shape == (3, 4)
    plt.close(fig)
    with pytest.raises(ValueError, match="overlap"):
        plotting.plot_rank_overlap(torch.zeros(3))
