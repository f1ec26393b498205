"""Automatic checks for the exercises: compare a reader's function with the package's.

Each ``check_*`` function calls the reader's function on random and edge-case inputs, compares
every result with the reference implementation in :mod:`ntm_minimal`, checks the rules the
exercise states (no Python loops, no call of the package's own version: see
:mod:`ntm_minimal.exercise_rules`), and either prints a short success line or raises
:class:`CheckFailed` naming the case, the expected and the actual result, or the rule broken.
An exception raised by the reader's function (the exercise stub's ``NotImplementedError``
included) becomes a :class:`CheckFailed` too, naming the case it was raised on.

Every check also reports its result machine-readably for the autograder
(:mod:`ntm_minimal.grade`): when the environment variable ``NTM_MINIMAL_GRADE_LOG`` names a file,
each check appends one JSON line ``{"check", "title", "passed", "detail"}`` to it.

    >>> from ntm_minimal import checks
    >>> checks.check_read(my_read)          # doctest: +SKIP
    ✓ read (Eq. 2): 7 cases match ntm_minimal.memory.read
"""
from __future__ import annotations

import functools
import json
import os
import traceback
from typing import Any, Callable, Iterable, NamedTuple

import torch
from torch import nn

from . import addressing, memory
from .exercise_rules import SourceUnavailable, find_broken_rule
from .heads import HeadParams, Heads
from .model import NTM, NTMState

__all__ = ["CheckFailed", "GRADE_LOG_ENV", "graded", "check_read", "check_erase", "check_add", "check_write",
           "check_cosine_similarity", "check_content_weighting", "check_interpolate", "check_shift",
           "check_sharpen", "check_address", "check_head_params", "check_ntm_step"]

#: Environment variable naming the JSON-lines file that checks append their results to.
GRADE_LOG_ENV = "NTM_MINIMAL_GRADE_LOG"


class CheckFailed(AssertionError):
    """A reader's function disagrees with the reference on some input, raised on it, or broke a rule.

    In Jupyter (IPython) it is shown as its message alone, without the frames of the checker: only
    when the reader's own function raised does the traceback show that function's frames.
    """

    def _render_traceback_(self) -> list[str]:  # IPython calls this instead of formatting the frames
        lines = []
        cause = self.__cause__
        if cause is not None:
            frames = [f for f in traceback.extract_tb(cause.__traceback__) if f.filename != __file__]
            lines += ["Traceback of your function (most recent call last):"]
            lines += [line.rstrip("\n") for line in traceback.format_list(frames)]
            lines += [f"{type(cause).__name__}: {cause}", ""]
        return lines + [f"CheckFailed: {self}"]


def _record(check: str, title: str, passed: bool, detail: str) -> None:
    """Append one result to the grade log, if the grader asked for one."""
    path = os.environ.get(GRADE_LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"check": check, "title": title, "passed": passed, "detail": detail}) + "\n")


def graded(title: str) -> Callable[[Callable], Callable]:
    """Decorate a ``check_*`` function so its result reaches the autograder (see :data:`GRADE_LOG_ENV`).

    Other check modules (the DNC's, MegaContext's) use it too: a check passes when it returns, and
    fails when it raises (its message, first line, becomes the grade report's detail).
    """
    def decorate(check: Callable) -> Callable:
        @functools.wraps(check)
        def run(*args, **kwargs):
            try:
                out = check(*args, **kwargs)
            except CheckFailed as err:
                _record(check.__name__, title, False, str(err))
                raise
            except Exception as err:
                _record(check.__name__, title, False, f"the check itself raised {type(err).__name__}: {err}")
                raise
            _record(check.__name__, title, True, "passed")
            return out
        return run
    return decorate


class Case(NamedTuple):
    description: str
    args: dict[str, Any]  # keyword arguments: tensors, or (for chapter 7) a model, ints, a state


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _weighting(g, *shape) -> torch.Tensor:
    return torch.softmax(3 * torch.randn(*shape, generator=g, dtype=torch.float64), dim=-1)


def _unit(g, *shape) -> torch.Tensor:
    return torch.rand(*shape, generator=g, dtype=torch.float64)


def _one_hot(index: int, *shape) -> torch.Tensor:
    w = torch.zeros(*shape, dtype=torch.float64)
    w[..., index] = 1.0
    return w


def _fmt(x: torch.Tensor) -> str:
    return "tensor" + str(list(x.shape)) + ("\n" + str(x.detach()) if x.numel() <= 24 else "")


def _describe(value: Any) -> str:
    """A short description of one argument for failure messages."""
    if isinstance(value, torch.Tensor):
        return str(list(value.shape))
    if isinstance(value, NTM):
        c = value.config
        return (f"NTM({c['controller']}, N={c['memory_n']}, M={c['memory_m']}, "
                f"{c['read_heads']} read + {c['write_heads']} write heads, k={c['shift_range']})")
    if isinstance(value, NTMState):
        return "NTMState(memory " + str(list(value.memory.shape)) + ", weights " + str(list(value.weights.shape)) + ")"
    return repr(value)


def _clone(value: Any) -> Any:
    """Deep-copy tensors (also inside tuples), so an in-place change cannot reach the next call."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, tuple):
        items = [_clone(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value


def _hint(hint: str | None) -> str:
    return f"\nhint: {hint}" if hint else ""


def _compare(where: str, got: object, want: object, atol: float, inputs: str,
             hints: dict[str, str] | None = None, hint: str | None = None) -> None:
    """Compare a result with the reference; tuples (e.g. ``HeadParams``) are compared field by field.

    ``hints`` maps a field name to advice added when that field (or anything inside it) differs.
    """
    hints = hints or {}
    if want is None:
        if got is not None:
            raise CheckFailed(f"{where}: expected None, got {type(got).__name__} (inputs: {inputs}){_hint(hint)}")
        return
    if isinstance(want, tuple):
        if not isinstance(got, tuple) or len(got) != len(want):
            size = f"of length {len(got)}" if isinstance(got, tuple) else type(got).__name__
            raise CheckFailed(f"{where}: expected a tuple of {len(want)} ({type(want).__name__}), got {size} "
                              f"(inputs: {inputs}){_hint(hint)}")
        names = getattr(want, "_fields", None) or [f"[{i}]" for i in range(len(want))]
        for name, g, w in zip(names, got, want):
            _compare(f"{where}, {name}", g, w, atol, inputs, hints, hints.get(name, hint))
        return
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(f"{where}: expected a torch.Tensor, got {type(got).__name__} (inputs: {inputs}){_hint(hint)}")
    if got.shape != want.shape:
        raise CheckFailed(f"{where}: expected shape {list(want.shape)}, got {list(got.shape)} "
                          f"(inputs: {inputs}){_hint(hint)}")
    got = got.detach().to(want.dtype)
    if not torch.isfinite(got).all():
        raise CheckFailed(f"{where}: your result contains NaN or inf (inputs: {inputs})\ngot: {_fmt(got)}{_hint(hint)}")
    diff = (got - want).abs()
    if diff.max() > atol:
        worst = tuple(int(i) for i in torch.nonzero(diff == diff.max())[0])
        raise CheckFailed(
            f"{where}: results differ (inputs: {inputs}).\n"
            f"largest difference {diff.max().item():.3g} at index {list(worst)}: "
            f"expected {want[worst].item():.6g}, got {got[worst].item():.6g}\n"
            f"expected: {_fmt(want)}\ngot:      {_fmt(got)}{_hint(hint)}"
        )


def _call(name: str, fn: Callable, case: Case, inputs: str) -> object:
    """Call the reader's function; any exception becomes a :class:`CheckFailed` naming the case."""
    where = f"{name}, case '{case.description}'"
    try:
        return fn(**_clone(case.args))
    except CheckFailed:
        raise
    except NotImplementedError:
        raise CheckFailed(f"{where}: your function raised NotImplementedError; replace the line "
                          f"`raise NotImplementedError(...)` with your code, run that cell, then this one") from None
    except Exception as err:  # the reader's bug, shown with its traceback (chained below)
        raise CheckFailed(f"{where}: your function raised {type(err).__name__}: {err} (inputs: {inputs})") from err


class Rules(NamedTuple):
    """What an exercise forbids (see :func:`ntm_minimal.exercise_rules.find_broken_rule`)."""

    loops: bool = True
    forbidden: tuple = ()
    forbidden_attrs: tuple = ()


def _check_rules(name: str, fn: Callable, rules: Rules | None) -> str:
    """Raise :class:`CheckFailed` naming the broken rule; return a note when the rules could not be read."""
    if rules is None:
        return ""
    try:
        broken = find_broken_rule(fn, rules.loops, rules.forbidden, rules.forbidden_attrs)
    except SourceUnavailable:
        return " (its rules were not checked: the function's source is not available)"
    if broken:
        raise CheckFailed(f"{name}: your results match, but the exercise's {broken}")
    return ""


def run_check(name: str, fn: Callable, reference: Callable, cases: Iterable[Case], atol: float = 1e-6,
              reference_name: str | None = None, rules: Rules | None = None,
              hints: dict[str, str] | None = None, rules_of: Callable | None = None) -> None:
    """Call ``fn`` and ``reference`` on every case (keyword arguments) and compare the results.

    Inputs are float64 and cloned for each call, so a function that changes its inputs in place
    cannot spoil the reference's result. ``reference_name`` is what the success line says the
    function matched (default: the reference's module and name). Once every case matches, the
    exercise's ``rules`` are checked on the source of ``rules_of`` (default ``fn``). ``hints`` (field name -> advice)
    are added to the message when a field of a tuple result differs.
    """
    if not callable(fn):
        raise CheckFailed(f"{name}: expected a function, got {type(fn).__name__}")
    cases = list(cases)
    for case in cases:
        inputs = ", ".join(f"{k} {_describe(v)}" for k, v in case.args.items())
        want = reference(**_clone(case.args))
        got = _call(name, fn, case, inputs)
        _compare(f"{name}, case '{case.description}'", got, want, atol, inputs, hints)
    note = _check_rules(name, rules_of or fn, rules)
    if reference_name is None:
        reference_name = f"ntm_minimal.{reference.__module__.split('.')[-1]}.{reference.__name__}"
    print(f"✓ {name}: {len(cases)} cases match {reference_name}{note}")


# ---------------------------------------------------------------- cases

_NO_MEMORY = Rules(forbidden=(memory,))
_NO_ADDRESSING = Rules(forbidden=(addressing,))


def _memory_cases(extra: Callable[[torch.Generator, tuple[int, ...]], dict]) -> list[Case]:
    """Random memories with one head ``[B, N]``, several heads ``[B, H, N]``, one-hot and zero cases."""
    g = _gen(0)
    out = []
    for desc, (b, h, n, m) in [("one head", (2, None, 5, 3)), ("batch of 1, one head", (1, None, 8, 4)),
                               ("two heads", (3, 2, 6, 4)), ("three heads", (2, 3, 7, 2))]:
        lead = (b,) if h is None else (b, h)
        args = {"memory": torch.randn(b, n, m, generator=g, dtype=torch.float64), "w": _weighting(g, *lead, n)}
        args.update(extra(g, (*lead, m)))
        out.append(Case(desc, args))
    one_hot = {"memory": torch.randn(2, 4, 3, generator=g, dtype=torch.float64), "w": _one_hot(2, 2, 4)}
    one_hot.update(extra(g, (2, 3)))
    out.append(Case("one-hot weighting on row 2", one_hot))
    zeros = {"memory": torch.zeros(2, 4, 3, dtype=torch.float64), "w": _weighting(g, 2, 4)}
    zeros.update(extra(g, (2, 3)))
    out.append(Case("all-zero memory", zeros))
    return out


@graded("read (Eq. 2)")
def check_read(fn: Callable) -> None:
    """Check ``fn(memory, w)`` against Eq. 2 (``ntm_minimal.memory.read``)."""
    run_check("read (Eq. 2)", fn, memory.read, _memory_cases(lambda g, shape: {}), rules=_NO_MEMORY)


@graded("erase (Eq. 3)")
def check_erase(fn: Callable) -> None:
    """Check ``fn(memory, w, e)`` against Eq. 3 (``ntm_minimal.memory.erase``)."""
    run_check("erase (Eq. 3)", fn, memory.erase, _memory_cases(lambda g, shape: {"e": _unit(g, *shape)}),
              rules=_NO_MEMORY)


@graded("add (Eq. 4)")
def check_add(fn: Callable) -> None:
    """Check ``fn(memory, w, a)`` against Eq. 4 (``ntm_minimal.memory.add``)."""
    run_check("add (Eq. 4)", fn, memory.add,
              _memory_cases(lambda g, shape: {"a": torch.randn(*shape, generator=g, dtype=torch.float64)}), rules=_NO_MEMORY)


@graded("write (Eq. 3-4)")
def check_write(fn: Callable) -> None:
    """Check ``fn(memory, w, e, a)`` against Eq. 3 then 4 (``ntm_minimal.memory.write``)."""
    run_check("write (Eq. 3-4)", fn, memory.write, _memory_cases(
        lambda g, shape: {"e": _unit(g, *shape), "a": torch.randn(*shape, generator=g, dtype=torch.float64)}),
        rules=_NO_MEMORY)


def _key_cases(extra: Callable[[torch.Generator, tuple[int, ...]], dict]) -> list[Case]:
    g = _gen(1)
    out = []
    for desc, (b, h, n, m) in [("one head", (2, None, 5, 3)), ("two heads", (3, 2, 6, 4)),
                               ("three heads, wide rows", (2, 3, 4, 9))]:
        lead = (b,) if h is None else (b, h)
        args = {"key": torch.randn(*lead, m, generator=g, dtype=torch.float64),
                "memory": torch.randn(b, n, m, generator=g, dtype=torch.float64)}
        args.update(extra(g, lead))
        out.append(Case(desc, args))
    mem = torch.randn(2, 5, 3, generator=g, dtype=torch.float64)
    out.append(Case("key equal to row 3", {"key": mem[:, 3].clone(), "memory": mem, **extra(g, (2,))}))
    out.append(Case("key scaled by 10 (cosine ignores scale)", {"key": 10 * mem[:, 1].clone(), "memory": mem, **extra(g, (2,))}))
    return out


@graded("cosine similarity (Eq. 6)")
def check_cosine_similarity(fn: Callable) -> None:
    """Check ``fn(key, memory)`` against Eq. 6 (``ntm_minimal.addressing.cosine_similarity``)."""
    run_check("cosine similarity (Eq. 6)", fn, addressing.cosine_similarity, _key_cases(lambda g, lead: {}),
              rules=_NO_ADDRESSING)


@graded("content weighting (Eq. 5)")
def check_content_weighting(fn: Callable) -> None:
    """Check ``fn(key, beta, memory)`` against Eq. 5 (``ntm_minimal.addressing.content_weighting``)."""
    def beta(g, lead):
        return {"beta": 10 * _unit(g, *lead, 1)}
    cases = _key_cases(beta)
    big = dict(cases[0].args, beta=torch.full((2, 1), 1e3, dtype=torch.float64))
    cases.append(Case("very large beta = 1000 (needs a stable softmax)", big))
    run_check("content weighting (Eq. 5)", fn, addressing.content_weighting, cases, rules=_NO_ADDRESSING)


def _weighting_cases(extra: Callable[[torch.Generator, tuple[int, ...], int], dict]) -> list[Case]:
    g = _gen(2)
    out = []
    for desc, lead, n in [("one head", (2,), 5), ("two heads", (3, 2), 6), ("batch of 1", (1,), 9)]:
        out.append(Case(desc, {"w": _weighting(g, *lead, n), **extra(g, lead, n)}))
    out.append(Case("one-hot on the last row", {"w": _one_hot(4, 2, 5), **extra(g, (2,), 5)}))
    out.append(Case("one-hot on row 0", {"w": _one_hot(0, 2, 5), **extra(g, (2,), 5)}))
    return out


@graded("interpolation (Eq. 7)")
def check_interpolate(fn: Callable) -> None:
    """Check ``fn(w_content, w_prev, g)`` against Eq. 7 (``ntm_minimal.addressing.interpolate``)."""
    gen = _gen(3)
    cases = []
    for desc, lead, n in [("one head", (2,), 5), ("two heads", (3, 2), 6)]:
        cases.append(Case(desc, {"w_content": _weighting(gen, *lead, n), "w_prev": _weighting(gen, *lead, n),
                                 "g": _unit(gen, *lead, 1)}))
    w_c, w_p = _weighting(gen, 2, 4), _weighting(gen, 2, 4)
    for value in (0.0, 1.0):
        cases.append(Case(f"gate g = {value:g}", {"w_content": w_c, "w_prev": w_p, "g": torch.full((2, 1), value, dtype=torch.float64)}))
    run_check("interpolation (Eq. 7)", fn, addressing.interpolate, cases, rules=_NO_ADDRESSING)


def _shift_dist(g, lead, k: int) -> torch.Tensor:
    return torch.softmax(2 * torch.randn(*lead, 2 * k + 1, generator=g, dtype=torch.float64), dim=-1)


@graded("shift (Eq. 8)")
def check_shift(fn: Callable) -> None:
    """Check ``fn(w, s)`` against Eq. 8 (``ntm_minimal.addressing.shift``): offsets, direction, wrap-around."""
    g = _gen(4)
    plus_one = torch.tensor([[0.0, 0.0, 1.0]], dtype=torch.float64)  # offset +1
    cases = [
        Case("one-hot on row 1, s = offset +1 (should move to row 2)", {"w": _one_hot(1, 1, 5), "s": plus_one}),
        Case("one-hot on the last row, s = offset +1 (should wrap to row 0)", {"w": _one_hot(4, 1, 5), "s": plus_one}),
        *_weighting_cases(lambda g, lead, n: {"s": _shift_dist(g, lead, 1)}),
        Case("wider shift, k = 2", {"w": _weighting(g, 2, 7), "s": _shift_dist(g, (2,), 2)}),
        Case("shift as wide as memory, k = 2, N = 5", {"w": _weighting(g, 2, 5), "s": _shift_dist(g, (2,), 2)}),
    ]
    run_check("shift (Eq. 8)", fn, addressing.shift, cases, rules=_NO_ADDRESSING)


@graded("sharpening (Eq. 9)")
def check_sharpen(fn: Callable) -> None:
    """Check ``fn(w, gamma)`` against Eq. 9 (``ntm_minimal.addressing.sharpen``)."""
    cases = _weighting_cases(lambda g, lead, n: {"gamma": 1 + 4 * _unit(g, *lead, 1)})
    g = _gen(5)
    w = _weighting(g, 2, 6)
    flat = torch.softmax(0.1 * torch.randn(2, 6, generator=g, dtype=torch.float64), dim=-1)  # every w(i) near 1/6
    cases += [Case("gamma = 1 (no change)", {"w": w, "gamma": torch.ones(2, 1, dtype=torch.float64)}),
              Case("gamma = 50 (very sharp)", {"w": w, "gamma": torch.full((2, 1), 50.0, dtype=torch.float64)}),
              Case("gamma = 1000 on a nearly flat weighting (w ** gamma underflows to 0, so "
                   "w ** gamma / sum gives 0/0: use softmax(gamma * log w))",
                   {"w": flat, "gamma": torch.full((2, 1), 1000.0, dtype=torch.float64)})]
    run_check("sharpening (Eq. 9)", fn, addressing.sharpen, cases, rules=_NO_ADDRESSING)


@graded("addressing (Eq. 5-9)")
def check_address(fn: Callable) -> None:
    """Check ``fn(key, beta, g, s, gamma, w_prev, memory)`` against Eq. 5-9 (``addressing.address``)."""
    gen = _gen(6)
    cases = []
    for desc, lead, n, m in [("one head", (2,), 6, 3), ("two heads", (2, 2), 8, 4), ("three heads", (1, 3), 5, 2)]:
        cases.append(Case(desc, {
            "key": torch.randn(*lead, m, generator=gen, dtype=torch.float64), "beta": 5 * _unit(gen, *lead, 1),
            "g": _unit(gen, *lead, 1), "s": _shift_dist(gen, lead, 1), "gamma": 1 + 3 * _unit(gen, *lead, 1),
            "w_prev": _weighting(gen, *lead, n), "memory": torch.randn(lead[0], n, m, generator=gen, dtype=torch.float64)}))
    mem = torch.randn(2, 6, 3, generator=gen, dtype=torch.float64)
    cases.append(Case("g = 0, s = offset +1, gamma = 1 (ignore content: the previous weighting moves one row)", {
        "key": mem[:, 4].clone(), "beta": torch.full((2, 1), 20.0, dtype=torch.float64),
        "g": torch.zeros(2, 1, dtype=torch.float64), "s": torch.tensor([[0.0, 0.0, 1.0]] * 2, dtype=torch.float64),
        "gamma": torch.ones(2, 1, dtype=torch.float64), "w_prev": _weighting(gen, 2, 6), "memory": mem}))
    run_check("addressing (Eq. 5-9)", fn, addressing.address, cases,
              rules=Rules(forbidden=(addressing.sharpen, addressing.address)))


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


@graded("head parameters")
def check_head_params(fn: Callable) -> None:
    """Check ``fn(raw, memory_m, read_heads, write_heads, shift_range)`` against ``ntm_minimal.heads.Heads``.

    ``raw`` is the heads' linear layer output ``[B, P]``; ``fn`` must split it and apply the
    transforms, returning a :class:`~ntm_minimal.heads.HeadParams` (or a tuple of its 7 fields).
    """
    gen = _gen(7)
    cases = []
    for desc, (b, m, r, w, k) in [("1 read + 1 write head, M = 4, k = 1", (2, 4, 1, 1, 1)),
                                  ("2 read + 1 write heads, M = 3, k = 2", (3, 3, 2, 1, 2)),
                                  ("1 read + 3 write heads, M = 2, k = 1", (1, 2, 1, 3, 1)),
                                  ("batch of 4, k = 0 (no shifting)", (4, 3, 1, 1, 0))]:
        raw = 2 * torch.randn(b, _head_layout(m, r, w, k), generator=gen, dtype=torch.float64)
        cases.append(Case(desc, {"raw": raw, "memory_m": m, "read_heads": r, "write_heads": w, "shift_range": k}))
    signs = torch.randn(2, _head_layout(3, 1, 1, 1), generator=gen, dtype=torch.float64).sign()
    cases.append(Case("raw outputs of +-1000 (log(1 + exp(x)) overflows: use torch.nn.functional.softplus)",
                      {"raw": 1000 * signs, "memory_m": 3, "read_heads": 1, "write_heads": 1, "shift_range": 1}))
    run_check("head parameters", fn, _reference_head_params, cases,
              reference_name="ntm_minimal.heads.Heads (its linear layer set to the identity)",
              rules=Rules(forbidden=(Heads,)))


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
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], tuple)
            and len(result[1]) == len(NTMState._fields)):
        raise CheckFailed(f"one NTM step: expected (logits, NTMState(controller, memory, weights, reads)), "
                          f"got {type(result).__name__}")
    logits, state = result
    ctrl, mem, weights, reads = state
    return StepParts(mem, weights, reads, ctrl, logits)


def _reference_step(model: NTM, x_t: torch.Tensor, state: NTMState) -> StepParts:
    with torch.no_grad():
        logits, new_state, _ = model.step(x_t, state)
    return _step_parts((logits, new_state))


def _random_state(model: NTM, b: int, gen: torch.Generator) -> NTMState:
    """A random but valid state: memory, weightings that sum to 1, reads and controller state."""
    c = model.config
    n, m, r, w, h = c["memory_n"], c["memory_m"], c["read_heads"], c["write_heads"], c["controller_size"]
    ctrl = None if c["controller"] == "feedforward" else (
        0.5 * torch.randn(b, h, generator=gen, dtype=torch.float64), 0.5 * torch.randn(b, h, generator=gen, dtype=torch.float64))
    return NTMState(ctrl, torch.randn(b, n, m, generator=gen, dtype=torch.float64), _weighting(gen, b, r + w, n),
                    torch.randn(b, r, m, generator=gen, dtype=torch.float64))


@graded("one NTM step")
def check_ntm_step(fn: Callable) -> None:
    """Check ``fn(model, x_t, state) -> (logits, new_state)`` against ``ntm_minimal.NTM.step``."""
    gen = _gen(8)
    cases = []
    for i, (desc, kw) in enumerate([
            ("LSTM controller, 1 read + 1 write head", dict(controller="lstm", memory_n=5, read_heads=1, write_heads=1)),
            ("feed-forward controller, 2 read + 1 write heads",
             dict(controller="feedforward", memory_n=6, read_heads=2, write_heads=1)),
            ("LSTM controller, 1 read + 2 write heads, k = 2",
             dict(controller="lstm", memory_n=7, read_heads=1, write_heads=2, shift_range=2))]):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(100 + i)
            model = NTM(input_size=3, output_size=2, controller_size=6, memory_m=4, **kw).double()
        b = 2
        x = torch.randn(b, 3, generator=gen, dtype=torch.float64)
        cases.append(Case(desc, {"model": model, "x_t": x, "state": _random_state(model, b, gen)}))
        if i == 0:
            cases.append(Case("first step, from model.initial_state(2)",
                              {"model": model, "x_t": x, "state": model.initial_state(b)}))
    if not callable(fn):
        raise CheckFailed(f"one NTM step: expected a function, got {type(fn).__name__}")

    def in_step_order(model, x_t, state):
        return _step_parts(fn(model=model, x_t=x_t, state=state))

    run_check("one NTM step", in_step_order, _reference_step, cases, reference_name="ntm_minimal.NTM.step",
              rules=Rules(forbidden=(NTM.step, NTM.forward), forbidden_attrs=("step", "forward")), rules_of=fn,
              hints=STEP_HINTS)
