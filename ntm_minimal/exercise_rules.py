"""The rules an exercise states, checked on the reader's source: no Python loops, no package reference.

A check first compares results (:mod:`ntm_minimal.checks`); a function that matches the reference
could still do so by calling the reference itself, or by looping over rows in Python. This module
reads the function's source with :mod:`ast`, resolves the names it uses in the function's globals
(so ``from ntm_minimal.addressing import shift as s`` is caught as well as ``addressing.shift``),
and follows the reader's own helper functions (``write`` calling the reader's ``erase``).

For a function defined in a file or a notebook cell (its source must be readable)::

    def total(w):
        return sum([x for x in w])

    find_broken_rule(total, loops=True)
    # -> 'rule: no Python loops. `total` uses a list comprehension: `[x for x in w]`'
"""
from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import textwrap
import types
from typing import Callable, Iterable

_LOOPS = {ast.For: "a `for` loop", ast.AsyncFor: "a `for` loop", ast.While: "a `while` loop",
          ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension",
          ast.DictComp: "a dict comprehension", ast.GeneratorExp: "a generator expression"}
_PACKAGE = "ntm_minimal"


class SourceUnavailable(Exception):
    """The function's source cannot be read (defined with ``exec``, or built in)."""


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


def _chain(node: ast.AST) -> list[str] | None:
    """``a.b.c`` -> ``["a", "b", "c"]``; ``None`` when the root is not a plain name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _scope(fn: Callable) -> dict:
    """Names the function can see: its closure, its globals, the builtins."""
    names = dict(vars(builtins))
    names.update(getattr(fn, "__globals__", {}))
    code, cells = getattr(fn, "__code__", None), getattr(fn, "__closure__", None) or ()
    if code is not None:
        for name, cell in zip(code.co_freevars, cells):
            try:
                names[name] = cell.cell_contents
            except ValueError:  # an empty cell
                pass
    return names


def _local_names(fn: Callable) -> set[str]:
    code = getattr(fn, "__code__", None)
    return set(code.co_varnames) | set(code.co_cellvars) if code is not None else set()


def _resolve(chain: list[str], scope: dict) -> list[object]:
    """Every object along ``a``, ``a.b``, ``a.b.c`` (stops at the first missing attribute)."""
    if chain[0] not in scope:
        return []
    objects = [scope[chain[0]]]
    for attr in chain[1:]:
        try:
            objects.append(getattr(objects[-1], attr))
        except Exception:  # noqa: BLE001 - a property may raise anything: stop resolving
            break
    return objects


def _is_forbidden(obj: object, forbidden: Iterable[object]) -> bool:
    for bad in forbidden:
        if obj is bad:
            return True
        if isinstance(bad, types.ModuleType) and getattr(obj, "__module__", None) == bad.__name__ \
                and callable(obj):
            return True
    return False


def _is_reader_function(obj: object) -> bool:
    """A plain Python function written by the reader (not from this package, torch or a library)."""
    module = getattr(obj, "__module__", None) or ""
    return isinstance(obj, types.FunctionType) and not module.startswith((_PACKAGE, "torch", "numpy")) \
        and "site-packages" not in obj.__code__.co_filename


def _qualified(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    return f"{obj.__module__}.{getattr(obj, '__name__', '?')}"


def _imported(node: ast.Import | ast.ImportFrom) -> list[tuple[object, str]]:
    """The objects an ``import`` inside the function binds (those that can be imported here)."""
    out = []
    for alias in node.names:
        try:
            if isinstance(node, ast.Import):
                out.append((importlib.import_module(alias.name), alias.name))
            elif node.level == 0 and node.module:
                module = importlib.import_module(node.module)
                out.append((module, node.module))
                out.append((getattr(module, alias.name), f"{node.module}.{alias.name}"))
        except (ImportError, AttributeError):
            continue
    return out


def find_broken_rule(fn: Callable, loops: bool = False, forbidden: Iterable[object] = (),
                     forbidden_attrs: Iterable[str] = (), _seen: set | None = None) -> str | None:
    """The first rule ``fn`` breaks, as a sentence, or ``None`` when it keeps them all.

    Args:
        fn: the reader's function.
        loops: forbid Python loops and comprehensions.
        forbidden: modules (any function in them) and functions the reader must not use.
        forbidden_attrs: attribute names that must not be used, e.g. ``"step"`` for ``model.step``.

    Raises:
        SourceUnavailable: the source cannot be read, so the rules cannot be checked.
    """
    seen = _seen if _seen is not None else set()
    seen.add(fn)
    node, scope, local = _function_node(fn), _scope(fn), _local_names(fn)
    forbidden, forbidden_attrs = list(forbidden), set(forbidden_attrs)
    name = f"`{fn.__name__}`"
    helpers = []
    for sub in ast.walk(node):
        if loops and type(sub) in _LOOPS:
            return f"rule: no Python loops. {name} uses {_LOOPS[type(sub)]}: `{_line(sub)}`"
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            for obj, shown in _imported(sub):
                if _is_forbidden(obj, forbidden):
                    return f"rule: write it yourself, do not call `{_qualified(obj)}`. {name} imports `{shown}`"
        if isinstance(sub, ast.Attribute) and sub.attr in forbidden_attrs:
            return f"rule: do not use `.{sub.attr}`. {name} uses `{_line(sub)}`"
        if not isinstance(sub, (ast.Name, ast.Attribute)) or isinstance(getattr(sub, "ctx", None), ast.Store):
            continue
        chain = _chain(sub)
        if chain is None or chain[0] in local:
            continue
        for obj in _resolve(chain, scope):
            if _is_forbidden(obj, forbidden):
                return f"rule: write it yourself, do not call `{_qualified(obj)}`. {name} uses `{'.'.join(chain)}`"
            if _is_reader_function(obj) and obj not in seen:
                helpers.append(obj)
    for helper in helpers:
        try:
            broken = find_broken_rule(helper, loops, forbidden, forbidden_attrs, seen)
        except SourceUnavailable:
            continue
        if broken:
            return f"{broken} (called from {name})"
    return None
