"""Bad input fails at the call that caused it, with a message naming the argument and the shape
(or range) that was expected."""

from __future__ import annotations

import math
import re

import pytest
import torch

from ntm_minimal import NTM, addressing, memory

B, H, N, M = 2, 3, 5, 4
F64 = dict(dtype=torch.float64)


def _valid() -> dict[str, torch.Tensor]:
    """Valid arguments for every public function: one head dim ``[B, H]``."""
    g = torch.Generator().manual_seed(0)
    return dict(
        memory=torch.randn(B, N, M, generator=g, **F64),
        w=torch.softmax(torch.randn(B, H, N, generator=g, **F64), -1),
        e=torch.rand(B, H, M, generator=g, **F64),
        a=torch.randn(B, H, M, generator=g, **F64),
        key=torch.randn(B, H, M, generator=g, **F64),
        beta=torch.ones(B, H, 1, **F64),
        g=torch.full((B, H, 1), 0.5, **F64),
        s=torch.tensor([0.25, 0.5, 0.25], **F64).expand(B, H, 3).clone(),
        gamma=torch.full((B, H, 1), 2.0, **F64),
        w_prev=torch.softmax(torch.randn(B, H, N, generator=g, **F64), -1),
        w_content=torch.softmax(torch.randn(B, H, N, generator=g, **F64), -1),
    )


SIGNATURES = {
    memory.read: ["memory", "w"],
    memory.erase: ["memory", "w", "e"],
    memory.add: ["memory", "w", "a"],
    memory.write: ["memory", "w", "e", "a"],
    addressing.cosine_similarity: ["key", "memory"],
    addressing.content_weighting: ["key", "beta", "memory"],
    addressing.interpolate: ["w_content", "w_prev", "g"],
    addressing.shift: ["w", "s"],
    addressing.sharpen: ["w", "gamma"],
    addressing.address: ["key", "beta", "g", "s", "gamma", "w_prev", "memory"],
    addressing.address_stages: ["key", "beta", "g", "s", "gamma", "w_prev", "memory"],
}


def _call(fn, **overrides):
    args = _valid()
    args.update(overrides)
    return fn(*(args[name] for name in SIGNATURES[fn]))


def _nan(shape):
    x = torch.rand(*shape, **F64)
    x.view(-1)[0] = math.nan
    return x


def _inf(shape, sign=1):
    x = torch.rand(*shape, **F64)
    x.view(-1)[-1] = sign * math.inf
    return x


def _esc(text: str) -> str:
    return re.escape(text)


MEM_SHAPE = _esc(f"[B={B}, ..., N={N}] (B and N from memory [{B}, {N}, {M}])")

# (id, function, overrides, exception, regex the message must match)
CASES = [
    # ---- memory argument, shared by every function that takes one
    *[
        (
            f"{fn.__name__}-memory-2d",
            fn,
            dict(memory=torch.zeros(N, M, **F64)),
            ValueError,
            _esc("memory: expected shape [B, N, M], got [5, 4]"),
        )
        for fn in (memory.read, addressing.cosine_similarity)
    ],
    (
        "read-memory-4d",
        memory.read,
        dict(memory=torch.zeros(1, B, N, M, **F64)),
        ValueError,
        _esc("memory: expected shape [B, N, M], got [1, 2, 5, 4]"),
    ),
    (
        "read-memory-empty",
        memory.read,
        dict(memory=torch.zeros(0, N, M, **F64), w=torch.zeros(0, N, **F64)),
        ValueError,
        _esc("memory: expected shape [B, N, M] with B, N, M >= 1, got [0, 5, 4]"),
    ),
    (
        "read-memory-list",
        memory.read,
        dict(memory=[[0.0] * M] * N),
        TypeError,
        _esc("memory: expected a torch.Tensor of shape [B, N, M], got list"),
    ),
    (
        "read-memory-int",
        memory.read,
        dict(memory=torch.zeros(B, N, M, dtype=torch.long)),
        TypeError,
        _esc("memory: expected a floating-point tensor of shape [B, N, M], got dtype torch.int64"),
    ),
    (
        "read-memory-nan",
        memory.read,
        dict(memory=_nan((B, N, M))),
        ValueError,
        _esc("memory: contains NaN or infinite values (shape [2, 5, 4])"),
    ),
    ("write-memory-inf", memory.write, dict(memory=_inf((B, N, M))), ValueError, "memory: contains NaN or infinite"),
    (
        "address-memory-wrong-M",
        addressing.address,
        dict(memory=torch.zeros(B, N, M + 1, **F64)),
        ValueError,
        _esc(f"key: expected shape [..., M={M + 1}], got [2, 3, 4]"),
    ),
    # ---- weightings against memory
    (
        "read-w-wrong-N",
        memory.read,
        dict(w=torch.full((B, H, N + 1), 1 / (N + 1), **F64)),
        ValueError,
        MEM_SHAPE + _esc(", got [2, 3, 6]"),
    ),
    (
        "read-w-wrong-batch",
        memory.read,
        dict(w=torch.full((B + 1, N), 1 / N, **F64)),
        ValueError,
        MEM_SHAPE + _esc(", got [3, 5]"),
    ),
    ("read-w-1d", memory.read, dict(w=torch.full((N,), 1 / N, **F64)), ValueError, MEM_SHAPE + _esc(", got [5]")),
    ("read-w-scalar", memory.read, dict(w=torch.tensor(1.0, **F64)), ValueError, "w: expected shape .* got a scalar"),
    ("read-w-nan", memory.read, dict(w=_nan((B, N))), ValueError, "w: contains NaN or infinite"),
    (
        "read-w-int",
        memory.read,
        dict(w=torch.ones(B, N, dtype=torch.int32)),
        TypeError,
        "w: expected a floating-point tensor .* got dtype torch.int32",
    ),
    (
        "read-w-numpy",
        memory.read,
        dict(w=torch.ones(B, N, **F64).numpy()),
        TypeError,
        "w: expected a torch.Tensor .* got ndarray",
    ),
    (
        "erase-w-wrong-batch",
        memory.erase,
        dict(w=torch.full((B + 1, H, N), 1 / N, **F64)),
        ValueError,
        MEM_SHAPE + _esc(", got [3, 3, 5]"),
    ),
    # ---- erase and add vectors
    (
        "erase-e-wrong-M",
        memory.erase,
        dict(e=torch.rand(B, H, M + 1, **F64)),
        ValueError,
        _esc(f"e: expected shape [2, 3, M={M}], got [2, 3, 5]"),
    ),
    (
        "erase-e-missing-head-dim",
        memory.erase,
        dict(e=torch.rand(B, M, **F64)),
        ValueError,
        _esc(f"e: expected shape [2, 3, M={M}], got [2, 4]"),
    ),
    (
        "erase-e-above-1",
        memory.erase,
        dict(e=torch.full((B, H, M), 1.5, **F64)),
        ValueError,
        _esc("e: values must be <= 1.0, got max 1.5"),
    ),
    (
        "erase-e-below-0",
        memory.erase,
        dict(e=torch.full((B, H, M), -0.25, **F64)),
        ValueError,
        _esc("e: values must be >= 0.0, got min -0.25"),
    ),
    ("erase-e-nan", memory.erase, dict(e=_nan((B, H, M))), ValueError, "e: contains NaN or infinite"),
    (
        "write-e-above-1",
        memory.write,
        dict(e=torch.full((B, H, M), 2.0, **F64)),
        ValueError,
        _esc("e: values must be <= 1.0"),
    ),
    (
        "write-e-wrong-M",
        memory.write,
        dict(e=torch.rand(B, H, M - 1, **F64)),
        ValueError,
        _esc(f"e: expected shape [2, 3, M={M}], got [2, 3, 3]"),
    ),
    (
        "add-a-wrong-M",
        memory.add,
        dict(a=torch.rand(B, H, M + 2, **F64)),
        ValueError,
        _esc(f"a: expected shape [2, 3, M={M}], got [2, 3, 6]"),
    ),
    (
        "add-a-wrong-heads",
        memory.add,
        dict(a=torch.rand(B, H + 1, M, **F64)),
        ValueError,
        _esc(f"a: expected shape [2, 3, M={M}], got [2, 4, 4]"),
    ),
    ("add-a-inf", memory.add, dict(a=_inf((B, H, M), -1)), ValueError, "a: contains NaN or infinite"),
    (
        "write-a-wrong-M",
        memory.write,
        dict(a=torch.rand(B, H, 1, **F64)),
        ValueError,
        _esc(f"a: expected shape [2, 3, M={M}], got [2, 3, 1]"),
    ),
    # ---- keys
    (
        "cosine-key-wrong-M",
        addressing.cosine_similarity,
        dict(key=torch.randn(B, H, M + 1, **F64)),
        ValueError,
        _esc(f"key: expected shape [..., M={M}], got [2, 3, 5]"),
    ),
    (
        "cosine-key-wrong-batch",
        addressing.cosine_similarity,
        dict(key=torch.randn(B + 1, M, **F64)),
        ValueError,
        _esc(f"key: expected shape [B, ..., M={M}] with batch B=2 (from memory), got [3, 4]"),
    ),
    (
        "cosine-key-1d",
        addressing.cosine_similarity,
        dict(key=torch.randn(M, **F64)),
        ValueError,
        _esc(f"key: expected shape [B, ..., M={M}] with batch B=2 (from memory), got [4]"),
    ),
    (
        "cosine-key-nan",
        addressing.cosine_similarity,
        dict(key=_nan((B, M))),
        ValueError,
        "key: contains NaN or infinite",
    ),
    (
        "content-key-int",
        addressing.content_weighting,
        dict(key=torch.ones(B, H, M, dtype=torch.long)),
        TypeError,
        "key: expected a floating-point tensor",
    ),
    # ---- β
    (
        "content-beta-negative",
        addressing.content_weighting,
        dict(beta=torch.full((B, H, 1), -1.0, **F64)),
        ValueError,
        _esc("beta: values must be >= 0.0, got min -1"),
    ),
    (
        "content-beta-inf",
        addressing.content_weighting,
        dict(beta=torch.full((B, H, 1), math.inf, **F64)),
        ValueError,
        "beta: contains NaN or infinite",
    ),
    (
        "content-beta-no-trailing-1",
        addressing.content_weighting,
        dict(beta=torch.ones(B, H, **F64)),
        ValueError,
        _esc("beta: expected shape [2, 3, 1], got [2, 3]"),
    ),
    (
        "content-beta-wrong-heads",
        addressing.content_weighting,
        dict(beta=torch.ones(B, 1, 1, **F64)),
        ValueError,
        _esc("beta: expected shape [2, 3, 1], got [2, 1, 1]"),
    ),
    (
        "address-beta-negative",
        addressing.address,
        dict(beta=torch.full((B, H, 1), -0.5, **F64)),
        ValueError,
        _esc("beta: values must be >= 0.0"),
    ),
    # ---- g
    (
        "interpolate-g-above-1",
        addressing.interpolate,
        dict(g=torch.full((B, H, 1), 1.1, **F64)),
        ValueError,
        _esc("g: values must be <= 1.0, got max 1.1"),
    ),
    (
        "interpolate-g-below-0",
        addressing.interpolate,
        dict(g=torch.full((B, H, 1), -0.1, **F64)),
        ValueError,
        _esc("g: values must be >= 0.0, got min -0.1"),
    ),
    (
        "interpolate-g-wrong-shape",
        addressing.interpolate,
        dict(g=torch.full((B, H, 2), 0.5, **F64)),
        ValueError,
        _esc("g: expected shape [2, 3, 1], got [2, 3, 2]"),
    ),
    ("interpolate-g-nan", addressing.interpolate, dict(g=_nan((B, H, 1))), ValueError, "g: contains NaN or infinite"),
    (
        "address-g-above-1",
        addressing.address_stages,
        dict(g=torch.full((B, H, 1), 2.0, **F64)),
        ValueError,
        _esc("g: values must be <= 1.0"),
    ),
    # ---- interpolation weightings
    (
        "interpolate-w_prev-wrong-N",
        addressing.interpolate,
        dict(w_prev=torch.full((B, H, N + 1), 0.1, **F64)),
        ValueError,
        _esc(f"w_prev: expected shape [2, 3, N={N}], got [2, 3, 6]"),
    ),
    (
        "interpolate-w_prev-1d",
        addressing.interpolate,
        dict(w_content=torch.full((N,), 0.2, **F64), w_prev=torch.full((N - 1,), 0.25, **F64), g=torch.ones(1, **F64)),
        ValueError,
        _esc(f"w_prev: expected shape [N={N}], got [4]"),
    ),
    (
        "interpolate-w_content-nan",
        addressing.interpolate,
        dict(w_content=_nan((B, H, N))),
        ValueError,
        "w_content: contains NaN or infinite",
    ),
    (
        "interpolate-w_content-list",
        addressing.interpolate,
        dict(w_content=[0.2] * N),
        TypeError,
        _esc("w_content: expected a torch.Tensor of shape [..., N], got list"),
    ),
    (
        "address-w_prev-wrong-N",
        addressing.address,
        dict(w_prev=torch.full((B, H, N - 1), 0.25, **F64)),
        ValueError,
        _esc(f"w_prev: expected shape [2, 3, N={N}], got [2, 3, 4]"),
    ),
    (
        "address-w_prev-wrong-batch",
        addressing.address,
        dict(w_prev=torch.full((1, H, N), 0.2, **F64)),
        ValueError,
        _esc(f"w_prev: expected shape [2, 3, N={N}], got [1, 3, 5]"),
    ),
    # ---- s
    (
        "shift-s-even",
        addressing.shift,
        dict(s=torch.full((B, H, 2), 0.5, **F64)),
        ValueError,
        _esc("s: expected shape [..., 2k+1] (an odd number of offsets -k..k), got last dim 2"),
    ),
    (
        "shift-s-empty",
        addressing.shift,
        dict(s=torch.zeros(B, H, 0, **F64)),
        ValueError,
        _esc("s: expected shape [..., 2k+1]"),
    ),
    (
        "shift-s-wider-than-N",
        addressing.shift,
        dict(s=torch.full((B, H, 7), 1 / 7, **F64)),
        ValueError,
        _esc(f"s: a shift over 7 offsets is wider than the memory (N={N}); need 2k+1 <= N"),
    ),
    (
        "shift-s-wrong-lead",
        addressing.shift,
        dict(s=torch.full((B, 3), 1 / 3, **F64)),
        ValueError,
        _esc("s: expected shape [2, 3, 2k+1], got [2, 3]"),
    ),
    (
        "shift-s-1d-w",
        addressing.shift,
        dict(w=torch.full((N,), 0.2, **F64), s=torch.full((B, 3), 1 / 3, **F64)),
        ValueError,
        _esc("s: expected shape [2k+1], got [2, 3]"),
    ),
    (
        "shift-s-negative",
        addressing.shift,
        dict(s=torch.tensor([-0.5, 1.0, 0.5], **F64).expand(B, H, 3)),
        ValueError,
        _esc("s: values must be >= 0.0, got min -0.5"),
    ),
    ("shift-s-nan", addressing.shift, dict(s=_nan((B, H, 3))), ValueError, "s: contains NaN or infinite"),
    ("shift-w-inf", addressing.shift, dict(w=_inf((B, H, N))), ValueError, "w: contains NaN or infinite"),
    (
        "address-s-wider-than-N",
        addressing.address,
        dict(s=torch.full((B, H, 7), 1 / 7, **F64)),
        ValueError,
        _esc(f"s: a shift over 7 offsets is wider than the memory (N={N})"),
    ),
    (
        "address-s-even",
        addressing.address,
        dict(s=torch.full((B, H, 4), 0.25, **F64)),
        ValueError,
        _esc("s: expected shape [..., 2k+1] (an odd number of offsets -k..k), got last dim 4"),
    ),
    # ---- γ and the weighting to sharpen
    (
        "sharpen-gamma-below-1",
        addressing.sharpen,
        dict(gamma=torch.full((B, H, 1), 0.5, **F64)),
        ValueError,
        _esc("gamma: values must be >= 1.0, got min 0.5"),
    ),
    (
        "sharpen-gamma-wrong-shape",
        addressing.sharpen,
        dict(gamma=torch.full((B, 1), 2.0, **F64)),
        ValueError,
        _esc("gamma: expected shape [2, 3, 1], got [2, 1]"),
    ),
    (
        "sharpen-gamma-nan",
        addressing.sharpen,
        dict(gamma=_nan((B, H, 1))),
        ValueError,
        "gamma: contains NaN or infinite",
    ),
    (
        "sharpen-w-negative",
        addressing.sharpen,
        dict(w=torch.full((B, H, N), -0.2, **F64)),
        ValueError,
        _esc("w: values must be >= 0.0, got min -0.2"),
    ),
    ("sharpen-w-nan", addressing.sharpen, dict(w=_nan((B, H, N))), ValueError, "w: contains NaN or infinite"),
    (
        "address-gamma-below-1",
        addressing.address,
        dict(gamma=torch.full((B, H, 1), 0.99, **F64)),
        ValueError,
        _esc("gamma: values must be >= 1.0, got min 0.99"),
    ),
]


@pytest.mark.parametrize("fn,overrides,exc,match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_is_rejected_with_a_clear_message(fn, overrides, exc, match):
    with pytest.raises(exc, match=match):
        _call(fn, **overrides)


@pytest.mark.parametrize("fn", list(SIGNATURES), ids=lambda f: f.__name__)
def test_valid_arguments_pass(fn):
    """The base arguments the bad cases start from are themselves valid."""
    _call(fn)


ARGS = [(fn, name) for fn, names in SIGNATURES.items() for name in names]
ARG_IDS = [f"{fn.__name__}-{name}" for fn, name in ARGS]


@pytest.mark.parametrize("fn,name", ARGS, ids=ARG_IDS)
def test_every_argument_rejects_nan_and_inf(fn, name):
    bad = _valid()[name].clone()
    bad.view(-1)[0] = math.nan
    with pytest.raises(ValueError, match=f"^{name}: contains NaN or infinite values"):
        _call(fn, **{name: bad})
    bad.view(-1)[0] = math.inf
    with pytest.raises(ValueError, match=f"^{name}: contains NaN or infinite values"):
        _call(fn, **{name: bad})


@pytest.mark.parametrize("fn,name", ARGS, ids=ARG_IDS)
def test_every_argument_rejects_non_tensors_and_integers(fn, name):
    good = _valid()[name]
    with pytest.raises(TypeError, match=f"^{name}: expected a torch.Tensor of shape .*, got list"):
        _call(fn, **{name: good.tolist()})
    with pytest.raises(
        TypeError, match=f"^{name}: expected a floating-point tensor of shape .*, got dtype torch.int64"
    ):
        _call(fn, **{name: good.long()})


# ------------------------------------------------------------------ the model

NTM_ARGS = dict(input_size=3, output_size=2, controller="lstm", controller_size=8, memory_n=6, memory_m=4)


@pytest.mark.parametrize(
    "override,match",
    [
        (dict(input_size=0), "input_size: expected a positive int, got 0"),
        (dict(output_size=-1), "output_size: expected a positive int, got -1"),
        (dict(controller_size=2.5), "controller_size: expected a positive int, got 2.5"),
        (dict(memory_n="6"), "memory_n: expected a positive int, got '6'"),
        (dict(memory_m=None), "memory_m: expected a positive int, got None"),
        (dict(read_heads=0), "read_heads: expected a positive int, got 0"),
        (dict(write_heads=0), "write_heads: expected a positive int, got 0"),
        (dict(shift_range=-1), _esc("shift_range: expected an int k >= 0 with 2k+1 <= memory_n=6, got -1")),
        (dict(shift_range=3), _esc("shift_range: expected an int k >= 0 with 2k+1 <= memory_n=6, got 3")),
        (dict(shift_range=1.0), _esc("shift_range: expected an int k >= 0 with 2k+1 <= memory_n=6, got 1.0")),
        (dict(controller="gru"), _esc("controller: expected one of ['feedforward', 'lstm'], got 'gru'")),
        (dict(memory_init="random"), _esc("memory_init: expected one of ('constant', 'learned'), got 'random'")),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, dict) else None,
)
def test_ntm_constructor_rejects_bad_arguments(override, match):
    with pytest.raises(ValueError, match=match):
        NTM(**{**NTM_ARGS, **override})


def test_ntm_accepts_the_widest_shift():
    NTM(**{**NTM_ARGS, "memory_n": 5, "shift_range": 2})


@pytest.fixture(scope="module")
def ntm():
    return NTM(**NTM_ARGS)


X_SHAPE = _esc("x: expected shape [B, T, input_size=3]")


@pytest.mark.parametrize(
    "x,exc,match",
    [
        (torch.zeros(2, 5, 4), ValueError, X_SHAPE + _esc(" with B, T >= 1, got [2, 5, 4]")),
        (torch.zeros(2, 3), ValueError, X_SHAPE + _esc(" with B, T >= 1, got [2, 3]")),
        (torch.zeros(1, 2, 5, 3), ValueError, X_SHAPE + _esc(" with B, T >= 1, got [1, 2, 5, 3]")),
        (torch.zeros(2, 0, 3), ValueError, X_SHAPE + _esc(" with B, T >= 1, got [2, 0, 3]")),
        (torch.zeros(0, 4, 3), ValueError, X_SHAPE + _esc(" with B, T >= 1, got [0, 4, 3]")),
        (torch.tensor(1.0), ValueError, X_SHAPE + ", got a scalar"),
        (torch.full((2, 4, 3), math.nan), ValueError, _esc("x: contains NaN or infinite values (shape [2, 4, 3])")),
        (torch.full((2, 4, 3), -math.inf), ValueError, "x: contains NaN or infinite values"),
        (
            torch.zeros(2, 4, 3, dtype=torch.long),
            TypeError,
            _esc("x: expected a floating-point tensor of shape [B, T, input_size=3], got dtype torch.int64"),
        ),
        ([[[0.0] * 3]], TypeError, _esc("x: expected a torch.Tensor of shape [B, T, input_size=3], got list")),
    ],
    ids=["wrong-input-size", "2d", "4d", "no-steps", "no-batch", "scalar", "nan", "inf", "int", "list"],
)
def test_ntm_forward_rejects_bad_input(ntm, x, exc, match):
    with pytest.raises(exc, match=match):
        ntm(x)
