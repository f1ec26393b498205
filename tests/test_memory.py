"""Eq. 2-4 (read, erase, add, write) against the NumPy oracle, semantics and gradients."""

from __future__ import annotations

import pytest
import torch
from conftest import LEADS, SIZES, assert_matches, to_np
from oracles import ntm as ref
from torch.autograd import gradcheck

from ntm_minimal import memory

DTYPES = [torch.float64, torch.float32]


def _inputs(rand, lead, n, m, dtype):
    b = lead[0]
    mem = rand.normal(b, n, m)
    w = rand.weighting(*lead, n)
    e = rand.unit(*lead, m)
    a = rand.normal(*lead, m)
    return [x.to(dtype) for x in (mem, w, e, a)]


# ------------------------------------------------------------------ against the oracle


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n,m", SIZES)
@pytest.mark.parametrize("lead", LEADS, ids=str)
class TestAgainstReference:
    def test_read(self, rand, lead, n, m, dtype):
        mem, w, _, _ = _inputs(rand, lead, n, m, dtype)
        assert_matches(memory.read(mem, w), ref.read(to_np(mem), to_np(w)), dtype)

    def test_erase(self, rand, lead, n, m, dtype):
        mem, w, e, _ = _inputs(rand, lead, n, m, dtype)
        assert_matches(memory.erase(mem, w, e), ref.erase(to_np(mem), to_np(w), to_np(e)), dtype)

    def test_add(self, rand, lead, n, m, dtype):
        mem, w, _, a = _inputs(rand, lead, n, m, dtype)
        assert_matches(memory.add(mem, w, a), ref.add(to_np(mem), to_np(w), to_np(a)), dtype)

    def test_write(self, rand, lead, n, m, dtype):
        mem, w, e, a = _inputs(rand, lead, n, m, dtype)
        assert_matches(memory.write(mem, w, e, a), ref.write(*map(to_np, (mem, w, e, a))), dtype)


# ------------------------------------------------------------------ semantics


@pytest.mark.parametrize("row", [0, 3, 5])
def test_one_hot_read_returns_that_row(rand, row):
    mem = rand.normal(2, 6, 4)
    w = torch.zeros(2, 6, dtype=torch.float64)
    w[:, row] = 1
    assert torch.equal(memory.read(mem, w), mem[:, row])


def test_read_is_a_convex_mix_of_rows(rand):
    mem = rand.normal(3, 8, 5)
    r = memory.read(mem, rand.weighting(3, 2, 8))
    assert bool((r <= mem.amax(1, keepdim=True) + 1e-12).all())
    assert bool((r >= mem.amin(1, keepdim=True) - 1e-12).all())


@pytest.mark.parametrize("row", [0, 2, 4])
def test_full_erase_at_one_hot_zeroes_only_that_row(rand, row):
    mem = rand.normal(2, 5, 3)
    w = torch.zeros(2, 5, dtype=torch.float64)
    w[:, row] = 1
    out = memory.erase(mem, w, torch.ones(2, 3, dtype=torch.float64))
    assert torch.equal(out[:, row], torch.zeros_like(out[:, row]))
    others = [i for i in range(5) if i != row]
    assert torch.equal(out[:, others], mem[:, others])


def test_zero_erase_and_zero_add_leave_memory_unchanged(rand):
    mem, w = rand.normal(2, 5, 3), rand.weighting(2, 3, 5)
    zeros = torch.zeros(2, 3, 3, dtype=torch.float64)
    assert torch.equal(memory.erase(mem, w, zeros), mem)
    assert torch.equal(memory.add(mem, w, zeros), mem)
    assert torch.equal(memory.write(mem, w, zeros, zeros), mem)


def test_one_hot_write_replaces_the_row(rand):
    """Full erase then add at a one-hot weighting stores exactly ``a`` in that row."""
    mem, a = rand.normal(2, 5, 3), rand.normal(2, 3)
    w = torch.zeros(2, 5, dtype=torch.float64)
    w[:, 1] = 1
    out = memory.write(mem, w, torch.ones(2, 3, dtype=torch.float64), a)
    assert torch.equal(out[:, 1], a)


def test_multi_head_write_is_order_free(rand):
    """All erases first, then all adds: permuting the heads changes nothing."""
    mem, w, e, a = rand.normal(2, 6, 4), rand.weighting(2, 3, 6), rand.unit(2, 3, 4), rand.normal(2, 3, 4)
    perm = torch.tensor([2, 0, 1])
    torch.testing.assert_close(memory.write(mem, w[:, perm], e[:, perm], a[:, perm]), memory.write(mem, w, e, a))


def test_multi_head_write_differs_from_sequential_writes(rand):
    """The paper's rule is not "head 1 writes, then head 2 writes": head 2's erase must not touch
    head 1's add. Two heads on the same row with full erase keep both adds."""
    mem = rand.normal(1, 4, 3)
    w = torch.zeros(1, 2, 4, dtype=torch.float64)
    w[:, :, 2] = 1
    e = torch.ones(1, 2, 3, dtype=torch.float64)
    a = rand.normal(1, 2, 3)
    out = memory.write(mem, w, e, a)
    torch.testing.assert_close(out[:, 2], a.sum(1))


def test_single_head_write_is_erase_then_add(rand):
    mem, w, e, a = rand.normal(2, 5, 3), rand.weighting(2, 5), rand.unit(2, 3), rand.normal(2, 3)
    torch.testing.assert_close(memory.write(mem, w, e, a), memory.add(memory.erase(mem, w, e), w, a))


def test_functions_do_not_modify_inputs(rand):
    mem, w, e, a = rand.normal(2, 5, 3), rand.weighting(2, 2, 5), rand.unit(2, 2, 3), rand.normal(2, 2, 3)
    copies = [x.clone() for x in (mem, w, e, a)]
    memory.read(mem, w), memory.erase(mem, w, e), memory.add(mem, w, a), memory.write(mem, w, e, a)
    for x, c in zip((mem, w, e, a), copies):
        assert torch.equal(x, c)


# ------------------------------------------------------------------ gradients


def _grad_inputs(rand, lead):
    # e kept inside (0, 1) so the finite differences never cross the range check.
    mem = rand.normal(lead[0], 4, 3).requires_grad_()
    w = rand.weighting(*lead, 4).requires_grad_()
    e = rand.unit(*lead, 3, low=0.1, high=0.9).requires_grad_()
    a = rand.normal(*lead, 3).requires_grad_()
    return mem, w, e, a


@pytest.mark.parametrize("lead", [(2,), (2, 3)], ids=str)
class TestGradcheck:
    def test_read(self, rand, lead):
        mem, w, _, _ = _grad_inputs(rand, lead)
        assert gradcheck(memory.read, (mem, w))

    def test_erase(self, rand, lead):
        mem, w, e, _ = _grad_inputs(rand, lead)
        assert gradcheck(memory.erase, (mem, w, e))

    def test_add(self, rand, lead):
        mem, w, _, a = _grad_inputs(rand, lead)
        assert gradcheck(memory.add, (mem, w, a))

    def test_write(self, rand, lead):
        assert gradcheck(memory.write, _grad_inputs(rand, lead))
