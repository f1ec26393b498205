"""The recurrent core both memory models share: controller -> memory access -> output.

One time step of the NTM and of the DNC has the same shape (deepmind/dnc's, a controller beside an
access module):

1. the controller sees ``[x_t, r_{t-1}]``, the input and the previous read vectors, and emits ``h_t``;
2. the model's memory access turns ``h_t`` and its state into a new memory and the reads ``r_t``
   (the NTM's heads and addressing, Eq. 2-9; the DNC's interface and memory management);
3. the output layer sees ``[h_t, r_t]`` and emits logits.

:class:`RecurrentCore` owns everything around step 2: the controller and output layers, the loop over
time (eager, in chunks, or compiled with :meth:`RecurrentCore.compile_steps`), the trace, the state
carried between calls (``forward(x, state, reset=...)``), :meth:`RecurrentCore.with_memory_rows`, and
the argument checks of every public entry point (``initial_state``, ``step``, ``forward``). A model
subclasses it and supplies its memory access: ``_initial_access`` and ``_access`` (the equations, as
unchecked kernels) and ``_trace`` (naming what a trace holds).

State: a model's state is a ``NamedTuple`` whose first field is the controller's own state (``(h, c)``
for the LSTM, ``None`` for the feed-forward controller) and which has a field ``reads`` ``[B, R, M]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import torch
from torch import nn

from .controllers import make_controller
from .validation import check_positive_ints, check_sequence, check_tensor


def map_state(fn: Callable, *states):
    """Apply ``fn`` to the tensors at the same place in ``states`` (nested tuples; ``None`` stays ``None``)."""
    first = states[0]
    if first is None:
        return None
    if isinstance(first, torch.Tensor):
        return fn(*states)
    values = [map_state(fn, *parts) for parts in zip(*states)]
    return type(first)(*values) if hasattr(first, "_fields") else type(first)(values)


def stack_steps(records: list) -> object:
    """Per-step records (nested tuples of ``[B, ...]`` tensors) -> one record of ``[B, T, ...]``, detached."""
    return map_state(lambda *ts: torch.stack(ts, dim=1).detach(), *records)


class RecurrentCore(nn.Module):
    """Controller, memory access and output layer, run over time.

    Args:
        config: the model's constructor arguments (kept as :attr:`config`, e.g. for checkpoints).
        access_name, access: the model's layer from ``h_t`` to its memory parameters (the NTM's
            ``heads``, the DNC's ``interface``), registered between the controller and the output
            under ``access_name``, so that parameter order and state-dict keys are the model's own.

    ``config`` must hold ``input_size``, ``output_size``, ``controller``, ``controller_size``,
    ``memory_n``, ``memory_m`` and ``read_heads``; the sizes are checked here.
    """

    #: The model's state type (a ``NamedTuple``, controller state first); set by the subclass.
    State: type = tuple
    #: Time steps per call of the chunked loop in :meth:`forward`; 1 = one step call per time step.
    #: :meth:`compile_steps` sets it: one compiled call, and one backward node, for several time steps
    #: saves the per-call cost that dominates a compiled step.
    chunk = 1

    def __init__(self, config: dict, access_name: str, access_factory: Callable[[], nn.Module]):
        super().__init__()
        check_positive_ints(
            **{
                k: config[k]
                for k in ("input_size", "output_size", "controller_size", "memory_n", "memory_m", "read_heads")
            }
        )
        self.config = dict(config)
        self.input_size, self.read_heads = config["input_size"], config["read_heads"]
        self.controller = make_controller(
            config["controller"], self.input_size + self.read_heads * config["memory_m"], config["controller_size"]
        )
        self.add_module(access_name, access_factory())
        self.output = nn.Linear(config["controller_size"] + self.read_heads * config["memory_m"], config["output_size"])
        self._compiled: tuple[Callable, Callable] | None = None
        self._fallback = False

    # ------------------------------------------------------------------ the model's part

    def _initial_access(self, batch: int) -> tuple:
        """The state before the first step without its controller field (unchecked)."""
        raise NotImplementedError

    def _access(self, h: torch.Tensor, controller_state, state) -> tuple[tuple, tuple]:
        """Memory access of one step: ``h`` ``[B, controller_size]`` and the previous ``state`` -> the new
        state (with ``controller_state`` as its first field) and the step's record for the trace."""
        raise NotImplementedError

    def _trace(self, states, infos):
        """The trace from the stacked states and step records (every tensor ``[B, T, ...]``)."""
        raise NotImplementedError

    def _check_resizable(self) -> None:
        """Raise ``ValueError`` when :meth:`with_memory_rows` cannot resize this model."""

    # ------------------------------------------------------------------ unchecked step

    def _initial_state(self, batch: int) -> tuple:
        like = self.memory_init
        return self.State(self.controller.initial_state(batch, like), *self._initial_access(batch))

    def _step(self, x_t: torch.Tensor, state: tuple) -> tuple[torch.Tensor, tuple, tuple]:
        """:meth:`step` without checks: what the loop over time (and ``torch.compile``) runs."""
        h, ctrl = self.controller(torch.cat([x_t, state.reads.flatten(1)], dim=-1), state.controller)
        new, info = self._access(h, ctrl, state)
        logits = self.output(torch.cat([h, new.reads.flatten(1)], dim=-1))
        return logits, new, info

    def _steps(self, xs: torch.Tensor, state: tuple) -> tuple[torch.Tensor, tuple]:
        """Several time steps in turn: ``xs`` ``[k, B, input_size]`` -> logits ``[k, B, output_size]`` and
        the state after the last one; the same operations as ``k`` calls of :meth:`_step`."""
        outputs = []
        for x_t in xs:
            logits, state, _ = self._step(x_t, state)
            outputs.append(logits)
        return torch.stack(outputs), state

    # ------------------------------------------------------------------ checks

    def _dtype(self) -> torch.dtype:
        return self.output.weight.dtype

    def _check_input(self, name: str, x: object, expected: str) -> torch.Tensor:
        check_tensor(name, x, expected)
        if x.dtype != self._dtype():
            raise TypeError(
                f"{name}: expected dtype {self._dtype()} (the model's), got {x.dtype}; "
                f"convert the input or the model (model.to(dtype))"
            )
        return x

    def _check_state(self, state: object, batch: int) -> tuple:
        kind = self.State.__name__
        if not isinstance(state, self.State):
            raise TypeError(
                f"state: expected a {kind} (from initial_state, step or forward), got {type(state).__name__}"
            )
        want = self._initial_state(batch)
        for field, got, ref in zip(self.State._fields, state, want):
            leaves_got, leaves_ref = _leaves(got), _leaves(ref)
            if len(leaves_got) != len(leaves_ref):
                raise ValueError(
                    f"state.{field}: expected {len(leaves_ref)} tensors (this model's {kind}), got {len(leaves_got)}"
                )
            for g, r in zip(leaves_got, leaves_ref):
                expected = str(list(r.shape))
                if not isinstance(g, torch.Tensor):
                    raise TypeError(f"state.{field}: expected a tensor of shape {expected}, got {type(g).__name__}")
                check_tensor(f"state.{field}", g, expected)
                if tuple(g.shape) != tuple(r.shape):
                    raise ValueError(f"state.{field}: expected shape {expected} (batch {batch}), got {list(g.shape)}")
                if g.dtype != r.dtype:
                    raise TypeError(f"state.{field}: expected dtype {r.dtype} (the model's), got {g.dtype}")
        return state

    # ------------------------------------------------------------------ public entry points

    def initial_state(self, batch: int) -> tuple:
        """The state before the first step, for a batch of ``batch`` sequences (an int ``>= 1``)."""
        check_positive_ints(batch=batch)
        return self._initial_state(batch)

    def step(self, x_t: torch.Tensor, state: tuple) -> tuple[torch.Tensor, tuple, tuple]:
        """One time step: ``x_t`` ``[B, input_size]`` -> logits ``[B, output_size]``, the new state and the
        step's record (the NTM's head parameters, the DNC's interface and lookups)."""
        expected = f"[B, input_size={self.input_size}]"
        self._check_input("x_t", x_t, expected)
        if x_t.dim() != 2 or x_t.shape[-1] != self.input_size or x_t.shape[0] < 1:
            raise ValueError(f"x_t: expected shape {expected} with B >= 1, got {list(x_t.shape)}")
        self._check_state(state, x_t.shape[0])
        return self._step(x_t, state)

    def forward(
        self,
        x: torch.Tensor,
        state: tuple | None = None,
        *,
        reset: torch.Tensor | None = None,
        return_trace: bool = False,
        return_state: bool = False,
    ):
        """Run a batch of sequences.

        Args:
            x: ``[B, T, input_size]``.
            state: where to start (e.g. the state a previous call returned, for streaming or truncated
                backpropagation through time); ``None`` = :meth:`initial_state`.
            reset: ``[B]`` booleans: the sequences marked ``True`` start from :meth:`initial_state`
                instead of ``state`` (a new sequence in that slot of the batch).
            return_trace: also return the model's trace (detached, batch first, then time).
            return_state: also return the state after the last step.

        Returns:
            logits ``[B, T, output_size]``; with ``return_trace`` and/or ``return_state`` a tuple
            ``(logits, trace)``, ``(logits, state)`` or ``(logits, trace, state)``.
        """
        self._check_input("x", x, f"[B, T, input_size={self.input_size}]")
        check_sequence("x", x, self.input_size)
        batch = x.shape[0]
        fresh = state is None
        state = self._initial_state(batch) if fresh else self._check_state(state, batch)
        if reset is not None:
            if not isinstance(reset, torch.Tensor) or reset.dtype != torch.bool or tuple(reset.shape) != (batch,):
                got = list(reset.shape) if isinstance(reset, torch.Tensor) else type(reset).__name__
                raise ValueError(
                    f"reset: expected a bool tensor of shape [B={batch}], got {got}"
                    + (f" of dtype {reset.dtype}" if isinstance(reset, torch.Tensor) else "")
                )
            if not fresh:
                state = self.reset_state(state, reset)
        # Time-major and contiguous, so every x_t has the same strides whatever T is: a compiled
        # step would otherwise compile again for each new sequence length.
        xs = x.transpose(0, 1).contiguous()
        if return_trace:
            logits, state, trace = self._call(self._run_traced, xs, state)
            return (logits, trace, state) if return_state else (logits, trace)
        logits, state = self._call(self._run, xs, state, fresh)
        return (logits, state) if return_state else logits

    def _call(self, run, *args):
        """``run(*args)``; with :meth:`compile_steps`'s ``fallback``, a compiler failure warns and reruns
        eagerly (the loop has no side effects), and the model stays eager from then on."""
        if not (self._compiled and self._fallback):
            return run(*args)
        try:
            return run(*args)
        except torch._dynamo.exc.TorchDynamoException as error:
            warnings.warn(
                f"torch.compile failed, running eagerly from now on: {type(error).__name__}: "
                f"{str(error).splitlines()[0] if str(error) else ''}",
                RuntimeWarning,
                stacklevel=3,
            )
            self._compiled = None
            return run(*args)

    def reset_state(self, state: tuple, reset: torch.Tensor) -> tuple:
        """``state`` with the sequences where ``reset`` ``[B]`` is ``True`` back at :meth:`initial_state`."""
        start = self._initial_state(reset.shape[0])

        def pick(now, first):
            mask = reset.to(now.device).view(-1, *([1] * (now.dim() - 1)))
            return torch.where(mask, first.to(now.dtype), now)

        return map_state(pick, state, start)

    # ------------------------------------------------------------------ the loop over time

    def _run(self, xs: torch.Tensor, state: tuple, fresh: bool) -> tuple[torch.Tensor, tuple]:
        """Every time step of ``xs`` ``[T, B, input]``: one by one, or in calls of ``chunk`` steps.

        In chunks, a first step from a fresh state runs eagerly: that state (no gradient, expanded
        tensors) would cost compiled versions of its own. The ``mod chunk`` steps left at the end go
        one by one.
        """
        step, steps = self._compiled or (self._step, self._steps)
        k, total, t = self.chunk, xs.shape[0], 0
        outputs = []
        if k > 1:
            if fresh:
                logits, state, _ = self._step(xs[0], state)
                outputs.append(logits.unsqueeze(0))
                t = 1
            while t + k <= total:
                logits, state = steps(xs[t : t + k], state)
                outputs.append(logits)
                t += k
        for x_t in xs[t:]:
            logits, state, _ = step(x_t, state)
            outputs.append(logits.unsqueeze(0))
        return torch.cat(outputs).transpose(0, 1).contiguous(), state  # [B, T, output]

    def _run_traced(self, xs: torch.Tensor, state: tuple):
        step = self._compiled[0] if self._compiled else self._step
        outputs, states, infos = [], [], []
        for x_t in xs:
            logits, state, info = step(x_t, state)
            outputs.append(logits)
            states.append(state)
            infos.append(info)
        trace = self._trace(stack_steps(states), stack_steps(infos))
        return torch.stack(outputs, dim=1), state, trace

    def compile_steps(self, chunk: int = 1, fallback: bool = False) -> RecurrentCore:
        """Run :meth:`forward`'s time steps under ``torch.compile`` from now on; returns ``self``.

        The loop over time stays Python, so every sequence length reuses the same compiled code: one
        compiled step and, with ``chunk > 1``, one compiled call of ``chunk`` steps (:attr:`chunk`). The
        public :meth:`step` stays eager (and checked). Weights and state-dict keys are unchanged.
        ``fallback=True``: where the compiler fails (no working C++ compiler, say), warn and run
        eagerly instead of raising.
        """
        check_positive_ints(chunk=chunk)
        if not isinstance(fallback, bool):
            raise TypeError(f"fallback: expected True or False, got {fallback!r}")
        self._fallback = fallback
        # dynamic=False: one version per batch size (training, held-out, grid), each with the kernels
        # specialised to its shapes, rather than one slower version for any batch size.
        self._compiled = (torch.compile(self._step, dynamic=False), torch.compile(self._steps, dynamic=False))
        self.chunk = chunk
        return self

    @property
    def compiled(self) -> bool:
        """Whether :meth:`compile_steps` was called."""
        return self._compiled is not None

    # ------------------------------------------------------------------ resizing

    def with_memory_rows(self, memory_n: int) -> RecurrentCore:
        """The same network with a memory of ``memory_n`` rows, e.g. to test whether a trained model
        runs out of rows on long sequences.

        No parameter of the core depends on ``N``, so the weights carry over unchanged; the copy
        shares no tensors with ``self``, keeps its device and mode and runs eagerly.
        """
        self._check_resizable()
        check_positive_ints(memory_n=memory_n)
        model = type(self)(**{**self.config, "memory_n": memory_n})
        model.load_state_dict(self.state_dict())
        return model.to(self.memory_init.device).train(self.training)


def _leaves(x) -> list:
    if x is None:
        return []
    if isinstance(x, tuple):
        return [leaf for part in x for leaf in _leaves(part)]
    return [x]
