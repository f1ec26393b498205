"""Numerics at an empty memory row: the smoothed norm of the cosine (Eq. 6) makes one step of the NTM
and of the DNC differentiable from an all-zero memory (float64 gradcheck), keeps the gradient of the
content weighting bounded at an all-zero row, and leaves the cosine of ordinary rows unchanged."""

from __future__ import annotations

import pytest
import torch
from torch.autograd import gradcheck

from ntm_minimal import DNC, NTM, addressing, kernels

SIZES = dict(input_size=3, output_size=2, controller_size=6, memory_n=5, memory_m=4, read_heads=2)


def _model(kind: str):
    torch.manual_seed(0)
    model = NTM(**SIZES, write_heads=1) if kind == "ntm" else DNC(**SIZES)
    return model.double()


def _zero_memory_step(model):
    """One step as a function of ``x_t`` and the memory, the memory given (and read) as it is."""
    base = model.initial_state(2)

    def step(x_t, memory):
        if isinstance(model, NTM):
            reads = kernels.read(memory, base.weights[:, : model.read_heads])
        else:
            reads = kernels.read(memory, base.read_weights)
        logits, state, _ = model.step(x_t, base._replace(memory=memory, reads=reads))
        return logits, state.memory, state.reads

    return step


@pytest.mark.parametrize("kind", ["ntm", "dnc"])
def test_gradcheck_of_one_step_from_an_all_zero_memory(kind):
    model = _model(kind)
    x_t = torch.rand(2, SIZES["input_size"], dtype=torch.float64, requires_grad=True)
    memory = torch.zeros(2, SIZES["memory_n"], SIZES["memory_m"], dtype=torch.float64, requires_grad=True)
    # The smoothed norm bends over |x| ~ sqrt(COSINE_EPS) = 1e-5: finite differences must be finer than that.
    assert gradcheck(_zero_memory_step(model), (x_t, memory), eps=1e-8, atol=1e-5, rtol=1e-3)


def _weight_gradient(memory: torch.Tensor, row: int) -> float:
    """Largest |d w^c / d M(row)| of a content weighting with β = 10."""
    memory = memory.clone().requires_grad_(True)
    key = torch.tensor([[1.0, -0.5, 0.25, 2.0]], dtype=torch.float64)
    w = kernels.content_weighting(key, torch.tensor([[10.0]], dtype=torch.float64), memory)
    grads = [torch.autograd.grad(w[0, i], memory, retain_graph=True)[0][0, row].abs().max() for i in range(w.shape[1])]
    return float(max(grads))


def test_the_gradient_at_an_empty_row_is_bounded():
    torch.manual_seed(1)
    memory = torch.randn(1, 5, 4, dtype=torch.float64)
    memory[0, 2] = 0.0  # an erased row
    # The cosine's slope at a zero row is k / (|k| sqrt(ε)), so the weighting's is at most β / sqrt(ε); a
    # norm product floored at 1e-8 gave |k| / 1e-8, for this key of length 2.3 about 20 times more.
    assert _weight_gradient(memory, 2) <= 10.0 / kernels.COSINE_EPS**0.5


def test_the_content_weighting_is_continuous_at_an_empty_row():
    torch.manual_seed(1)
    key, beta = torch.tensor([[1.0, -0.5, 0.25, 2.0]], dtype=torch.float64), torch.tensor([[10.0]], dtype=torch.float64)
    memory = torch.randn(1, 5, 4, dtype=torch.float64)
    memory[0, 2] = 0.0
    near = memory.clone()
    near[0, 2] = 1e-8 * key[0] / key.norm()  # a step of 1e-8 towards the key
    # A floored norm scored the zero row 0 and the row a step away 1 (a jump of β in the score); the
    # smoothed norm moves its score by 1e-8 / sqrt(ε) = 1e-3.
    change = kernels.content_weighting(key, beta, near) - kernels.content_weighting(key, beta, memory)
    assert float(change.abs().max()) < 0.02


def test_the_cosine_of_ordinary_rows_is_the_plain_cosine():
    torch.manual_seed(2)
    key, memory = torch.randn(3, 2, 6, dtype=torch.float64), torch.randn(3, 7, 6, dtype=torch.float64)
    plain = torch.nn.functional.cosine_similarity(key.unsqueeze(2), memory.unsqueeze(1), dim=-1, eps=0.0)
    torch.testing.assert_close(addressing.cosine_similarity(key, memory), plain, rtol=1e-9, atol=1e-12)
    zero = torch.zeros(3, 7, 6, dtype=torch.float64)
    assert torch.equal(addressing.cosine_similarity(key, zero), torch.zeros(3, 2, 7, dtype=torch.float64))
