"""Reading and writing the memory matrix: Eq. 2 (read), Eq. 3 (erase) and Eq. 4 (add).

Shapes: the memory is ``[B, N, M]`` (batch, rows, row width). A weighting is ``[B, N]`` for one
head or ``[B, H, N]`` (any number of head dimensions after the batch) for several. Each function
here checks its arguments and calls its unchecked kernel in :mod:`ntm_minimal.kernels`, which the
models use in their loop over time.
"""

from __future__ import annotations

import torch

from . import kernels
from .validation import check_last, check_memory, check_range, check_tensor


def _check_weighting(w: object, memory: torch.Tensor, name: str = "w") -> torch.Tensor:
    b, n, _ = check_memory(memory)
    expected = f"[B={b}, ..., N={n}] (B and N from memory {list(memory.shape)})"
    check_tensor(name, w, expected)
    if w.dim() < 2 or w.shape[0] != b or w.shape[-1] != n:
        raise ValueError(f"{name}: expected shape {expected}, got {list(w.shape)}")
    return w


def _check_vector(name: str, v: object, w: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
    """A per-head vector (erase or add) must be ``[*w.shape[:-1], M]``."""
    return check_last(name, v, memory.shape[-1], "M", lead=tuple(w.shape[:-1]))


def read(memory: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Read from memory with weighting ``w`` (Eq. 2): ``r = sum_i w(i) M(i)``.

    Args:
        memory: ``[B, N, M]``.
        w: ``[B, N]`` or ``[B, *H, N]``; each weighting should be non-negative and sum to 1.

    Returns:
        ``[B, M]`` or ``[B, *H, M]``: one read vector per head, a convex mix of memory rows.
    """
    return kernels.read(memory, _check_weighting(w, memory))


def erase(memory: torch.Tensor, w: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """Erase (Eq. 3): ``M~(i) = M(i) * (1 - w(i) e)``, elementwise in the row.

    Args:
        memory: ``[B, N, M]``.
        w: ``[B, N]`` or ``[B, *H, N]``, the write weighting(s).
        e: ``[B, M]`` or ``[B, *H, M]``, erase vector(s) with entries in ``[0, 1]``.

    Returns:
        ``[B, N, M]``. With several heads the factors ``(1 - w_h(i) e_h)`` of all heads multiply, so
        the order of heads does not matter (the paper, section 3.2).
    """
    _check_weighting(w, memory)
    _check_vector("e", e, w, memory)
    check_range("e", e, 0.0, 1.0)
    return kernels.erase(memory, w, e)


def add(memory: torch.Tensor, w: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """Add (Eq. 4): ``M(i) = M~(i) + w(i) a``.

    Args:
        memory: ``[B, N, M]``, usually the erased memory from :func:`erase`.
        w: ``[B, N]`` or ``[B, *H, N]``.
        a: ``[B, M]`` or ``[B, *H, M]``, add vector(s).

    Returns:
        ``[B, N, M]``. With several heads the adds of all heads sum (order-free).
    """
    _check_weighting(w, memory)
    _check_vector("a", a, w, memory)
    return kernels.add(memory, w, a)


def write(memory: torch.Tensor, w: torch.Tensor, e: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """One write (Eq. 3 then Eq. 4): erase with ``e``, then add ``a``, both at weighting ``w``.

    With several write heads (``w`` ``[B, H, N]``) the paper's rule applies: all heads' erases are
    applied first (their factors multiply), then all heads' adds are summed in. Shapes as in
    :func:`erase` and :func:`add`; returns the new memory ``[B, N, M]``.
    """
    _check_weighting(w, memory)
    _check_vector("e", e, w, memory)
    _check_vector("a", a, w, memory)
    check_range("e", e, 0.0, 1.0)
    return kernels.write(memory, w, e, a)
