"""Repeat copy beyond the trained repeat counts: when the shipped NTM raises its end marker, and the
bit errors of each copy, on fresh sequences.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/repeat_tail.py [--sequences 512] [--seed 20261201]``
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sort_tail import fresh_data_args  # noqa: E402

from ntm_minimal import pretrained  # noqa: E402

SETTINGS = ((10, 10), (10, 12), (10, 15), (10, 20))  # (length, repeats); training: 1..10 each


@torch.no_grad()
def measure(model, task, length: int, repeats: int, sequences: int, seed: int) -> dict:
    batch = task.sample(sequences, torch.Generator().manual_seed(seed + repeats), length=length, repeats=repeats)
    logits = model(batch.x)
    wrong = ((logits > 0).float() != batch.y).float() * batch.mask[..., None]  # [B, T, bits + 1]
    answer = slice(length + 1, length + 1 + repeats * length)
    per_copy = wrong[:, answer, :task.bits].sum(-1).reshape(sequences, repeats, length).sum(-1)  # [B, R]
    marker = torch.sigmoid(logits[:, length + 1:, task.bits]) > 0.5  # the end-marker channel, answer phase
    first = marker.float().argmax(1)
    # Copies completed before the marker first goes up (None: never raised).
    stops = Counter(int(f) // length if raised else None for f, raised in zip(first, marker.any(1)))
    return {"bit_errors": float(wrong.sum((1, 2)).mean()), "perfect": int((wrong.sum((1, 2)) == 0).sum()),
            "stops": stops, "per_copy": per_copy.mean(0).tolist()}


def main(argv=None) -> None:
    args = fresh_data_args(__doc__, 512, argv)
    model, task = pretrained.load("repeat_copy").eval(), pretrained.task("repeat_copy")
    print(f"repeat_copy, {args.sequences} fresh sequences per setting (seed {args.seed} + R)\n")
    print("| L | R | bit errors / seq | perfect | end marker raised after k copies (sequences) | bit errors per copy, copy 1..R |")
    print("|---:|---:|---:|---:|---|---|")
    for length, repeats in SETTINGS:
        r = measure(model, task, length, repeats, args.sequences, args.seed)
        stops = ", ".join(f"{'never' if k is None else k}: {n}" for k, n in
                          sorted(r["stops"].items(), key=lambda kv: -1 if kv[0] is None else kv[0]))
        print(f"| {length} | {repeats} | {r['bit_errors']:.1f} | {r['perfect']} / {args.sequences} | {stops} | "
              + " ".join(f"{v:.1f}" for v in r["per_copy"]) + " |")


if __name__ == "__main__":
    main()
