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
* ``hold``: the smallest weight the read head keeps on its start row during the input (steps
  ``0..L``): about 0.5-0.85 in a sequence copied right, near 0 once the head has slipped;
* ``repeats``: consecutive equal input vectors (a content lookup cannot tell such rows apart);
* ``margin``: the smallest signed logit margin over the sequence's scored bits (the logit times
  +1 for a target bit 1, -1 for a 0): negative exactly where a bit is wrong, and a smooth measure
  of how close the perfect sequences come to an error;

and reports how often each occurs in failing and in perfect sequences, then the worst
``--show`` sequences one by one. Output: Markdown tables on stdout and, with ``--out``, a JSON
file with every number.

The JSON keeps the per-length summary and, per sequence, only the failing ones (their index and
columns), so a 54-length table stays small enough to commit (``ntm_minimal/results/copy_tail*.json``).

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/copy_tail.py [--run ntm_minimal/checkpoints/copy]
[--lengths 10 20 ... 120 | --full] [--sequences 1024]``; ``--full`` measures every length 1..50
and 60, 80, 100, 120 (issue 16's table).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import checkpoint  # noqa: E402
from ntm_minimal.metrics import bit_errors, min_signed_margin  # noqa: E402
from ntm_minimal.tasks import CopyTask  # noqa: E402

LENGTHS = (10, 20, 30, 40, 50, 60, 80, 100, 120)
FULL_LENGTHS = (*range(1, 51), 60, 80, 100, 120)
PATHS = ("write_stalls", "read_drift", "read_slips", "repeats")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--run", default="ntm_minimal/checkpoints/copy", help="a run folder (model + config.json)")
    p.add_argument(
        "--weights",
        default=checkpoint.MODEL_FILE,
        help=f"weights file in the run folder ({checkpoint.BEST_FILE}: a keep-best run's best)",
    )
    p.add_argument("--lengths", type=int, nargs="+", default=list(LENGTHS))
    p.add_argument("--full", action="store_true", help="every length 1..50 and 60, 80, 100, 120 (overrides --lengths)")
    p.add_argument("--sequences", type=int, default=1024, help="fresh sequences per length")
    p.add_argument("--chunk", type=int, default=256, help="sequences per forward pass (memory)")
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument("--show", type=int, default=5, help="worst sequences to describe")
    p.add_argument("--out", default=None, help="also write every number to this JSON file")
    p.add_argument(
        "--explain",
        action="store_true",
        help="for each wrong bit of the worst --show failing sequences: its logit split into the part "
        "from the controller output and the part from the read vector, the heads' weights, and the "
        "neighbouring inputs' bit",
    )
    p.add_argument(
        "--crosstalk",
        type=int,
        default=None,
        metavar="L",
        help="at length L: what each memory row holds (linear R^2 of the row on the inputs around it) and "
        "the bits' margins by whether the neighbouring inputs agree with them",
    )
    args = p.parse_args(argv)
    if args.full:
        args.lengths = list(FULL_LENGTHS)
    return args


def head_paths(trace, length: int) -> dict[str, torch.Tensor]:
    """Per sequence ``[B]``: write stalls, read drift during the input, read slips during the output."""
    write = trace.write_weights[:, :, 0].argmax(-1)  # [B, T], the row written most at each step
    read = trace.read_weights[:, :, 0].argmax(-1)
    n = trace.write_weights.shape[-1]
    stalls = ((write[:, 2 : length + 1] - write[:, 1:length]) % n != 1).sum(-1)
    drift = (read[:, :length] != read[:, :1]).sum(-1)
    slips = (read[:, length + 1 : 2 * length + 1] != write[:, 1 : length + 1]).sum(-1)
    return {"write_stalls": stalls, "read_drift": drift, "read_slips": slips}


def wrong_positions(logits: torch.Tensor, batch, length: int) -> list[list[int]]:
    """Per sequence: the output index ``i`` (vector ``i`` of the copy) of each wrong bit."""
    wrong = ((logits > 0) != (batch.y > 0.5)) & (batch.mask.unsqueeze(-1) > 0)  # [B, T, bits]
    steps = wrong.nonzero()  # [n, 3]: sequence, step, bit
    out = [[] for _ in range(logits.shape[0])]
    for b, t, _ in steps.tolist():
        out[b].append(t - length - 1)
    return out


def read_hold(trace, length: int) -> torch.Tensor:
    """Per sequence ``[B]``: the smallest weight read head 0 puts on its step-0 row during steps ``0..L``."""
    read = trace.read_weights[:, : length + 1, 0]  # [B, L + 1, N]
    start = read[:, 0].argmax(-1)  # [B]
    return read.gather(2, start[:, None, None].expand(-1, length + 1, 1)).squeeze(-1).amin(-1)


def repeats(x: torch.Tensor, length: int, bits: int) -> torch.Tensor:
    """Consecutive equal input vectors per sequence ``[B]``."""
    v = x[:, :length, :bits]
    return (v[:, 1:] == v[:, :-1]).all(-1).sum(-1)


@torch.no_grad()
def measure_length(model, task: CopyTask, length: int, args) -> dict:
    gen = torch.Generator().manual_seed(args.seed + length)
    cols = {k: [] for k in ("errors", "margin", "hold", *PATHS)}
    wrong_outputs = []  # per sequence: the output positions i (0..L-1) of its wrong bits
    for start in range(0, args.sequences, args.chunk):
        batch = task.sample(min(args.chunk, args.sequences - start), gen, length=length)
        logits, trace = model(batch.x, return_trace=True)
        cols["errors"].append(bit_errors(logits, batch))
        cols["margin"].append(min_signed_margin(logits, batch))
        cols["hold"].append(read_hold(trace, length))
        for k, v in head_paths(trace, length).items():
            cols[k].append(v)
        cols["repeats"].append(repeats(batch.x, length, task.bits))
        wrong_outputs += wrong_positions(logits, batch, length)
        del trace
    c = {k: torch.cat(v).float() for k, v in cols.items()}
    fail = c["errors"] > 0
    row = {
        "length": length,
        "sequences": args.sequences,
        "bit_errors": float(c["errors"].mean()),
        "failing": int(fail.sum()),
        "perfect_fraction": float((~fail).float().mean()),
        "worst": float(c["errors"].max()),
        "errors_of_worst_1pct": float(
            c["errors"].sort(descending=True).values[: max(1, args.sequences // 100)].sum()
            / c["errors"].sum().clamp_min(1)
        ),
        "min_margin": float(c["margin"].min()),
        "median_min_margin": float(c["margin"].median()),
        "min_hold": float(c["hold"].min()),
        "hold_q001": float(c["hold"].quantile(0.001)),
        "median_hold": float(c["hold"].median()),
        "failing_sequences": {
            "index": fail.nonzero().flatten().tolist(),
            **{k: v[fail].tolist() for k, v in c.items()},
            "wrong_outputs": [w for w in wrong_outputs if w],
        },
    }
    for k in PATHS:
        row[f"{k}_failing"] = float(c[k][fail].mean()) if fail.any() else None
        row[f"{k}_perfect"] = float(c[k][~fail].mean()) if (~fail).any() else None
    return row


def markdown(rows: list[dict]) -> str:
    def f(v, fmt="{:.2f}"):
        return "–" if v is None else fmt.format(v)

    out = [
        "| L | bit errors / seq | failing sequences | perfectly copied | worst sequence | share of errors in worst 1 % "
        "| smallest margin | smallest read hold "
        + "".join(f"| {k.replace('_', ' ')} (failing / perfect) " for k in PATHS)
        + "|",
        "|---:|---:|---:|---:|---:|---:|---:|---:|" + "---:|" * len(PATHS),
    ]
    for r in rows:
        out.append(
            f"| {r['length']} | {r['bit_errors']:.4f} | {r['failing']} / {r['sequences']} | "
            f"{100 * r['perfect_fraction']:.1f} % | {r['worst']:.0f} | {100 * r['errors_of_worst_1pct']:.0f} % | "
            f"{r['min_margin']:+.2f} | {r['min_hold']:.2f} | "
            + "".join(f"{f(r[k + '_failing'])} / {f(r[k + '_perfect'])} | " for k in PATHS)
        )
    return "\n".join(out)


def worst(rows: list[dict], show: int) -> str:
    seqs = [
        (f["errors"][j], r["length"], i, {k: f[k][j] for k in PATHS}, f["wrong_outputs"][j])
        for r in rows
        for f in [r["failing_sequences"]]
        for j, i in enumerate(f["index"])
    ]
    seqs.sort(key=lambda s: -s[0])
    lines = [
        "| L | sequence | bit errors | wrong outputs |" + "".join(f" {k.replace('_', ' ')} |" for k in PATHS),
        "|---:|---:|---:|---|" + "---:|" * len(PATHS),
    ]
    for e, length, i, d, w in seqs[:show]:
        where = ", ".join(map(str, sorted(set(w))[:8])) + (" …" if len(set(w)) > 8 else "")
        lines.append(f"| {length} | {i} | {e:.0f} | {where} |" + "".join(f" {d[k]:.0f} |" for k in PATHS))
    return "\n".join(lines)


def _draw(task: CopyTask, length: int, index: int, args):
    """Sequence ``index`` of length ``length`` exactly as :func:`measure_length` drew it (same chunks)."""
    gen = torch.Generator().manual_seed(args.seed + length)
    for start in range(0, args.sequences, args.chunk):
        batch = task.sample(min(args.chunk, args.sequences - start), gen, length=length)
        if index < start + args.chunk:
            j = index - start
            return batch.x[j : j + 1], batch.y[j : j + 1], batch.mask[j : j + 1]
    raise ValueError(f"index: expected < {args.sequences}, got {index}")


@torch.no_grad()
def output_parts(model, x: torch.Tensor):
    """The logits, the trace, and the logits' two parts ``[B, T, bits]``: from the controller output
    ``h`` and from the read vectors (the output layer is linear in ``[h, reads]``; the bias is the rest)."""
    inputs = []
    hook = model.output.register_forward_hook(lambda module, args, out: inputs.append(args[0]))
    try:
        logits, trace = model(x, return_trace=True)
    finally:
        hook.remove()
    z = torch.stack(inputs, 1)
    w, h = model.output.weight, model.config["controller_size"]
    return logits, trace, z[..., :h] @ w[:, :h].T, z[..., h:] @ w[:, h:].T


def explain(model, task: CopyTask, rows: list[dict], args) -> str:
    """One table row per wrong bit of the worst ``--show`` failing sequences."""
    seqs = sorted(
        (
            (f["errors"][j], r["length"], i)
            for r in rows
            for f in [r["failing_sequences"]]
            for j, i in enumerate(f["index"])
        ),
        reverse=True,
    )[: args.show]
    out = [
        "| L | sequence | output i | bit | target | logit | from h | from read | read weight (row) "
        "| write weight at step i+1 (row) | weight row i got from earlier steps | erase at step i+1 (mean) "
        "| bit in inputs i-1, i, i+1 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|",
    ]
    for _, length, index in seqs:
        x, y, mask = _draw(task, length, index, args)
        logits, trace, from_h, from_read = output_parts(model, x)
        wrong = ((logits > 0) != (y > 0.5)) & (mask.unsqueeze(-1) > 0)
        read, write = trace.read_weights[0, :, 0], trace.write_weights[0, :, 0]
        for t, k in wrong[0].nonzero().tolist()[:4]:
            i = t - length - 1
            rw, wr = read[t].max(0), write[i + 1].max(0)
            earlier = float(write[: i + 1, i].sum())
            bits = " ".join("–" if not 0 <= j < length else str(int(x[0, j, k])) for j in (i - 1, i, i + 1))
            out.append(
                f"| {length} | {index} | {i} | {k} | {int(y[0, t, k])} | {logits[0, t, k]:+.2f} | "
                f"{from_h[0, t, k]:+.2f} | {from_read[0, t, k]:+.2f} | {rw.values:.3f} ({int(rw.indices)}) | "
                f"{wr.values:.3f} ({int(wr.indices)}) | {earlier:.3f} | "
                f"{float(trace.params.erase[0, i + 1, 0].mean()):.2f} | {bits} |"
            )
    return "\n".join(out)


@torch.no_grad()
def crosstalk(model, task: CopyTask, length: int, args) -> str:
    """What the rows hold and how the margins depend on the neighbouring inputs, at one length."""
    gen = torch.Generator().manual_seed(args.seed + 10_000 + length)  # not a sequence the tables used
    batch = task.sample(min(args.sequences, 512), gen, length=length)
    logits, trace, from_h, from_read = output_parts(model, batch.x)
    sign = 2 * batch.y[:, length + 1 :] - 1
    margin = logits[:, length + 1 :] * sign  # [B, L, bits]: output i in column i
    x = batch.x[:, :length, : task.bits]
    # Row i after the input phase, against the inputs around i (rows 3..L-4: every neighbour exists).
    idx = torch.arange(3, length - 3)
    rows = trace.memory[:, length, idx].reshape(-1, trace.memory.shape[-1]).double()

    def r2(offsets):
        f = torch.cat(
            [torch.ones(rows.shape[0], 1, dtype=torch.float64)]
            + [x[:, idx + o].reshape(-1, task.bits).double() for o in offsets],
            1,
        )
        res = rows - f @ torch.linalg.lstsq(f, rows).solution
        return float(1 - res.var(0).sum() / rows.var(0).sum())

    out = [
        f"Length {length}, {batch.x.shape[0]} fresh sequences (seed {args.seed + 10_000 + length}).",
        "",
        "| what row i holds after the input: inputs in a linear fit | R² |",
        "|---|---:|",
    ]
    for offsets in ((-1, 0, 1, 2), (0,), (1,), (0, 1), (-1,), (2,)):
        out.append(f"| {', '.join(f'x[i{o:+d}]' if o else 'x[i]' for o in offsets)} | {r2(offsets):.3f} |")
    inner = torch.arange(1, length - 1)
    m, xi = margin[:, inner], x[:, inner]
    prev, nxt = x[:, inner - 1] != xi, x[:, inner + 1] != xi
    out += [
        "",
        "| outputs 1..L-2: neighbouring inputs | bits | mean margin | 0.1 % quantile | smallest | below 1 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, sel in (
        ("both agree", ~prev & ~nxt),
        ("previous differs", prev & ~nxt),
        ("next differs", ~prev & nxt),
        ("both differ", prev & nxt),
    ):
        v = m[sel]
        out.append(
            f"| {name} | {v.numel()} | {v.mean():.2f} | {v.quantile(1e-3):+.2f} | {v.min():+.2f} | "
            f"{int((v < 1).sum())} |"
        )
    out += [
        "",
        "| output | mean margin | from h (signed) | from read (signed) | smallest | below 1 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for i in (0, 1, 2, 3, length // 2, length - 1):
        v = margin[:, i]
        out.append(
            f"| {i} | {v.mean():.2f} | {(from_h[:, length + 1 + i] * sign[:, i]).mean():.2f} | "
            f"{(from_read[:, length + 1 + i] * sign[:, i]).mean():.2f} | {v.min():+.2f} | {int((v < 1).sum())} |"
        )
    w1 = trace.write_weights[:, 1, 0]
    out += [
        "",
        f"Step 1's write weight: row 0 {w1[:, 0].mean():.3f}, row 1 {w1[:, 1].mean():.3f} on average "
        f"(largest {w1[:, 1].max():.3f}); the erase vector during the input: mean {trace.params.erase[:, :length, 0].mean():.3f}.",
    ]
    return "\n".join(out)


def main(argv=None) -> list[dict]:
    args = parse_args(argv)
    torch.set_num_threads(1)
    model = checkpoint.load_model(args.run, filename=args.weights).eval()
    task = CopyTask()
    rows, start = [], time.perf_counter()
    for length in args.lengths:
        rows.append(measure_length(model, task, length, args))
        r = rows[-1]
        print(
            f"L={length}: {r['bit_errors']:.4f} bit errors/seq, {r['failing']} failing, worst {r['worst']:.0f}, "
            f"smallest margin {r['min_margin']:+.2f}, smallest read hold {r['min_hold']:.2f}",
            flush=True,
        )
    print(f"\n{args.run} ({args.weights}), {args.sequences} fresh sequences per length (seed {args.seed} + L)\n")
    print(markdown(rows))
    print("\nWorst sequences:\n")
    print(worst(rows, args.show))
    if args.explain:
        print("\nWrong bits of the worst failing sequences:\n")
        print(explain(model, task, rows, args))
    if args.crosstalk:
        print("\nCrosstalk:\n")
        print(crosstalk(model, task, args.crosstalk, args))
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {
                    "run": args.run,
                    "weights": args.weights,
                    "seed": args.seed,
                    "sequences": args.sequences,
                    "seconds": time.perf_counter() - start,
                    "rows": rows,
                }
            )
        )
    return rows


if __name__ == "__main__":
    main()
