"""Device choice for notebooks and scripts."""

from __future__ import annotations

import torch


def pick_device(prefer: str | None = None) -> torch.device:
    """``prefer`` if given, else CUDA when a GPU is visible (e.g. on Colab), else the CPU."""
    if prefer is not None:
        return torch.device(prefer)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
