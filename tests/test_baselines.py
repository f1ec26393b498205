"""The LSTM baseline: shapes, config round trip, causality, bad input, paper size."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.baselines import LSTMBaseline


def test_shapes_and_config():
    model = LSTMBaseline(9, 8, hidden_size=16, layers=2)
    out = model(torch.randn(3, 7, 9))
    assert out.shape == (3, 7, 8) and bool(torch.isfinite(out).all())
    assert (
        LSTMBaseline(**model.config).config
        == model.config
        == dict(input_size=9, output_size=8, hidden_size=16, layers=2)
    )


def test_paper_copy_size():
    # Table 3 of the paper: 3 x 256 LSTM on the copy task, 1,352,969 parameters (with 9 inputs, 8 outputs
    # PyTorch has two bias vectors per gate where the paper counts one, hence the difference).
    model = LSTMBaseline(9, 8)
    n = sum(p.numel() for p in model.parameters())
    two_biases = 3 * 4 * 256
    assert n - two_biases == 4 * 256 * (9 + 256 + 1) + 2 * 4 * 256 * (256 + 256 + 1) + 256 * 8 + 8


def test_causal():
    model = LSTMBaseline(4, 3, hidden_size=8, layers=2)
    x = torch.randn(2, 6, 4)
    y = x.clone()
    y[:, 4:] = torch.randn(2, 2, 4)
    torch.testing.assert_close(model(x)[:, :4], model(y)[:, :4])
    assert not torch.allclose(model(x)[:, 4:], model(y)[:, 4:])


def test_gradients_reach_every_parameter():
    model = LSTMBaseline(4, 3, hidden_size=8, layers=3)
    model(torch.randn(2, 5, 4)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(input_size=0, output_size=2),
        dict(input_size=3, output_size=2, layers=0),
        dict(input_size=3, output_size=2, hidden_size=True),
    ],
)
def test_bad_settings(kwargs):
    with pytest.raises(ValueError):
        LSTMBaseline(**kwargs)


def test_bad_input():
    model = LSTMBaseline(4, 3, hidden_size=8, layers=1)
    with pytest.raises(ValueError, match=r"x: expected shape \[B, T, input_size=4\]"):
        model(torch.randn(2, 5, 3))
    with pytest.raises(ValueError, match="x"):
        model(torch.randn(5, 4))
    with pytest.raises(TypeError, match="x"):
        model(torch.ones(2, 5, 4, dtype=torch.long))
