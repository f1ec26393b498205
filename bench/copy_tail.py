"""The tail of a copy checkpoint: failing sequences per length on fresh data, and what the heads
did on the worst of them.

For each length ``L`` it draws ``--sequences`` fresh copy sequences (seed ``--seed``, not the
seed of ``eval.json``'s grid), runs the model once with its trace, and counts per length the mean
bit errors per sequence, the sequences with at least one wrong bit and the fraction copied
perfectly. For each sequence it also reads the heads' paths from the trace (the row each head
weights most at each step):

* ``write stalls``: steps ``2..L`` where the write head did not move on by exactly one row (the
  trained model writes input ``i`` at step ``i + 1``, one step late, because the controller
  carries it for a step);
* ``read drift``: input steps where the read head has left the row it started on;
* ``read slips``: outputs ``i`` where the read head at step ``L + 1 + i`` (whose read the output
  layer sees when it emits output ``i``) is not on the row input ``i`` was written to;
* ``repeats``: consecutive equal input vectors (a content lookup cannot tell such rows apart);

and reports how often each occurs in failing and in perfect sequences, then the worst
``--show`` sequences one by one. Output: Markdown tables on stdout and, with ``--out``, a JSON
file with every number.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/copy_tail.py [--run ntm_minimal/checkpoints/copy]
[--lengths 10 20 ... 120] [--sequences 1024]``
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import checkpoint  # noqa: E402
from ntm_minimal.metrics import bit_errors  # noqa: E402
from ntm_minimal.tasks import CopyTask  # noqa: E402

LENGTHS = (10, 20, 30, 40, 50, 60, 80, 100, 120)
PATHS = ("write_stalls", "read_drift", "read_slips", "repeats")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", default="ntm_minimal/checkpoints/copy", help="a run folder (model + config.json)")
    p.add_argument("--weights", default=checkpoint.MODEL_FILE,
                   help=f"weights file in the run folder ({checkpoint.BEST_FILE}: a keep-best run's best)")
    p.add_argument("--lengths", type=int, nargs="+", default=list(LENGTHS))
    p.add_argument("--sequences", type=int, default=1024, help="fresh sequences per length")
    p.add_argument("--chunk", type=int, default=256, help="sequences per forward pass (memory)")
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument("--show", type=int, default=5, help="worst sequences to describe")
    p.add_argument("--out", default=None, help="also write every number to this JSON file")
    return p.parse_args(argv)


def head_paths(trace, length: int) -> dict[str, torch.Tensor]:
    """Per sequence ``[B]``: write stalls, read drift during the input, read slips during the output."""
    write = trace.write_weights[:, :, 0].argmax(-1)  # [B, T], the row written most at each step
    read = trace.read_weights[:, :, 0].argmax(-1)
    n = trace.write_weights.shape[-1]
    stalls = ((write[:, 2 : length + 1] - write[:, 1:length]) % n != 1).sum(-1)
    drift = (read[:, :length] != read[:, :1]).sum(-1)
    slips = (read[:, length + 1 : 2 * length + 1] != write[:, 1 : length + 1]).sum(-1)
    return {"write_stalls": stalls, "read_drift": drift, "read_slips": slips}


def repeats(x: torch.Tensor, length: int, bits: int) -> torch.Tensor:
    """Consecutive equal input vectors per sequence ``[B]``."""
    v = x[:, :length, :bits]
    return (v[:, 1:] == v[:, :-1]).all(-1).sum(-1)


@torch.no_grad()
def measure_length(model, task: CopyTask, length: int, args) -> dict:
    gen = torch.Generator().manual_seed(args.seed + length)
    cols = {k: [] for k in ("errors", *PATHS)}
    for start in range(0, args.sequences, args.chunk):
        batch = task.sample(min(args.chunk, args.sequences - start), gen, length=length)
        logits, trace = model(batch.x, return_trace=True)
        cols["errors"].append(bit_errors(logits, batch))
        for k, v in head_paths(trace, length).items():
            cols[k].append(v)
        cols["repeats"].append(repeats(batch.x, length, task.bits))
        del trace
    c = {k: torch.cat(v).float() for k, v in cols.items()}
    fail = c["errors"] > 0
    row = {"length": length, "sequences": args.sequences, "bit_errors": float(c["errors"].mean()),
           "failing": int(fail.sum()), "perfect_fraction": float((~fail).float().mean()),
           "worst": float(c["errors"].max()),
           "errors_of_worst_1pct": float(c["errors"].sort(descending=True).values[: max(1, args.sequences // 100)].sum()
                                         / c["errors"].sum().clamp_min(1)),
           "per_sequence": {k: v.tolist() for k, v in c.items()}}
    for k in PATHS:
        row[f"{k}_failing"] = float(c[k][fail].mean()) if fail.any() else None
        row[f"{k}_perfect"] = float(c[k][~fail].mean()) if (~fail).any() else None
    return row


def markdown(rows: list[dict]) -> str:
    def f(v, fmt="{:.2f}"):
        return "–" if v is None else fmt.format(v)

    out = ["| L | bit errors / seq | failing sequences | perfectly copied | worst sequence | share of errors in worst 1 % "
           + "".join(f"| {k.replace('_', ' ')} (failing / perfect) " for k in PATHS) + "|",
           "|---:|---:|---:|---:|---:|---:|" + "---:|" * len(PATHS)]
    for r in rows:
        out.append(f"| {r['length']} | {r['bit_errors']:.4f} | {r['failing']} / {r['sequences']} | "
                   f"{100 * r['perfect_fraction']:.1f} % | {r['worst']:.0f} | {100 * r['errors_of_worst_1pct']:.0f} % | "
                   + "".join(f"{f(r[k + '_failing'])} / {f(r[k + '_perfect'])} | " for k in PATHS))
    return "\n".join(out)


def worst(rows: list[dict], show: int) -> str:
    seqs = [(r["per_sequence"]["errors"][i], r["length"], i, {k: r["per_sequence"][k][i] for k in PATHS})
            for r in rows for i in range(r["sequences"])]
    seqs.sort(key=lambda s: -s[0])
    lines = ["| L | sequence | bit errors |" + "".join(f" {k.replace('_', ' ')} |" for k in PATHS),
             "|---:|---:|---:|" + "---:|" * len(PATHS)]
    for e, length, i, d in seqs[:show]:
        lines.append(f"| {length} | {i} | {e:.0f} |" + "".join(f" {d[k]:.0f} |" for k in PATHS))
    return "\n".join(lines)


def main(argv=None) -> list[dict]:
    args = parse_args(argv)
    torch.set_num_threads(1)
    model = checkpoint.load_model(args.run, filename=args.weights).eval()
    task = CopyTask()
    rows = []
    for length in args.lengths:
        rows.append(measure_length(model, task, length, args))
        r = rows[-1]
        print(f"L={length}: {r['bit_errors']:.4f} bit errors/seq, {r['failing']} failing, worst {r['worst']:.0f}",
              flush=True)
    print(f"\n{args.run} ({args.weights}), {args.sequences} fresh sequences per length (seed {args.seed} + L)\n")
    print(markdown(rows))
    print("\nWorst sequences:\n")
    print(worst(rows, args.show))
    if args.out:
        Path(args.out).write_text(json.dumps({"run": args.run, "seed": args.seed, "rows": rows}))
    return rows


if __name__ == "__main__":
    main()
