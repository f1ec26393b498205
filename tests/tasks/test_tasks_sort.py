"""Priority sort data: layout, targets sorted by priority, overrides, seeding, per-position errors."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.analysis import (
    even_address_collisions,
    main_writes,
    priority_gaps,
    rank_overlap,
    read_write_agreement,
    share_right_by_gap,
    shared_rows,
    signed_rows,
    write_spread,
)
from ntm_minimal.metrics import bit_errors
from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.priority_sort import PrioritySortTask, answer_errors, errors_per_position, sort_quality


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


def test_sort_quality_counts_vectors_and_perfect_sequences():
    batch = PrioritySortTask(items=6, outputs=4, bits=3).sample(2, _gen(3))
    logits = batch.y * 20 - 10
    clean = {"bit_errors": 0.0, "bit_errors_se": 0.0, "bit_errors_worst": 0.0, "vectors_right": 1.0, "perfect": 1.0}
    assert sort_quality(logits, batch) == {**clean, "sequences": 2}
    logits[0, -4, 0] = -logits[0, -4, 0]  # one wrong bit in sequence 0
    logits[0, -1] = -logits[0, -1]  # and all three bits of its last output
    got = sort_quality(logits, batch)  # per sequence 4 and 0 wrong bits: standard error std / sqrt(2) = 2
    assert got == {
        "bit_errors": 2.0,
        "bit_errors_se": pytest.approx(2.0),
        "bit_errors_worst": 4.0,
        "vectors_right": 6 / 8,
        "perfect": 0.5,
        "sequences": 2,
    }
    with pytest.raises(ValueError, match="logits"):
        sort_quality(logits[:, :-1], batch)


@pytest.mark.parametrize("settings", [dict(outputs=21), dict(outputs=0), dict(bits=0), dict(items=0)])
def test_bad_settings(settings):
    with pytest.raises(ValueError):
        PrioritySortTask(**settings)


def test_bad_overrides():
    with pytest.raises(ValueError, match="outputs"):
        PrioritySortTask().sample(2, _gen(), items=4, outputs=5)
    with pytest.raises(ValueError, match="batch_size"):
        PrioritySortTask().sample(-1, _gen())


def test_signed_rows_wrap_around_row_zero():
    w = torch.nn.functional.one_hot(torch.tensor([126, 127, 0, 1, 63, 64]), 128).float()
    assert signed_rows(w).tolist() == [-2, -1, 0, 1, 63, -64]
    with pytest.raises(TypeError, match="w"):
        signed_rows([0.0, 1.0])


def _ideal_sort_trace(priority: torch.Tensor, outputs: int, n: int = 32):
    """Write head 0 stores each input at the row of its rank; read head 0 visits ranks 0, 1, ... in turn."""
    B, K = priority.shape
    rank = priority.argsort(1, descending=True).argsort(1)  # [B, K]
    T = K + 1 + outputs
    write_w = torch.zeros(B, T, 2, n)
    write_w[:, :K, 0] = torch.nn.functional.one_hot(rank, n).float()
    write_w[:, :, 1, 5] = 1.0  # a second write head that always writes row 5
    read_w = torch.zeros(B, T, 2, n)
    read_w[:, K + 1 :, 0] = torch.nn.functional.one_hot(torch.arange(outputs), n).float()
    read_w[:, :, 1, 7] = 1.0  # a second read head stuck on row 7
    return read_w, write_w


def test_read_write_agreement_of_the_sorting_algorithm():
    task = make_task("priority_sort")
    _, priority = task.sample_with_priorities(8, torch.Generator().manual_seed(0), items=10, outputs=6)
    read_w, write_w = _ideal_sort_trace(priority, outputs=6)
    agree = read_write_agreement(priority, read_w, write_w)
    assert agree.shape == (2, 2)
    assert agree[0, 0] == 1.0 and agree[1, 0] < 0.25 and agree[0, 1] < 0.25 and agree[1, 1] == 0.0
    with pytest.raises(ValueError, match="read_w"):
        read_write_agreement(priority, read_w[:, :-7], write_w[:, :-7])
    with pytest.raises(ValueError, match="priority"):
        read_write_agreement(priority[0], read_w, write_w)


def test_shared_rows_matches_a_loop():
    g = torch.Generator().manual_seed(3)
    priority = torch.rand(6, 7, generator=g, dtype=torch.float64) * 2 - 1
    write_w = torch.rand(6, 7, 4, generator=g, dtype=torch.float64)  # 4 rows: collisions are common
    got = shared_rows(priority, write_w, 5)
    for b in range(6):
        rows = write_w[b].argmax(-1).tolist()
        order = sorted(range(7), key=lambda k: -float(priority[b, k]))[:5]
        assert got[b].tolist() == [rows.count(rows[k]) > 1 for k in order]


def test_shared_rows_is_false_for_distinct_rows_and_true_for_one_row():
    priority = torch.tensor([[0.3, -0.5, 0.9]])
    distinct = torch.eye(3).unsqueeze(0)  # input k on row k
    assert not shared_rows(priority, distinct, 3).any()
    same = torch.zeros(1, 3, 3)
    same[..., 1] = 1
    assert shared_rows(priority, same, 2).all()


@pytest.mark.parametrize("rows", [8, 128])
def test_even_address_collisions_match_the_closed_form_over_all_inputs(rows):
    # Over all K inputs (outputs = items), an input is alone with probability (1 - 1/rows)^(K - 1).
    got = even_address_collisions(rows, items=20, outputs=20, samples=20_000)
    want = (1 - 1 / rows) ** 19
    assert abs(got["alone"] - want) < 0.01
    # ... and the last write to a row is read back, one per row used: E[rows used] / K.
    assert abs(got["readable"] - rows * (1 - (1 - 1 / rows) ** 20) / 20) < 0.01
    assert even_address_collisions(1, items=3, outputs=2)["alone"] == 0.0
    # one row: only the last input is readable, and it is an answer a third of the time (3 items, 1 answer)
    assert abs(even_address_collisions(1, items=3, outputs=1)["readable"] - 1 / 3) < 0.01
    assert even_address_collisions(10_000, items=20, outputs=16)["sequences_apart"] > 0.9


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: shared_rows(torch.zeros(2, 3), torch.zeros(2, 4, 5), 2), "priority, write_w"),
        (lambda: shared_rows(torch.zeros(2, 3), torch.zeros(2, 3), 2), "priority, write_w"),
        (lambda: shared_rows(torch.zeros(2, 3), torch.zeros(2, 3, 5), 4), "outputs"),
        (lambda: shared_rows(torch.zeros(2, 3), torch.zeros(2, 3, 5), True), "outputs"),
        (lambda: even_address_collisions(0), "rows"),
        (lambda: even_address_collisions(8, items=4, outputs=5), "outputs"),
        (lambda: even_address_collisions(8, samples=2.5), "samples"),
    ],
)
def test_collision_helpers_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_answer_errors_sum_to_the_bit_errors_and_reject_a_bad_shape():
    task = PrioritySortTask(items=5, outputs=3)
    batch = task.sample(4, torch.Generator().manual_seed(1))
    logits = torch.randn(batch.y.shape, generator=torch.Generator().manual_seed(2))
    per_answer = answer_errors(logits, batch)
    assert per_answer.shape == (4, 3)
    assert torch.equal(per_answer.sum(-1), bit_errors(logits, batch))
    with pytest.raises(ValueError, match="logits"):
        answer_errors(logits[:, 1:], batch)


def test_main_writes_picks_the_head_with_the_highest_peaks_and_keeps_a_dnc_head():
    write_w = torch.full((2, 5, 3, 4), 0.25)  # [B, T, H_w, N], heads 0 and 2 flat
    write_w[:, :, 1] = torch.tensor([0.7, 0.1, 0.1, 0.1])
    assert torch.equal(main_writes(write_w, 3), write_w[:, :3, 1])
    dnc = torch.rand(2, 5, 4)
    assert torch.equal(main_writes(dnc, 4), dnc[:, :4])
    with pytest.raises(ValueError, match="items"):
        main_writes(dnc, 6)


def test_write_spread_counts_rows_across_the_wrap_around():
    rows = torch.tensor([[126, 127, 0, 0, 2], [5, 5, 5, 5, 5]])
    spread = write_spread(torch.nn.functional.one_hot(rows, 128).float())
    assert spread["distinct"].tolist() == [4, 1] and spread["span"].tolist() == [5, 1]
    with pytest.raises(ValueError, match="write_w"):
        write_spread(torch.zeros(2, 5))


def test_priority_gaps_take_the_nearest_neighbour_in_priority_order():
    priority = torch.tensor([[0.5, -0.9, 0.45, 0.0], [1.0, 0.2, 0.4, 0.3]], dtype=torch.float64)
    gaps = priority_gaps(priority, 3)
    # sorted: 0.5, 0.45, 0.0, -0.9 -> answers' gaps 0.05, 0.05, 0.45 (the unanswered -0.9 counts)
    # sorted: 1.0, 0.4, 0.3, 0.2   -> 0.6, 0.1, 0.1
    torch.testing.assert_close(gaps, torch.tensor([[0.05, 0.05, 0.45], [0.6, 0.1, 0.1]], dtype=torch.float64))
    every = priority_gaps(priority, 4)  # every input answered: the last has only the one above
    torch.testing.assert_close(every[:, -1], torch.tensor([0.9, 0.1], dtype=torch.float64))
    with pytest.raises(ValueError, match="priority"):
        priority_gaps(priority[0], 2)
    with pytest.raises(ValueError, match="outputs"):
        priority_gaps(priority, 5)


def test_share_right_by_gap_counts_each_band():
    gaps = torch.tensor([[0.005, 0.02, 0.5], [0.03, 0.2, 0.008]])
    right = torch.tensor([[False, True, True], [True, True, True]])
    bands = share_right_by_gap(gaps, right, [0, 0.01, 0.1, 1])
    assert [(b["answers"], b["share_right"]) for b in bands] == [(2, 0.5), (2, 1.0), (2, 1.0)]
    empty = share_right_by_gap(gaps, right, [1, 2])[0]
    assert empty["answers"] == 0 and empty["share_right"] != empty["share_right"]  # NaN
    with pytest.raises(ValueError, match="edges"):
        share_right_by_gap(gaps, right, [0.1, 0.1])
    with pytest.raises(ValueError, match="gaps, right"):
        share_right_by_gap(gaps, right[:, :2], [0, 1])


def test_rank_overlap_follows_the_inputs_by_priority_wherever_they_were_written():
    B, K, N = 2, 4, 6
    priority = torch.tensor([[0.1, 0.9, -0.5, 0.4], [0.3, 0.2, 0.8, -0.1]], dtype=torch.float64)
    rows = torch.tensor([[5, 0, 2, 3], [1, 4, 0, 2]])  # where each input was written
    writes = torch.nn.functional.one_hot(rows, N).double()  # [B, K, N]
    order = priority.argsort(1, descending=True)
    sorted_rows = rows.gather(1, order)  # a reader that visits the inputs in priority order
    reads = torch.nn.functional.one_hot(sorted_rows, N).double()[:, :, None]  # [B, S=K, 1, N]
    reads = torch.cat([reads, reads.flip(1)], 2)  # head 1 visits them lowest first
    got = rank_overlap(priority, reads, writes)
    assert got.shape == (B, 2, K, K)
    torch.testing.assert_close(got[:, 0], torch.eye(K, dtype=torch.float64).expand(B, K, K))
    torch.testing.assert_close(got[:, 1], torch.eye(K, dtype=torch.float64).flip(0).expand(B, K, K))
    with pytest.raises(ValueError, match="read_w"):
        rank_overlap(priority, reads[..., :5], writes)
    with pytest.raises(ValueError, match="priority, write_w"):
        rank_overlap(priority, reads, writes[:, :3])
