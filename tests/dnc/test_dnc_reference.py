"""The DNC oracle (:mod:`oracles.dnc`) checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from oracles.dnc import allocation, directional_weightings, link, precedence, retention, usage


def test_allocation_by_hand():
    # usages 0.5, 0.1, 0.9: free list rows 1, 0, 2; row 1 gets 1 - 0.1, row 0 (1 - 0.5) * 0.1, row 2 the rest
    u = np.array([[0.5, 0.1, 0.9]])
    want = np.array([[(1 - 0.5) * 0.1, 1 - 0.1, (1 - 0.9) * 0.1 * 0.5]])
    np.testing.assert_allclose(allocation(u, eps=0.0), want)
    assert allocation(np.ones((1, 4)))[0].tolist() == [0.0] * 4


def test_link_by_hand():
    # one-hot writes to rows 0 then 2: L[2, 0] = 1 (row 2 was written after row 0), nothing else
    L, p = np.zeros((1, 3, 3)), np.zeros((1, 3))
    for row in (0, 2):
        w = np.zeros((1, 3))
        w[0, row] = 1
        L, p = link(L, p, w), precedence(p, w)
    want = np.zeros((1, 3, 3))
    want[0, 2, 0] = 1
    np.testing.assert_array_equal(L, want)
    fwd, bwd = directional_weightings(L, np.array([[[1.0, 0, 0]]]))
    np.testing.assert_array_equal(fwd, [[[0, 0, 1.0]]])  # forward from row 0 goes to row 2
    np.testing.assert_array_equal(bwd, [[[0, 0, 0.0]]])  # nothing was written before row 0


@pytest.mark.parametrize("gates", [(0.2, 0.5), (0.7, 0.3)])
def test_retention_and_usage_by_hand(gates):
    f = np.array([[[gates[0]], [gates[1]]]])
    w = np.array([[[1.0, 0.0], [0.5, 0.5]]])
    psi = retention(f, w)
    np.testing.assert_allclose(psi, [[(1 - gates[0]) * (1 - 0.5 * gates[1]), 1 - 0.5 * gates[1]]])
    np.testing.assert_allclose(usage([[0.5, 0.0]], [[0.5, 1.0]], psi), [[0.75 * psi[0, 0], psi[0, 1]]])
