"""Run directories: a trained model with everything needed to rebuild, re-check and resume it.

Layout of a run directory (shipped checkpoints in ``ntm_minimal/checkpoints/<name>/`` use it too)::

    model.safetensors   the state dict (safetensors: plain tensors, no pickle)
    config.json         {"model": "ntm"|"lstm"|"dnc", "model_config": {...}, "task": name, "task_config": {...},
                         "train": {...every training setting...}, "command": "python -m ntm_minimal.train ..."}
    metrics.csv         the training log, one row per evaluation
    eval.json           held-out results after training (re-checked by the tests)
    best.safetensors    optional (``keep_best``): the weights at the best held-out log row
    train_state.pt      optional, for resuming: optimizer state, data RNG state, counters; a
                        ``torch.save`` of tensors and plain Python values only, loaded with
                        ``weights_only=True``
    snapshots/step_NNNNNN/  optional (``snapshot_every``): copies of the four files above (no
                        eval.json) at step NNNNNN, each a run directory to copy and resume from, so a
                        run that diverges late keeps its earlier weights

Models may be stored in float16 (``config["train"]["save_dtype"]``) to keep large baselines small;
they are loaded back into float32.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .baselines import LSTMBaseline
from .dnc import DNC
from .model import NTM

MODEL_FILE, CONFIG_FILE, METRICS_FILE, EVAL_FILE, STATE_FILE, BEST_FILE = (
    "model.safetensors",
    "config.json",
    "metrics.csv",
    "eval.json",
    "train_state.pt",
    "best.safetensors",
)
#: Model kinds a config may name, and their classes.
MODELS = {"ntm": NTM, "lstm": LSTMBaseline, "dnc": DNC}
DTYPES = {"float32": torch.float32, "float16": torch.float16}


def build_model(kind: str, model_config: dict) -> nn.Module:
    """A fresh model of ``kind`` (``"ntm"``, ``"lstm"`` or ``"dnc"``) from its constructor kwargs."""
    if kind not in MODELS:
        raise ValueError(f"model: expected one of {sorted(MODELS)}, got {kind!r}")
    return MODELS[kind](**model_config)


def _dir(run_dir) -> Path:
    path = Path(run_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_model(run_dir, model: nn.Module, dtype: str = "float32", filename: str = MODEL_FILE) -> None:
    """Write ``model.safetensors`` (or ``filename``): the state dict, cast to ``dtype``."""
    if dtype not in DTYPES:
        raise ValueError(f"dtype: expected one of {sorted(DTYPES)}, got {dtype!r}")
    tensors = {k: v.detach().to("cpu", DTYPES[dtype]).contiguous() for k, v in model.state_dict().items()}
    save_file(tensors, str(_dir(run_dir) / filename))


def save_json(path, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def save_metrics(run_dir, rows: list[dict]) -> None:
    """Write the training log ``metrics.csv`` (columns from the first row)."""
    path = _dir(run_dir) / METRICS_FILE
    if not rows:
        path.write_text("")
        return
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def save_train_state(run_dir, state: dict) -> None:
    """Write ``train_state.pt``: tensors and plain values only (loadable with ``weights_only=True``)."""
    torch.save(state, _dir(run_dir) / STATE_FILE)


def load_config(run_dir) -> dict:
    return json.loads((Path(run_dir) / CONFIG_FILE).read_text())


def load_eval(run_dir) -> dict:
    return json.loads((Path(run_dir) / EVAL_FILE).read_text())


def load_metrics(run_dir) -> dict[str, list[float]]:
    """The training log as columns: ``{"step": [...], "heldout_bit_errors": [...], ...}`` (floats)."""
    with (Path(run_dir) / METRICS_FILE).open(newline="") as f:
        rows = list(csv.DictReader(f))
    columns = list(rows[0]) if rows else []
    return {c: [float(r[c]) if r[c] not in ("", "None") else float("nan") for r in rows] for c in columns}


def first_below(log: dict[str, list[float]], column: str, threshold: float, x: str = "sequences") -> float | None:
    """Column ``x`` of the first row of a training log (:func:`load_metrics`) whose ``column`` is
    below ``threshold``, e.g. the training sequences a model needed to reach a cost; None if never."""
    for name in (column, x):
        if name not in log:
            raise ValueError(f"{name!r}: expected a column of the log, one of {sorted(log)}")
    return next((at for at, value in zip(log[x], log[column]) if value < threshold), None)


def load_train_state(run_dir) -> dict:
    """Read ``train_state.pt`` without unpickling arbitrary objects."""
    return torch.load(Path(run_dir) / STATE_FILE, weights_only=True, map_location="cpu")


def load_model(run_dir, device: str | torch.device | None = None, filename: str = MODEL_FILE) -> nn.Module:
    """Rebuild the model of a run directory from ``config.json`` and ``model.safetensors``, in eval mode.

    ``filename=BEST_FILE`` loads the best held-out weights of a ``keep_best`` run instead.
    """
    config = load_config(run_dir)
    model = build_model(config["model"], config["model_config"])
    state = load_file(str(Path(run_dir) / filename))
    model.load_state_dict({k: v.float() for k, v in state.items()})
    if device is not None:
        model.to(device)
    return model.eval()


SNAPSHOT_FILES = (MODEL_FILE, CONFIG_FILE, METRICS_FILE, STATE_FILE)


def snapshot(run_dir, step: int) -> Path:
    """Copy the run's current files into ``snapshots/step_NNNNNN/``, a run directory of its own."""
    run_dir = Path(run_dir)
    dest = _dir(run_dir / "snapshots" / f"step_{step:06d}")
    for name in SNAPSHOT_FILES:
        (dest / name).write_bytes((run_dir / name).read_bytes())
    return dest


def export(run_dir, dest) -> Path:
    """Copy a finished run into a shippable folder ``dest``: the model (the best held-out weights of
    a ``keep_best`` run), ``config.json``, ``metrics.csv`` and ``eval.json``; no resume state."""
    run_dir, dest = Path(run_dir), _dir(dest)
    best = load_config(run_dir)["train"].get("keep_best") and (run_dir / BEST_FILE).is_file()
    (dest / MODEL_FILE).write_bytes((run_dir / (BEST_FILE if best else MODEL_FILE)).read_bytes())
    for name in (CONFIG_FILE, METRICS_FILE, EVAL_FILE):
        (dest / name).write_bytes((run_dir / name).read_bytes())
    return dest
