"""Priority sort, per answer position: bit errors, output vectors exactly right, and sequences
sorted perfectly, for the shipped NTM and LSTM checkpoints on fresh sequences.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/sort_tail.py [--sequences 1024] [--seed 20261201]``
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import pretrained  # noqa: E402

NAMES = ("priority_sort", "priority_sort_lstm")


@torch.no_grad()
def per_position(name: str, sequences: int, seed: int) -> dict:
    """Wrong bits ``[sequences, S]`` per answer position of checkpoint ``name`` on fresh sequences."""
    model, task = pretrained.load(name).eval(), pretrained.task(name)
    batch = task.sample(sequences, torch.Generator().manual_seed(seed))
    wrong = ((model(batch.x) > 0).float() != batch.y).float().sum(-1) * batch.mask  # [B, T]
    answers = wrong[:, task.items + 1 :]  # [B, S]: answer j is the j-th highest priority
    return {"bit_errors": float(wrong.sum(-1).mean()), "vectors_right": float((answers == 0).float().mean()),
            "perfect": int((wrong.sum(-1) == 0).sum()), "per_position_errors": answers.mean(0).tolist(),
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
    rows = {name: per_position(name, args.sequences, args.seed) for name in NAMES}
    print(f"{args.sequences} fresh sequences (seed {args.seed})\n")
    print("| checkpoint | bit errors / seq | output vectors exactly right | sequences sorted perfectly |")
    print("|---|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['bit_errors']:.2f} | {100 * r['vectors_right']:.1f} % | {r['perfect']} / {args.sequences} |")
    positions = len(rows[NAMES[0]]["per_position_errors"])
    print("\n| answer position | " + " | ".join(f"{n}: bit errors | {n}: exactly right" for n in NAMES) + " |")
    print("|---:|" + "---:|" * 2 * len(NAMES))
    for j in range(positions):
        print(f"| {j + 1} | " + " | ".join(f"{rows[n]['per_position_errors'][j]:.2f} | {100 * rows[n]['per_position_right'][j]:.0f} %"
                                           for n in NAMES) + " |")


if __name__ == "__main__":
    main()
