"""The Neural Turing Machine (Fig. 1 of the paper): a controller, heads and a memory matrix.

One step, for input ``x_t``:

1. the controller sees ``[x_t, r_{t-1}]`` (the input and the previous read vectors);
2. one linear layer emits the parameters of every head (:mod:`ntm_minimal.heads`);
3. all heads address the memory ``M_{t-1}`` at once (Eq. 5-9, a ``[B, H, N]`` batch);
4. the write heads write (Eq. 3-4), giving ``M_t``;
5. the read heads read ``M_t`` (Eq. 2), so a value written this step can be read this step;
6. the output layer sees ``[h_t, r_t]`` and emits logits (apply a sigmoid for bit probabilities).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import nn

from .addressing import _address_stages
from .controllers import make_controller
from .heads import HeadParams, Heads
from .memory import _read, _write
from .validation import check_tensor

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


class NTM(nn.Module):
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
    every cosine similarity 0/0, and random values make the first content lookups noise). With
    ``"learned"`` the initial memory ``[N, M]`` is a parameter, drawn from ``N(0, LEARNED_INIT_STD²)``
    and trained with the rest, so each row can carry a learned key from the first step. Every
    head's weighting is one-hot on row 0, so shifts start from a definite place; the first read
    vectors are the reads of that memory.
    """

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
        super().__init__()
        for name, value in [("input_size", input_size), ("output_size", output_size),
                            ("controller_size", controller_size), ("memory_n", memory_n),
                            ("memory_m", memory_m), ("read_heads", read_heads), ("write_heads", write_heads)]:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a positive int, got {value!r}")
        if not isinstance(shift_range, int) or shift_range < 0 or 2 * shift_range + 1 > memory_n:
            raise ValueError(f"shift_range: expected an int k >= 0 with 2k+1 <= memory_n={memory_n}, got {shift_range!r}")
        if memory_init not in MEMORY_INITS:
            raise ValueError(f"memory_init: expected one of {MEMORY_INITS}, got {memory_init!r}")
        self.config = dict(input_size=input_size, output_size=output_size, controller=controller,
                           controller_size=controller_size, memory_n=memory_n, memory_m=memory_m,
                           read_heads=read_heads, write_heads=write_heads, shift_range=shift_range,
                           memory_init=memory_init)
        self.input_size, self.read_heads, self.write_heads = input_size, read_heads, write_heads
        self.controller = make_controller(controller, input_size + read_heads * memory_m, controller_size)
        self.heads = Heads(controller_size, memory_m, read_heads, write_heads, shift_range)
        self.output = nn.Linear(controller_size + read_heads * memory_m, output_size)
        if memory_init == "learned":
            self.memory_init = nn.Parameter(torch.randn(memory_n, memory_m) * LEARNED_INIT_STD)
        else:
            self.register_buffer("memory_init", torch.full((memory_n, memory_m), MEMORY_INIT), persistent=False)
        w0 = torch.zeros(read_heads + write_heads, memory_n)
        w0[:, 0] = 1.0
        self.register_buffer("weights_init", w0, persistent=False)

    def with_memory_rows(self, memory_n: int) -> "NTM":
        """The same network with a memory of ``memory_n`` rows, e.g. to test whether a trained
        model runs out of rows on long sequences.

        With a constant initial memory no parameter depends on ``N``, so the weights carry over
        unchanged; the copy shares no tensors with ``self`` and keeps its device and mode. A learned
        initial memory has one row per memory row, so it cannot be resized (``ValueError``).
        """
        if self.config["memory_init"] != "constant":
            raise ValueError(f"with_memory_rows: needs memory_init='constant', this model has {self.config['memory_init']!r}")
        model = NTM(**{**self.config, "memory_n": memory_n})
        model.load_state_dict(self.state_dict())
        return model.to(self.memory_init.device).train(self.training)

    def initial_state(self, batch: int) -> NTMState:
        """The state before the first step, for a batch of ``batch`` sequences."""
        memory = self.memory_init.expand(batch, -1, -1)
        weights = self.weights_init.expand(batch, -1, -1)
        reads = _read(memory, weights[:, : self.read_heads])
        return NTMState(self.controller.initial_state(batch, memory), memory, weights, reads)

    def step(self, x_t: torch.Tensor, state: NTMState) -> tuple[torch.Tensor, NTMState, HeadParams]:
        """One time step: ``x_t`` ``[B, input_size]`` -> logits ``[B, output_size]``, new state, head params."""
        h, ctrl = self.controller(torch.cat([x_t, state.reads.flatten(1)], dim=-1), state.controller)
        p = self.heads(h)
        w = _address_stages(p.key, p.beta, p.g, p.s, p.gamma, state.weights, state.memory).sharpened
        memory = _write(state.memory, w[:, self.read_heads:], p.erase, p.add)
        reads = _read(memory, w[:, : self.read_heads])
        logits = self.output(torch.cat([h, reads.flatten(1)], dim=-1))
        return logits, NTMState(ctrl, memory, w, reads), p

    def forward(self, x: torch.Tensor, return_trace: bool = False):
        """Run a batch of sequences.

        Args:
            x: ``[B, T, input_size]``.
            return_trace: also return a :class:`Trace` of weightings, head parameters and memory.

        Returns:
            logits ``[B, T, output_size]``, or ``(logits, trace)``.
        """
        check_tensor("x", x, f"[B, T, input_size={self.input_size}]")
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise ValueError(f"x: expected shape [B, T, input_size={self.input_size}], got {list(x.shape)}")
        if 0 in x.shape[:2]:
            raise ValueError(f"x: expected shape [B, T, input_size={self.input_size}] with B, T >= 1, got {list(x.shape)}")
        state = self.initial_state(x.shape[0])
        # Time-major and contiguous, so every x_t has the same strides whatever T is: a compiled
        # step (compile_step) would otherwise compile again for each new sequence length.
        xs = x.transpose(0, 1).contiguous()
        if self.chunk > 1 and not return_trace:
            return self._forward_chunked(xs, state)
        outputs, records = [], []
        for x_t in xs:
            logits, state, params = self.step(x_t, state)
            outputs.append(logits)
            if return_trace:
                records.append((state, params))
        logits = torch.stack(outputs, dim=1)
        return (logits, self._trace(records)) if return_trace else logits

    #: Time steps per call of :meth:`steps` in :meth:`forward`; 1 = one :meth:`step` call per time
    #: step. ``training.compile_step`` raises it, with ``steps`` compiled: one compiled call, and one
    #: backward node, for several time steps saves the per-call cost that dominates a compiled step.
    chunk = 1

    def steps(self, xs: torch.Tensor, state: NTMState) -> tuple[torch.Tensor, NTMState]:
        """Several time steps in turn: ``xs`` ``[k, B, input_size]`` -> logits ``[k, B, output_size]``
        and the state after the last one; the same operations as ``k`` calls of :meth:`step`."""
        outputs = []
        for x_t in xs:
            # The class's own step, not a compiled one set on the instance: this whole loop is
            # what gets compiled.
            logits, state, _ = NTM.step(self, x_t, state)
            outputs.append(logits)
        return torch.stack(outputs), state

    def _forward_chunked(self, xs: torch.Tensor, state: NTMState) -> torch.Tensor:
        """:meth:`forward` in calls of :meth:`steps` over ``chunk`` time steps; ``xs`` ``[T, B, input]``.

        The first time step runs uncompiled (``NTM.step``): its state is the initial one (no
        gradient, expanded tensors), which would cost compiled versions of its own. The ``(T - 1)
        mod chunk`` steps left at the end go one by one through :meth:`step`.
        """
        k, total = self.chunk, xs.shape[0]
        logits, state, _ = NTM.step(self, xs[0], state)
        outputs, t = [logits.unsqueeze(0)], 1
        while t + k <= total:
            logits, state = self.steps(xs[t : t + k], state)
            outputs.append(logits)
            t += k
        for x_t in xs[t:]:
            logits, state, _ = self.step(x_t, state)
            outputs.append(logits.unsqueeze(0))
        return torch.cat(outputs).transpose(0, 1).contiguous()  # [B, T, output], laid out as forward's

    def _trace(self, records: list[tuple[NTMState, HeadParams]]) -> Trace:
        def stack(ts):
            return torch.stack(list(ts), dim=1).detach()

        r = self.read_heads
        weights = stack(s.weights for s, _ in records)
        params = HeadParams(*(stack(field) for field in zip(*(p for _, p in records))))
        return Trace(read_weights=weights[:, :, :r], write_weights=weights[:, :, r:],
                     reads=stack(s.reads for s, _ in records), memory=stack(s.memory for s, _ in records),
                     params=params)
