"""Priority sort, per answer position: bit errors, output vectors exactly right, and sequences
sorted perfectly, for the shipped NTM, LSTM and DNC checkpoints and the further NTM recipes
(``checkpoints/extra/priority_sort_*``) on fresh sequences; for the memory models also how many
answers were stored on a row another input was stored on too (``shared_rows``, with an NTM's main
write head: the one with the highest mean peak weight) and how often those are right.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/sort_tail.py [--sequences 1024] [--seed 20261201]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import checkpoint, pretrained  # noqa: E402
from ntm_minimal.analysis import main_writes, shared_rows, write_spread  # noqa: E402
from ntm_minimal.tasks import make_task  # noqa: E402
from ntm_minimal.tasks.priority_sort import answer_errors, sort_quality  # noqa: E402

SHIPPED = ("priority_sort", "priority_sort_lstm", "priority_sort_dnc")


def names() -> list[str]:
    """The shipped sort checkpoints, then the further NTM recipes in ``extra/``."""
    return [n for n in SHIPPED if n in pretrained.available()] + [
        n for n in pretrained.extra_runs() if n.startswith("priority_sort_")
    ]


@torch.no_grad()
def per_position(name: str, sequences: int, seed: int) -> dict:
    """Sort quality, per answer position, and row sharing of checkpoint ``name`` on fresh sequences."""
    run = pretrained.folder(name)
    model, cfg = checkpoint.load_model(run).eval(), checkpoint.load_config(run)
    task = make_task(cfg["task"], **cfg["task_config"])
    batch, priority = task.sample_with_priorities(sequences, torch.Generator().manual_seed(seed))
    traced = hasattr(model, "step")  # the memory models record their weightings
    logits, trace = model(batch.x, return_trace=True) if traced else (model(batch.x), None)
    answers = answer_errors(logits, batch)  # [B, S]: answer j is the j-th highest priority
    quality = sort_quality(logits, batch)
    row = {
        **quality,
        "perfect": round(quality["perfect"] * sequences),
        "per_position_errors": answers.mean(0).tolist(),
        "per_position_right": (answers == 0).float().mean(0).tolist(),
    }
    if traced:
        writes = main_writes(trace.write_weights, task.items)
        shared, right = shared_rows(priority, writes, task.outputs), answers == 0
        row["sharing"] = {
            "distinct_rows": float(write_spread(writes)["distinct"].float().mean()),
            "shared": float(shared.float().mean()),
            "right_alone": float(right[~shared].float().mean()) if (~shared).any() else None,
            "right_shared": float(right[shared].float().mean()) if shared.any() else None,
        }
    return row


def pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.0f} %"


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
        print(
            f"| {name} | {r['bit_errors']:.2f} | {100 * r['vectors_right']:.1f} % | {r['perfect']} / {args.sequences} |"
        )
    print(
        "\n| checkpoint | distinct rows written (of the inputs) | answers sharing their row | right when alone "
        "| right when sharing |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, r in rows.items():
        if "sharing" in r:
            sh = r["sharing"]
            print(
                f"| {name} | {sh['distinct_rows']:.1f} | {pct(sh['shared'])} | {pct(sh['right_alone'])} "
                f"| {pct(sh['right_shared'])} |"
            )
    positions = len(rows[SHIPPED[0]]["per_position_errors"])
    print("\n| answer position | " + " | ".join(f"{n}: bit errors | {n}: exactly right" for n in rows) + " |")
    print("|---:|" + "---:|" * 2 * len(rows))
    for j in range(positions):
        print(
            f"| {j + 1} | "
            + " | ".join(
                f"{rows[n]['per_position_errors'][j]:.2f} | {100 * rows[n]['per_position_right'][j]:.0f} %"
                for n in rows
            )
            + " |"
        )


if __name__ == "__main__":
    main()
