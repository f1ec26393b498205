"""The speed work changes no result: the NTM computes, bit for bit, what it computed before
(``bench/ntm_before.py``, a frozen copy of the step as of commit a3c4099, with today's smoothed
cosine swapped in), the compiled loop matches the eager one for the NTM and the DNC, and the trainer
CLI's compile-by-default decision is recorded so that a replay decides the same way."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
import torch
from conftest import tiny_cli
from torch.nn import functional as F

from ntm_minimal import DNC, NTM, checkpoint, kernels, training
from ntm_minimal.tasks import CopyTask
from ntm_minimal.tasks.copy import PAPER_NTM
from ntm_minimal.train import main, reproduction

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import ntm_before  # noqa: E402
from ntm_before import reference_logits  # noqa: E402


@pytest.fixture(autouse=True)
def todays_cosine(monkeypatch):
    """The frozen step with the package's cosine (smoothed norms since): everything else must match bit for bit."""
    monkeypatch.setattr(ntm_before, "cosine", kernels.cosine_similarity)


CONFIGS = {
    "copy": PAPER_NTM,
    "3 writes, shift 2": {**PAPER_NTM, "read_heads": 2, "write_heads": 3, "shift_range": 2, "memory_n": 16},
    "feed-forward, no shift": {**PAPER_NTM, "controller": "feedforward", "shift_range": 0, "controller_size": 32},
    "learned memory, 4+4 heads": {
        **PAPER_NTM,
        "memory_init": "learned",
        "read_heads": 4,
        "write_heads": 4,
        "memory_n": 32,
    },
}


def _logits_and_grads(model: NTM, forward, x, y):
    model.zero_grad(set_to_none=True)
    logits = forward(x)
    F.binary_cross_entropy_with_logits(logits, y).backward()
    return logits.detach(), {n: p.grad.clone() for n, p in model.named_parameters()}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("name", list(CONFIGS))
def test_same_logits_and_gradients_bit_for_bit(name, dtype):
    torch.manual_seed(3)
    model = NTM(**CONFIGS[name]).to(dtype)
    batch = CopyTask().sample(6, torch.Generator().manual_seed(4))  # mixed lengths: padded sequences too
    x, y = batch.x.to(dtype), batch.y.to(dtype)
    new, new_grads = _logits_and_grads(model, model, x, y)
    old, old_grads = _logits_and_grads(model, lambda v: reference_logits(model, v), x, y)
    assert torch.equal(new, old)
    assert new_grads.keys() == old_grads.keys()
    for key in new_grads:
        assert torch.equal(new_grads[key], old_grads[key]), key


@pytest.mark.parametrize("chunk", [2, 3, 4])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_time_steps_in_chunks_bit_for_bit(name, chunk):
    """NTM.chunk > 1 (what compile_step sets) runs the same operations in the same order: uncompiled,
    logits and gradients stay bit for bit those of the step before, for every sequence length."""
    torch.manual_seed(3)
    model = NTM(**CONFIGS[name])
    for length in (1, 2, 5):  # T = 3, 5, 11: shorter than, a multiple of and not a multiple of a chunk
        batch = CopyTask(max_len=length).sample(5, torch.Generator().manual_seed(length))
        old, old_grads = _logits_and_grads(model, lambda v: reference_logits(model, v), batch.x, batch.y)
        model.chunk = chunk
        new, new_grads = _logits_and_grads(model, model, batch.x, batch.y)
        del model.chunk
        assert new.is_contiguous() and torch.equal(new, old), length
        assert all(torch.equal(new_grads[k], old_grads[k]) for k in old_grads), length


@pytest.mark.parametrize("kind", ["ntm", "dnc"])
def test_compiled_chunks_match_eager_to_rounding(kind):
    """compile_step's chunked, compiled forward: the same logits and gradients to float rounding."""
    torch.manual_seed(3)
    small = {**PAPER_NTM, "memory_n": 16, "controller_size": 16}
    model = (
        NTM(**small)
        if kind == "ntm"
        else DNC(**{k: v for k, v in small.items() if k not in ("write_heads", "shift_range")})
    )
    batch = CopyTask(max_len=4).sample(4, torch.Generator().manual_seed(6))  # T = 9: chunks and leftovers
    eager, eager_grads = _logits_and_grads(model, model, batch.x, batch.y)
    training.compile_step(model, chunk=3)
    assert model.chunk == 3 and model.compiled
    compiled, compiled_grads = _logits_and_grads(model, model, batch.x, batch.y)
    torch.testing.assert_close(compiled, eager, rtol=1e-5, atol=1e-5)
    for key in eager_grads:
        torch.testing.assert_close(compiled_grads[key], eager_grads[key], rtol=1e-4, atol=1e-5, msg=key)
    with pytest.raises(ValueError, match="chunk"):
        training.compile_step(NTM(**PAPER_NTM), chunk=0)


def test_trained_model_bit_for_bit():
    """The shipped copy model (sharp weightings, memory far from its start) on long sequences."""
    model = checkpoint.load_model("ntm_minimal/checkpoints/copy")
    batch = CopyTask().sample(4, torch.Generator().manual_seed(5), length=60)
    new, new_grads = _logits_and_grads(model, model, batch.x, batch.y)
    old, old_grads = _logits_and_grads(model, lambda v: reference_logits(model, v), batch.x, batch.y)
    assert torch.equal(new, old) and all(torch.equal(new_grads[k], old_grads[k]) for k in new_grads)


def test_every_time_step_sees_the_same_strides():
    """x_t is contiguous whatever T is, so a compiled step needs no new version per length."""
    model, seen = NTM(**{**PAPER_NTM, "memory_n": 8}), []
    step = model._step
    model._step = lambda x_t, state: seen.append(x_t.stride()) or step(x_t, state)
    for t in (3, 7):
        model(torch.zeros(2, t, 9))
    assert set(seen) == {(9, 1)}


# ------------------------------------------------------------------ the CLI's default


def test_compile_by_default_needs_a_memory_model_a_long_run_and_a_compiler(monkeypatch):
    monkeypatch.setattr(training, "compiler_available", lambda device: True)
    long = training.COMPILE_MIN_STEPS
    assert training.compile_by_default("ntm", long, "cpu") and training.compile_by_default("dnc", long, "cpu")
    assert not training.compile_by_default("ntm", long - 1, "cpu")
    assert not training.compile_by_default("lstm", long, "cpu")
    monkeypatch.setattr(training, "compiler_available", lambda device: False)
    assert not training.compile_by_default("ntm", long, "cpu")


def test_compiler_available_looks_for_a_cpp_compiler(monkeypatch):
    monkeypatch.setattr(training.shutil, "which", lambda name: None)
    assert not training.compiler_available("cpu")
    monkeypatch.setattr(training.shutil, "which", lambda name: "/usr/bin/" + name if name == "clang++" else None)
    assert training.compiler_available("cpu")


TINY = tiny_cli("--steps", "2", compile_flag=None)


def test_cli_records_its_compile_decision(tmp_path, monkeypatch):
    """Whatever the default decided goes into the recorded command, and the config says it too."""
    decided = []
    monkeypatch.setattr(
        "ntm_minimal.train.compile_by_default",
        lambda kind, steps, device: decided.append((kind, steps, device)) or False,
    )
    main([*TINY, "--out", str(tmp_path / "auto")])
    config = checkpoint.load_config(tmp_path / "auto")
    assert decided == [("ntm", 2, "cpu")]
    assert config["command"].endswith(" --no-compile") and config["train"]["compile"] is False
    main([*TINY, "--compile", "--out", str(tmp_path / "asked")])  # an explicit choice is not second-guessed
    assert len(decided) == 1 and checkpoint.load_config(tmp_path / "asked")["train"]["compile"] is True


def _failing_compiler(*args):
    raise torch._dynamo.exc.TorchDynamoException("no C++ compiler here")


def test_a_compile_with_fallback_runs_eagerly_on_compiler_errors():
    torch.manual_seed(0)
    model, x = NTM(**{**PAPER_NTM, "memory_n": 8}), torch.rand(2, 7, 9)
    eager = model(x)
    model.compile_steps(chunk=2, fallback=True)
    model._compiled = (_failing_compiler, _failing_compiler)  # what a missing compiler does on the first call
    with pytest.warns(RuntimeWarning, match="torch.compile failed, running eagerly"):
        assert torch.equal(model(x), eager)
    assert not model.compiled
    model.compile_steps(chunk=2)  # without fallback the error is the caller's
    model._compiled = (_failing_compiler, _failing_compiler)
    with pytest.raises(torch._dynamo.exc.TorchDynamoException):
        model(x)


def test_the_trainer_compiles_with_fallback_and_no_global_flag(tmp_path, monkeypatch):
    monkeypatch.setattr("ntm_minimal.train.compile_by_default", lambda kind, steps, device: True)
    asked = []
    monkeypatch.setattr(NTM, "compile_steps", lambda self, chunk, fallback: asked.append((chunk, fallback)) or self)
    flag = torch._dynamo.config.suppress_errors
    main([*TINY, "--out", str(tmp_path / "auto")])
    assert asked == [(training.STEP_CHUNK, True)] and torch._dynamo.config.suppress_errors == flag
    assert checkpoint.load_config(tmp_path / "auto")["command"].endswith(" --compile")


def test_replaying_an_old_run_stays_eager():
    """A command recorded before the default existed ran eagerly, so its replay says --no-compile."""
    old = {"command": "python -m ntm_minimal.train --task copy --steps 5000 --out runs/x"}
    assert reproduction(old, "runs/y")[0] == ["--task", "copy", "--steps", "5000", "--no-compile", "--out", "runs/y"]
    new = {"command": "python -m ntm_minimal.train --task copy --steps 5000 --out runs/x --compile"}
    assert "--no-compile" not in reproduction(new, "runs/y")[0]
    assert shlex.join(reproduction(new, "runs/y")[0]).count("--compile") == 1
