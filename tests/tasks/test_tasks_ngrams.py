"""Dynamic N-grams: the layout, the tables, and the optimal estimator against a brute-force count."""

from __future__ import annotations

import math

import pytest
import torch

from ntm_minimal.analysis import record_overlap, same_context_read_share, same_context_records
from ntm_minimal.metrics import cost_bits
from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.ngrams import (
    NGramTask,
    batch_bits,
    context_counts,
    contexts,
    excess_bits,
    excess_by_occurrences,
    optimal_cost_bits,
    optimal_logits,
    optimal_predictions,
)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def _brute_force(bits: list[int], n: int) -> list[float]:
    """P(b_t = 1) by counting, with plain loops: (N1 + 1/2) / (N1 + N0 + 1)."""
    c = n - 1
    out = []
    for t in range(len(bits)):
        if t < c:
            out.append(0.5)
            continue
        ctx = bits[t - c : t]
        n1 = sum(1 for s in range(c, t) if bits[s - c : s] == ctx and bits[s] == 1)
        n0 = sum(1 for s in range(c, t) if bits[s - c : s] == ctx and bits[s] == 0)
        out.append((n1 + 0.5) / (n1 + n0 + 1))
    return out


def test_registered_and_layout():
    task = make_task("ngrams")
    assert isinstance(task, NGramTask) and (task.input_size, task.output_size) == (1, 1)
    batch = task.sample(4, _gen())
    assert batch.x.shape == (4, 199, 1) and batch.y.shape == (4, 199, 1)
    torch.testing.assert_close(batch.x[:, 1:], batch.y[:, :-1])  # the target is the next input
    assert batch.mask[0, :4].sum() == 0 and bool((batch.mask[:, 4:] == 1).all())  # 195 scored bits
    assert set(batch.x.unique().tolist()) <= {0.0, 1.0}
    assert batch_bits(batch).shape == (4, 200)


@pytest.mark.parametrize("n,length,seed", [(3, 40, 0), (6, 60, 1), (2, 25, 2)])
def test_estimator_matches_brute_force(n, length, seed):
    bits, _ = NGramTask(length=length, n=n).sample_bits(3, _gen(seed))
    got = optimal_predictions(bits, n)
    for b in range(3):
        want = torch.tensor(_brute_force([int(v) for v in bits[b]], n))
        torch.testing.assert_close(got[b], want)


def test_context_counts_by_hand():
    bits = torch.tensor([[0, 1, 1, 0, 1, 1, 1, 1]])  # n = 3: contexts of two bits
    n_all, n_one = context_counts(bits, 3)
    # contexts from t = 2: 01, 11, 10, 01, 11, 11; followed by 1, 0, 1, 1, 1, 1
    assert n_all.tolist() == [[0, 0, 0, 0, 0, 1, 1, 2]] and n_one.tolist() == [[0, 0, 0, 0, 0, 1, 0, 1]]


def test_excess_by_occurrences_adds_up():
    batch = NGramTask(length=60).sample(8, _gen(4))
    logits = 0.3 * torch.randn(batch.y.shape, generator=_gen(5))
    rows = excess_by_occurrences(logits, batch, edges=(0, 1, 3))
    assert [(r["low"], r["high"]) for r in rows] == [(0, 1), (1, 3), (3, None)]
    assert sum(r["steps"] for r in rows) == int(batch.mask.sum())
    per_sequence = cost_bits(logits, batch) - optimal_cost_bits(batch)
    torch.testing.assert_close(excess_bits(logits, batch).sum(1).float(), per_sequence, rtol=1e-5, atol=1e-4)
    assert bool((excess_bits(logits, batch)[batch.mask == 0] == 0).all())
    total = float(per_sequence.mean())
    assert sum(r["per_sequence"] for r in rows) == pytest.approx(total, abs=1e-4)
    occurrences = context_counts(batch_bits(batch))[0][:, 1:][batch.mask > 0]
    assert rows[0]["steps"] == int((occurrences == 0).sum()) and rows[2]["steps"] == int((occurrences >= 3).sum())
    assert all(abs(r["per_step"]) < 1e-5 for r in excess_by_occurrences(optimal_logits(batch), batch, edges=(0, 1, 3)))
    empty = excess_by_occurrences(logits, batch, edges=(0, 1000))[1]  # no context occurs 1000 times in 60 bits
    assert empty["steps"] == 0 and math.isnan(empty["per_step"]) and empty["per_sequence"] == 0
    with pytest.raises(ValueError, match="edges"):
        excess_by_occurrences(logits, batch, edges=(2, 1))
    with pytest.raises(ValueError, match="logits"):
        excess_by_occurrences(logits[:, 1:], batch)


def test_optimal_cost_is_the_metric_of_its_logits():
    batch = NGramTask(length=80).sample(16, _gen(3))
    torch.testing.assert_close(optimal_cost_bits(batch), cost_bits(optimal_logits(batch), batch), rtol=1e-5, atol=1e-4)
    # the estimator beats a fair coin (1 bit per scored step) on average
    assert optimal_cost_bits(batch).mean() < batch.mask.sum(1).mean()


def test_bits_follow_their_table():
    task = NGramTask(length=4000, n=3)
    bits, table = task.sample_bits(2, _gen(4))
    ctx = (bits[:, :-2] * 2 + bits[:, 1:-1]).long()  # context of bit t = (b_{t-2}, b_{t-1})
    nxt = bits[:, 2:]
    for b in range(2):
        for c in range(4):
            sel = ctx[b] == c
            if sel.sum() > 300:
                assert abs(float(nxt[b][sel].mean()) - float(table[b, c])) < 0.1


def test_tables_are_beta_half_half():
    table = NGramTask().tables(2000, _gen(5)).flatten()
    assert 0.0 <= float(table.min()) and float(table.max()) <= 1.0
    assert abs(float(table.mean()) - 0.5) < 0.01
    assert abs(float(table.var()) - 0.125) < 0.01  # Beta(1/2, 1/2): variance 1/8
    assert float(((table < 0.1) | (table > 0.9)).float().mean()) > 0.35  # U-shaped: ~41% in the tails


def test_seeded_and_length_override():
    task = NGramTask()
    assert torch.equal(task.sample(3, _gen(7)).x, task.sample(3, _gen(7)).x)
    assert not torch.equal(task.sample(3, _gen(7)).x, task.sample(3, _gen(8)).x)
    assert task.sample(2, _gen(), length=500).x.shape == (2, 499, 1)


def test_bad_input():
    with pytest.raises(ValueError, match="length"):
        NGramTask(length=3)
    with pytest.raises(ValueError, match="n"):
        NGramTask(n=1)
    with pytest.raises(ValueError, match="length"):
        NGramTask().sample(2, _gen(), length=2)
    with pytest.raises(ValueError, match="bits"):
        optimal_predictions(torch.zeros(5))
    with pytest.raises(ValueError, match="bits"):
        optimal_predictions(torch.full((2, 5), 0.5))


def test_short_sequences_are_all_half():
    p = optimal_predictions(torch.tensor([[1.0, 0.0, 1.0]]), n=6)
    assert torch.equal(p, torch.full((1, 3), 0.5))
    # n = 2: step 3 has context (1), seen twice before, both times followed by a 1
    p = optimal_predictions(torch.tensor([[1.0, 1.0, 1.0, 1.0]]), n=2)
    assert math.isclose(float(p[0, 3]), 2.5 / 3, rel_tol=1e-6)


def test_contexts():
    bits = torch.tensor([[1.0, 0.0, 1.0, 1.0, 0.0, 0.0]])
    # context of step t = bits t-2, t-1 read as a binary number, oldest first
    assert contexts(bits, 2).tolist() == [[-1, -1, 2, 1, 3, 2]]


def _log_model(bits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """An ideal "log and look up" memory: step s writes row s; step t reads its context's earlier records evenly."""
    B, T = bits.shape[0], bits.shape[1] - 1
    write_w = torch.eye(T).expand(B, T, T).clone()
    same = same_context_records(bits).float()
    read_w = same / same.sum(-1, keepdim=True).clamp(min=1)
    return read_w, write_w


def test_same_context_records_by_hand():
    bits = make_task("ngrams").sample_bits(2, _gen(3), length=40)[0]
    got = same_context_records(bits)
    for b in range(2):
        seq = bits[b].long().tolist()
        for t in range(39):
            for s in range(39):
                # input b_s ends context bits[s-5:s]; step t predicts b_{t+1}, context bits[t-4:t+1]
                want = 5 <= s < t and seq[s - 5 : s] == seq[t - 4 : t + 1]
                assert bool(got[b, t, s]) == want, (b, t, s)


def test_read_share_of_an_ideal_log_is_one():
    bits = make_task("ngrams").sample_bits(3, _gen(4), length=80)[0]
    read_w, write_w = _log_model(bits)
    share, chance = same_context_read_share(bits, read_w, write_w)
    defined = ~share.isnan()
    assert defined.sum() > 50
    torch.testing.assert_close(share[defined], torch.ones(int(defined.sum())))
    same = same_context_records(bits)
    records = (contexts(bits)[:, None, :-1] >= 0) & torch.ones_like(same).tril(-1)
    torch.testing.assert_close(chance[defined], (same.sum(-1) / records.sum(-1).clamp(min=1)).float()[defined])
    assert bool((chance[defined] < 1).any())
    torch.testing.assert_close(record_overlap(read_w, write_w), read_w)  # one row per step: overlap = read


@pytest.mark.parametrize("lag", [1, 3])
def test_read_share_follows_a_late_log(lag):
    """A log that stores each outcome ``lag`` steps late is found at that lag, and not at lag 0."""
    bits = make_task("ngrams").sample_bits(3, _gen(4), length=80)[0]
    B, T = bits.shape[0], bits.shape[1] - 1
    write_w = torch.eye(T).roll(lag, dims=0).expand(B, T, T).clone()  # step s + lag writes row s
    same = same_context_records(bits) & torch.ones(T, T, dtype=torch.bool).tril(-lag)
    read_w = same.float() / same.float().sum(-1, keepdim=True).clamp(min=1)
    read_w[same.sum(-1) == 0] = 1.0 / T  # nothing to find yet: read everywhere
    share, _ = same_context_read_share(bits, read_w, write_w, lag=lag)
    defined = ~share.isnan()
    assert defined.sum() > 50 and bool((share[defined] > 1 - 1e-6).all())
    assert float(same_context_read_share(bits, read_w, write_w)[0].nanmean()) < 0.5


def test_read_share_of_a_wrong_lookup_is_zero():
    bits = make_task("ngrams").sample_bits(2, _gen(5), length=60)[0]
    read_w, write_w = _log_model(bits)
    B, T, _ = read_w.shape
    first = torch.zeros(B, T, T)
    first[:, :, 0] = 1.0  # always read row 0, written at step 0, before any context exists
    share, _ = same_context_read_share(bits, first, write_w)
    assert float(share.nan_to_num(0).abs().max()) == 0.0


def test_read_share_bad_input():
    bits = make_task("ngrams").sample_bits(2, _gen(6), length=30)[0]
    read_w, write_w = _log_model(bits)
    with pytest.raises(ValueError, match="bits"):
        same_context_read_share(bits[:, :-1], read_w, write_w)
    with pytest.raises(ValueError, match="write_w"):
        same_context_read_share(bits, read_w, write_w[:, :, :5])
    for lag in (-1, 29, 1.0):
        with pytest.raises(ValueError, match="lag: expected an int in 0..28"):
            same_context_read_share(bits, read_w, write_w, lag=lag)
    with pytest.raises(ValueError, match="read_w"):
        record_overlap(read_w[0], write_w[0])
    with pytest.raises(TypeError, match="read_w"):
        record_overlap(read_w.long(), write_w)
    with pytest.raises(TypeError, match="read_w"):
        same_context_read_share(bits, read_w.tolist(), write_w)
