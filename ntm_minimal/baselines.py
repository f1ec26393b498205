"""The paper's baseline: a stack of LSTM layers with a linear read-out (no external memory).

The paper compares every NTM with an LSTM network of 3 layers of 256 units on the copy and repeat
copy tasks (Table 3). It has the same interface as :class:`ntm_minimal.NTM`, so the same training
loop, metrics and checkpoints serve both.
"""

from __future__ import annotations

import torch
from torch import nn

from .validation import check_positive_ints, check_sequence


class LSTMBaseline(nn.Module):
    """``layers`` stacked LSTM layers of ``hidden_size`` units, then a linear layer to logits.

    Args:
        input_size, output_size: widths of ``x_t`` and of the logits.
        hidden_size: units per LSTM layer (paper: 256).
        layers: number of stacked layers (paper: 3).
    """

    def __init__(self, input_size: int, output_size: int, hidden_size: int = 256, layers: int = 3):
        super().__init__()
        check_positive_ints(input_size=input_size, output_size=output_size, hidden_size=hidden_size, layers=layers)
        self.config = dict(input_size=input_size, output_size=output_size, hidden_size=hidden_size, layers=layers)
        self.input_size = input_size
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers=layers, batch_first=True)
        self.output = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``[B, T, input_size]`` -> logits ``[B, T, output_size]`` (zero initial state)."""
        check_sequence("x", x, self.input_size)
        h, _ = self.lstm(x)
        return self.output(h)
