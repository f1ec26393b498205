"""Re-measure every shipped ``eval.json`` with the spread of each result.

Each checkpoint's held-out batch is evaluated again (the same batch, now with its standard error,
worst sequence and share of perfect sequences), and each setting of its generalisation grid on
``evaluation.GRID_SEQUENCES`` fresh sequences (or more, where it already had more), with the seed
the file records. Everything else in the file (training steps, wall time, ...) is kept. A file
whose rows all carry the spread on enough sequences is left as it is, so an interrupted run can
be started again.

    OMP_NUM_THREADS=1 nice -n 19 python tools/remeasure_evals.py [NAME ...]

NAME is a folder under ``ntm_minimal/checkpoints`` (``copy``, ``extra/copy_ft50``); default all.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ntm_minimal import checkpoint  # noqa: E402
from ntm_minimal.evaluation import (  # noqa: E402
    GRID_SEQUENCES,
    SPREAD_KEYS,
    evaluate,
    evaluate_batch,  # noqa: E402
    heldout_batch,
    setting_of,
)
from ntm_minimal.pretrained import CHECKPOINTS  # noqa: E402
from ntm_minimal.tasks import make_task  # noqa: E402


def is_done(result: dict) -> bool:
    """Whether every row of ``result`` already carries the spread, the grid on enough sequences."""
    rows = [result["heldout"], *result.get("grid", [])]
    return all(k in r for r in rows for k in SPREAD_KEYS) and all(
        r["batch_size"] >= GRID_SEQUENCES for r in result.get("grid", [])
    )


def remeasure(folder: Path) -> dict:
    """The new contents of ``folder``'s ``eval.json`` (not written)."""
    result = checkpoint.load_eval(folder)
    config = checkpoint.load_config(folder)
    task = make_task(config["task"], **config["task_config"])
    model = checkpoint.load_model(folder)
    held = result["heldout"]
    new_held = {
        **evaluate_batch(model, heldout_batch(task, held["batch_size"], held["seed"])),
        "batch_size": held["batch_size"],
        "seed": held["seed"],
    }
    grid = []
    for row in result.get("grid", []):
        n = max(GRID_SEQUENCES, row["batch_size"])
        grid.append(evaluate(model, task, [setting_of(row)], n, row["seed"])[0])
    return {**result, "heldout": new_held, "grid": grid}


def main(names: list[str]) -> None:
    torch.set_num_threads(1)
    folders = [CHECKPOINTS / n for n in names] if names else sorted(p.parent for p in CHECKPOINTS.glob("**/eval.json"))
    for folder in folders:
        name = folder.relative_to(CHECKPOINTS)
        if is_done(checkpoint.load_eval(folder)):
            print(f"{name}: already re-measured", flush=True)
            continue
        start = time.perf_counter()
        result = remeasure(folder)
        checkpoint.save_json(folder / checkpoint.EVAL_FILE, result)
        print(f"{name}: {len(result['grid'])} settings in {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
