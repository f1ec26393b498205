"""Shared fixtures: seeded random inputs in the shapes the package uses.

Every test gets its own seeded generator, so results do not depend on which tests ran before.
"""

from __future__ import annotations

import json

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


def tiny_cli(
    *extra: str,
    max_len: int | None = 3,
    eval_every: int = 2,
    eval_batch_size: int = 4,
    grid_length: int = 5,
    compile_flag: str | None = "--no-compile",
) -> list[str]:
    """Arguments of ``python -m ntm_minimal.train`` for a copy NTM small enough to train in a test
    (controller 8, memory 8 x 4, batches of 4), then ``extra``. ``max_len=None`` keeps the task's
    default lengths; ``compile_flag=None`` leaves compiling to the trainer's default."""
    args = ["--task", "copy"]
    if max_len is not None:
        args += ["--task-config", json.dumps({"max_len": max_len})]
    args += ["--controller-size", "8", "--memory-n", "8", "--memory-m", "4", "--batch-size", "4"]
    args += ["--eval-every", str(eval_every), "--eval-batch-size", str(eval_batch_size)]
    args += ["--eval-grid", json.dumps([{"length": grid_length}]), "--grid-batch-size", "4"]
    args += ["--no-progress", "--device", "cpu"]
    return args + ([compile_flag] if compile_flag else []) + list(extra)
