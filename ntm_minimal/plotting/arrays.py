"""The one conversion every picture needs: a tensor (any device, dtype or grad) or array-like to NumPy."""

from __future__ import annotations

import numpy as np
import torch


def to_numpy(x) -> np.ndarray:
    """``x`` as a float64 NumPy array: a tensor is detached and copied to the CPU first."""
    if isinstance(x, torch.Tensor):
        x = x.detach().to("cpu", torch.float64).numpy()
    return np.asarray(x, dtype=np.float64)
