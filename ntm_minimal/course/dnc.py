"""The checks of exercise 14: the DNC's allocation weighting and temporal link update.

They go through the same runner as every check (:mod:`ntm_minimal.course.runner`): the reader's
function is called on fixed and freshly drawn float64 cases, every result compared with a
reference, then the exercise's rules are checked (no Python loops; nothing of
:mod:`ntm_minimal.dnc` nor these references may run). The references here are written
independently of :mod:`ntm_minimal.dnc` (and differently: the allocation without a sort), so the
checks also catch a bug that the package and a reader might share.

    >>> from ntm_minimal.course import dnc as dnc_checks
    >>> dnc_checks.check_allocation(my_allocation)   # doctest: +SKIP
    ✓ allocation weighting (Methods, eq. 1): 18 cases (9 fixed, 9 drawn fresh) match the paper's formula
"""

from __future__ import annotations

import torch

from .runner import Case, Check, Rules, define

__all__ = ["check_allocation", "check_link", "reference_allocation", "reference_link", "ATOL"]

#: Tolerance of the comparisons. Wide enough for an implementation that, like deepmind/dnc, first
#: lifts usages to ``eps + (1 - eps) u`` with ``eps = 1e-6`` before the product (that shifts each
#: result by at most ``N * eps``); far narrower than any of the mistakes the tests try.
ATOL = 1e-5


def reference_allocation(u: torch.Tensor) -> torch.Tensor:
    """Allocation weighting (Methods, eq. 1) without sorting: ``a[k] = (1 - u[k]) prod u[i]`` over
    the rows ``i`` that come before ``k`` in the free list (smaller usage; equal usage and a
    smaller index). ``u`` ``[B, N]`` -> ``[B, N]``."""
    n = u.shape[-1]
    ui, uk = u.unsqueeze(-1), u.unsqueeze(-2)  # [B, N(i), 1], [B, 1, N(k)]
    index = torch.arange(n)
    earlier = (ui < uk) | ((ui == uk) & (index.unsqueeze(1) < index.unsqueeze(0)))  # [B, i, k]: i before k
    factors = torch.where(earlier, ui, torch.ones_like(ui * uk))  # u[i] where i comes first, else 1
    return (1 - u) * factors.prod(dim=-2)


def reference_link(L_prev: torch.Tensor, p_prev: torch.Tensor, w_write: torch.Tensor) -> torch.Tensor:
    """Temporal link update (Methods): ``L[i, j] = (1 - w[i] - w[j]) L_prev[i, j] + w[i] p_prev[j]``,
    ``L[i, i] = 0``. ``L_prev`` ``[B, N, N]``, ``p_prev`` and ``w_write`` ``[B, N]`` -> ``[B, N, N]``."""
    n = w_write.shape[-1]
    keep = 1 - w_write[:, :, None] - w_write[:, None, :]
    new = torch.einsum("bi,bj->bij", w_write, p_prev)
    off_diagonal = 1 - torch.eye(n, dtype=w_write.dtype)
    return (keep * L_prev + new) * off_diagonal


def _precedence(p_prev: torch.Tensor, w_write: torch.Tensor) -> torch.Tensor:
    """Precedence (Methods): ``p = (1 - sum_i w[i]) p_prev + w``, used to build valid link inputs."""
    return (1 - w_write.sum(-1, keepdim=True)) * p_prev + w_write


def _write_weighting(g: torch.Generator, b: int, n: int, sharp: float = 3.0) -> torch.Tensor:
    """Random write weightings ``[B, N]`` that sum to at most 1 (a write gate below 1 scales them)."""
    gate = 0.3 + 0.7 * torch.rand(b, 1, generator=g, dtype=torch.float64)
    return gate * torch.softmax(sharp * torch.randn(b, n, generator=g, dtype=torch.float64), dim=-1)


def _history(g: torch.Generator, b: int, n: int, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Link matrix and precedence after ``steps`` random writes: what a real DNC would hold."""
    L = torch.zeros(b, n, n, dtype=torch.float64)
    p = torch.zeros(b, n, dtype=torch.float64)
    for _ in range(steps):  # time steps, not rows: each update needs the previous one
        w = _write_weighting(g, b, n)
        L, p = reference_link(L, p, w), _precedence(p, w)
    return L, p


def _one_hot(rows: list[int], n: int) -> torch.Tensor:
    w = torch.zeros(len(rows), n, dtype=torch.float64)
    w[torch.arange(len(rows)), torch.tensor(rows)] = 1.0
    return w


def _allocation_cases(g: torch.Generator) -> list[Case]:
    cases = [
        Case(f"random usages, B = {b}, N = {n}", {"u": torch.rand(b, n, generator=g, dtype=torch.float64)})
        for b, n in [(2, 5), (3, 8), (1, 12)]
    ]
    skewed = torch.rand(4, 6, generator=g, dtype=torch.float64) ** 0.2  # most rows nearly full
    cases.append(Case("mostly used memory (usages near 1)", {"u": skewed}))
    free = int(torch.randint(0, 5, (1,), generator=g))
    levels = torch.tensor([0.5, 0.2, 0.9])[torch.randint(0, 3, (1, 5), generator=g)].double()
    cases += [
        Case(
            "fresh memory, all usages 0 (ties: the lowest index is allocated first)",
            {"u": torch.zeros(2, 5, dtype=torch.float64)},
        ),
        Case("all usages 1 (nothing free: allocation must be 0)", {"u": torch.ones(2, 5, dtype=torch.float64)}),
        Case(f"one free row, row {free}", {"u": 1 - _one_hot([free, free], 5)}),
        Case(
            "rows 0-1 full, rows 2-4 free (free list starts at row 2)",
            {"u": torch.tensor([[1.0, 1, 0, 0, 0], [1, 1, 0, 0, 0]], dtype=torch.float64)},
        ),
        Case("ties among partly used rows", {"u": levels}),
    ]
    return cases


def _link_cases(g: torch.Generator) -> list[Case]:
    cases = []
    for b, n, steps in [(2, 5, 3), (3, 7, 6), (1, 10, 12)]:
        L, p = _history(g, b, n, steps)
        cases.append(
            Case(
                f"after {steps} random writes, B = {b}, N = {n}",
                {"L_prev": L, "p_prev": p, "w_write": _write_weighting(g, b, n)},
            )
        )
    zeros = torch.zeros(2, 5, 5, dtype=torch.float64)
    cases.append(
        Case(
            "first write (L_prev = 0, p_prev = 0: L must stay 0)",
            {"L_prev": zeros, "p_prev": torch.zeros(2, 5, dtype=torch.float64), "w_write": _write_weighting(g, 2, 5)},
        )
    )
    L, p = reference_link(zeros, torch.zeros(2, 5, dtype=torch.float64), _one_hot([0, 1], 5)), _one_hot([0, 1], 5)
    cases.append(
        Case(
            "one-hot writes: row 0 (resp. 1), then row 2 (L[2, 0] (resp. L[2, 1]) must become 1)",
            {"L_prev": L, "p_prev": p, "w_write": _one_hot([2, 2], 5)},
        )
    )
    L, p = _history(g, 2, 6, 4)
    cases.append(
        Case(
            "no write this step (w_write = 0: L unchanged)",
            {"L_prev": L, "p_prev": p, "w_write": torch.zeros(2, 6, dtype=torch.float64)},
        )
    )
    return cases


#: The DNC the course ships (every module of ``ntm_minimal.dnc``); the references above are
#: forbidden too, as is everything in the checks' subpackage.
_NO_DNC = Rules(loops=True, forbidden=("ntm_minimal.dnc",))

check_allocation = define(
    Check(
        "check_allocation",
        "allocation weighting (Methods, eq. 1)",
        "allocation",
        _allocation_cases,
        reference_allocation,
        "the paper's formula (ntm_minimal.course.dnc.reference_allocation)",
        _NO_DNC,
        seed=14,
        atol=ATOL,
    )
)
check_link = define(
    Check(
        "check_link",
        "temporal link update (Methods)",
        "link",
        _link_cases,
        reference_link,
        "the paper's formula (ntm_minimal.course.dnc.reference_link)",
        _NO_DNC,
        seed=15,
        atol=ATOL,
    )
)
