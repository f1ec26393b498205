"""A plain, straightforward NTM: the baseline that ``bench/step.py`` times ``ntm_minimal.NTM`` against.

Written the way typical NTM code is written (one module per head, a Python loop over heads, one
small op at a time, the circular shift done per sample or per offset), but computing **the same
function** as :class:`ntm_minimal.NTM` with the same parameters, so the benchmark compares equal
work. ``tests/bench/test_bench_plain.py`` checks that; :func:`load_from_ntm` copies a package model's
weights in.

Deliberately unoptimised; kept in ``bench/``, not in the package. Shapes: memory ``[B, N, M]``,
a weighting ``[B, N]`` (one head at a time).

Same as the package, step by step (the order matters for equality):

1. controller input ``[x_t, r_{t-1}]`` (one LSTM cell);
2. every head, in turn, addresses the memory ``M_{t-1}`` (Eq. 5-9);
3. every write head erases (Eq. 3), then every write head adds (Eq. 4);
4. every read head reads ``M_t`` (Eq. 2);
5. output layer on ``[h_t, r_t]``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

#: Same constants as the package (``ntm_minimal.model.MEMORY_INIT``, ``kernels.COSINE_EPS``).
MEMORY_INIT = 1e-6
COSINE_EPS = 1e-10
SHIFT_MODES = ("loop", "roll")


def shift_per_sample(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Eq. 8 the naive way: pad circularly and run one ``conv1d`` per batch element.

    ``w`` ``[B, N]``, ``s`` ``[B, 2k+1]`` (``s[:, k]`` = stay) -> ``[B, N]``. ``conv1d`` is a
    cross-correlation, so the kernel is ``s`` flipped.
    """
    k = s.shape[1] // 2
    out = []
    for b in range(w.shape[0]):
        padded = torch.cat([w[b, w.shape[1] - k :], w[b], w[b, :k]]) if k else w[b]
        out.append(F.conv1d(padded.view(1, 1, -1), s[b].flip(0).view(1, 1, -1)).view(-1))
    return torch.stack(out)


def shift_per_offset(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Eq. 8 with one ``torch.roll`` per offset ``o = -k..k``: ``sum_o s_o * roll(w, o)``."""
    k = s.shape[1] // 2
    out = torch.zeros_like(w)
    for j in range(s.shape[1]):
        out = out + s[:, j : j + 1] * torch.roll(w, shifts=j - k, dims=1)
    return out


class PlainHead(nn.Module):
    """One head with its own linear layer: ``key, beta, g, s, gamma`` (+ ``erase, add`` if writing)."""

    def __init__(self, controller_size: int, memory_m: int, shift_range: int, write: bool):
        super().__init__()
        self.m, self.shift_width, self.write = memory_m, 2 * shift_range + 1, write
        self.sizes = [memory_m, 1, 1, self.shift_width, 1] + ([memory_m, memory_m] if write else [])
        self.fc = nn.Linear(controller_size, sum(self.sizes))

    def params(self, h: torch.Tensor) -> list[torch.Tensor]:
        """``h`` ``[B, C]`` -> constrained parameters (same transforms as ``ntm_minimal.heads``)."""
        parts = list(torch.split(self.fc(h), self.sizes, dim=1))
        parts[1] = F.softplus(parts[1])  # beta >= 0
        parts[2] = torch.sigmoid(parts[2])  # g in [0, 1]
        parts[3] = F.softmax(parts[3], dim=1)  # s, a distribution over offsets
        parts[4] = 1 + F.softplus(parts[4])  # gamma >= 1
        if self.write:
            parts[5] = torch.sigmoid(parts[5])  # erase in [0, 1]
            parts[6] = torch.tanh(parts[6])  # add
        return parts

    def address(self, key, beta, g, s, gamma, w_prev, memory, shift_mode: str) -> torch.Tensor:
        """Eq. 5-9 for this head: ``[B, N]``."""
        dots = (memory * key.unsqueeze(1)).sum(dim=2)  # Eq. 6 numerator, [B, N]
        # smoothed norms sqrt(|x|^2 + eps), as the package: finite gradients at an all-zero row
        norms = torch.sqrt((key * key).sum(dim=1, keepdim=True) + COSINE_EPS) * torch.sqrt(
            (memory * memory).sum(dim=2) + COSINE_EPS
        )
        similarity = dots / norms
        w_content = F.softmax(beta * similarity, dim=1)  # Eq. 5
        w_gated = g * w_content + (1 - g) * w_prev  # Eq. 7
        shift = shift_per_sample if shift_mode == "loop" else shift_per_offset
        w_shifted = shift(w_gated, s)  # Eq. 8
        w_pow = w_shifted**gamma  # Eq. 9
        return w_pow / (w_pow.sum(dim=1, keepdim=True) + 1e-16)


class PlainNTM(nn.Module):
    """A plain NTM with an LSTM controller; constructor arguments as ``ntm_minimal.NTM``'s.

    ``shift_mode``: ``"loop"`` (one ``conv1d`` per sample, as the most used PyTorch NTM does) or
    ``"roll"`` (one ``torch.roll`` per offset, batched over samples).
    """

    def __init__(
        self,
        input_size: int,
        output_size: int,
        controller_size: int = 100,
        memory_n: int = 128,
        memory_m: int = 20,
        read_heads: int = 1,
        write_heads: int = 1,
        shift_range: int = 1,
        shift_mode: str = "loop",
    ):
        super().__init__()
        if shift_mode not in SHIFT_MODES:
            raise ValueError(f"shift_mode: expected one of {SHIFT_MODES}, got {shift_mode!r}")
        self.n, self.m, self.shift_mode = memory_n, memory_m, shift_mode
        self.controller = nn.LSTMCell(input_size + read_heads * memory_m, controller_size)
        self.read_heads = nn.ModuleList(
            [PlainHead(controller_size, memory_m, shift_range, write=False) for _ in range(read_heads)]
        )
        self.write_heads = nn.ModuleList(
            [PlainHead(controller_size, memory_m, shift_range, write=True) for _ in range(write_heads)]
        )
        self.output = nn.Linear(controller_size + read_heads * memory_m, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` ``[B, T, input_size]`` -> logits ``[B, T, output_size]``."""
        b = x.shape[0]
        memory = torch.full((b, self.n, self.m), MEMORY_INIT, device=x.device, dtype=x.dtype)
        heads = list(self.read_heads) + list(self.write_heads)
        weights = []
        for _ in heads:  # every head starts one-hot on row 0
            w = torch.zeros(b, self.n, device=x.device, dtype=x.dtype)
            w[:, 0] = 1.0
            weights.append(w)
        reads = [torch.bmm(weights[i].unsqueeze(1), memory).squeeze(1) for i in range(len(self.read_heads))]
        h = torch.zeros(b, self.controller.hidden_size, device=x.device, dtype=x.dtype)
        c = torch.zeros_like(h)
        outputs = []
        for t in range(x.shape[1]):
            h, c = self.controller(torch.cat([x[:, t]] + reads, dim=1), (h, c))
            params = [head.params(h) for head in heads]
            weights = [
                head.address(*p[:5], weights[i], memory, self.shift_mode)
                for i, (head, p) in enumerate(zip(heads, params))
            ]
            n_read = len(self.read_heads)
            for i in range(n_read, len(heads)):  # all erases (Eq. 3) ...
                memory = memory * (1 - weights[i].unsqueeze(2) * params[i][5].unsqueeze(1))
            for i in range(n_read, len(heads)):  # ... then all adds (Eq. 4)
                memory = memory + weights[i].unsqueeze(2) * params[i][6].unsqueeze(1)
            reads = [(weights[i].unsqueeze(2) * memory).sum(dim=1) for i in range(n_read)]  # Eq. 2
            outputs.append(self.output(torch.cat([h] + reads, dim=1)))
        return torch.stack(outputs, dim=1)


def plain_from_config(config: dict, shift_mode: str = "loop") -> PlainNTM:
    """A :class:`PlainNTM` with the architecture of ``ntm_minimal.NTM(**config)`` (LSTM controller only)."""
    if config.get("controller", "lstm") != "lstm":
        raise ValueError(
            f"config['controller']: the plain baseline has an LSTM controller, got {config['controller']!r}"
        )
    if config.get("memory_init", "constant") != "constant":
        raise ValueError(
            f"config['memory_init']: the plain baseline starts from a constant memory, got {config['memory_init']!r}"
        )
    kw = {k: v for k, v in config.items() if k not in ("controller", "memory_init")}
    return PlainNTM(**kw, shift_mode=shift_mode)


@torch.no_grad()
def load_from_ntm(plain: PlainNTM, ntm: nn.Module) -> PlainNTM:
    """Copy the weights of an ``ntm_minimal.NTM`` into ``plain`` (same architecture) and return it.

    The package's one head layer emits, in order: every head's addressing block (read heads, then
    write heads), then every write head's ``[erase, add]`` block. Each plain head gets its rows.
    """
    plain.controller.load_state_dict(ntm.controller.cell.state_dict())
    plain.output.load_state_dict(ntm.output.state_dict())
    weight, bias = ntm.heads.proj.weight, ntm.heads.proj.bias
    size, vec = ntm.heads.address_size, 2 * ntm.heads.m
    heads = list(plain.read_heads) + list(plain.write_heads)
    n_addr = len(heads) * size
    for i, head in enumerate(heads):
        rows = list(range(i * size, (i + 1) * size))
        if head.write:
            j = i - len(plain.read_heads)
            rows += list(range(n_addr + j * vec, n_addr + (j + 1) * vec))
        if len(rows) != head.fc.out_features:
            raise ValueError(f"ntm: head {i} has {len(rows)} parameter rows, the plain head {head.fc.out_features}")
        head.fc.weight.copy_(weight[rows])
        head.fc.bias.copy_(bias[rows])
    return plain
