"""Priority sort, per answer position: bit errors, output vectors exactly right, and sequences
sorted perfectly, for the shipped NTM, LSTM and DNC checkpoints and the further NTM recipes
(``checkpoints/extra/priority_sort_*``) on fresh sequences.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/sort_tail.py [--sequences 1024] [--seed 20261201]``
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import checkpoint, pretrained  # noqa: E402
from ntm_minimal.tasks import make_task  # noqa: E402
from ntm_minimal.tasks.priority_sort import sort_quality  # noqa: E402

SHIPPED = ("priority_sort", "priority_sort_lstm", "priority_sort_dnc")


def names() -> list[str]:
    """The shipped sort checkpoints, then the further NTM recipes in ``extra/``."""
    return [n for n in SHIPPED if n in pretrained.available()] + [
        n for n in pretrained.extra_runs() if n.startswith("priority_sort_")]


@torch.no_grad()
def per_position(name: str, sequences: int, seed: int) -> dict:
    """Wrong bits ``[sequences, S]`` per answer position of checkpoint ``name`` on fresh sequences."""
    run = pretrained.folder(name)
    model, cfg = checkpoint.load_model(run).eval(), checkpoint.load_config(run)
    task = make_task(cfg["task"], **cfg["task_config"])
    batch = task.sample(sequences, torch.Generator().manual_seed(seed))
    logits = model(batch.x)
    wrong = ((logits > 0).float() != batch.y).float().sum(-1) * batch.mask  # [B, T]
    answers = wrong[:, task.items + 1 :]  # [B, S]: answer j is the j-th highest priority
    quality = sort_quality(logits, batch)
    return {**quality, "perfect": round(quality["perfect"] * sequences), "per_position_errors": answers.mean(0).tolist(),
            "per_position_right": (answers == 0).float().mean(0).tolist()}


def fresh_data_args(doc: str, sequences: int, argv=None) -> argparse.Namespace:
    """``--sequences`` and ``--seed`` of a script measuring a checkpoint on fresh data (one thread)."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--sequences", type=int, default=sequences)
    p.add_argument("--seed", type=int, default=20261201)
    torch.set_num_threads(1)
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = fresh_data_args(__doc__, 1024, argv)
    rows = {name: per_position(name, args.sequences, args.seed) for name in names()}
    print(f"{args.sequences} fresh sequences (seed {args.seed})\n")
    print("| checkpoint | bit errors / seq | output vectors exactly right | sequences sorted perfectly |")
    print("|---|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['bit_errors']:.2f} | {100 * r['vectors_right']:.1f} % | {r['perfect']} / {args.sequences} |")
    positions = len(rows[SHIPPED[0]]["per_position_errors"])
    print("\n| answer position | " + " | ".join(f"{n}: bit errors | {n}: exactly right" for n in rows) + " |")
    print("|---:|" + "---:|" * 2 * len(rows))
    for j in range(positions):
        print(f"| {j + 1} | " + " | ".join(f"{rows[n]['per_position_errors'][j]:.2f} | {100 * rows[n]['per_position_right'][j]:.0f} %"
                                           for n in rows) + " |")


if __name__ == "__main__":
    main()
