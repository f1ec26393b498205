"""Pictures of the addressing pipeline (Eq. 5-9) for chapters 1-7."""
from __future__ import annotations

__all__: list[str] = []
