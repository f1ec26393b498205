"""The recurrent core both models share: state in and out of ``forward``, a reset per sequence, the
chunked loop, and the argument checks of every public entry point (``initial_state``, ``step``,
``forward``), the same for the NTM and the DNC."""

from __future__ import annotations

import math
import re

import pytest
import torch

from ntm_minimal import DNC, NTM
from ntm_minimal.core import RecurrentCore
from ntm_minimal.dnc import DNCState
from ntm_minimal.model import NTMState

SIZES = dict(input_size=3, output_size=2, controller_size=8, memory_n=6, memory_m=4, read_heads=2)
MODELS = {"ntm": lambda **kw: NTM(**{**SIZES, **kw}), "dnc": lambda **kw: DNC(**{**SIZES, **kw})}


@pytest.fixture(params=list(MODELS))
def model(request):
    torch.manual_seed(0)
    return MODELS[request.param]()


def test_both_models_are_the_core(model):
    assert isinstance(model, RecurrentCore)
    assert type(model).forward is RecurrentCore.forward and type(model).step is RecurrentCore.step
    assert model.State is (NTMState if isinstance(model, NTM) else DNCState)


def test_state_in_and_out_continues_a_sequence(model):
    x = torch.rand(2, 7, 3)
    whole, last = model(x, return_state=True)
    first, state = model(x[:, :3], return_state=True)
    rest, end = model(x[:, 3:], state, return_state=True)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), whole, rtol=0, atol=1e-6)
    torch.testing.assert_close(end.memory, last.memory, rtol=0, atol=1e-6)
    # the trace and the state together, in that order
    logits, trace, again = model(x, return_trace=True, return_state=True)
    assert torch.equal(logits, whole) and trace.memory.shape[:2] == (2, 7) and torch.equal(again.memory, last.memory)


def test_truncated_backpropagation_through_the_returned_state(model):
    x = torch.rand(2, 6, 3)
    _, state = model(x[:, :3], return_state=True)
    state = type(state)(
        *(None if s is None else (tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach()) for s in state)
    )
    model(x[:, 3:], state).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_reset_restarts_the_marked_sequences(model):
    x = torch.rand(3, 5, 3)
    _, state = model(torch.rand(3, 4, 3), return_state=True)
    reset = torch.tensor([True, False, True])
    got = model(x, state, reset=reset)
    fresh, carried = model(x), model(x, state)
    torch.testing.assert_close(got[reset], fresh[reset], rtol=0, atol=1e-6)
    torch.testing.assert_close(got[~reset], carried[~reset], rtol=0, atol=1e-6)
    assert not torch.allclose(carried[reset], fresh[reset])  # the reset did something


def test_chunks_give_the_same_logits_from_a_given_state(model):
    x = torch.rand(2, 9, 3)
    _, state = model(torch.rand(2, 2, 3), return_state=True)
    plain, plain_state = model(x, state, return_state=True)
    model.chunk = 4
    chunked, chunked_state = model(x, state, return_state=True)
    assert torch.equal(chunked, plain) and torch.equal(chunked_state.memory, plain_state.memory)


def test_step_matches_forward(model):
    x = torch.rand(2, 4, 3)
    state, outputs = model.initial_state(2), []
    for t in range(4):
        logits, state, _ = model.step(x[:, t], state)
        outputs.append(logits)
    torch.testing.assert_close(torch.stack(outputs, dim=1), model(x), rtol=0, atol=1e-6)


def test_with_memory_rows_keeps_the_weights(model):
    bigger = model.with_memory_rows(10)
    assert type(bigger) is type(model) and bigger.config["memory_n"] == 10
    assert bigger.initial_state(1).memory.shape == (1, 10, 4)
    assert all(torch.equal(a, b) for a, b in zip(bigger.state_dict().values(), model.state_dict().values()))
    with pytest.raises(ValueError, match="memory_n"):
        model.with_memory_rows(0)


# ------------------------------------------------------------------ checks of the entry points


@pytest.mark.parametrize("batch", [0, -1, 1.5, True, "2"])
def test_initial_state_checks_the_batch(model, batch):
    with pytest.raises(ValueError, match="^batch: expected a positive int"):
        model.initial_state(batch)


@pytest.mark.parametrize(
    "x_t, exc, match",
    [
        (torch.zeros(2, 5), ValueError, "x_t: expected shape [B, input_size=3] with B >= 1, got [2, 5]"),
        (torch.zeros(2, 1, 3), ValueError, "x_t: expected shape [B, input_size=3] with B >= 1, got [2, 1, 3]"),
        (torch.full((2, 3), math.nan), ValueError, "x_t: contains NaN or infinite values"),
        (
            torch.zeros(2, 3, dtype=torch.float64),
            TypeError,
            "x_t: expected dtype torch.float32 (the model's), got torch.float64",
        ),
        (torch.zeros(2, 3, dtype=torch.long), TypeError, "x_t: expected a floating-point tensor"),
        ([[0.0] * 3] * 2, TypeError, "x_t: expected a torch.Tensor"),
    ],
    ids=["width", "3d", "nan", "float64", "int", "list"],
)
def test_step_checks_its_input(model, x_t, exc, match):
    with pytest.raises(exc, match="^" + re.escape(match)):
        model.step(x_t, model.initial_state(2))


def test_step_checks_the_state(model):
    x_t, state = torch.zeros(2, 3), model.initial_state(2)
    with pytest.raises(TypeError, match="^state: expected a"):
        model.step(x_t, tuple(state))
    with pytest.raises(ValueError, match=re.escape("state.memory: expected shape [2, 6, 4] (batch 2), got [3, 6, 4]")):
        model.step(x_t, state._replace(memory=torch.zeros(3, 6, 4)))
    with pytest.raises(ValueError, match="^state.reads: contains NaN"):
        model.step(x_t, state._replace(reads=torch.full_like(state.reads, math.nan)))
    with pytest.raises(TypeError, match="^state.memory: expected dtype torch.float32"):
        model.step(x_t, state._replace(memory=state.memory.double()))
    with pytest.raises(ValueError, match="^state.controller: expected 2 tensors"):
        model.step(x_t, state._replace(controller=None))
    other = MODELS["dnc" if isinstance(model, NTM) else "ntm"]().initial_state(2)
    with pytest.raises(TypeError, match="^state: expected a"):
        model.step(x_t, other)


def test_forward_checks_x_state_and_reset(model):
    with pytest.raises(TypeError, match=re.escape("x: expected dtype torch.float32 (the model's), got torch.float64")):
        model(torch.zeros(2, 4, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=re.escape("x: expected shape [B, T, input_size=3] with B, T >= 1")):
        model(torch.zeros(2, 4, 5))
    with pytest.raises(ValueError, match="^x: contains NaN"):
        model(torch.full((2, 4, 3), math.inf))
    state = model.initial_state(3)
    with pytest.raises(ValueError, match=re.escape("(batch 2), got [3,")):
        model(torch.zeros(2, 4, 3), state)
    for reset in (torch.ones(2), torch.ones(3, dtype=torch.bool), [True, False]):
        with pytest.raises(ValueError, match=re.escape("reset: expected a bool tensor of shape [B=2]")):
            model(torch.zeros(2, 4, 3), reset=reset)


def test_a_float64_model_takes_float64_input():
    model = NTM(**SIZES).double()
    assert model(torch.zeros(2, 3, 3, dtype=torch.float64)).dtype == torch.float64
    with pytest.raises(TypeError, match="^x: expected dtype torch.float64"):
        model(torch.zeros(2, 3, 3))


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("name", ["input_size", "output_size", "controller_size", "memory_n", "memory_m", "read_heads"])
def test_constructors_check_the_shared_sizes_alike(kind, name):
    with pytest.raises(ValueError, match=f"^{name}: expected a positive int, got 0"):
        MODELS[kind](**{name: 0})
