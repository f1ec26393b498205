"""The one check runner every exercise goes through: cases, comparison, rules, messages.

A check is a :class:`Check`: its name (``check_read``), its title (written here only), the reader's
function it checks, a case builder, a reference and the exercise's :class:`~.rules.Rules`.
:func:`define` registers it in :data:`CHECKS` and returns the function a notebook calls::

    check_read = define(Check("check_read", "read (Eq. 2)", "read", cases=..., reference=memory.read, ...))
    check_read(my_read)      # in a notebook: "✓ read (Eq. 2): 14 cases (7 fixed, 7 drawn fresh) match ..."

Every check runs its fixed cases (the same each time, built from ``Check.seed``) and as many
cases drawn fresh from a new seed, so a table of the fixed answers cannot pass. The reader's
function is called on float64 inputs cloned for each call, while :mod:`~.serve` watches what
runs; each result is compared with the reference, and the first disagreement raises
:class:`CheckFailed` naming the case, the expected and the actual values. Once every case
matches, the rules are checked. The grader (:mod:`~.grade`) uses the same cases and comparisons
in its own process, with outputs computed in the submission's kernel.
"""

from __future__ import annotations

import secrets
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import torch

from . import rules as rules_module
from .rules import Rules, SourceUnavailable
from .serve import call_watched, unobserved

__all__ = ["CHECKS", "Case", "Check", "CheckFailed", "Rules", "define", "gen", "weighting", "unit", "one_hot"]


class CheckFailed(AssertionError):
    """A reader's function disagrees with the reference on some input, raised on it, or broke a rule.

    In Jupyter (IPython) it is shown as its message alone, without the frames of the checker: only
    when the reader's own function raised does the traceback show that function's frames.
    """

    def _render_traceback_(self) -> list[str]:  # IPython calls this instead of formatting the frames
        lines = []
        cause = self.__cause__
        if cause is not None:
            frames = [
                f
                for f in traceback.extract_tb(cause.__traceback__)
                if "ntm_minimal/course" not in f.filename.replace("\\", "/")
            ]
            lines += ["Traceback of your function (most recent call last):"]
            lines += [line.rstrip("\n") for line in traceback.format_list(frames)]
            lines += [f"{type(cause).__name__}: {cause}", ""]
        return lines + [f"CheckFailed: {self}"]


class Case(NamedTuple):
    description: str
    args: dict[str, Any]  # keyword arguments of the reader's function
    want: Any = None  # the expected result, when the case builder knows it (else the reference computes it)


@dataclass(frozen=True)
class Check:
    """One exercise check (see the module docstring).

    ``cases(g)`` builds the cases from a generator; ``reference(**args)`` computes what a case
    expects (unless the case carries ``want``); ``output(got)`` turns the reader's result into the
    reference's form (e.g. the parts of an NTM step); ``judge(where, got, want, args)`` replaces
    the tensor comparison (e.g. for lists of entries).
    """

    name: str
    title: str
    function: str  # the reader's function, as the exercise names it
    cases: Callable[[torch.Generator], list[Case]]
    reference: Callable | None = None
    reference_name: str = ""
    rules: Rules | None = field(default_factory=Rules)
    seed: int = 0
    atol: float = 1e-6
    hints: dict[str, str] = field(default_factory=dict)
    output: Callable[[Any], Any] | None = None
    judge: Callable[[str, Any, Any, dict], None] | None = None


#: Every check, by name (``check_read`` ...), in the order the course defines them.
CHECKS: dict[str, Check] = {}


def define(check: Check) -> Callable[[Callable], None]:
    """Register ``check`` and return the function a notebook calls with the reader's function."""
    CHECKS[check.name] = check

    def run_check(fn: Callable) -> None:
        run(check, fn)

    run_check.__name__ = run_check.__qualname__ = check.name
    run_check.__doc__ = (
        f"Check the reader's ``{check.function}`` ({check.title}) against "
        f"{check.reference_name}; raises :class:`CheckFailed` naming the first case that differs."
    )
    return run_check


# ------------------------------------------------------------------ case helpers


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def fresh_seed() -> int:
    """A seed no submission can know in advance."""
    return secrets.randbits(62)


def weighting(g, *shape) -> torch.Tensor:
    return torch.softmax(3 * torch.randn(*shape, generator=g, dtype=torch.float64), dim=-1)


def unit(g, *shape) -> torch.Tensor:
    return torch.rand(*shape, generator=g, dtype=torch.float64)


def one_hot(index: int, *shape) -> torch.Tensor:
    w = torch.zeros(*shape, dtype=torch.float64)
    w[..., index] = 1.0
    return w


def cases_for(check: Check, seed: int | None = None) -> list[Case]:
    """The fixed cases of ``check``, then as many drawn from ``seed`` (a fresh one when ``None``)."""
    fixed = check.cases(gen(check.seed))
    fresh = check.cases(gen(fresh_seed() if seed is None else seed))
    return fixed + [c._replace(description=f"{c.description}; drawn fresh") for c in fresh]


def expected(check: Check, case: Case) -> Any:
    return case.want if case.want is not None else check.reference(**clone(case.args))


# ------------------------------------------------------------------ comparing


def _fmt(x: torch.Tensor) -> str:
    return "tensor" + str(list(x.shape)) + ("\n" + str(x.detach()) if x.numel() <= 24 else "")


def describe(value: Any) -> str:
    """A short description of one argument for failure messages."""
    if isinstance(value, torch.Tensor):
        return str(list(value.shape))
    config = getattr(value, "config", None)
    if isinstance(config, dict) and "controller" in config:  # an NTM
        return (
            f"NTM({config['controller']}, N={config['memory_n']}, M={config['memory_m']}, "
            f"{config['read_heads']} read + {config['write_heads']} write heads, k={config['shift_range']})"
        )
    if isinstance(value, tuple) and hasattr(value, "memory") and hasattr(value, "weights"):
        return "NTMState(memory " + str(list(value.memory.shape)) + ", weights " + str(list(value.weights.shape)) + ")"
    return repr(value)


def inputs_of(case: Case) -> str:
    return ", ".join(f"{k} {describe(v)}" for k, v in case.args.items())


def clone(value: Any) -> Any:
    """Deep-copy tensors (also inside tuples and dicts), so an in-place change cannot reach the next call."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, tuple):
        items = [clone(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value


def _type_name(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"unsupported type"}:  # what the grader's kernel sends back
        return value["unsupported type"]
    return type(value).__name__


def _hint(hint: str | None) -> str:
    return f"\nhint: {hint}" if hint else ""


def compare(
    where: str,
    got: object,
    want: object,
    atol: float,
    inputs: str,
    hints: dict[str, str] | None = None,
    hint: str | None = None,
) -> None:
    """Compare a result with the reference; tuples (e.g. ``HeadParams``) are compared field by field.

    ``hints`` maps a field name to advice added when that field (or anything inside it) differs.
    """
    hints = hints or {}
    if want is None:
        if got is not None:
            raise CheckFailed(f"{where}: expected None, got {_type_name(got)} (inputs: {inputs}){_hint(hint)}")
        return
    if isinstance(want, tuple):
        if not isinstance(got, tuple) or len(got) != len(want):
            size = f"of length {len(got)}" if isinstance(got, tuple) else _type_name(got)
            raise CheckFailed(
                f"{where}: expected a tuple of {len(want)} ({type(want).__name__}), got {size} "
                f"(inputs: {inputs}){_hint(hint)}"
            )
        names = getattr(want, "_fields", None) or [f"[{i}]" for i in range(len(want))]
        for name, g, w in zip(names, got, want):
            compare(f"{where}, {name}", g, w, atol, inputs, hints, hints.get(name, hint))
        return
    if not isinstance(got, torch.Tensor):
        raise CheckFailed(f"{where}: expected a torch.Tensor, got {_type_name(got)} (inputs: {inputs}){_hint(hint)}")
    if got.shape != want.shape:
        raise CheckFailed(
            f"{where}: expected shape {list(want.shape)}, got {list(got.shape)} (inputs: {inputs}){_hint(hint)}"
        )
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


def where(check: Check, case: Case) -> str:
    return f"{check.title}, case '{case.description}'"


def judge_case(check: Check, case: Case, got: Any, want: Any) -> None:
    """Raise :class:`CheckFailed` when the reader's result ``got`` for ``case`` is not ``want``."""
    if check.output is not None:
        got = check.output(got)
    if check.judge is not None:
        check.judge(where(check, case), got, want, case.args)
    else:
        compare(where(check, case), got, want, check.atol, inputs_of(case), check.hints)


def raised_message(check: Check, case: Case, kind: str, message: str) -> str:
    """What a failed case says when the reader's function raised ``kind: message``."""
    if kind == "NotImplementedError":
        return (
            f"{where(check, case)}: your function raised NotImplementedError; replace the line "
            f"`raise NotImplementedError(...)` with your code, run that cell, then this one"
        )
    return f"{where(check, case)}: your function raised {kind}: {message} (inputs: {inputs_of(case)})"


def rule_failed(check: Check, broken: str) -> CheckFailed:
    return CheckFailed(f"{check.title}: your results match, but the exercise's {broken}")


def success_line(check: Check, cases: list[Case], note: str = "") -> str:
    fresh = sum(c.description.endswith("drawn fresh") for c in cases)
    return (
        f"✓ {check.title}: {len(cases)} cases ({len(cases) - fresh} fixed, {fresh} drawn fresh) match "
        f"{check.reference_name}{note}"
    )


# ------------------------------------------------------------------ the learner's check


def run(check: Check, fn: Callable) -> None:
    """Check the reader's ``fn`` in this process (see the module docstring); print one line when it passes."""
    if not callable(fn):
        raise CheckFailed(f"{check.title}: expected a function, got {type(fn).__name__}")
    cases = cases_for(check)
    broken = None
    for case in cases:
        want = expected(check, case)
        watch = rules_module.watch_for(check.rules)
        try:
            got = call_watched(watch, fn, clone(case.args))
        except CheckFailed:
            raise
        except Exception as err:  # the reader's bug, shown with its traceback (chained below)
            message = raised_message(check, case, type(err).__name__, str(err))
            raise CheckFailed(message) from (None if isinstance(err, NotImplementedError) else err)
        judge_case(check, case, got, want)
        if check.rules is not None and broken is None:
            broken = rules_module.ran_message(
                getattr(fn, "__name__", check.function), watch.ran, watch.spawned, unobserved(watch)
            )
    note = ""
    if check.rules is not None and check.rules.loops and broken is None:
        try:
            broken = rules_module.find_loop(fn)
        except SourceUnavailable:
            note = " (the loop rule was not checked: the function's source is not available)"
    if broken:
        raise rule_failed(check, broken)
    print(success_line(check, cases, note))
