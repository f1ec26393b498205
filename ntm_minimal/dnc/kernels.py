"""The DNC's memory-management equations as unchecked kernels (Graves et al., Nature 538, 2016, Methods).

Each function computes exactly what its checked twin in :mod:`ntm_minimal.dnc.equations` computes,
with no argument checks: the twin documents the equation and validates its arguments, the model calls
the kernel inside its loop over time (validating its own inputs once per call), and ``torch.compile``
traces it. Shapes as in :mod:`ntm_minimal.dnc.equations`: memory ``[B, N, W]``, write-side vectors
``[B, N]``, read weightings ``[B, R, N]``, the link matrix ``[B, N, N]``.
"""

from __future__ import annotations

import torch

from ..kernels import COSINE_EPS, smooth_norm

#: Floor on usages before the allocation's cumulative product (deepmind/dnc's value): the product of
#: many tiny usages underflows to 0 instead of feeding 0/0 into the product's gradient.
ALLOC_EPS = 1e-6
#: Added to each forward/backward weight before :func:`sharpen_links` raises it to a power, so
#: ``log`` stays finite for the zero weights a link matrix is full of.
SHARPNESS_EPS = 1e-6


def retention(free_gates: torch.Tensor, w_read_prev: torch.Tensor) -> torch.Tensor:
    """Retention ``ψ = Π_i (1 - f^i w^{r,i}_{t-1})``: ``free_gates`` ``[B, R, 1]``, ``w_read_prev``
    ``[B, R, N]`` -> ``[B, N]``."""
    return torch.prod(1 - free_gates * w_read_prev, dim=1)  # product over the R read heads


def usage(u_prev: torch.Tensor, w_write_prev: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
    """Usage ``u = (u_{t-1} + w^w_{t-1} - u_{t-1} ∘ w^w_{t-1}) ∘ ψ``, all ``[B, N]``."""
    return (u_prev + w_write_prev - u_prev * w_write_prev) * psi


def allocation(u: torch.Tensor) -> torch.Tensor:
    """Allocation (eq. 1): ``a[φ_j] = (1 - u[φ_j]) Π_{i<j} u[φ_i]`` over the rows sorted by usage;
    ``[B, N]`` -> ``[B, N]``."""
    u = ALLOC_EPS + (1 - ALLOC_EPS) * u
    # Stable sort: equal usages (e.g. a fresh memory) are allocated in row order, deterministically.
    # The indices carry no gradient, the sorted values do: the paper's "ignore the discontinuities".
    sorted_u, free_list = torch.sort(u, dim=-1, stable=True)
    ones = torch.ones_like(sorted_u[..., :1])
    before = torch.cumprod(torch.cat([ones, sorted_u[..., :-1]], dim=-1), dim=-1)  # exclusive product
    return torch.zeros_like(u).scatter(-1, free_list, (1 - sorted_u) * before)


def write_weighting(alloc, w_content, g_alloc, g_write) -> torch.Tensor:
    """Write weighting (eq. 2): ``g^w (g^a a + (1 - g^a) c^w)``; gates ``[B, 1]``, weightings ``[B, N]``."""
    return g_write * (g_alloc * alloc + (1 - g_alloc) * w_content)


def precedence(p_prev: torch.Tensor, w_write: torch.Tensor) -> torch.Tensor:
    """Precedence ``p = (1 - Σ_i w^w(i)) p_{t-1} + w^w``, all ``[B, N]``."""
    return (1 - w_write.sum(dim=-1, keepdim=True)) * p_prev + w_write


def link(link_prev: torch.Tensor, p_prev: torch.Tensor, w_write: torch.Tensor) -> torch.Tensor:
    """Link matrix ``L[i, j] = (1 - w(i) - w(j)) L_{t-1}[i, j] + w(i) p_{t-1}(j)``, ``L[i, i] = 0``; ``[B, N, N]``."""
    w_i, w_j = w_write.unsqueeze(-1), w_write.unsqueeze(-2)  # [B, N, 1], [B, 1, N]
    new = (1 - w_i - w_j) * link_prev + w_i * p_prev.unsqueeze(-2)
    return new * (1 - torch.eye(new.shape[-1], dtype=new.dtype, device=new.device))  # L[i, i] = 0


def directional_weightings(link_t: torch.Tensor, w_read_prev: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward ``f = L w^r_{t-1}`` and backward ``b = Lᵀ w^r_{t-1}`` weightings, each ``[B, R, N]``."""
    # Rows of w_read_prev are the heads: f = L w per head is w @ Lᵀ, b = Lᵀ w is w @ L.
    return torch.bmm(w_read_prev, link_t.transpose(1, 2)), torch.bmm(w_read_prev, link_t)


def read_weighting(backward, content, forward, modes) -> torch.Tensor:
    """Read weighting ``π[0] b + π[1] c^r + π[2] f``; ``modes`` ``[B, R, 3]``, weightings ``[B, R, N]``."""
    return modes[..., 0:1] * backward + modes[..., 1:2] * content + modes[..., 2:3] * forward


def masked_content_weighting(key, beta, memory, mask) -> torch.Tensor:
    """Masked content lookup ``softmax_i(β cos(k ∘ m, M(i) ∘ m))`` with smoothed norms; ``key``, ``mask``
    ``[B, *H, W]``, ``beta`` ``[B, *H, 1]``, ``memory`` ``[B, N, W]`` -> ``[B, *H, N]``."""
    b, n, w = memory.shape
    k, m = key.reshape(b, -1, w), mask.reshape(b, -1, w)
    # (k ∘ m) · (M_i ∘ m) = Σ k m² M_i and |M_i ∘ m|² = Σ m² M_i²: two [B, H, W] x [B, W, N] products,
    # never the [B, H, N, W] tensor of masked rows.
    # The norms are smoothed like the NTM's (kernels.smooth_norm): sqrt(|x ∘ m|² + ε).
    dots = torch.bmm(k * m * m, memory.transpose(1, 2))
    row_norms = torch.sqrt(torch.bmm(m * m, (memory * memory).transpose(1, 2)) + COSINE_EPS)  # [B, H, N]
    norms = smooth_norm(k * m, keepdim=True) * row_norms
    cosine = (dots / norms).reshape(*key.shape[:-1], n)
    return torch.softmax(beta * cosine, dim=-1)


def sharpen_links(d: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Link sharpness ``softmax(s log(d + SHARPNESS_EPS))``: ``d`` ``[B, R, N]``, ``s`` ``[B, R, 1]``."""
    # ((d + ε) / max(d + ε))^s / Σ(...)^s == softmax(s log(d + ε)): the max cancels, and the softmax
    # never overflows however large s is.
    return torch.softmax(s * torch.log(d + SHARPNESS_EPS), dim=-1)
