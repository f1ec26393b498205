"""The rules an exercise states: no Python loops, and none of the course's own implementations.

**What runs.** A rule such as "write it yourself, do not call ``ntm_minimal.dnc``" is checked on
what executes, not on names: :class:`Forbidden` lists the implementations the course ships for an
exercise (modules, folders, single functions, given by import path), :meth:`Forbidden.watch`
turns them into a :class:`~ntm_minimal.course.serve.Watch` of file paths and first lines, and
the watch reports every one of them that starts while the reader's function computes, whatever
name, alias or re-export reached it. The checks' own references (this subpackage) and, in a
source checkout, ``bench/`` and the tests' oracle ``tests/reference.py`` are always forbidden.

**Loops.** Read from the source with :mod:`ast`: :func:`find_loop` on a live function (its source
must be readable, as in a notebook cell), following the reader's own helpers;
:func:`find_loop_in_sources` on the code cells of a submitted notebook, as the grader does.

    >>> def total(w):
    ...     return sum([x for x in w])
    >>> find_loop(total)        # doctest: +SKIP
    'rule: no Python loops. `total` uses a list comprehension: `[x for x in w]`'
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import textwrap
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from .serve import Watch

_LOOPS = {
    ast.For: "a `for` loop",
    ast.AsyncFor: "a `for` loop",
    ast.While: "a `while` loop",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
}
_PACKAGE = "ntm_minimal"
_COURSE_DIR = Path(__file__).resolve().parent
_CHECKOUT = _COURSE_DIR.parent.parent  # the repository root, when the package runs from a clone


class SourceUnavailable(Exception):
    """The function's source cannot be read (defined with ``exec``, or built in)."""


class Rules(NamedTuple):
    """What an exercise forbids: Python loops (``loops``), and the implementations in ``forbidden``.

    Each entry of ``forbidden`` is ``"package.module"`` (every function in it; a package: every
    module under it) or ``"package.module:Name.attr"`` (one function or method).
    """

    loops: bool = True
    forbidden: tuple[str, ...] = ()


def _code_key(obj) -> tuple[str, int] | None:
    obj = inspect.unwrap(obj) if callable(obj) else obj
    code = getattr(getattr(obj, "__func__", obj), "__code__", None)
    return (os.path.realpath(code.co_filename), code.co_firstlineno) if code is not None else None


def resolve(forbidden: Iterable[str]) -> dict[str, list]:
    """``{"files", "dirs", "keys"}`` of the implementations named (plus the checks' own), as plain data.

    Names that do not import (a part of the package another install lacks) are skipped.
    """
    files, dirs, keys = [], [str(_COURSE_DIR)], []
    if (_CHECKOUT / "nbsrc").is_dir():  # a clone of the course: its test oracle and benchmarks hold implementations too
        dirs += [str(_CHECKOUT / "bench")] if (_CHECKOUT / "bench").is_dir() else []
        files += [str(_CHECKOUT / "tests" / "reference.py")] if (_CHECKOUT / "tests" / "reference.py").is_file() else []
    for spec in forbidden:
        module_name, _, attrs = spec.partition(":")
        try:
            obj = importlib.import_module(module_name)
        except ImportError:
            continue
        if not attrs:
            if hasattr(obj, "__path__"):
                dirs += [os.path.realpath(p) for p in obj.__path__]
            else:
                files.append(os.path.realpath(obj.__file__))
            continue
        for attr in attrs.split("."):
            obj = getattr(obj, attr, None)
        if isinstance(obj, type):  # a class: each of its methods
            keys += [k for v in vars(obj).values() if (k := _code_key(v)) is not None]
        elif obj is not None and (key := _code_key(obj)) is not None:
            keys.append(key)
    return {"files": files, "dirs": dirs, "keys": keys}


def watch_for(rules: Rules | None) -> Watch:
    """A fresh :class:`~ntm_minimal.course.serve.Watch` for the implementations ``rules`` forbid."""
    return Watch(**resolve(rules.forbidden if rules is not None else ()))


def ran_message(name: str, ran: list[str], spawned: list[str], unobserved: bool) -> str | None:
    """The rule broken, as a sentence, from what a watch saw; ``None`` when nothing was wrong."""
    if ran:
        return (
            f"rule: write it yourself, do not run the course's implementation. While `{name}` computed, "
            f"the course's own code ran: {', '.join(ran[:3])}"
        )
    if spawned:
        return f"rule: do the work in `{name}` itself. It started another process or thread: {', '.join(spawned[:3])}"
    if unobserved:
        return (
            f"rule: `{name}` must run where the checker can watch it: the interpreter's profiler was "
            f"disabled or replaced while it ran"
        )
    return None


# ------------------------------------------------------------------ loops, on a live function


def _function_node(fn: Callable) -> ast.AST:
    """The ``def`` or ``lambda`` node of ``fn``, parsed from its source."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError) as err:
        raise SourceUnavailable(str(err)) from None
    kind = ast.Lambda if fn.__name__ == "<lambda>" else (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(tree):
        if isinstance(node, kind) and getattr(node, "name", "<lambda>") == fn.__name__:
            return node
    raise SourceUnavailable(f"no definition of {fn.__name__} in its source")


def _line(node: ast.AST) -> str:
    return ast.unparse(node).split("\n")[0][:80]


def _loop(node: ast.AST, name: str) -> str | None:
    for sub in ast.walk(node):
        if type(sub) in _LOOPS:
            return f"rule: no Python loops. `{name}` uses {_LOOPS[type(sub)]}: `{_line(sub)}`"
    return None


def _is_reader_function(obj: object) -> bool:
    """A plain Python function written by the reader (not from this package, torch or a library)."""
    module = getattr(obj, "__module__", None) or ""
    return (
        isinstance(obj, types.FunctionType)
        and not module.startswith((_PACKAGE, "torch", "numpy"))
        and "site-packages" not in obj.__code__.co_filename
    )


def find_loop(fn: Callable, _seen: set | None = None) -> str | None:
    """The loop rule ``fn`` (or a helper of the reader's it names) breaks, as a sentence, or ``None``.

    Raises:
        SourceUnavailable: the source of ``fn`` cannot be read.
    """
    seen = _seen if _seen is not None else set()
    seen.add(fn)
    node = _function_node(fn)
    broken = _loop(node, fn.__name__)
    if broken:
        return broken
    scope = dict(getattr(fn, "__globals__", {}))
    for sub in ast.walk(node):
        obj = scope.get(sub.id) if isinstance(sub, ast.Name) else None
        if _is_reader_function(obj) and obj not in seen:
            try:
                broken = find_loop(obj, seen)
            except SourceUnavailable:
                continue
            if broken:
                return f"{broken} (called from `{fn.__name__}`)"
    return None


# ------------------------------------------------------------------ loops, on a notebook's source

_MAGIC = re.compile(r"^(\s*)[%!].*$", re.M)


def _definitions(sources: Iterable[str]) -> dict[str, ast.AST]:
    """Top-level ``def`` (and ``name = other_name`` aliases) of every code cell; the last one wins."""
    defs: dict[str, ast.AST] = {}
    for source in sources:
        try:
            tree = ast.parse(_MAGIC.sub(r"\1pass", source))  # IPython's %magic and !shell lines
        except SyntaxError:
            continue  # a cell that does not parse defines nothing (the kernel raised there too)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defs[node.name] = node
            elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Lambda)):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        defs[target.id] = node.value
    return defs


def find_loop_in_sources(sources: Iterable[str], name: str) -> str | None:
    """The loop rule that the notebook's function ``name`` (or a helper it names) breaks, or ``None``."""
    defs = _definitions(sources)
    seen: set[str] = set()

    def visit(current: str, chain: str) -> str | None:
        node = defs.get(current)
        seen.add(current)
        if isinstance(node, ast.Name):  # an alias of another of the notebook's functions
            return visit(node.id, chain) if node.id not in seen else None
        if node is None:
            return None
        broken = _loop(node, current)
        if broken:
            return broken + chain
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in defs and sub.id not in seen:
                broken = visit(sub.id, f" (called from `{current}`)")
                if broken:
                    return broken
        return None

    return visit(name, "")
