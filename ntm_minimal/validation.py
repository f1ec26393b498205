"""Argument checks shared by the public functions.

Every public equation validates its inputs here so that a wrong shape fails at the call that
caused it, with a message naming the argument and the shape that was expected. The model's inner
loop calls the unchecked kernels instead; it validates its own inputs once per forward pass.
"""

from __future__ import annotations

import torch


def _shape(x: torch.Tensor) -> str:
    return "[" + ", ".join(str(d) for d in x.shape) + "]"


def check_tensor(name: str, x: object, expected: str, finite: bool = True) -> torch.Tensor:
    """Require a floating-point, finite tensor with at least one dimension."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor of shape {expected}, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name}: expected a floating-point tensor of shape {expected}, got dtype {x.dtype}")
    if x.dim() == 0:
        raise ValueError(f"{name}: expected shape {expected}, got a scalar")
    if finite and not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name}: contains NaN or infinite values (shape {_shape(x)})")
    return x


def check_memory(memory: object) -> tuple[int, int, int]:
    """Check ``memory`` is ``[B, N, M]`` and return ``(B, N, M)``."""
    check_tensor("memory", memory, "[B, N, M]")
    if memory.dim() != 3:
        raise ValueError(f"memory: expected shape [B, N, M], got {_shape(memory)}")
    if 0 in memory.shape:
        raise ValueError(f"memory: expected shape [B, N, M] with B, N, M >= 1, got {_shape(memory)}")
    return tuple(memory.shape)  # type: ignore[return-value]


def check_last(name: str, x: object, size: int, what: str, lead: tuple[int, ...] | None = None) -> torch.Tensor:
    """Check ``x`` is ``[..., size]`` and, if ``lead`` is given, that its leading dims equal it.

    ``what`` names the last dimension in the message, e.g. ``"N"`` or ``"M"``.
    """
    last = str(size) if what == str(size) else f"{what}={size}"  # "[B, 1]", not "[B, 1=1]"
    expected = f"[..., {last}]" if lead is None else "[" + ", ".join([*map(str, lead), last]) + "]"
    check_tensor(name, x, expected)
    if x.shape[-1] != size:
        raise ValueError(f"{name}: expected shape {expected}, got {_shape(x)}")
    if lead is not None and tuple(x.shape[:-1]) != tuple(lead):
        raise ValueError(f"{name}: expected shape {expected}, got {_shape(x)}")
    return x


def check_batch(name: str, x: torch.Tensor, batch: int, expected: str) -> None:
    """Check the first (batch) dimension of ``x`` matches the memory's batch size."""
    if x.dim() < 2 or x.shape[0] != batch:
        raise ValueError(f"{name}: expected shape {expected} with batch B={batch} (from memory), got {_shape(x)}")


def check_range(name: str, x: torch.Tensor, low: float | None = None, high: float | None = None) -> None:
    """Check every element of ``x`` lies in ``[low, high]``."""
    if low is not None and bool((x < low).any()):
        raise ValueError(f"{name}: values must be >= {low}, got min {x.min().item():.4g}")
    if high is not None and bool((x > high).any()):
        raise ValueError(f"{name}: values must be <= {high}, got max {x.max().item():.4g}")


def check_sequence(name: str, x: object, input_size: int) -> torch.Tensor:
    """Check a model input is ``[B, T, input_size]`` with ``B, T >= 1``."""
    expected = f"[B, T, input_size={input_size}]"
    check_tensor(name, x, expected)
    if x.dim() != 3 or x.shape[-1] != input_size or 0 in x.shape[:2]:
        raise ValueError(f"{name}: expected shape {expected} with B, T >= 1, got {_shape(x)}")
    return x


def check_positive_ints(**values: object) -> None:
    """Each keyword must be an ``int >= 1`` (not a bool): model sizes and head counts."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected a positive int, got {value!r}")
