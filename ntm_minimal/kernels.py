"""The NTM's equations as unchecked kernels: the memory's read and write (Eq. 2-4) and the addressing
pipeline (Eq. 5-9), the code every model runs inside its loop over time.

Each function here computes exactly what its checked twin in :mod:`ntm_minimal.memory` or
:mod:`ntm_minimal.addressing` computes, with no argument checks: the twin documents the equation,
validates shapes, dtypes and ranges, and then calls the kernel. A model validates its inputs once per
call of ``forward`` (or ``step``), so the kernels must not pay for checks at every time step, and
they must stay traceable by ``torch.compile`` (no data-dependent Python branches). Call them with
arguments that already hold their documented shapes; a wrong shape gives a raw PyTorch error or a
silently wrong broadcast.

Shapes: the memory is ``[B, N, M]``; a weighting ``[B, *H, N]`` (``H`` may be absent); a key or a
per-head vector ``[B, *H, M]``; a scalar per head ``[B, *H, 1]``; a shift distribution ``[B, *H, 2k+1]``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

#: ``ε`` of the smoothed norm ``sqrt(|x|² + ε)`` in the cosine (Eq. 6), deepmind/dnc's value. A plain
#: norm floored at a constant makes the cosine jump at an all-zero row (0 there, ``±k/|k|`` a step
#: away) and its gradient there as large as one over the floor; the smoothed norm is differentiable
#: everywhere, and its gradient at a zero row is at most about ``1/sqrt(ε)`` times the key's direction.
COSINE_EPS = 1e-10
#: Floor on weights before the log in sharpening (Eq. 9), so ``0 ** gamma`` has a finite gradient.
SHARPEN_FLOOR = 1e-20


# ---------------------------------------------------------------- memory (Eq. 2-4)


def heads_first(w: torch.Tensor) -> torch.Tensor:
    """View a weighting ``[B, *H, N]`` as ``[B, h, N]``, all head dims flattened into ``h``."""
    return w.reshape(w.shape[0], -1, w.shape[-1])


def read(memory: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Eq. 2: ``r = Σ_i w(i) M(i)``; ``memory`` ``[B, N, M]``, ``w`` ``[B, *H, N]`` -> ``[B, *H, M]``."""
    r = torch.bmm(heads_first(w), memory)  # [B, h, N] @ [B, N, M] -> [B, h, M]
    return r.reshape(*w.shape[:-1], memory.shape[-1])


def erase(memory: torch.Tensor, w: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """Eq. 3: ``M(i) * Π_h (1 - w_h(i) e_h)``; ``w`` ``[B, *H, N]``, ``e`` ``[B, *H, M]`` -> ``[B, N, M]``."""
    w = heads_first(w)
    e = e.reshape(w.shape[0], w.shape[1], -1)
    # One factor (1 - w_i e) per head; several heads multiply (the paper's rule, section 3.2).
    keep = 1 - w.unsqueeze(-1) * e.unsqueeze(-2)  # [B, h, N, M]
    # One head (the usual case) skips the product: prod's backward costs as much as the rest of the write.
    return memory * (keep[:, 0] if keep.shape[1] == 1 else keep.prod(dim=1))


def add(memory: torch.Tensor, w: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """Eq. 4: ``M(i) + Σ_h w_h(i) a_h``; ``w`` ``[B, *H, N]``, ``a`` ``[B, *H, M]`` -> ``[B, N, M]``."""
    w = heads_first(w)
    a = a.reshape(w.shape[0], w.shape[1], -1)
    return memory + torch.bmm(w.transpose(1, 2), a)  # sum over heads of the outer products w_h a_h^T


def write(memory: torch.Tensor, w: torch.Tensor, e: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """Eq. 3 then Eq. 4: every head's erase, then every head's add, at weightings ``w``."""
    return add(erase(memory, w, e), w, a)


# ---------------------------------------------------------------- addressing (Eq. 5-9)


def smooth_norm(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    """``sqrt(|x|² + COSINE_EPS)`` along ``dim``: a norm that is smooth at ``x = 0`` (where it is ``sqrt(ε)``)."""
    return torch.sqrt((x * x).sum(dim=dim, keepdim=keepdim) + COSINE_EPS)


def cosine_similarity(key: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
    """Eq. 6 with smoothed norms: ``k·M(i) / (sqrt(|k|² + ε) sqrt(|M(i)|² + ε))``.

    ``key`` ``[B, *H, M]``, ``memory`` ``[B, N, M]`` -> ``[B, *H, N]``. A zero key or an all-zero row
    scores exactly 0; rows far longer than ``sqrt(ε)`` score their cosine to within ``ε / (2|M(i)|²)``.
    """
    b, n, m = memory.shape
    k = key.reshape(b, -1, m)
    dots = torch.bmm(k, memory.transpose(1, 2))  # [B, h, N]
    norms = smooth_norm(k, keepdim=True) * smooth_norm(memory).unsqueeze(1)  # [B, h, 1] * [B, 1, N]
    return (dots / norms).reshape(*key.shape[:-1], n)


def content_weighting(key: torch.Tensor, beta: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
    """Eq. 5: ``softmax_i(β K[k, M(i)])``; ``beta`` ``[B, *H, 1]`` -> ``[B, *H, N]``."""
    # softmax subtracts the row maximum, so even beta = 1e4 cannot overflow exp.
    return torch.softmax(beta * cosine_similarity(key, memory), dim=-1)


def interpolate(w_content: torch.Tensor, w_prev: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Eq. 7: ``g w^c + (1 - g) w_{t-1}``; ``g`` ``[..., 1]``."""
    return g * w_content + (1 - g) * w_prev


def shift(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Eq. 8: ``w~(i) = Σ_j w(j) s(i - j)``, rows modulo ``N``; ``s`` ``[..., 2k+1]``, index ``k`` = stay."""
    k = s.shape[-1] // 2
    # torch.roll(w, o)[i] = w[i - o]: the mass at row i - o moves to row i. The loop runs over the
    # 2k+1 offsets (3 for k = 1), never over rows; for small k it is twice as fast as one gather,
    # whose backward is a scatter.
    out = s[..., k : k + 1] * w
    for j in range(2 * k + 1):
        if j != k:
            out = out + s[..., j : j + 1] * torch.roll(w, j - k, dims=-1)
    return out


def sharpen(w: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """Eq. 9: ``w^γ / Σ w^γ``, computed as ``softmax(γ log max(w, SHARPEN_FLOOR))``; ``gamma`` ``[..., 1]``."""
    # The log form never divides by a zero sum and never overflows for large γ; the floor keeps log(0) finite.
    return torch.softmax(gamma * torch.log(w.clamp_min(SHARPEN_FLOOR)), dim=-1)


class AddressingStages(NamedTuple):
    """The weighting after each step of the pipeline, all ``[B, *H, N]``."""

    content: torch.Tensor  # w^c, Eq. 5
    gated: torch.Tensor  # w^g, Eq. 7
    shifted: torch.Tensor  # w~, Eq. 8
    sharpened: torch.Tensor  # w, Eq. 9


def address_stages(key, beta, g, s, gamma, w_prev, memory) -> AddressingStages:
    """Eq. 5, 7, 8 and 9 in turn (Fig. 2), every stage kept; shapes as in the module docstring."""
    content = content_weighting(key, beta, memory)
    gated = interpolate(content, w_prev, g)
    shifted = shift(gated, s)
    return AddressingStages(content, gated, shifted, sharpen(shifted, gamma))
