"""A frozen copy of the NTM's time step as it was before the speed work (commit a3c4099).

``tests/bench/test_speed.py`` runs it on a model's own parameters and checks that
:class:`ntm_minimal.NTM` still computes the same logits and the same gradients bit for bit
(``torch.equal``), and ``bench/step.py`` times it as the "before" row. It is a copy on purpose:
it must not change when the package does. Unvalidated; not part of the package.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

COSINE_EPS = 1e-8
SHARPEN_FLOOR = 1e-20


def _heads_first(w):
    return w.reshape(w.shape[0], -1, w.shape[-1])


def _read(memory, w):
    r = torch.bmm(_heads_first(w), memory)
    return r.reshape(*w.shape[:-1], memory.shape[-1])


def _write(memory, w, e, a):
    w = _heads_first(w)
    e = e.reshape(w.shape[0], w.shape[1], -1)
    keep = 1 - w.unsqueeze(-1) * e.unsqueeze(-2)
    memory = memory * (keep[:, 0] if keep.shape[1] == 1 else keep.prod(dim=1))
    a = a.reshape(w.shape[0], w.shape[1], -1)
    return memory + torch.bmm(w.transpose(1, 2), a)


def cosine(key, memory):
    """Eq. 6 as it was then (the norm product floored at ``COSINE_EPS``). The package has since
    smoothed the norms; ``tests/bench/test_speed.py`` swaps its cosine in here to compare the rest bit for bit."""
    b, n, m = memory.shape
    k = key.reshape(b, -1, m)
    dots = torch.bmm(k, memory.transpose(1, 2))
    norms = torch.linalg.vector_norm(k, dim=-1, keepdim=True) * torch.linalg.vector_norm(memory, dim=-1).unsqueeze(1)
    return (dots / norms.clamp_min(COSINE_EPS)).reshape(*key.shape[:-1], n)


def _address(key, beta, g, s, gamma, w_prev, memory):
    content = torch.softmax(beta * cosine(key, memory), dim=-1)
    gated = g * content + (1 - g) * w_prev
    half = s.shape[-1] // 2
    shifted = s[..., half : half + 1] * gated
    for j in range(2 * half + 1):
        if j != half:
            shifted = shifted + s[..., j : j + 1] * torch.roll(gated, j - half, dims=-1)
    return torch.softmax(gamma * torch.log(shifted.clamp_min(SHARPEN_FLOOR)), dim=-1)


def _head_params(heads, h):
    b, m = h.shape[0], heads.m
    raw = heads.proj(h)
    n_addr = (heads.read_heads + heads.write_heads) * heads.address_size
    addr = raw[:, :n_addr].view(b, -1, heads.address_size)
    vec = raw[:, n_addr:].view(b, heads.write_heads, 2 * m)
    key, beta, g, s, gamma = addr.split([m, 1, 1, heads.shift_width, 1], dim=-1)
    erase, add = vec.split([m, m], dim=-1)
    return (
        key,
        F.softplus(beta),
        torch.sigmoid(g),
        torch.softmax(s, dim=-1),
        1 + F.softplus(gamma),
        torch.sigmoid(erase),
        torch.tanh(add),
    )


def reference_logits(model, x: torch.Tensor) -> torch.Tensor:
    """``model``'s logits ``[B, T, output_size]`` for ``x`` ``[B, T, input_size]``, the old way."""
    batch, r = x.shape[0], model.read_heads
    memory = model.memory_init.expand(batch, -1, -1)
    weights = model.weights_init.expand(batch, -1, -1)
    reads = _read(memory, weights[:, :r])
    ctrl = model.controller.initial_state(batch, memory)
    outputs = []
    for t in range(x.shape[1]):
        h, ctrl = model.controller(torch.cat([x[:, t], reads.flatten(1)], dim=-1), ctrl)
        key, beta, g, s, gamma, erase, add = _head_params(model.heads, h)
        weights = _address(key, beta, g, s, gamma, weights, memory)
        memory = _write(memory, weights[:, r:], erase, add)
        reads = _read(memory, weights[:, :r])
        outputs.append(model.output(torch.cat([h, reads.flatten(1)], dim=-1)))
    return torch.stack(outputs, dim=1)


class BeforeNTM(torch.nn.Module):
    """``ntm`` (an ``ntm_minimal.NTM``, its parameters shared) run with :func:`reference_logits`."""

    def __init__(self, ntm):
        super().__init__()
        self.ntm = ntm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return reference_logits(self.ntm, x)
