"""The DNC's memory-management equations (Graves et al., Nature 538, 2016, Methods), one function each.

One write head and ``R`` read heads, batch first like the NTM's API. Shapes: memory ``[B, N, W]``
(``W`` is the NTM's ``M``); a write-side vector ``[B, N]`` (usage, retention, allocation, write
weighting, precedence); read-side weightings ``[B, R, N]``; the link matrix ``[B, N, N]``; a scalar
per head carries a trailing 1 (``[B, R, 1]``, ``[B, 1]``). The Methods number only the allocation
(eq. 1) and the write weighting (eq. 2); the other equations are cited by their Methods section.

Content lookup is the NTM's Eq. 5-6 (:func:`ntm_minimal.addressing.content_weighting`, the same
softmax of key strength times cosine similarity as the DNC's ``C(M, k, β)``) and the memory write
is the NTM's Eq. 3-4 (:func:`ntm_minimal.memory.write`, the DNC's
``M_t = M_{t-1} ∘ (E - w eᵀ) + w vᵀ``); they are re-exported here so the whole DNC step reads from
one module. Each function here checks its arguments and calls its unchecked kernel in
:mod:`ntm_minimal.dnc.kernels`, which the model uses inside its loop over time.

Deviations from the paper, all for numerical safety:

* allocation clamps usages to ``[ALLOC_EPS, 1]`` before the cumulative product (as deepmind/dnc);
* the sort's permutation gets no gradient, only the sorted values (the paper: "we ignore these
  discontinuities");
* the model (not :func:`usage`) may stop the gradient from usage into the previous write weighting
  (``DNC(detach_usage=True)``, as deepmind/dnc and Csordás & Schmidhuber's code); the equation itself
  is the paper's and fully differentiable.

Two of Csordás & Schmidhuber's (ICLR 2019) fixes are here as optional equations, off in the
paper's DNC: :func:`masked_content_weighting` (their key-value masking, "M") and
:func:`sharpen_links` (their link distribution sharpness control, "S"); the third, de-allocation
("D"), is one line in the model (``DNC(dealloc_content=True)``).
"""

from __future__ import annotations

import torch

from ..addressing import content_weighting
from ..memory import read, write
from ..validation import check_last, check_range, check_tensor
from . import kernels
from .kernels import ALLOC_EPS, SHARPNESS_EPS

__all__ = [
    "ALLOC_EPS",
    "SHARPNESS_EPS",
    "allocation",
    "content_weighting",
    "directional_weightings",
    "link",
    "masked_content_weighting",
    "precedence",
    "read",
    "read_weighting",
    "retention",
    "sharpen_links",
    "usage",
    "write",
    "write_weighting",
]


# ---------------------------------------------------------------- checks


def _check_write_vector(name: str, x: object, like: torch.Tensor | None = None) -> torch.Tensor:
    """A ``[B, N]`` tensor; with ``like``, of the same shape as ``like``."""
    if like is None:
        check_tensor(name, x, "[B, N]")
        if x.dim() != 2 or 0 in x.shape:
            raise ValueError(f"{name}: expected shape [B, N] with B, N >= 1, got {list(x.shape)}")
        return x
    b, n = like.shape
    return check_last(name, x, n, "N", lead=(b,))


def _check_read_weights(name: str, w: object, b: int, n: int) -> torch.Tensor:
    check_tensor(name, w, f"[B={b}, R, N={n}]")
    if w.dim() != 3 or w.shape[0] != b or w.shape[-1] != n or w.shape[1] == 0:
        raise ValueError(f"{name}: expected shape [B={b}, R, N={n}] with R >= 1, got {list(w.shape)}")
    return w


def _check_weighting_values(name: str, w: torch.Tensor, tol: float = 1e-6) -> None:
    """Entries in ``[0, 1]`` summing to at most 1 over the last dim."""
    check_range(name, w, 0.0, 1.0)
    total = float(w.detach().sum(dim=-1).max())
    if total > 1 + tol:
        raise ValueError(f"{name}: each weighting must sum to <= 1, got a sum of {total:.6g}")


def _check_link(name: str, link_t: object, b: int, n: int) -> torch.Tensor:
    check_tensor(name, link_t, f"[B={b}, N={n}, N={n}]")
    if tuple(link_t.shape) != (b, n, n):
        raise ValueError(f"{name}: expected shape [B={b}, N={n}, N={n}], got {list(link_t.shape)}")
    check_range(name, link_t, 0.0, 1.0)
    return link_t


# ---------------------------------------------------------------- public API


def retention(free_gates: torch.Tensor, w_read_prev: torch.Tensor) -> torch.Tensor:
    """Memory retention vector (Methods, "Dynamic memory allocation"):
    ``ψ_t = ∏_{i=1..R} (1 - f^i_t w^{r,i}_{t-1})``.

    Row ``n`` is kept (ψ = 1) unless a read head that read it last step now frees it (free gate
    ``f^i`` near 1).

    Args:
        free_gates: ``[B, R, 1]``, one free gate in ``[0, 1]`` per read head.
        w_read_prev: ``[B, R, N]``, the read weightings of the previous step.

    Returns:
        ``ψ_t`` ``[B, N]``, entries in ``[0, 1]``.
    """
    check_tensor("w_read_prev", w_read_prev, "[B, R, N]")
    if w_read_prev.dim() != 3 or 0 in w_read_prev.shape:
        raise ValueError(f"w_read_prev: expected shape [B, R, N] with B, R, N >= 1, got {list(w_read_prev.shape)}")
    b, r, n = w_read_prev.shape
    _check_weighting_values("w_read_prev", w_read_prev)
    check_last("free_gates", free_gates, 1, "1", lead=(b, r))
    check_range("free_gates", free_gates, 0.0, 1.0)
    return kernels.retention(free_gates, w_read_prev)


def usage(u_prev: torch.Tensor, w_write_prev: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
    """Usage vector (Methods, "Dynamic memory allocation"):
    ``u_t = (u_{t-1} + w^w_{t-1} - u_{t-1} ∘ w^w_{t-1}) ∘ ψ_t``, with ``u_0 = 0``.

    Writing raises a row's usage towards 1 (a soft OR of "was used" and "was just written"); the
    retention ``ψ_t`` of :func:`retention` lowers it again. Note the *previous* write weighting:
    this step's write has not been chosen yet, it depends on ``u_t`` through the allocation.
    Differentiable in every argument; ``DNC(detach_usage=True)`` stops the gradient into
    ``w_write_prev`` at the call site instead (deepmind/dnc does so).

    Args:
        u_prev: ``[B, N]``, entries in ``[0, 1]``.
        w_write_prev: ``[B, N]``, the previous write weighting (entries ``[0, 1]``, sum ``<= 1``).
        psi: ``[B, N]``, the retention vector, entries in ``[0, 1]``.

    Returns:
        ``u_t`` ``[B, N]``, entries in ``[0, 1]``.
    """
    _check_write_vector("u_prev", u_prev)
    check_range("u_prev", u_prev, 0.0, 1.0)
    _check_write_vector("w_write_prev", w_write_prev, u_prev)
    _check_weighting_values("w_write_prev", w_write_prev)
    _check_write_vector("psi", psi, u_prev)
    check_range("psi", psi, 0.0, 1.0)
    return kernels.usage(u_prev, w_write_prev, psi)


def allocation(u: torch.Tensor) -> torch.Tensor:
    """Allocation weighting (Methods eq. 1):
    ``a_t[φ_t[j]] = (1 - u_t[φ_t[j]]) ∏_{i<j} u_t[φ_t[i]]``, ``φ_t`` the rows by ascending usage.

    The least used row gets ``1 - u``, the next what is left of that times its own non-usage, and
    so on: a weighting (sum ``= 1 - ∏ u <= 1``) that is 0 everywhere when every usage is 1.

    Computed batched: a stable ascending sort (the free list), an exclusive cumulative product of
    the sorted usages, then a scatter back to row order. Deviations: usages are first mapped to
    ``ALLOC_EPS + (1 - ALLOC_EPS) u`` (deepmind/dnc), so zero usages never enter the product; the
    gradient flows through the sorted *values* only, the permutation is treated as a constant
    (the paper ignores the sort's discontinuities in the same way).

    Args:
        u: ``[B, N]``, usages in ``[0, 1]``.

    Returns:
        ``a_t`` ``[B, N]``, entries in ``[0, 1]``, sum ``<= 1``.
    """
    _check_write_vector("u", u)
    check_range("u", u, 0.0, 1.0)
    return kernels.allocation(u)


def write_weighting(
    alloc: torch.Tensor, w_content: torch.Tensor, g_alloc: torch.Tensor, g_write: torch.Tensor
) -> torch.Tensor:
    """Write weighting (Methods eq. 2): ``w^w_t = g^w_t [g^a_t a_t + (1 - g^a_t) c^w_t]``.

    The allocation gate ``g^a`` chooses between fresh rows (``a_t``, :func:`allocation`) and the
    content lookup ``c^w_t = C(M_{t-1}, k^w_t, β^w_t)``; the write gate ``g^w`` may skip the write.

    Args:
        alloc: ``[B, N]``, the allocation weighting.
        w_content: ``[B, N]``, the write head's content weighting (on the previous memory).
        g_alloc, g_write: ``[B, 1]``, gates in ``[0, 1]``.

    Returns:
        ``w^w_t`` ``[B, N]``, entries in ``[0, 1]``, sum ``<= 1``.
    """
    _check_write_vector("alloc", alloc)
    _check_weighting_values("alloc", alloc)
    _check_write_vector("w_content", w_content, alloc)
    _check_weighting_values("w_content", w_content)
    for name, gate in (("g_alloc", g_alloc), ("g_write", g_write)):
        check_last(name, gate, 1, "1", lead=(alloc.shape[0],))
        check_range(name, gate, 0.0, 1.0)
    return kernels.write_weighting(alloc, w_content, g_alloc, g_write)


def precedence(p_prev: torch.Tensor, w_write: torch.Tensor) -> torch.Tensor:
    """Precedence weighting (Methods, "Temporal memory linkage"):
    ``p_t = (1 - Σ_i w^w_t[i]) p_{t-1} + w^w_t``, with ``p_0 = 0``.

    Where the last write went: a full write (sum 1) replaces ``p``, no write keeps it.

    Args:
        p_prev: ``[B, N]``, entries in ``[0, 1]``, sum ``<= 1``.
        w_write: ``[B, N]``, this step's write weighting.

    Returns:
        ``p_t`` ``[B, N]``, entries in ``[0, 1]``, sum ``<= 1``.
    """
    _check_write_vector("p_prev", p_prev)
    _check_weighting_values("p_prev", p_prev)
    _check_write_vector("w_write", w_write, p_prev)
    _check_weighting_values("w_write", w_write)
    return kernels.precedence(p_prev, w_write)


def link(link_prev: torch.Tensor, p_prev: torch.Tensor, w_write: torch.Tensor) -> torch.Tensor:
    """Temporal link matrix (Methods, "Temporal memory linkage"):
    ``L_t[i, j] = (1 - w^w_t[i] - w^w_t[j]) L_{t-1}[i, j] + w^w_t[i] p_{t-1}[j]``, ``L_t[i, i] = 0``.

    ``L[i, j]`` is the degree to which row ``i`` was written right after row ``j``. It uses the
    precedence *before* this step's write (``p_{t-1}``); rows and columns each sum to at most 1.
    Batched as a broadcast outer sum and product, the diagonal removed by a ``1 - I`` mask. Dense:
    ``O(N²)`` time and memory per step (the paper's sparse variant is not implemented).

    Args:
        link_prev: ``[B, N, N]``, entries in ``[0, 1]``.
        p_prev: ``[B, N]``, the previous precedence weighting.
        w_write: ``[B, N]``, this step's write weighting.

    Returns:
        ``L_t`` ``[B, N, N]``.
    """
    _check_write_vector("p_prev", p_prev)
    _check_weighting_values("p_prev", p_prev)
    _check_write_vector("w_write", w_write, p_prev)
    _check_weighting_values("w_write", w_write)
    _check_link("link_prev", link_prev, *p_prev.shape)
    return kernels.link(link_prev, p_prev, w_write)


def directional_weightings(link_t: torch.Tensor, w_read_prev: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward and backward weightings (Methods, "Temporal memory linkage"):
    ``f^i_t = L_t w^{r,i}_{t-1}`` and ``b^i_t = L_tᵀ w^{r,i}_{t-1}``.

    Forward moves each read head to the rows written right *after* the ones it read; backward to
    the ones written right before.

    Args:
        link_t: ``[B, N, N]``, this step's link matrix.
        w_read_prev: ``[B, R, N]``, the previous read weightings.

    Returns:
        ``(forward, backward)``, each ``[B, R, N]``, entries ``>= 0`` with sum ``<= 1``.
    """
    check_tensor("link_t", link_t, "[B, N, N]")
    if link_t.dim() != 3 or link_t.shape[1] != link_t.shape[2] or 0 in link_t.shape:
        raise ValueError(f"link_t: expected shape [B, N, N] with B, N >= 1, got {list(link_t.shape)}")
    b, n, _ = link_t.shape
    check_range("link_t", link_t, 0.0, 1.0)
    _check_read_weights("w_read_prev", w_read_prev, b, n)
    _check_weighting_values("w_read_prev", w_read_prev)
    return kernels.directional_weightings(link_t, w_read_prev)


def read_weighting(
    backward: torch.Tensor, content: torch.Tensor, forward: torch.Tensor, modes: torch.Tensor
) -> torch.Tensor:
    """Read weighting (Methods, "Temporal memory linkage"):
    ``w^{r,i}_t = π^i_t[1] b^i_t + π^i_t[2] c^{r,i}_t + π^i_t[3] f^i_t``.

    Each read head mixes three ways to address: back along the write order, by content
    (``c^{r,i}_t = C(M_t, k^{r,i}_t, β^{r,i}_t)``, on the memory *after* this step's write), and
    forward along the write order.

    Args:
        backward, content, forward: ``[B, R, N]`` each.
        modes: ``[B, R, 3]``, the read modes ``π`` (a distribution) in the paper's order:
            backward, content, forward.

    Returns:
        ``w^r_t`` ``[B, R, N]``.
    """
    check_tensor("content", content, "[B, R, N]")
    if content.dim() != 3 or 0 in content.shape:
        raise ValueError(f"content: expected shape [B, R, N] with B, R, N >= 1, got {list(content.shape)}")
    b, r, n = content.shape
    for name, w in (("backward", backward), ("content", content), ("forward", forward)):
        check_last(name, w, n, "N", lead=(b, r))
        _check_weighting_values(name, w)
    check_last("modes", modes, 3, "3", lead=(b, r))
    check_range("modes", modes, 0.0, 1.0)
    total = modes.detach().sum(dim=-1)
    if bool(((total - 1).abs() > 1e-5).any()):
        raise ValueError(
            f"modes: each [backward, content, forward] triple must sum to 1, got sums in "
            f"[{float(total.min()):.6g}, {float(total.max()):.6g}]"
        )
    return kernels.read_weighting(backward, content, forward, modes)


def masked_content_weighting(
    key: torch.Tensor, beta: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Masked content lookup (Csordás & Schmidhuber, ICLR 2019, "memory masking"; off in the paper's
    DNC): ``C(M, k, β, m)[i] = softmax_i(β · cos(k ∘ m, M[i] ∘ m))``.

    The NTM's Eq. 5-6 (the DNC's ``C(M, k, β)``) compares the key with the whole word, so a word that
    holds a tag and a value can only be found by both. A mask ``m ∈ [0, 1]^W`` per head lets the
    controller look up by part of the word: the tag alone, say, whatever value sits beside it. A
    constant mask changes nothing (the cosine ignores scale, up to the smoothing ``ε`` of its norms),
    so ``m = 1`` gives :func:`content_weighting`. The masked rows are never built: the dot products and norms
    are each one batched matrix product.

    Args:
        key: ``[B, *H, W]``, one key per head.
        beta: ``[B, *H, 1]``, key strengths ``>= 0``.
        memory: ``[B, N, W]``.
        mask: ``[B, *H, W]``, entries in ``[0, 1]`` (the model squashes with a sigmoid).

    Returns:
        ``[B, *H, N]``, a distribution over rows per head.
    """
    check_tensor("memory", memory, "[B, N, W]")
    if memory.dim() != 3 or 0 in memory.shape:
        raise ValueError(f"memory: expected shape [B, N, W] with B, N, W >= 1, got {list(memory.shape)}")
    b, n, w = memory.shape
    check_tensor("key", key, f"[B={b}, *H, W={w}]")
    if key.dim() < 2 or key.shape[0] != b or key.shape[-1] != w:
        raise ValueError(f"key: expected shape [B={b}, *H, W={w}], got {list(key.shape)}")
    lead = tuple(key.shape[:-1])
    check_last("beta", beta, 1, "1", lead=lead)
    check_range("beta", beta, 0.0)
    check_last("mask", mask, w, "W", lead=lead)
    check_range("mask", mask, 0.0, 1.0)
    return kernels.masked_content_weighting(key, beta, memory, mask)


def sharpen_links(d: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Link distribution sharpness control (Csordás & Schmidhuber, ICLR 2019; off in the paper's DNC):
    ``S(d, s)[i] = ((d_i + ε) / max_j(d_j + ε))^s / Σ_k ((d_k + ε) / max_j(d_j + ε))^s``.

    A forward weighting ``L w`` inherits every small weight the link matrix has collected, and a chain
    of forward reads blurs it further at each step. Raising it to a learned power ``s >= 1`` and
    renormalising (the NTM's sharpening, Eq. 9, applied to :func:`directional_weightings`) keeps the
    chain on one row. Unlike ``L w`` the result always sums to 1: where ``L w`` is all zero (past the
    last write) it becomes uniform, and the controller must then read by content instead. Computed as
    ``softmax(s log(d + ε))`` with ``ε =`` :data:`SHARPNESS_EPS`.

    Args:
        d: ``[B, R, N]``, a forward or backward weighting (entries ``>= 0``).
        s: ``[B, R, 1]``, the sharpness per read head, ``>= 1`` (``oneplus`` of the interface).

    Returns:
        ``[B, R, N]``, a distribution over rows per head.
    """
    check_tensor("d", d, "[B, R, N]")
    if d.dim() != 3 or 0 in d.shape:
        raise ValueError(f"d: expected shape [B, R, N] with B, R, N >= 1, got {list(d.shape)}")
    check_range("d", d, 0.0)
    check_last("s", s, 1, "1", lead=tuple(d.shape[:2]))
    check_range("s", s, 0.0)
    return kernels.sharpen_links(d, s)
