"""Exercise 14's checks can pass and can fail.

The solution's ``allocation`` and ``link`` pass :mod:`ntm_minimal.course.dnc`; the generated
exercise's stubs fail; so do the mistakes readers make (a descending free list, an inclusive
cumulative product, a non-zero diagonal, this step's precedence in place of the last one's, a
transposed link, a loop). The cells are executed in this process, no kernel.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from ntm_minimal.course import dnc as dnc_checks
from ntm_minimal.course.runner import CheckFailed, gen

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools" / "notebooks.py")
notebooks_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebooks_tool)

NAME = "14_dnc"
CHECKS = {"allocation": dnc_checks.check_allocation, "link": dnc_checks.check_link}


def _functions(folder: str) -> dict:
    """Namespace of the exercise cells of the generated ``folder`` notebook (cells that call them skipped)."""
    namespace: dict = {"torch": torch}
    for cell in notebooks_tool.expected("solutions", NAME)[folder].cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "setup" not in tags and "uses-exercise" not in tags:
            exec(compile(cell.source, f"<{folder}/{NAME}>", "exec"), namespace)
    return namespace


def test_notebook_calls_both_checks():
    source = (ROOT / "nbsrc" / "solutions" / f"{NAME}.py").read_text()
    for name in CHECKS:
        assert f"dnc_checks.check_{name}({name})" in source
    assert "from ntm_minimal.course import dnc as dnc_checks" in source


@pytest.mark.parametrize("name", CHECKS)
def test_solution_passes(name, capsys):
    CHECKS[name](_functions("solutions")[name])
    assert capsys.readouterr().out.startswith("✓ ")


@pytest.mark.parametrize("name", CHECKS)
def test_stub_fails(name):
    with pytest.raises(CheckFailed, match="NotImplementedError"):
        CHECKS[name](_functions("exercises")[name])


# ------------------------------------------------------------------ plausible mistakes


def _exclusive_cumprod(x):
    return torch.cumprod(torch.cat([torch.ones_like(x[:, :1]), x[:, :-1]], dim=-1), dim=-1)


def allocation_descending(u):
    sorted_u, rows = torch.sort(u, dim=-1, descending=True, stable=True)  # most used row first
    return torch.zeros_like(u).scatter(-1, rows, (1 - sorted_u) * _exclusive_cumprod(sorted_u))


def allocation_inclusive_cumprod(u):
    sorted_u, rows = torch.sort(u, dim=-1, stable=True)
    return torch.zeros_like(u).scatter(-1, rows, (1 - sorted_u) * torch.cumprod(sorted_u, dim=-1))


def allocation_not_unsorted(u):
    sorted_u, _ = torch.sort(u, dim=-1, stable=True)
    return (1 - sorted_u) * _exclusive_cumprod(sorted_u)  # left in free-list order


def allocation_free_only(u):
    return 1 - u  # no product: every free row gets allocated at once


def allocation_gather_not_scatter(u):
    sorted_u, rows = torch.sort(u, dim=-1, stable=True)
    return ((1 - sorted_u) * _exclusive_cumprod(sorted_u)).gather(-1, rows)  # applies the permutation twice


def allocation_loop(u):
    out = torch.zeros_like(u)
    for b in range(u.shape[0]):  # the rule: no Python loops
        sorted_u, rows = torch.sort(u[b : b + 1], dim=-1, stable=True)
        out[b : b + 1] = torch.zeros_like(sorted_u).scatter(-1, rows, (1 - sorted_u) * _exclusive_cumprod(sorted_u))
    return out


def _update(L_prev, p_prev, w_write):
    return (1 - w_write[:, :, None] - w_write[:, None, :]) * L_prev + w_write[:, :, None] * p_prev[:, None, :]


def _zero_diagonal(L):
    return L * (1 - torch.eye(L.shape[-1], dtype=L.dtype))


def link_nonzero_diagonal(L_prev, p_prev, w_write):
    return _update(L_prev, p_prev, w_write)


def link_current_precedence(L_prev, p_prev, w_write):
    p_t = (1 - w_write.sum(-1, keepdim=True)) * p_prev + w_write  # p_t in place of p_{t-1}
    return _zero_diagonal(_update(L_prev, p_t, w_write))


def link_transposed(L_prev, p_prev, w_write):
    return _zero_diagonal(_update(L_prev, p_prev, w_write)).transpose(-1, -2)


def link_transposed_new_term(L_prev, p_prev, w_write):
    keep = (1 - w_write[:, :, None] - w_write[:, None, :]) * L_prev
    return _zero_diagonal(keep + p_prev[:, :, None] * w_write[:, None, :])  # p[i] w[j] instead of w[i] p[j]


def link_product_decay(L_prev, p_prev, w_write):
    keep = (1 - w_write[:, :, None]) * (1 - w_write[:, None, :]) * L_prev  # not the paper's decay
    return _zero_diagonal(keep + w_write[:, :, None] * p_prev[:, None, :])


def link_no_decay(L_prev, p_prev, w_write):
    return _zero_diagonal(L_prev + w_write[:, :, None] * p_prev[:, None, :])


MISTAKES = {
    "allocation": [
        allocation_descending,
        allocation_inclusive_cumprod,
        allocation_not_unsorted,
        allocation_free_only,
        allocation_gather_not_scatter,
        allocation_loop,
    ],
    "link": [
        link_nonzero_diagonal,
        link_current_precedence,
        link_transposed,
        link_transposed_new_term,
        link_product_decay,
        link_no_decay,
    ],
}
WRONG = [(name, fn) for name, fns in MISTAKES.items() for fn in fns]


@pytest.mark.parametrize("name, fn", WRONG, ids=[f.__name__ for _, f in WRONG])
def test_mistake_fails(name, fn, capsys):
    with pytest.raises(CheckFailed):
        CHECKS[name](fn)
    assert "✓" not in capsys.readouterr().out


def test_descending_sort_message_names_the_case():
    with pytest.raises(CheckFailed, match=r"allocation weighting \(Methods, eq. 1\), case 'random usages"):
        dnc_checks.check_allocation(allocation_descending)


def test_loop_is_named():
    with pytest.raises(CheckFailed, match="no Python loops.*`for` loop"):
        dnc_checks.check_allocation(allocation_loop)


def test_epsilon_before_the_product_passes():
    """deepmind/dnc lifts usages to eps + (1 - eps) u (eps = 1e-6) before the product: still correct."""
    solution = _functions("solutions")["allocation"]

    def lifted(u):
        return solution(1e-6 + (1 - 1e-6) * u)

    dnc_checks.check_allocation(lifted)


def test_reference_allocation_invariants():
    u = torch.rand(64, 9, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    a = dnc_checks.reference_allocation(u)
    assert (a >= 0).all() and (a.sum(-1) <= 1 + 1e-12).all()
    # the least used row gets 1 - its usage; a fully used memory allocates nothing
    least = u.argmin(-1, keepdim=True)
    torch.testing.assert_close(a.gather(-1, least), 1 - u.gather(-1, least))
    assert dnc_checks.reference_allocation(torch.ones(2, 4, dtype=torch.float64)).abs().max() == 0


def test_reference_link_invariants():
    L, _ = dnc_checks._history(torch.Generator().manual_seed(1), 16, 7, 20)
    assert (L.diagonal(dim1=-2, dim2=-1) == 0).all() and (L >= -1e-12).all()
    assert (L.sum(-1) <= 1 + 1e-9).all() and (L.sum(-2) <= 1 + 1e-9).all()


def test_calling_the_package_breaks_the_rules():
    dnc = pytest.importorskip("ntm_minimal.dnc")

    def allocation_by_package(u):
        return dnc.allocation(u)

    with pytest.raises(CheckFailed, match="do not run the course's implementation"):
        dnc_checks.check_allocation(allocation_by_package)
    with pytest.raises(CheckFailed, match="do not run the course's implementation.*reference_link"):
        dnc_checks.check_link(lambda L_prev, p_prev, w_write: dnc_checks.reference_link(L_prev, p_prev, w_write))


def test_package_functions_agree_with_the_references():
    """The package's allocation and link agree with the checks' independent references on every case."""
    dnc = pytest.importorskip("ntm_minimal.dnc")
    if not hasattr(dnc, "allocation"):
        pytest.skip("ntm_minimal.dnc does not export the equations yet")
    for case in dnc_checks._allocation_cases(gen(14)):
        torch.testing.assert_close(
            dnc.allocation(**case.args),
            dnc_checks.reference_allocation(**case.args),
            atol=dnc_checks.ATOL,
            rtol=0,
            msg=case.description,
        )
    for case in dnc_checks._link_cases(gen(15)):
        args = case.args
        torch.testing.assert_close(
            dnc.link(args["L_prev"], args["p_prev"], args["w_write"]),
            dnc_checks.reference_link(**args),
            atol=dnc_checks.ATOL,
            rtol=0,
            msg=case.description,
        )


# ------------------------------------------------------------------ routes around "do not call ntm_minimal.dnc"


def _private(name: str):
    """The package's unchecked implementation of ``name`` (a private kernel), wherever it lives."""
    from ntm_minimal.dnc import equations

    private = getattr(equations, f"_{name}", None)
    if private is None:
        from ntm_minimal.dnc import kernels

        private = getattr(kernels, name)
    return private


def _model_module_link():
    """``link`` reached through a module that ``ntm_minimal.dnc.model`` imports (e.g. ``dnc.model.eq.link``)."""
    import types

    from ntm_minimal.dnc import model

    return next(
        m.link
        for m in vars(model).values()
        if isinstance(m, types.ModuleType) and m.__name__.startswith("ntm_minimal.dnc") and hasattr(m, "link")
    )


def allocation_by_equations_module(u):
    from ntm_minimal.dnc import equations

    return equations.allocation(u)


def allocation_by_private_kernel(u):
    return _private("allocation")(u)


def allocation_from_reloaded_file(u):
    """The package's module executed a second time from its file, under another name: new code objects."""
    import importlib.util

    from ntm_minimal.dnc import equations

    spec = importlib.util.spec_from_file_location("ntm_minimal.dnc.my_own_equations", equations.__file__)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.allocation(u)


def link_through_model_module(L_prev, p_prev, w_write):
    return _model_module_link()(L_prev, p_prev, w_write)


def allocation_by_subprocess(u):
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", "pass"], capture_output=True)  # stands for work done in another process
    return _functions("solutions")["allocation"](u)


LOOKUP = {}


def allocation_lookup_table(u):
    """A table of the answers to the fixed cases (built with the reference before the check)."""
    return LOOKUP.get(u.numpy().tobytes(), torch.zeros_like(u))


def allocation_with_profiler_off(u):
    import sys

    sys.setprofile(None)  # switch the checker's watch off, then use the package
    from ntm_minimal.dnc import allocation

    return allocation(u)


def allocation_in_a_thread(u):
    import threading

    import ntm_minimal.dnc

    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("a", ntm_minimal.dnc.allocation(u)))
    worker.start()
    worker.join()
    return out["a"]


ROUTES = [
    (dnc_checks.check_allocation, allocation_with_profiler_off, "profiler was disabled"),
    (dnc_checks.check_allocation, allocation_in_a_thread, "allocation"),
    (dnc_checks.check_allocation, allocation_by_equations_module, "allocation"),
    (dnc_checks.check_allocation, allocation_by_private_kernel, "allocation"),
    (dnc_checks.check_allocation, allocation_from_reloaded_file, "allocation"),
    (dnc_checks.check_link, link_through_model_module, "link"),
    (dnc_checks.check_allocation, allocation_by_subprocess, "started another process"),
]


@pytest.mark.parametrize("check, fn, message", ROUTES, ids=[f.__name__ for _, f, _ in ROUTES])
def test_every_route_to_the_package_breaks_the_rules(check, fn, message, capsys):
    with pytest.raises(CheckFailed, match="your results match, but the exercise's rule") as info:
        check(fn)
    assert message in str(info.value), str(info.value)
    assert "✓" not in capsys.readouterr().out


def test_an_alias_without_def_breaks_the_rules():
    import ntm_minimal.dnc

    allocation = ntm_minimal.dnc.allocation  # no def at all: the package's function itself
    with pytest.raises(CheckFailed, match="do not run the course's implementation"):
        dnc_checks.check_allocation(allocation)


def test_a_table_of_the_fixed_cases_fails_on_the_fresh_ones():
    for case in dnc_checks._allocation_cases(gen(14)):
        LOOKUP[case.args["u"].numpy().tobytes()] = dnc_checks.reference_allocation(case.args["u"])
    with pytest.raises(CheckFailed, match="drawn fresh"):
        dnc_checks.check_allocation(allocation_lookup_table)
