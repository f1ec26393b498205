"""The Neural Turing Machine (Fig. 1 of the paper): a controller, heads and a memory matrix.

One step, for input ``x_t``:

1. the controller sees ``[x_t, r_{t-1}]`` (the input and the previous read vectors);
2. one linear layer emits the parameters of every head (:mod:`ntm_minimal.heads`);
3. all heads address the memory ``M_{t-1}`` at once (Eq. 5-9, a ``[B, H, N]`` batch);
4. the write heads write (Eq. 3-4), giving ``M_t``;
5. the read heads read ``M_t`` (Eq. 2), so a value written this step can be read this step;
6. the output layer sees ``[h_t, r_t]`` and emits logits (apply a sigmoid for bit probabilities).

Steps 1 and 6, the loop over time, the trace and the state are :class:`~ntm_minimal.core.RecurrentCore`'s,
shared with the DNC; this module holds the NTM's memory access (steps 2-5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from . import kernels
from .core import RecurrentCore
from .heads import HeadParams, Heads
from .validation import check_positive_ints

#: Every memory cell starts at this value. Collier & Beel (2018) found a small constant
#: initialisation converged about twice as fast as learned or random ones on the copy task.
MEMORY_INIT = 1e-6
#: Spread of a learned initial memory's starting values: rows that differ from the first step let
#: content addressing (Eq. 5) tell them apart before anything is written.
LEARNED_INIT_STD = 0.5
MEMORY_INITS = ("constant", "learned")


class NTMState(NamedTuple):
    """Recurrent state between steps."""

    controller: object  # the controller's own state ((h, c) for the LSTM, None for feed-forward)
    memory: torch.Tensor  # [B, N, M]
    weights: torch.Tensor  # [B, R + W, N], read heads first
    reads: torch.Tensor  # [B, R, M]


@dataclass
class Trace:
    """Everything a step computed, stacked over time for plotting (batch first, then time)."""

    read_weights: torch.Tensor  # [B, T, R, N]
    write_weights: torch.Tensor  # [B, T, W, N]
    reads: torch.Tensor  # [B, T, R, M]
    memory: torch.Tensor  # [B, T, N, M], after the step's write
    params: HeadParams  # each field [B, T, H or W, ...]


class NTM(RecurrentCore):
    """A Neural Turing Machine with any number of read and write heads.

    Args:
        input_size, output_size: widths of ``x_t`` and of the logits.
        controller: ``"lstm"`` or ``"feedforward"``.
        controller_size: hidden width of the controller.
        memory_n, memory_m: memory rows ``N`` and row width ``M``.
        read_heads, write_heads: head counts (``>= 1`` each).
        shift_range: ``k``; heads can shift by offsets ``-k..k`` per step (``2k+1 <= N``).
        memory_init: ``"constant"`` (default) or ``"learned"``.

    Initial state (the same for every sequence): with ``memory_init="constant"`` every memory cell
    is ``MEMORY_INIT`` (a small constant, following Collier & Beel 2018: exactly zero would make
    every cosine similarity 0, and random values make the first content lookups noise). With
    ``"learned"`` the initial memory ``[N, M]`` is a parameter, drawn from ``N(0, LEARNED_INIT_STD²)``
    and trained with the rest, so each row can carry a learned key from the first step. Every
    head's weighting is one-hot on row 0, so shifts start from a definite place; the first read
    vectors are the reads of that memory.

    ``forward``, ``step``, ``initial_state``, ``with_memory_rows`` and ``compile_steps`` are the
    core's (:class:`~ntm_minimal.core.RecurrentCore`); ``step`` returns the step's
    :class:`~ntm_minimal.heads.HeadParams` as its record and ``forward(..., return_trace=True)`` a :class:`Trace`.
    """

    State = NTMState

    def __init__(
        self,
        input_size: int,
        output_size: int,
        controller: str = "lstm",
        controller_size: int = 100,
        memory_n: int = 128,
        memory_m: int = 20,
        read_heads: int = 1,
        write_heads: int = 1,
        shift_range: int = 1,
        memory_init: str = "constant",
    ):
        config = dict(
            input_size=input_size,
            output_size=output_size,
            controller=controller,
            controller_size=controller_size,
            memory_n=memory_n,
            memory_m=memory_m,
            read_heads=read_heads,
            write_heads=write_heads,
            shift_range=shift_range,
            memory_init=memory_init,
        )
        check_positive_ints(memory_n=memory_n, write_heads=write_heads)  # the shift check below needs memory_n
        if (
            isinstance(shift_range, bool)
            or not isinstance(shift_range, int)
            or shift_range < 0
            or 2 * shift_range + 1 > memory_n
        ):
            raise ValueError(
                f"shift_range: expected an int k >= 0 with 2k+1 <= memory_n={memory_n}, got {shift_range!r}"
            )
        if memory_init not in MEMORY_INITS:
            raise ValueError(f"memory_init: expected one of {MEMORY_INITS}, got {memory_init!r}")
        super().__init__(
            config, "heads", lambda: Heads(controller_size, memory_m, read_heads, write_heads, shift_range)
        )
        self.write_heads = write_heads
        if memory_init == "learned":
            self.memory_init = nn.Parameter(torch.randn(memory_n, memory_m) * LEARNED_INIT_STD)
        else:
            self.register_buffer("memory_init", torch.full((memory_n, memory_m), MEMORY_INIT), persistent=False)
        w0 = torch.zeros(read_heads + write_heads, memory_n)
        w0[:, 0] = 1.0
        self.register_buffer("weights_init", w0, persistent=False)

    def _check_resizable(self) -> None:
        # A learned initial memory has one row per memory row, so it cannot be resized.
        if self.config["memory_init"] != "constant":
            raise ValueError(
                f"with_memory_rows: needs memory_init='constant', this model has {self.config['memory_init']!r}"
            )

    def _initial_access(self, batch: int) -> tuple:
        memory = self.memory_init.expand(batch, -1, -1)
        weights = self.weights_init.expand(batch, -1, -1)
        return memory, weights, kernels.read(memory, weights[:, : self.read_heads])

    def _access(self, h: torch.Tensor, controller_state, state: NTMState) -> tuple[NTMState, HeadParams]:
        """Steps 2-5: head parameters, addressing of all heads at once, the write, then the reads."""
        p = self.heads(h)
        w = kernels.address_stages(p.key, p.beta, p.g, p.s, p.gamma, state.weights, state.memory).sharpened
        memory = kernels.write(state.memory, w[:, self.read_heads :], p.erase, p.add)
        reads = kernels.read(memory, w[:, : self.read_heads])
        return NTMState(controller_state, memory, w, reads), p

    def _trace(self, states: NTMState, params: HeadParams) -> Trace:
        r = self.read_heads
        return Trace(
            read_weights=states.weights[:, :, :r],
            write_weights=states.weights[:, :, r:],
            reads=states.reads,
            memory=states.memory,
            params=params,
        )
