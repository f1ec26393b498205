"""The shared measurement of the sort models (chapters 12, 12b, 13): fresh lists, per-model figures
that agree with a direct evaluation, the table's rows, and the course's bar."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal import pretrained, sorting
from ntm_minimal.tasks.priority_sort import errors_per_position, sort_quality


def test_fresh_lists_are_the_papers_size_and_repeatable():
    (a, priority), (b, _) = sorting.fresh_lists(4), sorting.fresh_lists(4)
    assert a.x.shape == (4, 37, 10) and int(a.mask[0].sum()) == 16
    torch.testing.assert_close(a.x, b.x)
    torch.testing.assert_close(a.x[:, :20, 8], priority)
    assert not torch.equal(a.x, sorting.fresh_lists(4, seed=1)[0].x)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n: expected a positive int"):
            sorting.fresh_lists(bad)


def test_measure_agrees_with_a_direct_evaluation_in_chunks():
    batch, _ = sorting.fresh_lists(10)
    got = sorting.measure({"DNC": "priority_sort_dnc"}, batch, chunk=3)["DNC"]  # chunks of 3, 3, 3, 1
    with torch.no_grad():
        logits = pretrained.load("priority_sort_dnc")(batch.x)
    direct = sort_quality(logits, batch)
    for key, value in direct.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key
    torch.testing.assert_close(got["per_position"], errors_per_position(logits, batch))
    assert got["parameters"] == sum(p.numel() for p in pretrained.load("priority_sort_dnc").parameters())
    assert got["training_lists"] == pretrained.sequences_at_weights("priority_sort_dnc")
    with pytest.raises(ValueError, match="names"):
        sorting.measure({}, batch)


def test_quality_table_shows_every_figure_with_its_spread():
    q = {
        "bit_errors": 1.5,
        "bit_errors_se": 0.25,
        "bit_errors_worst": 12.0,
        "vectors_right": 0.965,
        "perfect": 0.7,
        "parameters": 470504,
        "training_lists": 320000,
    }
    header, rows = sorting.quality_table({"NTM": q})
    assert header[0] == "model" and len(header) == len(rows[0])
    assert rows == [["NTM", "470,504", "320,000", "1.50 ± 0.25", "12", "96.5 %", "70.0 %"]]
    (almost,) = sorting.quality_table({"NTM": {**q, "vectors_right": 0.99996}})[1]
    assert almost[5] == "99.996 %"  # not rounded up to every answer right


@pytest.mark.parametrize(
    "bits, right, expected", [(2.0, 0.9, True), (2.01, 0.95, False), (1.0, 0.899, False), (0.0, 1.0, True)]
)
def test_sorts_is_the_courses_bar_inclusive(bits, right, expected):
    assert sorting.sorts({"bit_errors": bits, "vectors_right": right}) is expected
