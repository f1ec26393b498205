"""Shared fixtures: seeded random inputs in the shapes the package uses.

Every test gets its own seeded generator, so results do not depend on which tests ran before.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

#: Leading shapes ``[B, *H]`` used throughout: no head dim, one head dim, two head dims.
LEADS = [(2,), (1,), (3, 2), (2, 1), (2, 2, 3)]
#: ``(N, M)`` pairs, including a single row and a single column.
SIZES = [(5, 3), (1, 1), (7, 4), (4, 6)]

#: Per dtype: tolerances against the float64 oracle.
TOL = {torch.float64: dict(rtol=1e-10, atol=1e-12), torch.float32: dict(rtol=1e-4, atol=2e-5)}


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


class Rand:
    """Random tensors of a given dtype from a seeded generator."""

    def __init__(self, seed: int, dtype: torch.dtype = torch.float64):
        self.gen = torch.Generator().manual_seed(seed)
        self.dtype = dtype

    def normal(self, *shape, scale: float = 1.0) -> torch.Tensor:
        return scale * torch.randn(*shape, generator=self.gen, dtype=torch.float64).to(self.dtype)

    def unit(self, *shape, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
        """Uniform in ``[low, high]``."""
        u = torch.rand(*shape, generator=self.gen, dtype=torch.float64)
        return (low + (high - low) * u).to(self.dtype)

    def weighting(self, *shape, peak: float = 2.0) -> torch.Tensor:
        """Strictly positive, sums to 1 over the last dim."""
        return torch.softmax(peak * torch.randn(*shape, generator=self.gen, dtype=torch.float64), -1).to(self.dtype)


@pytest.fixture
def rand(request) -> Rand:
    """A :class:`Rand` seeded from the test's id (stable across runs and test orders)."""
    seed = sum(map(ord, request.node.nodeid)) % (2**31)
    return Rand(seed)


def to_np(x: torch.Tensor) -> np.ndarray:
    return x.detach().to(torch.float64).cpu().numpy()


def assert_matches(got: torch.Tensor, want: np.ndarray, dtype: torch.dtype) -> None:
    """Compare a package result with the float64 oracle at the dtype's tolerance."""
    assert got.dtype == dtype, f"result dtype {got.dtype}, expected {dtype}"
    assert tuple(got.shape) == want.shape, f"shape {tuple(got.shape)}, expected {want.shape}"
    np.testing.assert_allclose(to_np(got), want, **TOL[dtype])


def assert_weighting(w: torch.Tensor, atol: float | None = None) -> None:
    """Finite, non-negative, and summing to 1 over the last dim."""
    if atol is None:
        atol = 1e-5 if w.dtype == torch.float32 else 1e-12
    assert bool(torch.isfinite(w).all()), "weighting has NaN/inf"
    assert bool((w >= 0).all()), f"weighting has negative entries, min {w.min().item()}"
    torch.testing.assert_close(w.sum(-1), torch.ones_like(w.sum(-1)), rtol=0, atol=atol)
