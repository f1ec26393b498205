"""The benchmark's plain baseline (bench/plain_ntm.py) computes the same function as ntm_minimal.NTM
given the same weights, so ``bench/step.py`` compares equal work."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from ntm_minimal import NTM, addressing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from plain_ntm import load_from_ntm, plain_from_config, shift_per_offset, shift_per_sample  # noqa: E402

SMALL = dict(input_size=5, output_size=3, controller="lstm", controller_size=12, memory_n=7, memory_m=4)
HEADS = [(1, 1), (2, 1), (1, 2), (2, 3)]


def _pair(heads, shift_range, shift_mode, dtype=torch.float64):
    torch.manual_seed(0)
    r, w = heads
    ntm = NTM(**SMALL, read_heads=r, write_heads=w, shift_range=shift_range).to(dtype)
    # Larger-than-default weights, so gates, shifts and sharpening are far from their initial values.
    with torch.no_grad():
        for p in ntm.parameters():
            p.mul_(3.0)
    plain = load_from_ntm(plain_from_config(ntm.config, shift_mode).to(dtype), ntm)
    return ntm, plain


def _x(b=3, t=9, dtype=torch.float64):
    return torch.randn(b, t, SMALL["input_size"], generator=torch.Generator().manual_seed(1), dtype=dtype)


@pytest.mark.parametrize("shift_mode", ["loop", "roll"])
@pytest.mark.parametrize("shift_range", [0, 1, 2])
@pytest.mark.parametrize("heads", HEADS, ids=str)
def test_same_function(heads, shift_range, shift_mode):
    ntm, plain = _pair(heads, shift_range, shift_mode)
    x = _x()
    torch.testing.assert_close(plain(x), ntm(x), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("shift_mode", ["loop", "roll"])
def test_same_gradients_float32(shift_mode):
    """At the benchmark's dtype the losses and every parameter's gradient agree too."""
    ntm, plain = _pair((1, 1), 1, shift_mode, dtype=torch.float32)
    x = _x(dtype=torch.float32)
    ntm(x).square().sum().backward()
    plain(x).square().sum().backward()
    g = ntm.heads.proj.weight.grad
    size = ntm.heads.address_size
    torch.testing.assert_close(plain.read_heads[0].fc.weight.grad, g[:size], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(plain.write_heads[0].fc.weight.grad, g[size:], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(
        plain.controller.weight_hh.grad, ntm.controller.cell.weight_hh.grad, rtol=1e-4, atol=1e-5
    )
    torch.testing.assert_close(plain.output.weight.grad, ntm.output.weight.grad, rtol=1e-4, atol=1e-5)


def test_same_parameter_count():
    ntm, plain = _pair((2, 3), 1, "loop")
    assert sum(p.numel() for p in plain.parameters()) == sum(p.numel() for p in ntm.parameters())


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_shifts_match_package(k):
    gen = torch.Generator().manual_seed(k)
    w = torch.softmax(torch.randn(4, 7, generator=gen, dtype=torch.float64), -1)
    s = torch.softmax(torch.randn(4, 2 * k + 1, generator=gen, dtype=torch.float64), -1)
    want = addressing.shift(w, s)
    torch.testing.assert_close(shift_per_sample(w, s), want, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(shift_per_offset(w, s), want, rtol=1e-12, atol=1e-14)


def test_weight_mapping_is_not_trivial():
    """A wrong head-row mapping must be caught: swapping the two heads' layers changes the output."""
    ntm, plain = _pair((1, 1), 1, "roll")
    x = _x()
    with torch.no_grad():
        r, w = plain.read_heads[0].fc, plain.write_heads[0].fc
        r.weight.copy_(w.weight[: r.out_features])
        r.bias.copy_(w.bias[: r.out_features])
    assert not torch.allclose(plain(x), ntm(x), rtol=1e-3, atol=1e-3)


def test_rejects_feedforward_learned_memory_and_unknown_shift_mode():
    with pytest.raises(ValueError, match="controller"):
        plain_from_config({**SMALL, "controller": "feedforward"})
    with pytest.raises(ValueError, match="memory_init"):
        plain_from_config({**SMALL, "memory_init": "learned"})
    with pytest.raises(ValueError, match="shift_mode"):
        plain_from_config(SMALL, shift_mode="fft")
