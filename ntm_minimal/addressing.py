"""Addressing: where the heads look. Content addressing (Eq. 5-6), interpolation (Eq. 7),
convolutional shift (Eq. 8) and sharpening (Eq. 9), and the whole pipeline in the paper's order.

Shapes: the memory is ``[B, N, M]``. Per-head tensors share the leading dims ``[B, *H]`` (``H``
may be absent): a key is ``[B, *H, M]``, a weighting ``[B, *H, N]``, a scalar per head (β, g, γ)
``[B, *H, 1]`` and a shift distribution ``[B, *H, 2k+1]``. Each function here checks its
arguments and calls its unchecked kernel in :mod:`ntm_minimal.kernels`, which the models use in
their loop over time.
"""

from __future__ import annotations

import torch

from . import kernels
from .kernels import COSINE_EPS, SHARPEN_FLOOR, AddressingStages
from .validation import check_batch, check_last, check_memory, check_range, check_tensor

__all__ = [
    "COSINE_EPS",
    "SHARPEN_FLOOR",
    "AddressingStages",
    "address",
    "address_stages",
    "content_weighting",
    "cosine_similarity",
    "interpolate",
    "sharpen",
    "shift",
]


# ---------------------------------------------------------------- checks


def _lead(x: torch.Tensor) -> tuple[int, ...]:
    return tuple(x.shape[:-1])


def _check_key(key: object, memory: object) -> tuple[int, ...]:
    b, n, m = check_memory(memory)
    check_last("key", key, m, "M")
    check_batch("key", key, b, f"[B, ..., M={m}]")
    return _lead(key)


def _check_scalar(
    name: str, x: object, lead: tuple[int, ...], low: float | None = None, high: float | None = None
) -> None:
    check_last(name, x, 1, "1", lead=lead)
    check_range(name, x, low, high)


def _check_shift(s: object, lead: tuple[int, ...], n: int) -> None:
    expected = "[" + ", ".join([*map(str, lead), "2k+1"]) + "]"
    check_tensor("s", s, expected)
    if tuple(s.shape[:-1]) != lead:
        raise ValueError(f"s: expected shape {expected}, got {list(s.shape)}")
    width = s.shape[-1]
    if width % 2 == 0:
        raise ValueError(f"s: expected shape [..., 2k+1] (an odd number of offsets -k..k), got last dim {width}")
    if width > n:
        raise ValueError(f"s: a shift over {width} offsets is wider than the memory (N={n}); need 2k+1 <= N")
    check_range("s", s, 0.0)


# ---------------------------------------------------------------- public API


def cosine_similarity(key: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
    """Cosine similarity between a key and every memory row (Eq. 6).

    ``K[u, v] = u . v / (||u|| ||v||)``, with each norm smoothed to ``sqrt(|x|² + ε)``
    (``ε = COSINE_EPS``, as deepmind/dnc): a zero key or an all-zero row scores 0 instead of NaN, the
    score is differentiable there, and rows of ordinary length score their cosine to within ``ε/|x|²``.

    Args:
        key: ``[B, M]`` or ``[B, *H, M]``.
        memory: ``[B, N, M]``.

    Returns:
        ``[B, N]`` or ``[B, *H, N]``, values in ``[-1, 1]``.
    """
    _check_key(key, memory)
    return kernels.cosine_similarity(key, memory)


def content_weighting(key: torch.Tensor, beta: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
    """Content addressing (Eq. 5): ``w^c(i) = softmax_i(beta * K[key, M(i)])``.

    Args:
        key: ``[B, *H, M]``.
        beta: ``[B, *H, 1]``, key strength ``>= 0``; large β focuses on the best match.
        memory: ``[B, N, M]``.

    Returns:
        ``[B, *H, N]``, a weighting (non-negative, sums to 1), finite for any finite β.
    """
    lead = _check_key(key, memory)
    _check_scalar("beta", beta, lead, low=0.0)
    return kernels.content_weighting(key, beta, memory)


def interpolate(w_content: torch.Tensor, w_prev: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Interpolation gate (Eq. 7): ``w^g = g w^c + (1 - g) w_{t-1}``.

    Args:
        w_content: ``[..., N]``, the content weighting of this step.
        w_prev: ``[..., N]``, the head's weighting from the previous step.
        g: ``[..., 1]``, gate in ``[0, 1]``: 1 takes the content weighting, 0 keeps the old one.

    Returns:
        ``[..., N]``, a weighting.
    """
    check_tensor("w_content", w_content, "[..., N]")
    check_last("w_prev", w_prev, w_content.shape[-1], "N", lead=_lead(w_content))
    _check_scalar("g", g, _lead(w_content), 0.0, 1.0)
    return kernels.interpolate(w_content, w_prev, g)


def shift(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Convolutional shift (Eq. 8): ``w~(i) = sum_j w(j) s(i - j)``, indices modulo ``N``.

    ``s[..., j]`` is the weight of offset ``o = j - k``, so index ``k`` means "stay" and offset
    ``+1`` moves the focus from row ``i`` to row ``i + 1`` (wrapping around the end).

    Args:
        w: ``[..., N]``, the gated weighting.
        s: ``[..., 2k+1]``, a distribution over offsets ``-k..k`` with ``2k + 1 <= N``.

    Returns:
        ``[..., N]``; a convex mix of rotations of ``w``, so still a weighting.
    """
    check_tensor("w", w, "[..., N]")
    _check_shift(s, _lead(w), w.shape[-1])
    return kernels.shift(w, s)


def sharpen(w: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """Sharpening (Eq. 9): ``w(i) = w~(i)^gamma / sum_j w~(j)^gamma``.

    Computed as ``softmax(gamma * log w~)``, with ``w~`` floored at ``SHARPEN_FLOOR``, which is the
    same quantity but cannot divide by zero (all-zero ``w~`` gives the uniform weighting) and stays
    finite for large γ.

    Args:
        w: ``[..., N]``, the shifted weighting.
        gamma: ``[..., 1]``, ``>= 1``.

    Returns:
        ``[..., N]``, a weighting at least as peaked as ``w``.
    """
    check_tensor("w", w, "[..., N]")
    _check_scalar("gamma", gamma, _lead(w), low=1.0)
    check_range("w", w, 0.0)
    return kernels.sharpen(w, gamma)


def address_stages(key, beta, g, s, gamma, w_prev, memory) -> AddressingStages:
    """The addressing pipeline of Fig. 2 (Eq. 5, 7, 8, 9 in turn), returning every stage.

    Args:
        key: ``[B, *H, M]``; beta, g, gamma: ``[B, *H, 1]``; s: ``[B, *H, 2k+1]``;
        w_prev: ``[B, *H, N]``; memory: ``[B, N, M]``.

    Returns:
        :class:`AddressingStages` of four ``[B, *H, N]`` weightings.
    """
    lead = _check_key(key, memory)
    n = memory.shape[1]
    _check_scalar("beta", beta, lead, low=0.0)
    _check_scalar("g", g, lead, 0.0, 1.0)
    _check_shift(s, lead, n)
    _check_scalar("gamma", gamma, lead, low=1.0)
    check_last("w_prev", w_prev, n, "N", lead=lead)
    return kernels.address_stages(key, beta, g, s, gamma, w_prev, memory)


def address(key, beta, g, s, gamma, w_prev, memory) -> torch.Tensor:
    """The full addressing of one head step (Eq. 5-9): content, interpolate, shift, sharpen.

    Same arguments as :func:`address_stages`; returns the final weighting ``w_t`` ``[B, *H, N]``.
    """
    return address_stages(key, beta, g, s, gamma, w_prev, memory).sharpened
