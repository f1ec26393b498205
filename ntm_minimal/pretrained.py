"""The trained models shipped with the package, in ``ntm_minimal/checkpoints/<name>/``.

Each was trained by ``python -m ntm_minimal.train`` with the command stored in its ``config.json``;
nothing is downloaded. Example::

    from ntm_minimal import pretrained
    pretrained.available()                      # ['copy', 'copy_lstm', ...]
    model = pretrained.load("copy")             # an NTM in eval mode
    pretrained.eval_results("copy")["heldout"]  # what the tests re-check
    pretrained.seed_runs("ngrams")              # {seed: folder}: the same command with other seeds
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from . import checkpoint
from .tasks import make_task

#: Where the shipped checkpoints live.
CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"
#: Further runs that are not loaded by the chapters but reported in chapter 13: a checkpoint's exact
#: command with another ``--seed`` (``<name>_seed<k>/``), and variants (e.g. ``ngrams_ctrl256/``).
EXTRA = CHECKPOINTS / "extra"
#: Measurements the chapters show but do not redo (minutes each): the JSON the ``bench/`` scripts
#: write, shipped with the package so that a notebook finds them wherever the package is installed.
RESULTS = Path(__file__).resolve().parent / "results"


def _runs_in(parent: Path) -> list[str]:
    """Names of the run folders (holding a ``model.safetensors``) directly in ``parent``, sorted."""
    if not parent.is_dir():
        return []
    return sorted(p.name for p in parent.iterdir() if (p / checkpoint.MODEL_FILE).is_file())


def available() -> list[str]:
    """Names of the shipped checkpoints (folders holding a ``model.safetensors``), sorted."""
    return _runs_in(CHECKPOINTS)


def folder(name: str) -> Path:
    """The run folder of shipped checkpoint or further run ``name`` (the one lookup every reader uses);
    ``ValueError`` listing both kinds of names if there is none."""
    if name in available():
        return CHECKPOINTS / name
    if name in extra_runs():
        return EXTRA / name
    raise ValueError(f"name: expected a shipped checkpoint {available()} or a further run {extra_runs()}, got {name!r}")


def load(name: str, device: str | torch.device | None = None) -> nn.Module:
    """The model of checkpoint (or further run) ``name`` in eval mode (on ``device``, default the CPU)."""
    return checkpoint.load_model(folder(name), device)


def config(name: str) -> dict:
    """``config.json``: model, task and training settings, and the command that reproduces it."""
    return checkpoint.load_config(folder(name))


def metrics(name: str) -> dict[str, list[float]]:
    """The training log (``metrics.csv``) as columns of floats."""
    return checkpoint.load_metrics(folder(name))


def eval_results(name: str) -> dict:
    """``eval.json``: held-out results measured after training."""
    return checkpoint.load_eval(folder(name))


def bench_result(name: str) -> dict:
    """The committed measurement ``RESULTS / f"{name}.json"`` (e.g. ``"convergence"``, ``"copy_tail_copy"``)."""
    names = sorted(p.stem for p in RESULTS.glob("*.json"))
    if name not in names:
        raise ValueError(f"name: expected one of {names}, got {name!r}")
    return json.loads((RESULTS / f"{name}.json").read_text())


def extra_runs() -> list[str]:
    """Names of the further runs in ``EXTRA``, sorted."""
    return _runs_in(EXTRA)


def seed_runs(name: str) -> dict[int, Path]:
    """Run folders of checkpoint or further run ``name`` by training seed: its own, then its
    ``<name>_seed<k>`` runs in ``EXTRA``.

    Those used ``name``'s commands with only ``--seed`` changed (and perhaps ``--device``,
    ``--compile`` or ``--snapshot-every``, which change the speed or what is kept, not the training
    beyond float rounding).
    """
    runs = {int(checkpoint.load_config(folder(name))["train"]["seed"]): folder(name)}
    for extra in extra_runs():
        if extra.startswith(f"{name}_seed") and extra[len(name) + 5 :].isdigit():
            runs[int(checkpoint.load_config(EXTRA / extra)["train"]["seed"])] = EXTRA / extra
    return dict(sorted(runs.items()))


def sequences_at_weights(name: str) -> int:
    """Training sequences behind the shipped weights of ``name``: those seen up to its ``model_step``
    (earlier than the last step when the best held-out weights were kept), plus, for a run started
    with ``--init-from``, the sequences behind the weights it started from (a shipped or further run
    of the same folder name)."""
    result, log = eval_results(name), metrics(name)
    step = result.get("model_step", result["steps"])
    steps = [int(s) for s in log["step"]]
    if step not in steps:
        raise ValueError(f"name: the log of {name!r} has no row for its weights' step {step}")
    start = config(name).get("init_from")
    before = sequences_at_weights(Path(start["run"]).name) if start else 0
    return before + int(log["sequences"][steps.index(step)])


def task(name: str):
    """The task checkpoint ``name`` was trained on, with its training settings."""
    cfg = config(name)
    return make_task(cfg["task"], **cfg["task_config"])


def reproduction(name: str, out: str | None = None) -> list[list[str]]:
    """Argument lists for ``python -m ntm_minimal.train`` that retrain checkpoint (or further run)
    ``name`` exactly, into ``out`` (default ``runs/<name>``); run them in order (see
    :func:`ntm_minimal.train.reproduction`)."""
    from .train import reproduction as _reproduction

    run = folder(name)
    return _reproduction(checkpoint.load_config(run), out or f"runs/{name}", checkpoint.load_eval(run)["steps"])


def retrain(name: str, out: str | None = None, compile: bool = False) -> dict:
    """Retrain checkpoint (or further run) ``name`` from scratch with its recorded commands, into ``out``
    (default ``runs/<name>``); returns the new run's ``eval.json`` contents.

    Runs every segment of :func:`reproduction` in turn, in this process (a GPU is used when one is
    visible). On the CPU it takes about as long as the original run (``eval_results(name)["wall_s"]``);
    ``compile=True`` adds the trainer's ``--compile``, about half that for an NTM, the same run
    to float rounding (``bench/README.md``).
    """
    from .train import main

    result: dict = {}
    for args in reproduction(name, out):
        result = main([*args, "--compile"] if compile else args)
    return result


def summary(name: str, commands: str = "recorded") -> str:
    """A few lines on checkpoint (or further run) ``name``: size, training budget, and the commands that made it.

    ``commands="recorded"`` prints the commands as ``config.json`` recorded them, in the folders of
    the original session (a resumed segment may name a copy of the run folder, e.g.
    ``runs/copy_ft``); ``commands="reproduce"`` prints :func:`reproduction`'s instead, runnable in
    order as printed (every segment resumes the folder the first one creates).
    """
    if commands not in ("recorded", "reproduce"):
        raise ValueError(f"commands: expected 'recorded' or 'reproduce', got {commands!r}")
    run = folder(name)  # a shipped checkpoint or a further run
    cfg, result = checkpoint.load_config(run), checkpoint.load_eval(run)
    head = (
        f"{name}: {result['parameters']:,} parameters; trained {result['steps']} steps "
        f"({result['sequences']:,} sequences, {result['wall_s'] / 60:.0f} min); "
        f"weights from step {result.get('model_step', result['steps'])}"
    )
    if commands == "reproduce":
        return "\n".join(
            [head + "; to reproduce it, run in order:"]
            + [f"   python -m ntm_minimal.train {shlex.join(args)}" for args in reproduction(name)]
        )
    lines = [head, f"   {cfg['command']}"]
    lines += [f"   then, from step {r['from_step']}: {r['command']}" for r in cfg.get("resumed_with", [])]
    return "\n".join(lines)


def learning_logs(
    names: Mapping[str, str], retrain_first: bool = False, commands: str = "recorded"
) -> dict[str, dict[str, list[float]]]:
    """Print the :func:`summary` of each checkpoint (with ``commands``) and return its training log, by label.

    ``names`` maps a label (e.g. ``"NTM"``) to a checkpoint name or a further run's (``EXTRA``). With
    ``retrain_first`` (a chapter's ``TRAIN_FROM_SCRATCH`` switch) each is first retrained into
    ``runs/<name>`` with :func:`retrain`, and the logs returned are those of the new runs, not the shipped ones.
    """
    logs = {}
    for label, name in names.items():
        print(summary(name, commands))
        if retrain_first:
            retrain(name)
            logs[label] = checkpoint.load_metrics(f"runs/{name}")
        else:
            logs[label] = checkpoint.load_metrics(folder(name))
    return logs
