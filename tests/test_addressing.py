"""Eq. 5-9 (content, interpolation, shift, sharpening) against the NumPy oracle, semantics,
gradients and extreme values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from conftest import LEADS, SIZES, assert_matches, assert_weighting, to_np
from oracles import ntm as ref
from torch.autograd import gradcheck

from ntm_minimal import addressing

DTYPES = [torch.float64, torch.float32]


def _inputs(rand, lead, n, m, k=1):
    """Valid inputs of every addressing argument, float64, shift width ``2k+1`` (clipped to N)."""
    k = min(k, (n - 1) // 2)
    return dict(
        key=rand.normal(*lead, m),
        beta=rand.unit(*lead, 1, high=5.0),
        g=rand.unit(*lead, 1),
        s=rand.weighting(*lead, 2 * k + 1),
        gamma=rand.unit(*lead, 1, low=1.0, high=4.0),
        w_prev=rand.weighting(*lead, n),
        memory=rand.normal(lead[0], n, m),
    )


def _as(dtype, d):
    return {name: x.to(dtype) for name, x in d.items()}


# ------------------------------------------------------------------ against the oracle


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n,m", SIZES)
@pytest.mark.parametrize("lead", LEADS, ids=str)
class TestAgainstReference:
    def test_cosine_similarity(self, rand, lead, n, m, dtype):
        x = _as(dtype, _inputs(rand, lead, n, m))
        got = addressing.cosine_similarity(x["key"], x["memory"])
        assert_matches(got, ref.cosine_similarity(to_np(x["key"]), to_np(x["memory"])), dtype)

    def test_content_weighting(self, rand, lead, n, m, dtype):
        x = _as(dtype, _inputs(rand, lead, n, m))
        got = addressing.content_weighting(x["key"], x["beta"], x["memory"])
        assert_matches(got, ref.content_weighting(*map(to_np, (x["key"], x["beta"], x["memory"]))), dtype)

    def test_interpolate(self, rand, lead, n, m, dtype):
        x = _as(dtype, _inputs(rand, lead, n, m))
        w_content = rand.weighting(*lead, n).to(dtype)
        got = addressing.interpolate(w_content, x["w_prev"], x["g"])
        assert_matches(got, ref.interpolate(*map(to_np, (w_content, x["w_prev"], x["g"]))), dtype)

    def test_sharpen(self, rand, lead, n, m, dtype):
        x = _as(dtype, _inputs(rand, lead, n, m))
        got = addressing.sharpen(x["w_prev"], x["gamma"])
        assert_matches(got, ref.sharpen(to_np(x["w_prev"]), to_np(x["gamma"])), dtype)

    def test_address_stages(self, rand, lead, n, m, dtype):
        x = _as(dtype, _inputs(rand, lead, n, m))
        got = addressing.address_stages(**x)
        want = ref.address(*map(to_np, (x["key"], x["beta"], x["g"], x["s"], x["gamma"], x["w_prev"], x["memory"])))
        for stage, want_stage in zip(got, want):  # content, gated, shifted, sharpened
            assert_matches(stage, want_stage, dtype)
        assert torch.equal(addressing.address(**x), got.sharpened)


#: ``(N, k)`` with ``2k+1 <= N``, including the widest shift ``2k+1 = N`` and ``N = 1``.
SHIFTS = [(1, 0), (5, 0), (5, 1), (5, 2), (7, 3), (8, 1), (8, 3)]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n,k", SHIFTS)
@pytest.mark.parametrize("lead", LEADS, ids=str)
def test_shift_against_reference(rand, lead, n, k, dtype):
    w, s = rand.weighting(*lead, n).to(dtype), rand.weighting(*lead, 2 * k + 1).to(dtype)
    assert_matches(addressing.shift(w, s), ref.shift(to_np(w), to_np(s)), dtype)


def test_shift_is_linear_in_w(rand):
    """Eq. 8 is a circular convolution: it also applies to inputs that are not weightings."""
    w1, w2, s = rand.normal(3, 6), rand.normal(3, 6), rand.weighting(3, 3)
    torch.testing.assert_close(addressing.shift(2 * w1 - w2, s), 2 * addressing.shift(w1, s) - addressing.shift(w2, s))
    np.testing.assert_allclose(to_np(addressing.shift(w1, s)), ref.shift(to_np(w1), to_np(s)), rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ semantics


def _one_hot(n, i, lead=(2,)):
    w = torch.zeros(*lead, n, dtype=torch.float64)
    w[..., i] = 1
    return w


def _shift_one_hot(k, offset, lead=(2,)):
    """``s`` for offsets ``-k..k`` with all mass on ``offset``."""
    return _one_hot(2 * k + 1, offset + k, lead)


@pytest.mark.parametrize("n,i", [(5, 0), (5, 2), (5, 4), (8, 7), (3, 2)])
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_hot_shift_moves_focus_by_offset_with_wrap(n, i, offset):
    """Offset +1 moves the focus from row i to i+1 (N-1 wraps to 0), -1 to i-1, 0 stays."""
    got = addressing.shift(_one_hot(n, i), _shift_one_hot(1, offset))
    assert torch.equal(got, _one_hot(n, (i + offset) % n))


@pytest.mark.parametrize("k", [0, 1, 2])
def test_offset_zero_is_identity(rand, k):
    w = rand.weighting(3, 2, 7)
    assert torch.equal(addressing.shift(w, _shift_one_hot(k, 0, (3, 2))), w)


def test_shift_by_two_wraps():
    got = addressing.shift(_one_hot(6, 5), _shift_one_hot(2, 2))
    assert torch.equal(got, _one_hot(6, 1))


def test_shift_preserves_a_weighting(rand):
    assert_weighting(addressing.shift(rand.weighting(4, 9), rand.weighting(4, 5)))


def test_shift_spreads_by_s():
    """A one-hot at row 0 under s = (0.2, 0.5, 0.3) spreads to rows N-1, 0, 1."""
    s = torch.tensor([[0.2, 0.5, 0.3]], dtype=torch.float64)
    got = addressing.shift(_one_hot(5, 0, (1,)), s)
    torch.testing.assert_close(got, torch.tensor([[0.5, 0.3, 0.0, 0.0, 0.2]], dtype=torch.float64))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_sharpen_gamma_one_is_identity(rand, dtype):
    w = rand.weighting(3, 2, 6).to(dtype)
    torch.testing.assert_close(addressing.sharpen(w, torch.ones(3, 2, 1, dtype=dtype)), w)


def test_sharpen_makes_weighting_more_peaked(rand):
    w = rand.weighting(4, 6)
    out = addressing.sharpen(w, torch.full((4, 1), 3.0, dtype=torch.float64))
    assert bool((out.amax(-1) >= w.amax(-1)).all())
    assert torch.equal(out.argmax(-1), w.argmax(-1))


def test_sharpen_of_all_zero_is_uniform():
    """Documented: an all-zero shifted weighting sharpens to the uniform weighting, not NaN."""
    out = addressing.sharpen(torch.zeros(2, 4, dtype=torch.float64), torch.full((2, 1), 2.0, dtype=torch.float64))
    torch.testing.assert_close(out, torch.full((2, 4), 0.25, dtype=torch.float64))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_huge_beta_picks_the_best_matching_row(rand, dtype):
    mem = rand.normal(3, 10, 6).to(dtype)
    key = rand.normal(3, 2, 6).to(dtype)
    w = addressing.content_weighting(key, torch.full((3, 2, 1), 1e4, dtype=dtype), mem)
    best = addressing.cosine_similarity(key, mem).argmax(-1)
    assert torch.equal(w.argmax(-1), best)
    torch.testing.assert_close(w.amax(-1), torch.ones(3, 2, dtype=dtype))


def test_beta_zero_is_uniform(rand):
    w = addressing.content_weighting(rand.normal(2, 3), torch.zeros(2, 1, dtype=torch.float64), rand.normal(2, 5, 3))
    torch.testing.assert_close(w, torch.full((2, 5), 0.2, dtype=torch.float64))


def test_cosine_of_a_row_with_itself_and_its_negative(rand):
    mem = rand.normal(2, 5, 4)
    key = torch.stack([3.0 * mem[:, 2], -0.5 * mem[:, 2]], dim=1)  # scale must not matter
    sim = addressing.cosine_similarity(key, mem)
    torch.testing.assert_close(sim[:, 0, 2], torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(sim[:, 1, 2], -torch.ones(2, dtype=torch.float64))
    assert bool((sim.abs() <= 1 + 1e-12).all())


def test_cosine_of_zero_key_or_zero_row_is_zero(rand):
    mem = rand.normal(2, 4, 3)
    mem[:, 1] = 0
    sim = addressing.cosine_similarity(torch.zeros(2, 3, dtype=torch.float64), mem)
    assert torch.equal(sim, torch.zeros_like(sim))
    assert torch.equal(addressing.cosine_similarity(rand.normal(2, 3), mem)[:, 1], torch.zeros(2, dtype=torch.float64))


@pytest.mark.parametrize("gate,expect", [(1.0, "content"), (0.0, "prev")])
def test_interpolation_gate_ends(rand, gate, expect):
    wc, wp = rand.weighting(2, 3, 5), rand.weighting(2, 3, 5)
    out = addressing.interpolate(wc, wp, torch.full((2, 3, 1), gate, dtype=torch.float64))
    assert torch.equal(out, wc if expect == "content" else wp)


def test_address_without_gate_or_shift_is_sharpened_content(rand):
    """g = 1 and a "stay" shift reduce Fig. 2 to content addressing plus sharpening."""
    x = _inputs(rand, (2, 3), 6, 4)
    x["g"] = torch.ones(2, 3, 1, dtype=torch.float64)
    x["s"] = _shift_one_hot(1, 0, (2, 3))
    content = addressing.content_weighting(x["key"], x["beta"], x["memory"])
    torch.testing.assert_close(addressing.address(**x), addressing.sharpen(content, x["gamma"]))


def test_location_only_addressing_rotates_previous_focus(rand):
    """g = 0, shift +1, sharp γ: a one-hot previous focus moves one row (the copy task's loop)."""
    x = _inputs(rand, (2,), 6, 4)
    x.update(
        g=torch.zeros(2, 1, dtype=torch.float64),
        s=_shift_one_hot(1, 1),
        w_prev=_one_hot(6, 5),
        gamma=torch.full((2, 1), 50.0, dtype=torch.float64),
    )
    torch.testing.assert_close(addressing.address(**x), _one_hot(6, 0))


# ------------------------------------------------------------------ gradients


@pytest.mark.parametrize("lead", [(2,), (2, 3)], ids=str)
class TestGradcheck:
    """float64 gradcheck with inputs away from kinks (weights > 0, g in (0,1), γ > 1)."""

    def _x(self, rand, lead):
        x = _inputs(rand, lead, 5, 3)
        x["g"] = rand.unit(*lead, 1, low=0.2, high=0.8)
        x["beta"] = rand.unit(*lead, 1, low=0.5, high=3.0)
        x["gamma"] = rand.unit(*lead, 1, low=1.5, high=3.0)
        return {k: v.requires_grad_() for k, v in x.items()}

    def test_cosine_similarity(self, rand, lead):
        x = self._x(rand, lead)
        assert gradcheck(addressing.cosine_similarity, (x["key"], x["memory"]))

    def test_content_weighting(self, rand, lead):
        x = self._x(rand, lead)
        assert gradcheck(addressing.content_weighting, (x["key"], x["beta"], x["memory"]))

    def test_interpolate(self, rand, lead):
        x = self._x(rand, lead)
        wc = rand.weighting(*lead, 5).requires_grad_()
        assert gradcheck(addressing.interpolate, (wc, x["w_prev"], x["g"]))

    def test_shift(self, rand, lead):
        x = self._x(rand, lead)
        assert gradcheck(addressing.shift, (x["w_prev"], x["s"]))

    def test_sharpen(self, rand, lead):
        x = self._x(rand, lead)
        assert gradcheck(addressing.sharpen, (x["w_prev"], x["gamma"]))

    def test_address(self, rand, lead):
        x = self._x(rand, lead)
        names = ["key", "beta", "g", "s", "gamma", "w_prev", "memory"]
        assert gradcheck(addressing.address, tuple(x[k] for k in names))


# ------------------------------------------------------------------ extreme values


def _extreme_batch(dtype, n=6, m=4):
    """One batch entry per combination of memory (random / all-zero / constant), previous
    weighting (uniform / one-hot / all-zero) and key (random / zero)."""
    gen = torch.Generator().manual_seed(7)
    mems = [
        torch.randn(n, m, generator=gen, dtype=torch.float64),
        torch.zeros(n, m, dtype=torch.float64),
        torch.full((n, m), 1e-6, dtype=torch.float64),
    ]
    prevs = [torch.full((n,), 1.0 / n, dtype=torch.float64), _one_hot(n, 3, ()), torch.zeros(n, dtype=torch.float64)]
    keys = [torch.randn(m, generator=gen, dtype=torch.float64), torch.zeros(m, dtype=torch.float64)]
    combos = list(itertools.product(mems, prevs, keys))
    mem, prev, key = (torch.stack(c).to(dtype) for c in zip(*combos))
    return mem, prev, key


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("beta", [0.0, 1.0, 1e2, 1e4])
@pytest.mark.parametrize("gamma", [1.0, 10.0, 100.0])
@pytest.mark.parametrize("g", [0.0, 0.5, 1.0])
def test_extreme_addressing_stays_finite_and_normalised(dtype, beta, gamma, g):
    mem, prev, key = _extreme_batch(dtype)
    b = mem.shape[0]
    mem, key = mem.requires_grad_(), key.requires_grad_()
    full = lambda v: torch.full((b, 1), v, dtype=dtype, requires_grad=True)  # noqa: E731
    beta_t, g_t, gamma_t = full(beta), full(g), full(gamma)
    s = torch.tensor([[0.1, 0.8, 0.1]], dtype=dtype).expand(b, 3).clone().requires_grad_()
    stages = addressing.address_stages(key, beta_t, g_t, s, gamma_t, prev, mem)
    assert_weighting(stages.content)
    assert_weighting(stages.sharpened)
    # A previous weighting of all zeros is not a weighting, so gated/shifted only sum to 1 where g = 1.
    assert bool(torch.isfinite(stages.shifted).all())
    loss = (stages.sharpened * torch.linspace(-1, 1, mem.shape[1], dtype=dtype)).sum()
    grads = torch.autograd.grad(loss, (mem, key, beta_t, g_t, s, gamma_t))
    for name, grad in zip(["memory", "key", "beta", "g", "s", "gamma"], grads):
        assert bool(torch.isfinite(grad).all()), f"{name} gradient not finite"


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("gamma", [1.0, 100.0])
def test_sharpen_of_one_hot_and_tiny_weights_is_finite(dtype, gamma):
    w = torch.tensor([[1.0, 0, 0, 0], [1e-30, 1e-30, 1.0, 0], [0.25, 0.25, 0.25, 0.25]], dtype=dtype)
    w.requires_grad_()
    out = addressing.sharpen(w, torch.full((3, 1), gamma, dtype=dtype))
    assert_weighting(out)
    (grad,) = torch.autograd.grad((out * torch.arange(4, dtype=dtype)).sum(), w)
    assert bool(torch.isfinite(grad).all())
    np.testing.assert_allclose(to_np(out[0]), [1, 0, 0, 0], atol=1e-6)
