"""Csordás & Schmidhuber's (ICLR 2019) fixes to the DNC: masked content lookup ("M"), link sharpness
("S") and de-allocation ("D", tested in test_dnc_model.py). Each equation against an independent
float64 NumPy oracle written with explicit loops, gradcheck, extremes and bad input; then the model's
switches, the trace and the CLI."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracles.dnc import SHARPNESS_EPS, masked_lookup_oracle, sharpen_oracle
from torch.autograd import gradcheck

from ntm_minimal import DNC, pretrained
from ntm_minimal.addressing import content_weighting
from ntm_minimal.dnc import equations as eq
from ntm_minimal.dnc import kernels as dk
from ntm_minimal.dnc.interface import interface_size


@pytest.fixture
def gen():
    return torch.Generator().manual_seed(7)


def _lookup_args(gen, b=3, h=2, n=6, w=5, dtype=torch.float64):
    return (
        torch.randn(b, h, w, generator=gen, dtype=dtype),
        3 * torch.rand(b, h, 1, generator=gen, dtype=dtype),
        torch.randn(b, n, w, generator=gen, dtype=dtype),
        torch.rand(b, h, w, generator=gen, dtype=dtype),
    )


def _link_reads(gen, b=3, r=2, n=6, dtype=torch.float64):
    d = 0.9 * torch.softmax(3 * torch.randn(b, r, n, generator=gen, dtype=dtype), -1)
    return d, 1 + 4 * torch.rand(b, r, 1, generator=gen, dtype=dtype)


# ------------------------------------------------------------------ masking


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_masked_lookup_matches_the_oracle(gen, dtype):
    args = _lookup_args(gen, dtype=dtype)
    got = eq.masked_content_weighting(*args)
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    np.testing.assert_allclose(got.double().numpy(), masked_lookup_oracle(*args), atol=tol, rtol=tol)


def test_a_constant_mask_is_the_plain_lookup(gen):
    key, beta, memory, _ = _lookup_args(gen)
    # The smoothing ε of the norms does not scale with the mask: a mask of 0.3 differs by ~ε/|0.3 x|².
    for value, atol in ((1.0, 1e-12), (0.3, 1e-9)):
        got = eq.masked_content_weighting(key, beta, memory, torch.full_like(key, value))
        torch.testing.assert_close(got, content_weighting(key, beta, memory), atol=atol, rtol=0)


def test_a_mask_finds_a_row_by_its_tag_alone():
    # Rows hold [tag | value]. The key carries row 2's tag and an unrelated value: unmasked, the value
    # pulls the lookup elsewhere; masked to the tag entries, the lookup lands on row 2.
    tags = torch.eye(4, dtype=torch.float64)
    values = torch.tensor([[5.0, 0], [0, 5], [0, -5], [-5, 0]], dtype=torch.float64)
    memory = torch.cat([tags, values], dim=1)[None]
    key = torch.tensor([[[0, 0, 1, 0, 0, 5.0]]], dtype=torch.float64)
    beta = torch.full((1, 1, 1), 50.0, dtype=torch.float64)
    mask = torch.tensor([[[1, 1, 1, 1, 0, 0.0]]], dtype=torch.float64)
    assert int(content_weighting(key, beta, memory).argmax()) == 1
    assert float(eq.masked_content_weighting(key, beta, memory, mask)[0, 0, 2]) > 0.999


def test_masked_lookup_takes_a_key_without_head_dim(gen):
    key, beta, memory, mask = _lookup_args(gen, h=1)
    flat = eq.masked_content_weighting(key[:, 0], beta[:, 0], memory, mask[:, 0])
    torch.testing.assert_close(flat, eq.masked_content_weighting(key, beta, memory, mask)[:, 0])


def test_gradcheck_masked_lookup(gen):
    args = tuple(a.requires_grad_() for a in _lookup_args(gen, b=2, n=4, w=3))
    assert gradcheck(eq.masked_content_weighting, args)


@pytest.mark.parametrize("beta", [0.0, 1e4])
def test_masked_lookup_is_finite_for_zero_memory_zero_mask_and_extreme_strengths(gen, beta):
    key, _, memory, mask = _lookup_args(gen)
    for mem, m in ((torch.zeros_like(memory), mask), (memory, torch.zeros_like(mask))):
        inputs = [t.clone().requires_grad_() for t in (key, mem, m)]
        out = eq.masked_content_weighting(
            inputs[0], torch.full((3, 2, 1), beta, dtype=torch.float64), inputs[1], inputs[2]
        )
        assert bool(torch.isfinite(out).all()) and torch.allclose(out.sum(-1), torch.ones(3, 2, dtype=torch.float64))
        out[..., 0].sum().backward()
        assert all(bool(torch.isfinite(t.grad).all()) for t in inputs)


# ------------------------------------------------------------------ link sharpness


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sharpen_links_matches_the_oracle(gen, dtype):
    d, s = _link_reads(gen, dtype=dtype)
    tol = 1e-12 if dtype == torch.float64 else 1e-5
    np.testing.assert_allclose(eq.sharpen_links(d, s).double().numpy(), sharpen_oracle(d, s), atol=tol, rtol=tol)


def test_sharpening_keeps_the_peak_and_focuses_it(gen):
    d, _ = _link_reads(gen)
    soft = eq.sharpen_links(d, torch.ones(3, 2, 1, dtype=torch.float64))
    sharp = eq.sharpen_links(d, torch.full((3, 2, 1), 20.0, dtype=torch.float64))
    torch.testing.assert_close(soft, (d + SHARPNESS_EPS) / (d + SHARPNESS_EPS).sum(-1, keepdim=True))
    assert torch.equal(sharp.argmax(-1), d.argmax(-1))
    assert bool((sharp.max(-1).values > soft.max(-1).values).all())


def test_an_empty_chain_becomes_uniform():
    # Past the last write L w is all zero; sharpened, it is a uniform distribution (it always sums to 1).
    out = eq.sharpen_links(torch.zeros(1, 2, 5), torch.full((1, 2, 1), 3.0))
    torch.testing.assert_close(out, torch.full((1, 2, 5), 0.2))


def test_gradcheck_sharpen_links(gen):
    d, s = _link_reads(gen, b=2, n=4)
    assert gradcheck(eq.sharpen_links, (d.requires_grad_(), s.requires_grad_()))


@pytest.mark.parametrize("s", [1.0, 1e4])
def test_sharpen_links_is_finite_for_extreme_sharpness_and_zero_weights(gen, s):
    d, _ = _link_reads(gen)
    d = d.clone()
    d[0] = 0.0
    d.requires_grad_()
    sharp = torch.full((3, 2, 1), s, dtype=torch.float64, requires_grad=True)
    out = eq.sharpen_links(d, sharp)
    assert bool(torch.isfinite(out).all())
    (out * torch.arange(6.0, dtype=torch.float64)).sum().backward()
    assert bool(torch.isfinite(d.grad).all()) and bool(torch.isfinite(sharp.grad).all())


@pytest.mark.parametrize(
    "call, name",
    [
        (
            lambda: eq.masked_content_weighting(
                torch.randn(2, 3), torch.ones(2, 1), torch.randn(2, 5, 4), torch.rand(2, 3)
            ),
            "key",
        ),
        (
            lambda: eq.masked_content_weighting(
                torch.randn(2, 4), torch.ones(2, 1), torch.randn(2, 5, 4), torch.rand(2, 3)
            ),
            "mask",
        ),
        (
            lambda: eq.masked_content_weighting(
                torch.randn(2, 4), torch.ones(2, 1), torch.randn(2, 5, 4), torch.full((2, 4), 1.5)
            ),
            "mask",
        ),
        (
            lambda: eq.masked_content_weighting(
                torch.randn(2, 4), -torch.ones(2, 1), torch.randn(2, 5, 4), torch.rand(2, 4)
            ),
            "beta",
        ),
        (
            lambda: eq.masked_content_weighting(
                torch.randn(2, 4), torch.ones(2, 1), torch.randn(5, 4), torch.rand(2, 4)
            ),
            "memory",
        ),
        (lambda: eq.sharpen_links(torch.rand(2, 5), torch.ones(2, 1)), "d"),
        (lambda: eq.sharpen_links(-torch.rand(2, 1, 5), torch.ones(2, 1, 1)), "d"),
        (lambda: eq.sharpen_links(torch.rand(2, 3, 5), torch.ones(2, 1, 1)), "s"),
        (lambda: eq.sharpen_links(torch.rand(2, 3, 5), torch.full((2, 3, 1), float("nan"))), "s"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(call, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        call()


# ------------------------------------------------------------------ the model's switches

SMALL = dict(input_size=4, output_size=3, controller_size=8, memory_n=6, memory_m=4, read_heads=2)


def test_the_fixes_add_their_interface_entries():
    for masking, sharp, extra in (
        (False, False, 0),
        (True, False, 4 * 2 + 4),
        (False, True, 2 * 2),
        (True, True, 4 * 2 + 4 + 2 * 2),
    ):
        model = DNC(**SMALL, masking=masking, link_sharpness=sharp)
        assert model.interface.proj.out_features == interface_size(4, 2) + extra
        assert interface_size(4, 2, masking, sharp) == interface_size(4, 2) + extra


def test_trace_carries_masks_and_sharpness_only_when_on():
    x = torch.randn(2, 5, 4, generator=torch.Generator().manual_seed(0))
    _, plain = DNC(**SMALL)(x, return_trace=True)
    assert plain.interface.read_masks is None and plain.interface.forward_sharpness is None
    _, fixed = DNC(**SMALL, masking=True, link_sharpness=True, dealloc_content=True)(x, return_trace=True)
    xi = fixed.interface
    assert xi.read_masks.shape == (2, 5, 2, 4) and xi.write_mask.shape == (2, 5, 4)
    assert xi.forward_sharpness.shape == (2, 5, 2, 1) and bool((xi.backward_sharpness >= 1).all())
    assert bool(((xi.read_masks > 0) & (xi.read_masks < 1)).all())


def test_sharpness_is_applied_to_the_directional_weightings():
    # With the read modes forced to "forward", the read weighting is the sharpened L w exactly.
    torch.manual_seed(0)
    model = DNC(**SMALL, link_sharpness=True).double()
    state = model.initial_state(2)
    x = torch.randn(2, 4, dtype=torch.float64)
    for _ in range(3):  # a few writes, so the links are not empty
        _, state, _ = model.step(x, state)
    proj = model.interface.proj
    with torch.no_grad():  # modes are the last 3R entries of the paper's part of ξ
        base = interface_size(4, 2)
        proj.bias[base - 6 : base] = torch.tensor([-30.0, -30, 30] * 2, dtype=torch.float64)
    _, new, info = model.step(x, state)
    link = dk.link(state.link, state.precedence, new.write_weights)
    forward, _ = dk.directional_weightings(link, state.read_weights)
    expected = eq.sharpen_links(forward, info.interface.forward_sharpness)
    torch.testing.assert_close(new.read_weights, expected, atol=1e-10, rtol=0)


def test_gradcheck_one_step_with_every_fix():
    model = DNC(
        input_size=3,
        output_size=2,
        controller_size=6,
        memory_n=5,
        memory_m=3,
        read_heads=2,
        detach_usage=False,
        dealloc_content=True,
        masking=True,
        link_sharpness=True,
    ).double()
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    state = model.initial_state(2)
    for _ in range(2):
        _, state, _ = model.step(torch.randn(2, 3, generator=gen, dtype=torch.float64), state)
    fields = ("memory", "usage", "precedence", "link", "write_weights", "read_weights", "reads")
    state = state._replace(**{f: getattr(state, f).detach() for f in fields})
    inputs = (x.clone().requires_grad_(), *(getattr(state, f).clone().requires_grad_() for f in fields))

    def logits(x_t, *parts):
        return model.step(x_t, state._replace(**dict(zip(fields, parts))))[0]

    assert gradcheck(logits, inputs)


def test_sharpness_without_links_is_refused():
    with pytest.raises(ValueError, match="^link_sharpness"):
        DNC(**SMALL, temporal_links=False, link_sharpness=True)
    with pytest.raises(ValueError, match="^masking"):
        DNC(**SMALL, masking=1)


def test_checkpoints_without_the_new_keys_still_load():
    # The shipped DNC runs predate the switches: their configs lack the keys, which means "off".
    assert "masking" not in pretrained.config("copy_dnc")["model_config"]
    model = pretrained.load("copy_dnc")
    assert model.config["masking"] is False and model.config["link_sharpness"] is False
