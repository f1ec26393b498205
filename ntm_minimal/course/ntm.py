"""The checks of exercises 1-7: memory (Eq. 2-4), addressing (Eq. 5-9), the heads and one NTM step.

Each ``check_*`` function compares the reader's function with the package's own on fixed and
freshly drawn cases, then checks the exercise's rules (see :mod:`ntm_minimal.course.runner`).

    >>> from ntm_minimal.course import ntm as checks
    >>> checks.check_read(my_read)          # doctest: +SKIP
    ✓ read (Eq. 2): 12 cases (6 fixed, 6 drawn fresh) match ntm_minimal.memory.read
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import torch

from .. import addressing, memory
from ..heads import HeadParams, Heads
from ..model import NTM, NTMState
from .runner import Case, Check, CheckFailed, Rules, define, one_hot, unit, weighting

__all__ = [
    "CheckFailed",
    "STEP_HINTS",
    "check_read",
    "check_erase",
    "check_add",
    "check_write",
    "check_cosine_similarity",
    "check_content_weighting",
    "check_interpolate",
    "check_shift",
    "check_sharpen",
    "check_address",
    "check_head_params",
    "check_ntm_step",
]

F64 = torch.float64


def _randn(g, *shape) -> torch.Tensor:
    return torch.randn(*shape, generator=g, dtype=F64)


# ---------------------------------------------------------------- chapters 1-2: memory (Eq. 2-4)

#: Every implementation of Eq. 2-4 the course ships: the checked functions and the model's kernels.
_MEMORY = (
    "ntm_minimal.memory",
    "ntm_minimal.kernels:read",
    "ntm_minimal.kernels:erase",
    "ntm_minimal.kernels:add",
    "ntm_minimal.kernels:write",
)


def _memory_cases(extra: Callable[[torch.Generator, tuple[int, ...]], dict]) -> Callable[[torch.Generator], list[Case]]:
    """Random memories with one head ``[B, N]``, several heads ``[B, H, N]``, one-hot and zero cases."""

    def build(g: torch.Generator) -> list[Case]:
        out = []
        for desc, (b, h, n, m) in [
            ("one head", (2, None, 5, 3)),
            ("batch of 1, one head", (1, None, 8, 4)),
            ("two heads", (3, 2, 6, 4)),
            ("three heads", (2, 3, 7, 2)),
        ]:
            lead = (b,) if h is None else (b, h)
            out.append(Case(desc, {"memory": _randn(g, b, n, m), "w": weighting(g, *lead, n), **extra(g, (*lead, m))}))
        out.append(
            Case(
                "one-hot weighting on row 2", {"memory": _randn(g, 2, 4, 3), "w": one_hot(2, 2, 4), **extra(g, (2, 3))}
            )
        )
        out.append(
            Case(
                "all-zero memory",
                {"memory": torch.zeros(2, 4, 3, dtype=F64), "w": weighting(g, 2, 4), **extra(g, (2, 3))},
            )
        )
        return out

    return build


check_read = define(
    Check(
        "check_read",
        "read (Eq. 2)",
        "read",
        _memory_cases(lambda g, shape: {}),
        memory.read,
        "ntm_minimal.memory.read",
        Rules(forbidden=_MEMORY),
        seed=0,
    )
)
check_erase = define(
    Check(
        "check_erase",
        "erase (Eq. 3)",
        "erase",
        _memory_cases(lambda g, shape: {"e": unit(g, *shape)}),
        memory.erase,
        "ntm_minimal.memory.erase",
        Rules(forbidden=_MEMORY),
        seed=0,
    )
)
check_add = define(
    Check(
        "check_add",
        "add (Eq. 4)",
        "add",
        _memory_cases(lambda g, shape: {"a": _randn(g, *shape)}),
        memory.add,
        "ntm_minimal.memory.add",
        Rules(forbidden=_MEMORY),
        seed=0,
    )
)
check_write = define(
    Check(
        "check_write",
        "write (Eq. 3-4)",
        "write",
        _memory_cases(lambda g, shape: {"e": unit(g, *shape), "a": _randn(g, *shape)}),
        memory.write,
        "ntm_minimal.memory.write",
        Rules(forbidden=_MEMORY),
        seed=0,
    )
)


# ---------------------------------------------------------------- chapters 3-6: addressing (Eq. 5-9)

_KERNELS = "ntm_minimal.kernels:"
#: Every implementation of Eq. 5-9: the checked functions, the model's kernels, the DNC's masked
#: content weighting and MegaContext's focus scores (the same equations applied to scores).
_ADDRESSING = (
    "ntm_minimal.addressing",
    *(
        _KERNELS + f
        for f in ("cosine_similarity", "content_weighting", "interpolate", "shift", "sharpen", "address_stages")
    ),
    "ntm_minimal.megacontext.focus_scores",
    "ntm_minimal.dnc.equations:masked_content_weighting",
    "ntm_minimal.dnc.equations:_masked_content_weighting",
)


def _key_cases(extra: Callable[[torch.Generator, tuple[int, ...]], dict]) -> Callable[[torch.Generator], list[Case]]:
    def build(g: torch.Generator) -> list[Case]:
        out = []
        for desc, (b, h, n, m) in [
            ("one head", (2, None, 5, 3)),
            ("two heads", (3, 2, 6, 4)),
            ("three heads, wide rows", (2, 3, 4, 9)),
        ]:
            lead = (b,) if h is None else (b, h)
            out.append(Case(desc, {"key": _randn(g, *lead, m), "memory": _randn(g, b, n, m), **extra(g, lead)}))
        mem = _randn(g, 2, 5, 3)
        out.append(Case("key equal to row 3", {"key": mem[:, 3].clone(), "memory": mem, **extra(g, (2,))}))
        out.append(
            Case(
                "key scaled by 10 (cosine ignores scale)",
                {"key": 10 * mem[:, 1].clone(), "memory": mem, **extra(g, (2,))},
            )
        )
        return out

    return build


def _content_cases(g: torch.Generator) -> list[Case]:
    cases = _key_cases(lambda g, lead: {"beta": 10 * unit(g, *lead, 1)})(g)
    big = dict(cases[0].args, beta=torch.full((2, 1), 1e3, dtype=F64))
    return cases + [Case("very large beta = 1000 (needs a stable softmax)", big)]


check_cosine_similarity = define(
    Check(
        "check_cosine_similarity",
        "cosine similarity (Eq. 6)",
        "cosine_similarity",
        _key_cases(lambda g, lead: {}),
        addressing.cosine_similarity,
        "ntm_minimal.addressing.cosine_similarity",
        Rules(forbidden=_ADDRESSING),
        seed=1,
    )
)
check_content_weighting = define(
    Check(
        "check_content_weighting",
        "content weighting (Eq. 5)",
        "content_weighting",
        _content_cases,
        addressing.content_weighting,
        "ntm_minimal.addressing.content_weighting",
        Rules(forbidden=_ADDRESSING),
        seed=1,
    )
)


def _weighting_cases(extra: Callable[[torch.Generator, tuple[int, ...], int], dict], g: torch.Generator) -> list[Case]:
    out = [
        Case(desc, {"w": weighting(g, *lead, n), **extra(g, lead, n)})
        for desc, lead, n in [("one head", (2,), 5), ("two heads", (3, 2), 6), ("batch of 1", (1,), 9)]
    ]
    out.append(Case("one-hot on the last row", {"w": one_hot(4, 2, 5), **extra(g, (2,), 5)}))
    out.append(Case("one-hot on row 0", {"w": one_hot(0, 2, 5), **extra(g, (2,), 5)}))
    return out


def _interpolate_cases(g: torch.Generator) -> list[Case]:
    cases = [
        Case(desc, {"w_content": weighting(g, *lead, n), "w_prev": weighting(g, *lead, n), "g": unit(g, *lead, 1)})
        for desc, lead, n in [("one head", (2,), 5), ("two heads", (3, 2), 6)]
    ]
    w_c, w_p = weighting(g, 2, 4), weighting(g, 2, 4)
    return cases + [
        Case(f"gate g = {value:g}", {"w_content": w_c, "w_prev": w_p, "g": torch.full((2, 1), value, dtype=F64)})
        for value in (0.0, 1.0)
    ]


check_interpolate = define(
    Check(
        "check_interpolate",
        "interpolation (Eq. 7)",
        "interpolate",
        _interpolate_cases,
        addressing.interpolate,
        "ntm_minimal.addressing.interpolate",
        Rules(forbidden=_ADDRESSING),
        seed=3,
    )
)


def _shift_dist(g, lead, k: int) -> torch.Tensor:
    return torch.softmax(2 * _randn(g, *lead, 2 * k + 1), dim=-1)


def _shift_cases(g: torch.Generator) -> list[Case]:
    plus_one = torch.tensor([[0.0, 0.0, 1.0]], dtype=F64)  # offset +1
    return [
        Case("one-hot on row 1, s = offset +1 (should move to row 2)", {"w": one_hot(1, 1, 5), "s": plus_one}),
        Case("one-hot on the last row, s = offset +1 (should wrap to row 0)", {"w": one_hot(4, 1, 5), "s": plus_one}),
        *_weighting_cases(lambda g, lead, n: {"s": _shift_dist(g, lead, 1)}, g),
        Case("wider shift, k = 2", {"w": weighting(g, 2, 7), "s": _shift_dist(g, (2,), 2)}),
        Case("shift as wide as memory, k = 2, N = 5", {"w": weighting(g, 2, 5), "s": _shift_dist(g, (2,), 2)}),
    ]


check_shift = define(
    Check(
        "check_shift",
        "shift (Eq. 8)",
        "shift",
        _shift_cases,
        addressing.shift,
        "ntm_minimal.addressing.shift",
        Rules(forbidden=_ADDRESSING),
        seed=4,
    )
)


def _sharpen_cases(g: torch.Generator) -> list[Case]:
    cases = _weighting_cases(lambda g, lead, n: {"gamma": 1 + 4 * unit(g, *lead, 1)}, g)
    w = weighting(g, 2, 6)
    flat = torch.softmax(0.1 * _randn(g, 2, 6), dim=-1)  # every w(i) near 1/6
    return cases + [
        Case("gamma = 1 (no change)", {"w": w, "gamma": torch.ones(2, 1, dtype=F64)}),
        Case("gamma = 50 (very sharp)", {"w": w, "gamma": torch.full((2, 1), 50.0, dtype=F64)}),
        Case(
            "gamma = 1000 on a nearly flat weighting (w ** gamma underflows to 0, so "
            "w ** gamma / sum gives 0/0: use softmax(gamma * log w))",
            {"w": flat, "gamma": torch.full((2, 1), 1000.0, dtype=F64)},
        ),
    ]


check_sharpen = define(
    Check(
        "check_sharpen",
        "sharpening (Eq. 9)",
        "sharpen",
        _sharpen_cases,
        addressing.sharpen,
        "ntm_minimal.addressing.sharpen",
        Rules(forbidden=_ADDRESSING),
        seed=5,
    )
)


def _address_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for desc, lead, n, m in [("one head", (2,), 6, 3), ("two heads", (2, 2), 8, 4), ("three heads", (1, 3), 5, 2)]:
        cases.append(
            Case(
                desc,
                {
                    "key": _randn(g, *lead, m),
                    "beta": 5 * unit(g, *lead, 1),
                    "g": unit(g, *lead, 1),
                    "s": _shift_dist(g, lead, 1),
                    "gamma": 1 + 3 * unit(g, *lead, 1),
                    "w_prev": weighting(g, *lead, n),
                    "memory": _randn(g, lead[0], n, m),
                },
            )
        )
    mem = _randn(g, 2, 6, 3)
    cases.append(
        Case(
            "g = 0, s = offset +1, gamma = 1 (ignore content: the previous weighting moves one row)",
            {
                "key": mem[:, 4].clone(),
                "beta": torch.full((2, 1), 20.0, dtype=F64),
                "g": torch.zeros(2, 1, dtype=F64),
                "s": torch.tensor([[0.0, 0.0, 1.0]] * 2, dtype=F64),
                "gamma": torch.ones(2, 1, dtype=F64),
                "w_prev": weighting(g, 2, 6),
                "memory": mem,
            },
        )
    )
    return cases


#: Exercise 6 builds ``address`` from the package's content weighting, interpolation and shift (and
#: the reader's own sharpening): only the implementations of sharpening and of the whole pipeline are forbidden.
_WHOLE_ADDRESSING = (
    "ntm_minimal.addressing:sharpen",
    "ntm_minimal.addressing:address",
    "ntm_minimal.addressing:address_stages",
    _KERNELS + "sharpen",
    _KERNELS + "address_stages",
    "ntm_minimal.megacontext.focus_scores:sharpen_scores",
)
check_address = define(
    Check(
        "check_address",
        "addressing (Eq. 5-9)",
        "address",
        _address_cases,
        addressing.address,
        "ntm_minimal.addressing.address",
        Rules(forbidden=_WHOLE_ADDRESSING),
        seed=6,
    )
)


# ---------------------------------------------------------------- chapter 7: heads and one NTM step


def _reference_head_params(raw, memory_m, read_heads, write_heads, shift_range) -> HeadParams:
    """``ntm_minimal.heads.Heads`` with its linear layer set to the identity, so it only splits and transforms."""
    with torch.random.fork_rng(devices=[]):  # building a layer draws random weights: leave the caller's RNG alone
        heads = Heads(raw.shape[-1], memory_m, read_heads, write_heads, shift_range).to(raw.dtype)
    with torch.no_grad():
        heads.proj.weight.copy_(torch.eye(raw.shape[-1], dtype=raw.dtype))
        heads.proj.bias.zero_()
        return heads(raw)


def _head_layout(memory_m: int, read_heads: int, write_heads: int, shift_range: int) -> int:
    """Width of the heads' linear layer: ``(R + W)(M + 3 + 2k+1) + W * 2M``."""
    return (read_heads + write_heads) * (memory_m + 3 + 2 * shift_range + 1) + write_heads * 2 * memory_m


def _head_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for desc, (b, m, r, w, k) in [
        ("1 read + 1 write head, M = 4, k = 1", (2, 4, 1, 1, 1)),
        ("2 read + 1 write heads, M = 3, k = 2", (3, 3, 2, 1, 2)),
        ("1 read + 3 write heads, M = 2, k = 1", (1, 2, 1, 3, 1)),
        ("batch of 4, k = 0 (no shifting)", (4, 3, 1, 1, 0)),
    ]:
        raw = 2 * _randn(g, b, _head_layout(m, r, w, k))
        cases.append(Case(desc, {"raw": raw, "memory_m": m, "read_heads": r, "write_heads": w, "shift_range": k}))
    signs = _randn(g, 2, _head_layout(3, 1, 1, 1)).sign()
    cases.append(
        Case(
            "raw outputs of +-1000 (log(1 + exp(x)) overflows: use torch.nn.functional.softplus)",
            {"raw": 1000 * signs, "memory_m": 3, "read_heads": 1, "write_heads": 1, "shift_range": 1},
        )
    )
    return cases


check_head_params = define(
    Check(
        "check_head_params",
        "head parameters",
        "head_params",
        _head_cases,
        _reference_head_params,
        "ntm_minimal.heads.Heads (its linear layer set to the identity)",
        Rules(forbidden=("ntm_minimal.heads",)),
        seed=7,
    )
)


class StepParts(NamedTuple):
    """What :func:`check_ntm_step` compares, in the order the step computes it: the first that differs is named."""

    memory: torch.Tensor  # after the write heads wrote
    weights: torch.Tensor  # every head's new weighting
    reads: torch.Tensor  # the read heads' reads of the new memory
    controller: object  # the controller's new state (None for a feed-forward controller)
    logits: torch.Tensor


#: Advice per part of the step when that part is the first to differ.
STEP_HINTS = {
    "memory": "the memory after the step differs: write with the write heads' weightings w[:, R:] "
    "(read heads come first), their erase and add vectors, on the memory before the step",
    "weights": "the new weightings differ: address every head at once with addressing.address, from "
    "state.weights and state.memory (the memory before the write)",
    "reads": "the reads differ: read the new memory (after the write) with the read heads' weightings w[:, :R]",
    "controller": "the controller's new state differs: feed it cat([x_t, previous reads]) and its state",
    "logits": "the logits differ: model.output takes cat([controller output, new reads])",
}


def _step_parts(result: object) -> StepParts:
    """A reader's ``(logits, NTMState)`` in :class:`StepParts` order (a clear failure if it is not that)."""
    if not (
        isinstance(result, tuple)
        and len(result) == 2
        and isinstance(result[1], tuple)
        and len(result[1]) == len(NTMState._fields)
    ):
        raise CheckFailed(
            f"one NTM step: expected (logits, NTMState(controller, memory, weights, reads)), "
            f"got {type(result).__name__}"
        )
    logits, state = result
    ctrl, mem, weights, reads = state
    return StepParts(mem, weights, reads, ctrl, logits)


def _reference_step(model: NTM, x_t: torch.Tensor, state: NTMState) -> StepParts:
    with torch.no_grad():
        logits, new_state, _ = model.step(x_t, state)
    return _step_parts((logits, new_state))


def _random_state(model: NTM, b: int, g: torch.Generator) -> NTMState:
    """A random but valid state: memory, weightings that sum to 1, reads and controller state."""
    c = model.config
    n, m, r, w, h = c["memory_n"], c["memory_m"], c["read_heads"], c["write_heads"], c["controller_size"]
    ctrl = None if c["controller"] == "feedforward" else (0.5 * _randn(g, b, h), 0.5 * _randn(g, b, h))
    return NTMState(ctrl, _randn(g, b, n, m), weighting(g, b, r + w, n), _randn(g, b, r, m))


def _step_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for i, (desc, kw) in enumerate(
        [
            (
                "LSTM controller, 1 read + 1 write head",
                dict(controller="lstm", memory_n=5, read_heads=1, write_heads=1),
            ),
            (
                "feed-forward controller, 2 read + 1 write heads",
                dict(controller="feedforward", memory_n=6, read_heads=2, write_heads=1),
            ),
            (
                "LSTM controller, 1 read + 2 write heads, k = 2",
                dict(controller="lstm", memory_n=7, read_heads=1, write_heads=2, shift_range=2),
            ),
        ]
    ):
        seed = int(torch.randint(0, 2**31, (1,), generator=g))
        with torch.random.fork_rng(devices=[]):  # the model's random weights, from the case's generator
            torch.manual_seed(seed)
            model = NTM(input_size=3, output_size=2, controller_size=6, memory_m=4, **kw).double()
        x = _randn(g, 2, 3)
        cases.append(Case(desc, {"model": model, "x_t": x, "state": _random_state(model, 2, g)}))
        if i == 0:
            cases.append(
                Case(
                    "first step, from model.initial_state(2)",
                    {"model": model, "x_t": x, "state": model.initial_state(2)},
                )
            )
    return cases


#: The model's own step (and what calls it): the reader assembles the step from its parts.
_STEP = (
    "ntm_minimal.model:NTM.step",
    "ntm_minimal.model:NTM.forward",
    "ntm_minimal.model:NTM.steps",
    "ntm_minimal.model:NTM._forward_chunked",
)
check_ntm_step = define(
    Check(
        "check_ntm_step",
        "one NTM step",
        "ntm_step",
        _step_cases,
        _reference_step,
        "ntm_minimal.NTM.step",
        Rules(forbidden=_STEP),
        seed=8,
        hints=STEP_HINTS,
        output=_step_parts,
    )
)
