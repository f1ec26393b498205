"""Pictures of training and trained models: learning curves, generalisation, Fig. 6-style traces."""
from __future__ import annotations

__all__: list[str] = []
