"""Controllers: the network that reads the input and the last read vectors and drives the heads.

Both controllers share one interface: ``initial_state(batch, like)`` and
``forward(x, state) -> (output, state)``; the feed-forward one has no state of its own (``None``),
so anything it remembers must go through the memory.
"""

from __future__ import annotations

import torch
from torch import nn


class LSTMController(nn.Module):
    """One LSTM layer (the paper's recurrent controller)."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = nn.LSTMCell(input_size, hidden_size)

    def initial_state(self, batch: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        zeros = like.new_zeros(batch, self.hidden_size)
        return zeros, zeros

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]):
        h, c = self.cell(x, state)
        return h, (h, c)


class FeedForwardController(nn.Module):
    """One tanh layer: the paper's feed-forward controller, whose only memory is the NTM's."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.hidden_size = hidden_size
        self.layer = nn.Linear(input_size, hidden_size)

    def initial_state(self, batch: int, like: torch.Tensor) -> None:
        return None

    def forward(self, x: torch.Tensor, state: None):
        return torch.tanh(self.layer(x)), None


CONTROLLERS = {"lstm": LSTMController, "feedforward": FeedForwardController}


def make_controller(kind: str, input_size: int, hidden_size: int) -> nn.Module:
    """Build a controller by name: ``"lstm"`` or ``"feedforward"``."""
    if kind not in CONTROLLERS:
        raise ValueError(f"controller: expected one of {sorted(CONTROLLERS)}, got {kind!r}")
    return CONTROLLERS[kind](input_size, hidden_size)
