"""The DNC's equations (ntm_minimal.dnc.equations): against the float64 NumPy oracle, their
invariants, gradients (gradcheck), extreme inputs and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import TOL, Rand, assert_matches
from oracles import dnc as ref
from torch.autograd import gradcheck

from ntm_minimal.dnc import equations as eq
from ntm_minimal.dnc import kernels as dk

DTYPES = [torch.float64, torch.float32]
SHAPES = [(2, 1, 5), (3, 2, 7), (1, 4, 1), (2, 3, 16)]  # (B, R, N)


def _inputs(rand: Rand, b: int, r: int, n: int) -> dict[str, torch.Tensor]:
    """One consistent set of random arguments for every equation."""
    w_write = rand.weighting(b, n) * rand.unit(b, 1)  # sums to <= 1, as a gated write weighting does
    return dict(
        free_gates=rand.unit(b, r, 1),
        w_read_prev=rand.weighting(b, r, n),
        u_prev=rand.unit(b, n),
        w_write_prev=rand.weighting(b, n) * rand.unit(b, 1),
        w_write=w_write,
        u=rand.unit(b, n),
        w_content=rand.weighting(b, n),
        g_alloc=rand.unit(b, 1),
        g_write=rand.unit(b, 1),
        p_prev=rand.weighting(b, n) * rand.unit(b, 1),
        link_prev=_random_link(rand, b, n),
        modes=rand.weighting(b, r, 3),
        content=rand.weighting(b, r, n),
    )


def _random_link(rand: Rand, b: int, n: int) -> torch.Tensor:
    """A reachable link matrix: the result of a few random writes from L = 0."""
    link, p = torch.zeros(b, n, n, dtype=rand.dtype), torch.zeros(b, n, dtype=rand.dtype)
    for _ in range(4):
        w = rand.weighting(b, n, peak=3.0) * rand.unit(b, 1, low=0.5)
        link, p = dk.link(link, p, w), dk.precedence(p, w)
    return link


# ---------------------------------------------------------------- against the oracle


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_equations_match_the_oracle(shape, dtype, rand):
    rand.dtype = dtype
    a = _inputs(rand, *shape)
    psi = eq.retention(a["free_gates"], a["w_read_prev"])
    assert_matches(psi, ref.retention(a["free_gates"], a["w_read_prev"]), dtype)
    assert_matches(eq.usage(a["u_prev"], a["w_write_prev"], psi), ref.usage(a["u_prev"], a["w_write_prev"], psi), dtype)
    alloc = eq.allocation(a["u"])
    assert_matches(alloc, ref.allocation(a["u"]), dtype)
    assert_matches(
        eq.write_weighting(alloc, a["w_content"], a["g_alloc"], a["g_write"]),
        ref.write_weighting(alloc, a["w_content"], a["g_alloc"], a["g_write"]),
        dtype,
    )
    assert_matches(eq.precedence(a["p_prev"], a["w_write"]), ref.precedence(a["p_prev"], a["w_write"]), dtype)
    link = eq.link(a["link_prev"], a["p_prev"], a["w_write"])
    assert_matches(link, ref.link(a["link_prev"], a["p_prev"], a["w_write"]), dtype)
    fwd, bwd = eq.directional_weightings(link, a["w_read_prev"])
    want_f, want_b = ref.directional_weightings(link, a["w_read_prev"])
    assert_matches(fwd, want_f, dtype)
    assert_matches(bwd, want_b, dtype)
    assert_matches(
        eq.read_weighting(bwd, a["content"], fwd, a["modes"]),
        ref.read_weighting(bwd, a["content"], fwd, a["modes"]),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_allocation_with_ties_and_extremes_matches_the_oracle(dtype):
    u = torch.tensor(
        [[0.0, 0.0, 0.0, 0.0], [1.0, 0.3, 0.3, 0.0], [1.0, 1.0, 1.0, 1.0], [0.5, 1e-9, 1.0, 1e-9]], dtype=dtype
    )
    assert_matches(eq.allocation(u), ref.allocation(u), dtype)


# ---------------------------------------------------------------- invariants


def _run_memory(rand: Rand, b: int, r: int, n: int, steps: int):
    """Random gates and lookups through the usage, allocation, write, precedence and link updates."""
    u, p = torch.zeros(b, n, dtype=rand.dtype), torch.zeros(b, n, dtype=rand.dtype)
    link, w_write = torch.zeros(b, n, n, dtype=rand.dtype), torch.zeros(b, n, dtype=rand.dtype)
    w_read = torch.zeros(b, r, n, dtype=rand.dtype)
    for _ in range(steps):
        u = eq.usage(u, w_write, eq.retention(rand.unit(b, r, 1), w_read))
        alloc = eq.allocation(u)
        w_write = eq.write_weighting(alloc, rand.weighting(b, n, peak=4.0), rand.unit(b, 1), rand.unit(b, 1))
        link, p = eq.link(link, p, w_write), eq.precedence(p, w_write)
        fwd, bwd = eq.directional_weightings(link, w_read)
        w_read = eq.read_weighting(bwd, rand.weighting(b, r, n, peak=4.0), fwd, rand.weighting(b, r, 3))
        yield dict(u=u, alloc=alloc, w_write=w_write, p=p, link=link, fwd=fwd, bwd=bwd, w_read=w_read)


def _sums_at_most_one(x: torch.Tensor, dim: int = -1, tol: float = 1e-12) -> bool:
    return bool((x >= 0).all()) and bool((x.sum(dim) <= 1 + tol).all())


@pytest.mark.parametrize("shape", [(3, 2, 6), (2, 1, 1), (2, 4, 12)], ids=str)
def test_invariants_hold_over_many_steps(shape, rand):
    for s in _run_memory(rand, *shape, steps=25):
        assert bool((s["u"] >= 0).all()) and bool((s["u"] <= 1).all()), "usage left [0, 1]"
        for name in ("alloc", "w_write", "p", "fwd", "bwd", "w_read"):
            assert _sums_at_most_one(s[name]), f"{name} is not a sub-distribution"
        assert _sums_at_most_one(s["link"], dim=-1) and _sums_at_most_one(s["link"], dim=-2), "link rows/cols"
        assert bool((torch.diagonal(s["link"], dim1=-2, dim2=-1) == 0).all()), "link diagonal not zero"


def test_allocation_sum_and_full_memory(rand):
    u = rand.unit(4, 9)
    clamped = ref.ALLOC_EPS + (1 - ref.ALLOC_EPS) * u
    torch.testing.assert_close(eq.allocation(u).sum(-1), 1 - clamped.prod(-1), **TOL[torch.float64])
    full = torch.ones(3, 9, requires_grad=True)
    alloc = eq.allocation(full)
    assert bool((alloc == 0).all()), "a full memory must allocate nothing"
    alloc.sum().backward()
    assert bool(torch.isfinite(full.grad).all())


def test_allocation_prefers_the_least_used_row():
    u = torch.tensor([[0.9, 0.2, 0.5, 0.95]])
    alloc = eq.allocation(u)
    assert int(alloc.argmax()) == 1
    assert alloc[0, 1] > alloc[0, 2] > alloc[0, 0] > alloc[0, 3]


def test_full_allocating_writes_use_distinct_rows():
    """g^a = g^w = 1 on a fresh memory: each write lands on a row not written before. (Not
    necessarily in row order: each write leaks a tiny weight into the next rows of the free list,
    so the rows furthest down it are the least used.)"""
    b, n = 1, 5
    u, w_write = torch.zeros(b, n), torch.zeros(b, n)
    rows = []
    for _ in range(n):
        u = eq.usage(u, w_write, torch.ones(b, n))
        w_write = eq.write_weighting(eq.allocation(u), torch.full((b, n), 1 / n), torch.ones(b, 1), torch.ones(b, 1))
        rows.append(int(w_write.argmax()))
        assert float(w_write.max()) > 0.99
    assert rows[0] == 0 and sorted(rows) == list(range(n))


def test_freed_rows_are_allocated_again():
    """Reading a row with free gate 1 frees it: the next allocation goes there."""
    u = torch.tensor([[1.0, 1.0, 1.0]])
    w_read = torch.tensor([[[0.0, 1.0, 0.0]]])
    u = eq.usage(u, torch.zeros(1, 3), eq.retention(torch.ones(1, 1, 1), w_read))
    torch.testing.assert_close(u, torch.tensor([[1.0, 0.0, 1.0]]))
    assert int(eq.allocation(u).argmax()) == 1


def test_forward_weighting_walks_the_write_order():
    """Writes to rows 3, 0, 2, 1 in turn; forward from row 3 follows that order, backward reverses it."""
    order = [3, 0, 2, 1]
    link, p = torch.zeros(1, 4, 4), torch.zeros(1, 4)
    for row in order:
        w = torch.nn.functional.one_hot(torch.tensor([row]), 4).float()
        link, p = eq.link(link, p, w), eq.precedence(p, w)
    w_read = torch.nn.functional.one_hot(torch.tensor([[order[0]]]), 4).float()
    visited = [order[0]]
    for _ in range(3):
        w_read, _ = eq.directional_weightings(link, w_read)
        visited.append(int(w_read.argmax()))
    assert visited == order
    back = torch.nn.functional.one_hot(torch.tensor([[order[-1]]]), 4).float()
    assert int(eq.directional_weightings(link, back)[1].argmax()) == order[-2]


# ---------------------------------------------------------------- gradients


def _leaf(*xs):
    return tuple(x.detach().clone().requires_grad_() for x in xs)


def test_gradcheck_every_equation(rand):
    a = _inputs(rand, 2, 3, 5)
    # distinct usages well apart, so the sort's permutation is constant under gradcheck's perturbations
    u = (torch.randperm(5, generator=rand.gen).double() + 0.5) / 6 * torch.ones(2, 1, dtype=torch.float64)
    # weightings scaled below a sum of 1, so gradcheck's perturbations stay valid arguments
    w_read, w_content, content = 0.9 * a["w_read_prev"], 0.9 * a["w_content"], 0.9 * a["content"]
    link_prev = 0.8 * a["link_prev"] + 0.01  # no entry at the bound 0
    checks = [
        (eq.retention, (a["free_gates"], w_read)),
        # no write weight at the bound 0, where a perturbation would make it an invalid argument
        (eq.usage, (a["u_prev"], 0.8 * a["w_write_prev"] + 0.01, a["w_write"].clamp(0.1, 0.9))),
        (eq.allocation, (u,)),
        (eq.write_weighting, (a["u"] / 6, w_content, a["g_alloc"], a["g_write"])),
        (eq.precedence, (a["p_prev"] * 0.9, a["w_write"] * 0.9)),
        (eq.link, (link_prev, a["p_prev"] * 0.9, a["w_write"] * 0.9)),
        (eq.directional_weightings, (link_prev, w_read)),
        (dk.read_weighting, (content, w_read, content.flip(-1), a["modes"])),  # modes must sum to 1 exactly
    ]
    for fn, args in checks:
        assert gradcheck(fn, _leaf(*args)), fn.__name__


@pytest.mark.parametrize("n", [16, 512])
def test_allocation_gradient_is_finite_for_tiny_and_full_usages(n):
    for u in (torch.zeros(2, n), torch.full((2, n), 1e-12), torch.ones(2, n), torch.rand(2, n) ** 20):
        u = u.float().requires_grad_()
        alloc = eq.allocation(u)
        (alloc * torch.arange(n)).sum().backward()
        assert bool(torch.isfinite(alloc).all()) and bool(torch.isfinite(u.grad).all())


@pytest.mark.parametrize("beta", [1.0, 1e2, 1e4])
def test_content_lookup_on_zero_memory_and_extreme_strengths(beta):
    """The DNC's lookups are the NTM's Eq. 5-6: finite values and gradients for an all-zero memory,
    a zero key and huge strengths."""
    memory = torch.zeros(2, 6, 4)
    memory[1, 3] = 1.0  # one non-zero row, as in deepmind/dnc's testDivideByZero
    key = torch.cat([torch.zeros(1, 2, 4), torch.randn(1, 2, 4)])
    memory, key, strength = _leaf(memory, key, torch.full((2, 2, 1), beta))
    w = eq.content_weighting(key, strength, memory)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 2))
    (w * torch.randn_like(w)).sum().backward()
    for name, t in (("memory", memory), ("key", key), ("strength", strength)):
        assert bool(torch.isfinite(t.grad).all()), name


# ---------------------------------------------------------------- bad arguments


def _good(b=2, r=3, n=5):
    return _inputs(Rand(0), b, r, n)


BAD = [
    (lambda a: eq.retention(a["free_gates"][:, :2], a["w_read_prev"]), "free_gates", r"\[2, 3, 1\]"),
    (lambda a: eq.retention(a["free_gates"] + 1, a["w_read_prev"]), "free_gates", "<= 1"),
    (lambda a: eq.retention(a["free_gates"], a["w_read_prev"][0]), "w_read_prev", r"\[B, R, N\]"),
    (lambda a: eq.usage(a["u_prev"], a["w_write_prev"][:, :4], a["u"]), "w_write_prev", r"\[2, N=5\]"),
    (lambda a: eq.usage(a["u_prev"] * 2 + 0.1, a["w_write_prev"], a["u"]), "u_prev", "<= 1"),
    (lambda a: eq.usage(a["u_prev"], a["w_write_prev"] * 3, a["u"]), "w_write_prev", "sum to <= 1"),
    (lambda a: eq.allocation(a["u"][0]), "u", r"\[B, N\]"),
    (lambda a: eq.allocation(-a["u"]), "u", ">= 0"),
    (
        lambda a: eq.write_weighting(a["u"] / 5, a["w_content"], a["g_alloc"][:, 0], a["g_write"]),
        "g_alloc",
        r"\[2, 1\]",
    ),
    (lambda a: eq.write_weighting(a["u"] / 5, a["w_content"].T, a["g_alloc"], a["g_write"]), "w_content", "N=5"),
    (lambda a: eq.precedence(a["p_prev"], a["w_write"] * 5), "w_write", "<= 1"),
    (lambda a: eq.precedence(a["p_prev"], torch.full((2, 5), 0.3)), "w_write", "sum to <= 1"),
    (lambda a: eq.link(a["link_prev"][:, :4], a["p_prev"], a["w_write"]), "link_prev", r"\[B=2, N=5, N=5\]"),
    (lambda a: eq.directional_weightings(a["link_prev"], a["w_read_prev"][:, :, :4]), "w_read_prev", "N=5"),
    (lambda a: eq.directional_weightings(a["link_prev"][:, :, :4], a["w_read_prev"]), "link_t", r"\[B, N, N\]"),
    (lambda a: eq.read_weighting(a["content"], a["content"], a["content"], a["modes"][..., :2]), "modes", r"3\]"),
    (lambda a: eq.read_weighting(a["content"], a["content"], a["content"], a["modes"] / 2), "modes", "sum to 1"),
    (
        lambda a: eq.read_weighting(a["content"][:, :1], a["content"], a["content"], a["modes"]),
        "backward",
        r"\[2, 3, N=5\]",
    ),
]


@pytest.mark.parametrize("call,name,message", BAD, ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD)])
def test_bad_arguments_raise_value_error_naming_them(call, name, message):
    with pytest.raises(ValueError, match=f"^{name}:.*{message}"):
        call(_good())


def test_non_tensors_and_nan_raise():
    a = _good()
    with pytest.raises(TypeError, match="^u: expected a torch.Tensor"):
        eq.allocation([[0.1, 0.2]])
    with pytest.raises(TypeError, match="^u: expected a floating-point"):
        eq.allocation(torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="^p_prev: contains NaN"):
        eq.precedence(a["p_prev"] * np.nan, a["w_write"])
