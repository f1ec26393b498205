"""The DNC model: shapes and the trace, wiring of the equations inside a step, gradients (gradcheck
of one step), extreme parameters, the link switch, serialisation, training and resuming, devices."""

from __future__ import annotations

import copy
import math

import pytest
import torch
from conftest import assert_weighting
from torch.autograd import gradcheck
from torch.nn import functional as F

from ntm_minimal import DNC, addressing, checkpoint, memory
from ntm_minimal.dnc import DNCState
from ntm_minimal.dnc import equations as eq
from ntm_minimal.dnc.interface import interface_size
from ntm_minimal.tasks import make_task
from ntm_minimal.train import main as train_main
from ntm_minimal.training import train

CONTROLLERS = ["lstm", "feedforward"]
SMALL = dict(input_size=4, output_size=3, controller_size=8, memory_n=6, memory_m=4)


def _model(controller="lstm", read_heads=2, **kw) -> DNC:
    return DNC(**{**SMALL, **kw}, controller=controller, read_heads=read_heads)


def _x(b=3, t=7, size=4, dtype=torch.float32, seed=1):
    return torch.randn(b, t, size, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _sub_distribution(x: torch.Tensor, tol: float = 1e-5) -> bool:
    return bool((x >= 0).all()) and bool((x.sum(-1) <= 1 + tol).all())


# ------------------------------------------------------------------ shapes and the trace


@pytest.mark.parametrize("read_heads", [1, 3])
@pytest.mark.parametrize("controller", CONTROLLERS)
def test_trace_shapes_and_ranges(controller, read_heads):
    model, x = _model(controller, read_heads), _x()
    logits, tr = model(x, return_trace=True)
    b, t, n, w, r = 3, 7, 6, 4, read_heads
    assert logits.shape == (b, t, 3)
    shapes = dict(
        usage=(b, t, n),
        allocation=(b, t, n),
        write_gate=(b, t, 1),
        alloc_gate=(b, t, 1),
        free_gates=(b, t, r),
        read_modes=(b, t, r, 3),
        write_content=(b, t, n),
        write_weights=(b, t, n),
        read_content=(b, t, r, n),
        read_weights=(b, t, r, n),
        precedence=(b, t, n),
        link=(b, t, n, n),
        reads=(b, t, r, w),
        memory=(b, t, n, w),
    )
    for name, shape in shapes.items():
        assert tuple(getattr(tr, name).shape) == shape, name
    assert tr.interface.read_keys.shape == (b, t, r, w)
    assert bool((tr.usage >= 0).all()) and bool((tr.usage <= 1).all())
    for name in ("allocation", "write_weights", "read_weights", "precedence"):
        assert _sub_distribution(getattr(tr, name)), name
    assert_weighting(tr.read_modes)
    assert_weighting(tr.write_content)
    assert _sub_distribution(tr.link) and _sub_distribution(tr.link.transpose(-1, -2))
    assert bool((torch.diagonal(tr.link, dim1=-2, dim2=-1) == 0).all())
    assert sum(p.numel() for p in model.interface.parameters()) == (8 + 1) * interface_size(4, r)


def test_trace_does_not_change_logits():
    model, x = _model(), _x()
    assert torch.equal(model(x), model(x, return_trace=True)[0])


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_initial_state(controller):
    model = _model(controller)
    s = model.initial_state(2)
    for name in ("usage", "precedence", "link", "write_weights", "read_weights", "reads"):
        assert bool((getattr(s, name) == 0).all()), name
    assert s.link.shape == (2, 6, 6) and s.read_weights.shape == (2, 2, 6)
    assert torch.allclose(s.memory, torch.full((2, 6, 4), 1e-6))


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_step_wires_the_public_equations(controller):
    """Rebuild one step (after a few steps of history) from the public functions."""
    model = _model(controller, 2).double()
    state = model.initial_state(3)
    x = _x(dtype=torch.float64)
    for t in range(4):
        _, state, _ = model.step(x[:, t], state)
    logits, new, info = model.step(x[:, 4], state)
    h, _ = model.controller(torch.cat([x[:, 4], state.reads.flatten(1)], -1), state.controller)
    xi = model.interface(h)
    u = eq.usage(state.usage, state.write_weights, eq.retention(xi.free_gates, state.read_weights))
    alloc = eq.allocation(u)
    w_write = eq.write_weighting(
        alloc, addressing.content_weighting(xi.write_key, xi.write_strength, state.memory), xi.alloc_gate, xi.write_gate
    )
    mem = memory.write(state.memory, w_write, xi.erase, xi.write_vector)
    link = eq.link(state.link, state.precedence, w_write)
    fwd, bwd = eq.directional_weightings(link, state.read_weights)
    w_read = eq.read_weighting(
        bwd, addressing.content_weighting(xi.read_keys, xi.read_strengths, mem), fwd, xi.read_modes
    )
    reads = memory.read(mem, w_read)
    want = dict(
        usage=u,
        write_weights=w_write,
        memory=mem,
        link=link,
        precedence=eq.precedence(state.precedence, w_write),
        read_weights=w_read,
        reads=reads,
    )
    for name, value in want.items():
        torch.testing.assert_close(getattr(new, name), value, msg=name)
    torch.testing.assert_close(info.allocation, alloc)
    torch.testing.assert_close(logits, model.output(torch.cat([h, reads.flatten(1)], -1)))


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_batch_entries_are_independent(controller):
    model, x = _model(controller), _x()
    torch.testing.assert_close(model(x)[1:2], model(x[1:2]))


def test_memory_carries_information_forward():
    """The feed-forward controller keeps no state: a change at step 0 reaches the last output only
    through the memory (and the read vectors it feeds back)."""
    model, x = _model("feedforward"), _x()
    y = x.clone()
    y[:, 0] += 1.0
    assert not torch.allclose(model(x)[:, -1], model(y)[:, -1])


# ------------------------------------------------------------------ gradients and extremes


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_every_parameter_gets_a_finite_gradient(controller):
    model = _model(controller)
    model(_x()).square().mean().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and bool(torch.isfinite(p.grad).all()), name
        assert p.grad.abs().sum() > 0, f"{name} gets no gradient"


def _random_state(model: DNC, b: int, gen: torch.Generator) -> DNCState:
    """A valid, generic state in float64: usages strictly inside (0, 1) and pairwise distinct."""
    n, w, r = model.config["memory_n"], model.config["memory_m"], model.read_heads
    h = model.config["controller_size"]

    def soft(*shape, total=0.9):
        return total * torch.softmax(torch.randn(*shape, generator=gen, dtype=torch.float64), -1)

    ctrl = (
        None
        if model.config["controller"] == "feedforward"
        else tuple(0.5 * torch.randn(b, h, generator=gen, dtype=torch.float64) for _ in range(2))
    )
    link = 0.5 * soft(b, n, n) * (1 - torch.eye(n, dtype=torch.float64))
    usage = (torch.stack([torch.randperm(n, generator=gen) for _ in range(b)]).double() + 0.5) / (n + 1)
    return DNCState(
        ctrl,
        torch.randn(b, n, w, generator=gen, dtype=torch.float64),
        usage,
        soft(b, n),
        link,
        soft(b, n),
        soft(b, r, n),
        torch.randn(b, r, w, generator=gen, dtype=torch.float64),
    )


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_gradcheck_one_step(controller):
    """d logits / d (x_t and every part of the previous state), float64, full gradient (no detach)."""
    model = DNC(
        input_size=3,
        output_size=2,
        controller=controller,
        controller_size=6,
        memory_n=5,
        memory_m=3,
        read_heads=2,
        detach_usage=False,
    ).double()
    gen = torch.Generator().manual_seed(3)
    state = _random_state(model, 2, gen)
    x = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    fields = ("memory", "usage", "precedence", "link", "write_weights", "read_weights", "reads")
    inputs = (x.clone().requires_grad_(), *(getattr(state, f).clone().requires_grad_() for f in fields))

    def logits(x_t, *parts):
        return model.step(x_t, state._replace(**dict(zip(fields, parts))))[0]

    assert gradcheck(logits, inputs)


def test_detach_usage_stops_only_the_usage_path():
    model = _model(detach_usage=True).double()
    state = _random_state(model, 2, torch.Generator().manual_seed(5))
    w_prev = state.write_weights.clone().requires_grad_()
    _, new, _ = model.step(torch.zeros(2, 4, dtype=torch.float64), state._replace(write_weights=w_prev))
    assert not new.usage.requires_grad or torch.autograd.grad(new.usage.sum(), w_prev, allow_unused=True)[0] is None
    full = DNC(**{**model.config, "detach_usage": False}).double()
    full.load_state_dict(model.state_dict())
    _, new, _ = full.step(torch.zeros(2, 4, dtype=torch.float64), state._replace(write_weights=w_prev))
    assert torch.autograd.grad(new.usage.sum(), w_prev)[0].abs().sum() > 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("scale", [1e2, 1e4])
@pytest.mark.parametrize("controller", CONTROLLERS)
def test_extreme_interface_stays_finite(controller, scale, dtype):
    """Interface weights scaled up so strengths reach thousands and every gate saturates at 0 or 1."""
    model = _model(controller, 2, memory_n=12).to(dtype)
    with torch.no_grad():
        model.interface.proj.weight.mul_(scale)
        model.interface.proj.bias.mul_(scale)
    logits, tr = model(10 * _x(3, 30, dtype=dtype), return_trace=True)
    assert tr.interface.read_strengths.max() > scale / 10  # really saturated
    assert bool(torch.isfinite(logits).all())
    for name in ("usage", "allocation", "write_weights", "read_weights", "link"):
        assert bool(torch.isfinite(getattr(tr, name)).all()), name
    F.binary_cross_entropy_with_logits(logits, torch.rand_like(logits)).backward()
    for name, p in model.named_parameters():
        assert bool(torch.isfinite(p.grad).all()), f"{name} gradient not finite"


def test_all_zero_memory_gives_finite_gradients():
    """An initial memory of exact zeros (every cosine 0/0 without the NTM's floor) stays finite."""
    model = _model()
    model.memory_init.zero_()
    model(_x(t=12)).square().mean().backward()
    assert all(bool(torch.isfinite(p.grad).all()) for p in model.parameters())


def test_full_memory_stops_allocating():
    """Writes with g^a = g^w = 1 and no freeing fill all N rows; then the allocation is (nearly) 0."""
    model = _model(memory_n=4)
    _force_gates(model, free=-50.0, alloc=50.0, write=50.0)
    _, tr = model(_x(1, 7), return_trace=True)
    assert sorted(int(i) for i in tr.write_weights[0, :4].argmax(-1)) == [0, 1, 2, 3]
    assert float(tr.usage[0, 4].min()) > 0.999
    assert float(tr.allocation[0, 5].sum()) < 1e-2


def _force_gates(model: DNC, free: float, alloc: float, write: float) -> None:
    """Zero the interface weights and set the free, allocation and write gates' biases (±50 saturates)."""
    r, w = model.read_heads, model.config["memory_m"]
    start = r * w + r + w + 1 + w + w  # offset of the free gates in ξ (see interface.py)
    with torch.no_grad():
        model.interface.proj.weight.zero_()
        model.interface.proj.bias.zero_()
        model.interface.proj.bias[start : start + r] = free
        model.interface.proj.bias[start + r] = alloc
        model.interface.proj.bias[start + r + 1] = write


@pytest.mark.parametrize("dealloc", [False, True])
def test_dealloc_content_wipes_freed_rows(dealloc):
    """Csordás & Schmidhuber's fix: a row freed by a read head (free gate 1) is wiped, not only
    marked free; with the paper's DNC its content stays. No write happens (write gate 0)."""
    model = _model(read_heads=1, dealloc_content=dealloc)
    _force_gates(model, free=50.0, alloc=0.0, write=-50.0)
    state = model.initial_state(1)
    mem = torch.randn(1, 6, 4)
    w_read = torch.nn.functional.one_hot(torch.tensor([[2]]), 6).float()
    with torch.no_grad():
        _, new, _ = model.step(torch.zeros(1, 4), state._replace(memory=mem, read_weights=w_read))
    others = [0, 1, 3, 4, 5]
    torch.testing.assert_close(new.memory[:, others], mem[:, others], atol=1e-6, rtol=0)
    assert (
        float(new.memory[0, 2].abs().max()) < 1e-6
        if dealloc
        else torch.allclose(new.memory[:, 2], mem[:, 2], atol=1e-6)
    )


# ------------------------------------------------------------------ the link switch


def test_links_off_removes_every_link_contribution():
    on = _model()
    off = DNC(**{**on.config, "temporal_links": False})
    off.load_state_dict(on.state_dict())
    x = _x()
    _, tr = off(x, return_trace=True)
    assert bool((tr.link == 0).all()) and bool((tr.precedence == 0).all())
    torch.testing.assert_close(tr.read_weights, tr.read_content)
    assert bool((tr.read_modes == torch.tensor([0.0, 1.0, 0.0])).all())
    # the read-mode outputs of the interface no longer matter ...
    r = on.read_heads
    modes = slice(interface_size(4, r) - 3 * r, interface_size(4, r))
    for model in (on, off):
        bumped = copy.deepcopy(model)
        with torch.no_grad():
            bumped.interface.proj.bias[modes] += torch.randn(3 * r)
        same = torch.allclose(bumped(x), model(x))
        assert same == (model is off), "read modes must matter exactly when the links are on"
    assert not torch.allclose(on(x), off(x))


# ------------------------------------------------------------------ construction, dtype, device, serialisation


@pytest.mark.parametrize(
    "kw,name",
    [
        (dict(memory_n=0), "memory_n"),
        (dict(read_heads=True), "read_heads"),
        (dict(controller_size=2.5), "controller_size"),
        (dict(temporal_links=1), "temporal_links"),
        (dict(controller="gru"), "controller"),
    ],
)
def test_bad_constructor_arguments(kw, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        DNC(**{**SMALL, **kw})


@pytest.mark.parametrize(
    "x,message",
    [
        (torch.zeros(3, 5), r"\[B, T, input_size=4\]"),
        (torch.zeros(3, 5, 2), r"\[B, T, input_size=4\]"),
        (torch.zeros(0, 5, 4), "B, T >= 1"),
    ],
)
def test_bad_input_raises(x, message):
    with pytest.raises(ValueError, match=f"^x: expected shape .*{message}"):
        _model()(x)


def test_to_float64_and_config_rebuilds():
    model, x = _model(), _x()
    model64 = copy.deepcopy(model).to(torch.float64)
    assert all(t.dtype == torch.float64 for t in [*model64.parameters(), *model64.buffers()])
    torch.testing.assert_close(model64(x.double()).float(), model(x), rtol=1e-4, atol=1e-5)
    assert DNC(**model.config).config == model.config


def test_state_dict_round_trip(tmp_path):
    model, x = _model(), _x()
    checkpoint.save_model(tmp_path, model)
    checkpoint.save_json(tmp_path / checkpoint.CONFIG_FILE, {"model": "dnc", "model_config": model.config})
    torch.manual_seed(123)
    assert not torch.equal(DNC(**model.config)(x), model(x))
    loaded = checkpoint.load_model(tmp_path)
    assert isinstance(loaded, DNC) and torch.equal(loaded(x), model(x))


def test_with_memory_rows_keeps_the_weights():
    model = _model().train(False)
    big = model.with_memory_rows(20)
    assert big.config == {**model.config, "memory_n": 20} and not big.training
    for k, v in model.state_dict().items():
        assert torch.equal(big.state_dict()[k], v) and big.state_dict()[k].data_ptr() != v.data_ptr()
    assert big(_x(t=30)).shape == (3, 30, 3)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("controller", CONTROLLERS)
def test_runs_on_cuda(controller):
    model, x = _model(controller), _x()
    want = model(x)
    gpu = copy.deepcopy(model).to("cuda")
    logits, trace = gpu(x.to("cuda"), return_trace=True)
    assert logits.device.type == "cuda" and trace.link.device.type == "cuda"
    torch.testing.assert_close(logits.cpu(), want, rtol=1e-3, atol=1e-4)
    logits.sum().backward()
    assert all(p.grad.device.type == "cuda" and bool(torch.isfinite(p.grad).all()) for p in gpu.parameters())


# ------------------------------------------------------------------ training


#: Csordás & Schmidhuber (2019)'s three fixes, as command-line switches
FIXES = ["--masking", "--link-sharpness", "--dealloc-content"]


@pytest.mark.parametrize("fixes", [[], FIXES], ids=["plain", "fixes"])
def test_cli_trains_and_resumes_exactly(tmp_path, fixes):
    """--model dnc through the CLI, plain and with the three fixes: 6 steps straight equal 3 steps,
    then a resume to 6, and the fixes survive the reload."""
    common = [
        *fixes,
        "--task",
        "copy",
        "--task-config",
        '{"max_len": 3, "bits": 3}',
        "--model",
        "dnc",
        "--controller-size",
        "8",
        "--memory-n",
        "6",
        "--memory-m",
        "4",
        "--read-heads",
        "2",
        "--batch-size",
        "4",
        "--eval-every",
        "3",
        "--eval-batch-size",
        "4",
        "--no-progress",
        "--eval-grid",
        '[{"length": 3}, {"length": 6, "memory_n": 10}]',
        "--grid-batch-size",
        "4",
    ]
    straight = train_main([*common, "--steps", "6", "--out", str(tmp_path / "a")])
    train_main([*common, "--steps", "3", "--out", str(tmp_path / "b")])
    resumed = train_main(["--resume", str(tmp_path / "b"), "--steps", "6"])
    assert checkpoint.load_config(tmp_path / "a")["model"] == "dnc"
    assert straight["heldout"] == resumed["heldout"]
    a, b = checkpoint.load_model(tmp_path / "a"), checkpoint.load_model(tmp_path / "b")
    for k, v in a.state_dict().items():
        assert torch.equal(v, b.state_dict()[k]), k
    assert [row.get("memory_n") for row in straight["grid"]] == [None, 10]
    config = checkpoint.load_config(tmp_path / "a")["model_config"]
    on = bool(fixes)
    assert config["masking"] is on and config["link_sharpness"] is on and config["dealloc_content"] is on
    assert a.interface.masking is on and a.interface.link_sharpness is on


@pytest.mark.parametrize("controller", CONTROLLERS)
def test_copy_task_loss_falls(controller):
    """The package's trainer (Adam) on a small copy task (lengths 1-4, 4 bits) for 250 steps. A
    model that ignores its input cannot beat 1 bit per scored bit (16 bits a sequence on average
    here); the feed-forward controller has no state, so for it the fall also shows that
    information flows through the memory."""
    torch.manual_seed(0)
    model = DNC(input_size=5, output_size=4, controller=controller, controller_size=32, memory_n=8, memory_m=8)
    log = train(
        model,
        make_task("copy", max_len=4, bits=4),
        steps=250,
        lr=1e-2,
        clip_norm=10.0,
        eval_every=25,
        eval_batch_size=16,
        progress=False,
    )
    costs = [row["train_cost_bits"] for row in log]
    assert all(map(math.isfinite, costs)), "non-finite cost"
    assert costs[-1] < 0.6 * costs[0], f"cost fell only from {costs[0]:.2f} to {costs[-1]:.2f} bits"
