"""One training loop for every model and task.

A :class:`Trainer` draws seeded batches from a task, minimises the paper's cost (cross-entropy in
bits per sequence, :func:`ntm_minimal.metrics.masked_loss`) and logs, every ``eval_every`` steps,
the train cost and bit errors since the last log and the same two figures on a fixed held-out
batch. Options follow the paper and later practice:

* RMSProp with momentum 0.9 (the paper) or Adam (Collier & Beel 2018);
* elementwise gradient clipping (the paper: to ``[-10, 10]``) and/or global-norm clipping;
* a curriculum: task settings such as ``max_len`` (and ``max_repeats`` for repeat copy) rise
  linearly from ``curriculum_start`` to their final values over ``curriculum_steps`` steps (0 = off);
* hard examples: ``hard_examples`` of each batch's sequences are the hardest of ``hard_pool`` extra
  fresh ones, scored without gradients by their smallest signed logit
  (:func:`ntm_minimal.metrics.min_signed_margin`). A model that fails one sequence in thousands
  meets its failures a few times per run in random batches; mined, they come every few steps;
* ``keep_best``: also keep the weights of the log row with the fewest held-out bit errors (ties:
  the lower held-out cost) in ``best.safetensors``; training of these models can collapse
  suddenly after converging, and the best row is what a run should be judged and shipped by;
* early stop when the held-out bit errors per sequence fall below ``target_bit_errors``, or after
  ``max_seconds`` of training.

Everything random comes from ``seed`` (the model is built after ``torch.manual_seed(seed)`` by the
caller) and from one data generator whose state is saved with the optimizer, so a run resumed from
its directory continues exactly as if it had never stopped.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import shutil
import time
from dataclasses import dataclass

import torch
from torch import nn
from tqdm.auto import tqdm

from . import checkpoint
from .evaluation import evaluate_batch, heldout_batch
from .metrics import bit_errors, margin_shortfall, masked_loss, min_signed_margin
from .tasks.base import curriculum_floor

OPTIMIZERS = ("rmsprop", "adam")


@dataclass
class TrainConfig:
    """Every training setting (all of them go into ``config.json``)."""

    steps: int = 10_000  # total optimizer steps (a resumed run continues up to this number)
    batch_size: int = 16
    optimizer: str = "adam"  # "rmsprop" (paper) or "adam"
    lr: float = 1e-3
    momentum: float = 0.9  # RMSProp momentum (paper: 0.9)
    rms_decay: float = 0.95  # RMSProp smoothing constant of the squared gradients
    clip_value: float | None = 10.0  # elementwise gradient clip (paper: 10); None = off
    clip_norm: float | None = None  # global gradient-norm clip; None = off
    seed: int = 0
    eval_every: int = 100  # steps between log rows (each one evaluates the held-out batch)
    eval_batch_size: int = 64
    eval_seed: int = 1234  # seed of the fixed held-out batch
    target_bit_errors: float | None = None  # stop once held-out bit errors/sequence < this
    max_seconds: float | None = None  # stop after this much wall time
    curriculum_steps: int = 0  # 0 = off; else the curriculum fields ramp up over this many steps
    curriculum_start: int = 2  # their value at step 0 when the curriculum is on
    curriculum_fields: tuple[str, ...] = ("max_len",)  # task settings that ramp up
    device: str = "cpu"
    progress: bool = True  # a tqdm progress bar
    save_dtype: str = "float32"  # dtype of the saved model ("float16" halves the file)
    keep_best: bool = False  # also save the best held-out weights (best.safetensors)
    snapshot_every: int | None = None  # keep a resumable copy of the run every this many steps; None = off
    compile: bool = False  # NTM or DNC time steps under torch.compile (about 2x faster on CPU; see compile_step)
    margin: float | None = None  # None = off; else the loss adds margin_weight * metrics.margin_shortfall(margin)
    margin_weight: float = 1.0
    hard_pool: int = 0  # 0 = off; else fresh candidates drawn per step, of which the hardest join the batch
    hard_examples: int = 0  # how many of the batch's batch_size sequences come from the hard pool

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer: expected one of {OPTIMIZERS}, got {self.optimizer!r}")
        for name in ("steps", "batch_size", "eval_every", "eval_batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a positive int, got {value!r}")
        every = self.snapshot_every
        if every is not None and (
            isinstance(every, bool) or not isinstance(every, int) or every < 1 or every % self.eval_every
        ):
            raise ValueError(
                f"snapshot_every: expected None or a positive multiple of eval_every ({self.eval_every}), got {every!r}"
            )
        for name in ("lr", "clip_value", "clip_norm", "max_seconds", "margin"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, (int, float)) and value > 0):
                raise ValueError(f"{name}: expected a positive number or None, got {value!r}")
        weight = self.margin_weight
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
            raise ValueError(f"margin_weight: expected a positive number, got {self.margin_weight!r}")
        for name in ("hard_pool", "hard_examples"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name}: expected an int >= 0, got {value!r}")
        most = min(self.hard_pool, self.batch_size)
        if (self.hard_pool > 0) != (self.hard_examples > 0) or self.hard_examples > most:
            raise ValueError(
                f"hard_examples: expected 0 with hard_pool 0, else 1..min(hard_pool, batch_size) "
                f"= {min(self.hard_pool, self.batch_size)}, got {self.hard_examples!r} "
                f"(hard_pool {self.hard_pool!r})"
            )
        self.curriculum_fields = tuple(self.curriculum_fields)
        if self.save_dtype not in checkpoint.DTYPES:
            raise ValueError(f"save_dtype: expected one of {sorted(checkpoint.DTYPES)}, got {self.save_dtype!r}")


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """RMSProp with momentum (the paper) or Adam, at ``config.lr``."""
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(model.parameters(), lr=config.lr, alpha=config.rms_decay, momentum=config.momentum)
    return torch.optim.Adam(model.parameters(), lr=config.lr)


def finite_gradients(model: nn.Module) -> bool:
    """True when every gradient entry is finite.

    Over long sequences a gradient can overflow float32 on its way back through time (each
    sharpening step, Eq. 9, can multiply it by up to γ); an ``inf`` then meets a zero weight and
    becomes ``NaN``. Clipping cannot repair ``inf``/``NaN``, so such a step must be skipped.
    """
    return all(bool(torch.isfinite(p.grad).all()) for p in model.parameters() if p.grad is not None)


#: How many compiled versions of a model's step a process may keep (see :func:`compile_step`).
STEP_VERSIONS = 64


#: Time steps per compiled call of an NTM or a DNC (``RecurrentCore.chunk``, see :func:`compile_step`).
STEP_CHUNK = 4


def compile_step(model: nn.Module, chunk: int = STEP_CHUNK, fallback: bool = False) -> nn.Module:
    """Put ``model``'s time steps under ``torch.compile`` (:meth:`~ntm_minimal.core.RecurrentCore.compile_steps`);
    returns ``model``.

    An NTM or a DNC spends its time in dozens of tiny operations per time step; compiling the step
    fuses them (the loop over time stays Python, so every sequence length uses the same compiled
    code), and ``chunk`` time steps per compiled call pay the fixed cost of a compiled call and of its
    backward node once per ``chunk`` steps, not every step. The first steps compile (tens of seconds,
    a C++ compiler is needed on CPU); results match eager execution to float rounding, not bit for
    bit. Models without the core's ``compile_steps`` (the LSTM baseline, already fused by its library)
    are left as they are. The weights are unchanged, so checkpoints load into plain models.
    ``fallback=True`` (the trainer's choice): a compiler failure warns and the model runs eagerly,
    rather than ending a training run.
    """
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ValueError(f"chunk: expected a positive int, got {chunk!r}")
    if hasattr(model, "compile_steps"):
        # Each batch size, grad mode and first-or-later step compiles a version of the core's step, and
        # all models in a process share one cache (keyed by that code); dynamo's default limit of
        # 8 versions would silently send a second or third model (a benchmark, a notebook) back to eager.
        torch._dynamo.config.recompile_limit = max(torch._dynamo.config.recompile_limit, STEP_VERSIONS)
        model.compile_steps(chunk, fallback=fallback)
    return model


#: A new CLI run compiles an NTM's or a DNC's steps by default (see :func:`compile_by_default`) only
#: with at least this many steps to do: each copy-task trainer step at batch 16 saves tens of CPU ms
#: (70 ms at load 5-6, bench/README.md), and compiling costs half a minute once cached but several
#: minutes with an empty cache on a busy 2-core CPU (6.4 minutes at load 4-6 for a copy run's chunked
#: step, training and held-out versions), so a cold first run wins it back after a few thousand steps.
COMPILE_MIN_STEPS = 2000
#: The model kinds whose steps :func:`compile_step` compiles (the LSTM baseline is one library call).
COMPILED_MODELS = ("ntm", "dnc")


def compiler_available(device: str | torch.device) -> bool:
    """Whether ``torch.compile`` can build code for ``device`` here: a C++ compiler on the PATH for the
    CPU (``$CXX``, ``g++``, ``c++`` or ``clang++``), Triton for CUDA."""
    if torch.device(device).type == "cuda":
        return importlib.util.find_spec("triton") is not None
    return any(shutil.which(c) for c in (os.environ.get("CXX", ""), "g++", "c++", "clang++") if c)


def compile_by_default(model_kind: str, steps: int, device: str | torch.device) -> bool:
    """The trainer CLI's choice when neither ``--compile`` nor ``--no-compile`` is given: compile an
    NTM's or a DNC's steps when a compiler is present and the run is long enough to win back the
    compile time (``COMPILE_MIN_STEPS``). Library calls (:class:`TrainConfig`) stay eager unless asked."""
    return model_kind in COMPILED_MODELS and steps >= COMPILE_MIN_STEPS and compiler_available(device)


def clip_gradients(model: nn.Module, clip_value: float | None, clip_norm: float | None) -> None:
    """Clip every gradient entry to ``[-clip_value, clip_value]``, then the global norm to ``clip_norm``."""
    if clip_value is not None:
        nn.utils.clip_grad_value_(model.parameters(), clip_value)
    if clip_norm is not None:
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)


def curriculum_value(step: int, config: TrainConfig, final: int) -> int:
    """A curriculum setting at ``step``: rises linearly from ``curriculum_start`` to ``final``."""
    if config.curriculum_steps <= 0 or step >= config.curriculum_steps:
        return final
    start = min(config.curriculum_start, final)
    return start + int((final - start) * step / config.curriculum_steps)


class Trainer:
    """Train ``model`` on ``task``; optionally keep the run in ``run_dir`` (see :mod:`.checkpoint`).

    Args:
        model: maps ``x`` ``[B, T, task.input_size]`` to logits ``[B, T, task.output_size]``.
        task: a task (``sample(batch_size, generator) -> Batch``).
        config: the :class:`TrainConfig`.
        run_dir: if given, the model, log and resume state are saved there at every log row.
        run_info: the rest of ``config.json`` (model kind and config, task config, command).
    """

    def __init__(self, model: nn.Module, task, config: TrainConfig, run_dir=None, run_info: dict | None = None):
        self.config, self.task, self.run_dir = config, task, run_dir
        missing = [f for f in config.curriculum_fields if not isinstance(getattr(task, f, None), int)]
        if config.curriculum_steps > 0 and missing:
            raise ValueError(
                f"curriculum_fields: task {task.name!r} has no integer setting {missing}; "
                f"ramp its own, e.g. max_items for associative_recall"
            )
        self.device = torch.device(config.device)
        self.model = model.to(self.device).train()
        if config.compile:  # a compiler failure must not end a run: the model then runs eagerly
            compile_step(self.model, fallback=True)
        self.optimizer = make_optimizer(self.model, config)
        self.data_rng = torch.Generator().manual_seed(config.seed)
        self.heldout = heldout_batch(task, config.eval_batch_size, config.eval_seed).to(self.device)
        self.step, self.sequences, self.wall_s = 0, 0, 0.0
        self.skipped_steps = 0  # updates skipped for a non-finite gradient
        self.metrics: list[dict] = []
        self.stop_reason: str | None = None
        self.run_info = run_info or {}
        self._window: list[tuple[float, float]] = []  # (cost, bit errors) of the steps since the last log
        self.best: tuple[float, float, int] | None = None  # (held-out bit errors, cost, step) of the best row

    # ------------------------------------------------------------------ state for resuming

    def state_dict(self) -> dict:
        """Optimizer, data RNG and counters: tensors and plain values only."""
        return {
            "optimizer": self.optimizer.state_dict(),
            "data_rng": self.data_rng.get_state(),
            "step": self.step,
            "sequences": self.sequences,
            "wall_s": self.wall_s,
            "skipped_steps": self.skipped_steps,
            "best": list(self.best) if self.best is not None else None,
        }

    def load_state_dict(self, state: dict, metrics: dict[str, list[float]] | None = None) -> None:
        """Continue from :meth:`state_dict` (and the log so far, as columns)."""
        self.optimizer.load_state_dict(state["optimizer"])
        self.data_rng.set_state(state["data_rng"])
        self.step, self.sequences, self.wall_s = int(state["step"]), int(state["sequences"]), float(state["wall_s"])
        self.skipped_steps = int(state.get("skipped_steps", 0))
        best = state.get("best")
        self.best = (float(best[0]), float(best[1]), int(best[2])) if best is not None else None
        if metrics:
            columns = list(metrics)
            self.metrics = [{c: metrics[c][i] for c in columns} for i in range(len(metrics[columns[0]]))]
            for row in self.metrics:
                row["step"], row["sequences"] = int(row["step"]), int(row["sequences"])

    def save(self) -> None:
        """Write the model, config, log and resume state to ``run_dir``."""
        if self.run_dir is None:
            return
        checkpoint.save_model(self.run_dir, self.model, self.config.save_dtype)
        checkpoint.save_json(
            f"{self.run_dir}/{checkpoint.CONFIG_FILE}", {**self.run_info, "train": dataclasses.asdict(self.config)}
        )
        checkpoint.save_metrics(self.run_dir, self.metrics)
        checkpoint.save_train_state(self.run_dir, self.state_dict())
        if self.config.snapshot_every and self.step % self.config.snapshot_every == 0:
            checkpoint.snapshot(self.run_dir, self.step)

    # ------------------------------------------------------------------ the loop

    def sample(self):
        """The next training batch (with the curriculum's settings if one is on, and its hard
        examples if ``hard_pool`` is set)."""
        task = self.task
        if self.config.curriculum_steps > 0:
            ramped = {}
            for field in self.config.curriculum_fields:
                # Never below the setting the task names as its floor (e.g. min_len); else at least 1.
                low = curriculum_floor(task, field)
                ramped[field] = max(low, curriculum_value(self.step, self.config, getattr(task, field)))
            task = dataclasses.replace(task, **ramped)
        config = self.config
        if not config.hard_pool:
            return task.sample(config.batch_size, self.data_rng).to(self.device)
        # One draw holds the random part and the pool, so both share one padded length.
        random_part = config.batch_size - config.hard_examples
        batch = task.sample(random_part + config.hard_pool, self.data_rng).to(self.device)
        pool = type(batch)(*(t[random_part:] for t in batch))
        with torch.no_grad():
            margins = min_signed_margin(self.model(pool.x), pool)
        hardest = random_part + margins.topk(config.hard_examples, largest=False).indices.sort().values
        keep = torch.cat([torch.arange(random_part, device=hardest.device), hardest])
        return type(batch)(*(t[keep] for t in batch))

    def train_step(self) -> tuple[float, float]:
        """One optimizer step; returns the batch's mean cost (bits) and bit errors per sequence."""
        batch = self.sample()
        logits = self.model(batch.x)
        cost = loss = masked_loss(logits, batch)
        if self.config.margin is not None:
            loss = loss + self.config.margin_weight * margin_shortfall(logits, batch, self.config.margin).mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if finite_gradients(self.model):
            clip_gradients(self.model, self.config.clip_value, self.config.clip_norm)
            self.optimizer.step()
        else:  # skip the update rather than turn every weight into NaN (see finite_gradients)
            self.skipped_steps += 1
        self.step += 1
        self.sequences += batch.x.shape[0]
        return float(cost.detach()), float(bit_errors(logits.detach(), batch).mean())

    def log(self) -> dict:
        """Evaluate the held-out batch and append one row to :attr:`metrics`."""
        held = evaluate_batch(self.model, self.heldout)
        costs, errors = zip(*self._window) if self._window else ((math.nan,), (math.nan,))
        row = {
            "step": self.step,
            "sequences": self.sequences,
            "wall_s": round(self.wall_s, 3),
            "train_cost_bits": sum(costs) / len(costs),
            "train_bit_errors": sum(errors) / len(errors),
            "heldout_cost_bits": held["cost_bits"],
            "heldout_bit_errors": held["bit_errors"],
        }
        self._window = []
        self.metrics.append(row)
        score = (row["heldout_bit_errors"], row["heldout_cost_bits"], self.step)
        if self.config.keep_best and (self.best is None or score[:2] < self.best[:2]):
            self.best = score
            if self.run_dir is not None:
                checkpoint.save_model(self.run_dir, self.model, self.config.save_dtype, checkpoint.BEST_FILE)
        return row

    def run(self) -> list[dict]:
        """Train until ``config.steps``, the target or the time limit; returns the log rows."""
        config = self.config
        bar = tqdm(total=config.steps, initial=self.step, disable=not config.progress, unit="step")
        start = time.perf_counter() - self.wall_s
        try:
            while self.step < config.steps:
                self._window.append(self.train_step())
                self.wall_s = time.perf_counter() - start
                bar.update(1)
                if self.step % config.eval_every == 0 or self.step == config.steps:
                    row = self.log()
                    self.wall_s = time.perf_counter() - start
                    bar.set_postfix(
                        cost=f"{row['train_cost_bits']:.2f}", heldout_err=f"{row['heldout_bit_errors']:.2f}"
                    )
                    self.save()
                    if config.target_bit_errors is not None and row["heldout_bit_errors"] < config.target_bit_errors:
                        self.stop_reason = "target"
                        break
                    if config.max_seconds is not None and self.wall_s >= config.max_seconds:
                        self.stop_reason = "time"
                        break
            else:
                self.stop_reason = "steps"
        finally:
            bar.close()
        return self.metrics


def train(model: nn.Module, task, config: TrainConfig | None = None, **settings) -> list[dict]:
    """Train ``model`` on ``task`` in memory (no run directory); returns the log rows.

    ``settings`` override fields of ``config`` (e.g. ``train(model, task, steps=200, lr=3e-3)``).
    """
    config = dataclasses.replace(config or TrainConfig(), **settings)
    return Trainer(model, task, config).run()
