"""The NTM: shapes, the trace, wiring of Eq. 2-9 inside a step, gradients, extreme parameters,
dtype/device moves, serialisation, and an end-to-end copy-task smoke test."""

from __future__ import annotations

import copy
import math
import statistics

import pytest
import torch
from conftest import assert_weighting
from torch.autograd import gradcheck
from torch.nn import functional as F

from ntm_minimal import NTM, NTMState, addressing, memory
from ntm_minimal.model import MEMORY_INIT

CONTROLLERS = ["lstm", "feedforward"]
HEADS = [(1, 1), (2, 1), (1, 3), (2, 2)]
SMALL = dict(input_size=4, output_size=3, controller_size=8, memory_n=6, memory_m=4)


def _model(controller="lstm", heads=(1, 1), **kw) -> NTM:
    r, w = heads
    return NTM(**{**SMALL, **kw}, controller=controller, read_heads=r, write_heads=w)


def _x(b=3, t=5, size=4, dtype=torch.float32, seed=1):
    return torch.randn(b, t, size, generator=torch.Generator().manual_seed(seed), dtype=dtype)


# ------------------------------------------------------------------ shapes and the trace


@pytest.mark.parametrize("heads", HEADS, ids=str)
@pytest.mark.parametrize("controller", CONTROLLERS)
def test_output_shape(controller, heads):
    out = _model(controller, heads)(_x())
    assert out.shape == (3, 5, 3) and out.dtype == torch.float32
    assert bool(torch.isfinite(out).all())


@pytest.mark.parametrize("shift_range", [0, 1, 2])
@pytest.mark.parametrize("heads", HEADS, ids=str)
@pytest.mark.parametrize("controller", CONTROLLERS)
def test_trace_shapes_and_weightings(controller, heads, shift_range):
    r, w = heads
    b, t, n, m = 2, 4, 6, 4
    logits, trace = _model(controller, heads, shift_range=shift_range)(_x(b, t), return_trace=True)
    assert logits.shape == (b, t, 3)
    assert trace.read_weights.shape == (b, t, r, n)
    assert trace.write_weights.shape == (b, t, w, n)
    assert trace.reads.shape == (b, t, r, m)
    assert trace.memory.shape == (b, t, n, m)
    p = trace.params
    expected = dict(
        key=(r + w, m),
        beta=(r + w, 1),
        g=(r + w, 1),
        s=(r + w, 2 * shift_range + 1),
        gamma=(r + w, 1),
        erase=(w, m),
        add=(w, m),
    )
    assert {f: tuple(getattr(p, f).shape) for f in p._fields} == {f: (b, t, *s) for f, s in expected.items()}
    assert_weighting(trace.read_weights, atol=1e-5)
    assert_weighting(trace.write_weights, atol=1e-5)
    assert_weighting(p.s, atol=1e-5)
    # Each head parameter lies in the range its equation requires.
    assert bool((p.beta >= 0).all()) and bool((p.gamma >= 1).all())
    assert bool(((p.g >= 0) & (p.g <= 1)).all()) and bool(((p.erase >= 0) & (p.erase <= 1)).all())
    assert bool((p.add.abs() <= 1).all())
    assert not any(x.requires_grad for x in (trace.read_weights, trace.memory, p.key))


def test_trace_does_not_change_logits():
    model, x = _model(), _x()
    assert torch.equal(model(x), model(x, return_trace=True)[0])


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_initial_state(controller):
    model = _model(controller, (2, 1))
    state = model.initial_state(3)
    assert torch.equal(state.memory, torch.full((3, 6, 4), MEMORY_INIT))
    w0 = torch.zeros(3, 3, 6)
    w0[..., 0] = 1
    assert torch.equal(state.weights, w0)
    assert torch.equal(state.reads, torch.full((3, 2, 4), MEMORY_INIT))
    if controller == "feedforward":
        assert state.controller is None
    else:
        assert all(torch.equal(s, torch.zeros(3, 8)) for s in state.controller)


@pytest.mark.parametrize("heads", [(1, 1), (2, 3)], ids=str)
@pytest.mark.parametrize("controller", CONTROLLERS)
def test_step_wires_the_public_equations(controller, heads):
    """One step equals: address all heads from the previous memory and weights (Eq. 5-9), write
    with the write heads (Eq. 3-4), then read the new memory with the read heads (Eq. 2)."""
    model = _model(controller, heads).double()
    r = heads[0]
    state = model.initial_state(2)
    x = _x(2, 3, dtype=torch.float64)
    for t in range(2):  # step twice so the second step starts from a non-trivial state
        logits, new, p = model.step(x[:, t], state)
        w = addressing.address(p.key, p.beta, p.g, p.s, p.gamma, state.weights, state.memory)
        torch.testing.assert_close(new.weights, w)
        mem = memory.write(state.memory, w[:, r:], p.erase, p.add)
        torch.testing.assert_close(new.memory, mem)
        torch.testing.assert_close(new.reads, memory.read(mem, w[:, :r]))
        state = new


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_forward_equals_stepping(controller):
    model, x = _model(controller, (2, 2)), _x()
    state, outs = model.initial_state(3), []
    for t in range(x.shape[1]):
        logits, state, _ = model.step(x[:, t], state)
        outs.append(logits)
    torch.testing.assert_close(model(x), torch.stack(outs, 1), rtol=0, atol=0)


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_batch_entries_are_independent(controller):
    model, x = _model(controller, (2, 1)), _x(4, 5)
    torch.testing.assert_close(model(x)[1:2], model(x[1:2]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_memory_carries_information_forward(controller):
    """Changing the first input changes later outputs; with the feed-forward controller that
    can only happen through the memory (and the read vectors)."""
    model = _model(controller)
    x = _x(1, 4)
    y = x.clone()
    y[:, 0] += 1.0
    assert not torch.allclose(model(x)[:, -1], model(y)[:, -1])


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_every_parameter_gets_a_finite_gradient(controller):
    model = _model(controller, (2, 2))
    model(_x()).square().mean().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, name
        assert bool(torch.isfinite(p.grad).all()), name
        assert p.grad.abs().sum() > 0, f"{name} gets no gradient"


# ------------------------------------------------------------------ gradcheck of one step


def _random_state(model: NTM, b: int, gen: torch.Generator) -> NTMState:
    n, m = model.config["memory_n"], model.config["memory_m"]
    r, w = model.read_heads, model.write_heads
    h = model.config["controller_size"]
    ctrl = (
        None
        if model.config["controller"] == "feedforward"
        else (
            0.5 * torch.randn(b, h, generator=gen, dtype=torch.float64),
            0.5 * torch.randn(b, h, generator=gen, dtype=torch.float64),
        )
    )
    return NTMState(
        ctrl,
        torch.randn(b, n, m, generator=gen, dtype=torch.float64),
        torch.softmax(torch.randn(b, r + w, n, generator=gen, dtype=torch.float64), -1),
        torch.randn(b, r, m, generator=gen, dtype=torch.float64),
    )


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_gradcheck_one_step(controller):
    """d logits / d (x_t, previous memory, previous weightings, previous reads), float64."""
    model = NTM(
        input_size=3,
        output_size=2,
        controller=controller,
        controller_size=8,
        memory_n=6,
        memory_m=4,
        read_heads=2,
        write_heads=2,
    ).double()
    gen = torch.Generator().manual_seed(3)
    state = _random_state(model, 2, gen)
    x = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    inputs = tuple(t.clone().requires_grad_() for t in (x, state.memory, state.weights, state.reads))

    def logits(x_t, mem, weights, reads):
        return model.step(x_t, NTMState(state.controller, mem, weights, reads))[0]

    assert gradcheck(logits, inputs)


def test_gradcheck_one_step_lstm_state():
    model = NTM(
        input_size=3,
        output_size=2,
        controller="lstm",
        controller_size=8,
        memory_n=6,
        memory_m=4,
        read_heads=2,
        write_heads=2,
    ).double()
    gen = torch.Generator().manual_seed(4)
    state = _random_state(model, 2, gen)
    x = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    h, c = (t.clone().requires_grad_() for t in state.controller)

    def logits(h, c):
        return model.step(x, state._replace(controller=(h, c)))[0]

    assert gradcheck(logits, (h, c))


# ------------------------------------------------------------------ extreme parameters


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("scale", [1e2, 1e4])
@pytest.mark.parametrize("controller", CONTROLLERS)
def test_extreme_raw_parameters_stay_finite(controller, scale, dtype):
    """Head layer weights scaled up so β, γ, g, s, e and a saturate (β and γ up to thousands)."""
    model = _model(controller, (2, 2), memory_n=8).to(dtype)
    with torch.no_grad():
        model.heads.proj.weight.mul_(scale)
        model.heads.proj.bias.mul_(scale)
    x = 10 * _x(3, 6, dtype=dtype)
    logits, trace = model(x, return_trace=True)
    assert trace.params.beta.max() > scale / 10 and trace.params.gamma.max() > scale / 10  # really saturated
    assert bool(torch.isfinite(logits).all())
    assert_weighting(trace.read_weights.to(torch.float64), atol=1e-4)
    assert_weighting(trace.write_weights.to(torch.float64), atol=1e-4)
    F.binary_cross_entropy_with_logits(logits, torch.rand_like(logits)).backward()
    for name, p in model.named_parameters():
        assert bool(torch.isfinite(p.grad).all()), f"{name} gradient not finite"


# ------------------------------------------------------------------ dtype, device, serialisation


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_to_float64(controller):
    model = _model(controller, (2, 1))
    x = _x()
    out32 = model(x)
    model64 = copy.deepcopy(model).to(torch.float64)
    assert all(t.dtype == torch.float64 for t in [*model64.parameters(), *model64.buffers()])
    out64 = model64(x.double())
    assert out64.dtype == torch.float64
    torch.testing.assert_close(out64.float(), out32, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_state_dict_round_trip(controller, tmp_path):
    model, x = _model(controller, (2, 2)), _x()
    torch.save(model.state_dict(), tmp_path / "ntm.pt")
    torch.manual_seed(123)
    fresh = NTM(**model.config)
    assert not torch.equal(fresh(x), model(x))
    fresh.load_state_dict(torch.load(tmp_path / "ntm.pt", weights_only=True))
    assert torch.equal(fresh(x), model(x))


def test_with_memory_rows_keeps_the_weights():
    model, x = _model("lstm", (1, 1)), _x()
    model.eval()
    same = model.with_memory_rows(model.config["memory_n"])
    assert torch.equal(same(x), model(x)) and not same.training
    bigger = model.with_memory_rows(20)
    _, trace = bigger(x, return_trace=True)
    assert trace.memory.shape[-2:] == (20, 4) and bigger.config["memory_n"] == 20
    assert all(torch.equal(a, b) for a, b in zip(bigger.parameters(), model.parameters()))
    next(bigger.parameters()).data.add_(1.0)  # a copy: changing it leaves the original alone
    assert torch.equal(same(x), model(x))
    with pytest.raises(ValueError, match="memory_n"):
        model.with_memory_rows(0)


def test_learned_memory_init_is_a_trained_parameter(tmp_path):
    model, x = _model("lstm", (1, 1), memory_init="learned"), _x()
    init = model.initial_state(3).memory
    assert model.memory_init.requires_grad and init.shape == (3, 6, 4)
    assert torch.equal(init[0], model.memory_init) and torch.equal(init[1], init[0])
    assert len(torch.unique(init[0], dim=0)) == 6  # rows differ, so content addressing can tell them apart
    assert "memory_init" in model.state_dict() and "memory_init" not in _model().state_dict()
    model(x).sum().backward()
    assert model.memory_init.grad.abs().sum() > 0
    torch.save(model.state_dict(), tmp_path / "ntm.pt")
    fresh = NTM(**model.config)
    fresh.load_state_dict(torch.load(tmp_path / "ntm.pt", weights_only=True))
    assert torch.equal(fresh(x), model(x))


def test_gradcheck_learned_memory_init():
    """d logits / d initial memory through two steps, float64."""
    model = _model("lstm", (1, 1), memory_init="learned").double()
    x = _x(b=2, t=2, dtype=torch.float64)
    init = model.memory_init.detach().clone().requires_grad_()

    def logits(mem):
        return torch.func.functional_call(model, {"memory_init": mem}, (x,))

    assert gradcheck(logits, (init,))


def test_learned_memory_init_cannot_change_rows():
    with pytest.raises(ValueError, match="with_memory_rows: needs memory_init='constant'"):
        _model(memory_init="learned").with_memory_rows(8)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("controller", CONTROLLERS)
@pytest.mark.parametrize("memory_init", ["constant", "learned"])
def test_runs_on_cuda(controller, memory_init):
    model, x = _model(controller, (2, 2), memory_init=memory_init), _x()
    want = model(x)
    gpu = copy.deepcopy(model).to("cuda")
    logits, trace = gpu(x.to("cuda"), return_trace=True)
    assert logits.device.type == "cuda" and trace.memory.device.type == "cuda"
    torch.testing.assert_close(logits.cpu(), want, rtol=1e-3, atol=1e-4)
    logits.sum().backward()
    assert all(p.grad.device.type == "cuda" and bool(torch.isfinite(p.grad).all()) for p in gpu.parameters())


# ------------------------------------------------------------------ end to end


def _copy_batch(gen: torch.Generator, batch: int, bits: int = 4, max_len: int = 4):
    """Copy task: ``L`` random ``bits``-bit vectors, a delimiter on an extra channel, then ``L``
    blank steps during which the model must output the vectors again."""
    length = int(torch.randint(1, max_len + 1, (1,), generator=gen))
    seq = torch.randint(0, 2, (batch, length, bits), generator=gen).float()
    x = torch.zeros(batch, 2 * length + 1, bits + 1)
    x[:, :length, :bits] = seq
    x[:, length, bits] = 1.0
    return x, seq, length


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_copy_task_loss_falls(controller):
    """Adam on a tiny copy task. The loss is scored only on the recall steps, where a model that
    ignores its input cannot beat ln 2 ≈ 0.69; the feed-forward controller has no state, so for it
    the fall also shows that information flows through the memory."""
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = NTM(input_size=5, output_size=4, controller=controller, controller_size=32, memory_n=16, memory_m=8)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(250):
        x, target, length = _copy_batch(gen, 16)
        loss = F.binary_cross_entropy_with_logits(model(x)[:, length + 1 :], target)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        losses.append(loss.item())
    first, last = statistics.mean(losses[:20]), statistics.mean(losses[-20:])
    assert all(map(math.isfinite, losses)), "non-finite loss"
    assert last < 0.7 * first, f"loss fell only from {first:.3f} to {last:.3f}"
