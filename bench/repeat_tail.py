"""Repeat copy beyond the trained repeat counts: what the NTM does at the end marker, on fresh sequences.

For each checkpoint and each setting (length ``L``, repeats ``R``) it separates the errors of the
copied vectors (channels ``0 .. bits-1`` of the ``R * L`` answer steps) from those of the end marker
(channel ``bits`` at every scored step), records after how many complete copies the marker first
goes above 0.5 (the stopping time), the marker's logit after each complete copy (where it would
have to rise if ``R`` were that number), the bit errors of each copy split at the stop, and whether
the read head walks the same rows in each copy as in the first.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/repeat_tail.py [--sequences 1024] [--seed 20261202]
[--out ntm_minimal/results/repeat_tail.json] [--run NAME=DIR ...] [--probe]``; without ``--run`` it measures
the shipped ``repeat_copy`` and the further run ``repeat_copy_ft20``; ``--probe`` then adds
:func:`count_probe` (how the controller's state holds the count) to each run in the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal import checkpoint, pretrained  # noqa: E402
from ntm_minimal.tasks import make_task  # noqa: E402

#: L = 10 with every count up to the paper's 20 and beyond it; L = 5 and 20 tell a count of copies
#: from a count of output steps (at L = 5, R = 20 lasts 100 output steps, as L = 10, R = 10 does).
SETTINGS = (
    [(10, r) for r in range(1, 21)]
    + [(10, 25), (10, 30)]
    + [(5, r) for r in (10, 15, 20, 25, 30)]
    + [(20, r) for r in (5, 10, 15, 20)]
)
DEFAULT_RUNS = {"repeat_copy": "repeat_copy", "repeat_copy_ft20": "repeat_copy_ft20"}
OUT = pretrained.RESULTS / "repeat_tail.json"


@torch.no_grad()
def run_with_heads(model, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits ``[B, T, O]`` and the row the (first) read head weights most, ``[B, T]``.

    Steps the model by hand (``initial_state`` / ``step``, as its ``forward`` does) so as to keep
    only the read head's argmax rows: a full trace holds the memory at every step (GBs at B = 1024).
    """
    state = model.initial_state(x.shape[0])
    logits, read_rows = [], []
    for x_t in x.transpose(0, 1).contiguous():
        out, state, _ = model.step(x_t, state)
        logits.append(out)
        read_rows.append(state.weights[:, 0].argmax(-1))  # read head 0 (weights: read heads first)
    return torch.stack(logits, 1), torch.stack(read_rows, 1)


def stops(marker_up: torch.Tensor, length: int) -> list[int | None]:
    """Complete copies before the end marker first goes up, per sequence (``None``: never).

    ``marker_up`` ``[B, R*L + 1]``: the marker above 0.5 at each scored step (answer steps, end step).
    """
    first = marker_up.float().argmax(1)
    return [int(f) // length if up else None for f, up in zip(first.tolist(), marker_up.any(1).tolist())]


def measure(model, task, length: int, repeats: int, sequences: int, seed: int) -> dict:
    """Every number of one setting on ``sequences`` fresh sequences drawn with ``seed``."""
    batch = task.sample(sequences, torch.Generator().manual_seed(seed), length=length, repeats=repeats)
    logits, read_rows = run_with_heads(model, batch.x)
    bits, steps = task.bits, repeats * length
    scored = slice(length + 1, length + 2 + steps)  # the R*L answer steps and the end step (all mask 1)
    wrong = ((logits > 0).float() != batch.y).float()[:, scored]  # [B, R*L + 1, bits + 1]
    copy_wrong = wrong[:, :steps, :bits].sum(-1).reshape(sequences, repeats, length).sum(-1)  # [B, R]
    marker_wrong = wrong[..., bits].sum(-1)  # [B]
    total = copy_wrong.sum(1) + marker_wrong
    stop = stops(logits[:, scored, bits] > 0, length)
    # The marker's logit at the step after k complete copies (k = 1..R; k = R is the end step).
    after_copy = logits[:, length + 1 + length * torch.arange(1, repeats + 1), bits]  # [B, R]
    # Does copy k read the same rows, step for step, as copy 1 did? (Copy 1 is right in and near the
    # training range; the write head's argmax rows are no clean reference: it smears the first vectors.)
    path = read_rows[:, length + 1 : length + 1 + steps].reshape(sequences, repeats, length)
    on_row = (path == path[:, :1]).float()
    stopped = torch.tensor([repeats if s is None else s for s in stop])  # copies done before the stop
    before = torch.arange(repeats)[None, :] < stopped[:, None]  # [B, R]: copy k+1 finished before it
    return {
        "length": length,
        "repeats": repeats,
        "sequences": sequences,
        "seed": seed,
        "bit_errors": float(total.mean()),
        "copy_errors": float(copy_wrong.sum(1).mean()),
        "marker_errors": float(marker_wrong.mean()),
        "perfect": float((total == 0).float().mean()),
        "copies_perfect": float((copy_wrong.sum(1) == 0).float().mean()),
        "marker_perfect": float((marker_wrong == 0).float().mean()),
        "worst_bit_errors": float(total.max()),
        "stops": {
            ("never" if k is None else str(k)): n
            for k, n in sorted(Counter(stop).items(), key=lambda kv: -1 if kv[0] is None else kv[0])
        },
        "per_copy": copy_wrong.mean(0).tolist(),
        "copy_errors_before_stop": _mean_where(copy_wrong, before),  # per copy made before the marker
        "copy_errors_after_stop": _mean_where(copy_wrong, ~before),  # per copy asked for after it
        "marker_logit_after_copy": after_copy.mean(0).tolist(),
        "read_path_as_copy_1": on_row.mean((0, 2)).tolist(),
    }


@torch.no_grad()
def count_probe(model, task, fit_max: int, sequences: int = 128, seed: int = 500, top: int = 30) -> dict:
    """How the controller holds the count: its state (h, c) just after the delimiter step, for L = 10
    and R = 1..``top``, read out by a least-squares linear probe fitted on R <= ``fit_max`` (the
    model's training range). A state linear in R would be decoded as R beyond ``fit_max`` too; a
    decoded value below R means the count bends (saturates) outside the range the model learned."""
    states, counts = [], []
    for repeats in range(1, top + 1):
        batch = task.sample(sequences, torch.Generator().manual_seed(seed + repeats), length=10, repeats=repeats)
        state = model.initial_state(sequences)
        for x_t in batch.x[:, :11].transpose(0, 1):  # the 10 vectors and the delimiter (with R / 10)
            _, state, _ = model.step(x_t, state)
        states.append(torch.cat(state.controller, -1))
        counts.append(torch.full((sequences,), float(repeats)))
    x, y = torch.cat(states).double(), torch.cat(counts).double()
    x = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], 1)
    fit = y <= fit_max
    w = torch.linalg.lstsq(x[fit], y[fit, None]).solution
    decoded = (x @ w).squeeze(1)
    return {
        "fit_max": fit_max,
        "sequences": sequences,
        "seed": seed,
        "decoded": [float(decoded[y == r].mean()) for r in range(1, top + 1)],
    }


def _mean_where(values: torch.Tensor, where: torch.Tensor) -> float | None:
    """Mean of ``values`` over the entries where ``where`` holds (``None`` if there are none)."""
    return float(values[where].mean()) if bool(where.any()) else None


def load_run(name: str, folder: str | None):
    """Model and training task of a shipped checkpoint, a further run, or a run folder."""
    run = Path(folder) if folder else pretrained.folder(name)
    config = checkpoint.load_config(run)
    return checkpoint.load_model(run).eval(), make_task(config["task"], **config["task_config"]), config


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sequences", type=int, default=1024)
    p.add_argument("--seed", type=int, default=20261202)
    p.add_argument("--out", default=str(OUT))
    p.add_argument(
        "--probe", action="store_true", help="only add the count probe (count_probe) of every run already in --out"
    )
    p.add_argument(
        "--run",
        nargs="*",
        default=None,
        help="NAME=DIR (or NAME= for a shipped name): measure only these and keep the other runs "
        "of --out if they were measured on the same sequences",
    )
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    if args.probe:
        return add_probes(Path(args.out))
    runs = dict(r.split("=", 1) for r in args.run) if args.run else {k: None for k in DEFAULT_RUNS}
    result = {
        "sequences": args.sequences,
        "seed": args.seed,
        "seed_rule": "seed + 1000 * L + R (the same batch for every checkpoint)",
        "runs": {},
    }
    old = json.loads(Path(args.out).read_text()) if args.run and Path(args.out).is_file() else {}
    if old.get("sequences") == args.sequences and old.get("seed") == args.seed:
        result["runs"] = old["runs"]
    command = "OMP_NUM_THREADS=1 .venv/bin/python bench/repeat_tail.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    for name, folder in runs.items():
        model, task, config = load_run(name, folder or None)
        start = time.time()
        # Every run is measured on the shipped task's encoding (its repeat_scale), whatever its range.
        rows = [
            measure(
                model,
                make_task("repeat_copy", **{k: v for k, v in config["task_config"].items() if k == "repeat_scale"}),
                length,
                repeats,
                args.sequences,
                args.seed + 1000 * length + repeats,
            )
            for length, repeats in SETTINGS
        ]
        result["runs"][name] = {
            "task_config": config["task_config"],
            "command": command,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "wall_s": round(time.time() - start, 1),
            "cpu_s": round(time.process_time(), 1),
            "load_average": [round(v, 2) for v in os.getloadavg()],
            "rows": rows,
        }
        print(f"{name}: {time.time() - start:.0f} s", file=sys.stderr)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print_tables(result)
    return result


def add_probes(out: Path) -> dict:
    """Add ``count_probe`` (fitted on each run's training range of repeats) to every run in ``out``."""
    result = json.loads(out.read_text())
    for name, run in result["runs"].items():
        model, _, config = load_run(name, None)
        fit_max = config["task_config"].get("max_repeats", 10)
        run["count_probe"] = count_probe(model, make_task("repeat_copy"), fit_max)
        print(name, " ".join(f"{r}: {v:.1f}" for r, v in enumerate(run["count_probe"]["decoded"], 1)))
    out.write_text(json.dumps(result, indent=1) + "\n")
    return result


def print_tables(result: dict) -> None:
    """The markdown table of ``bench/repeat_tail.md``."""
    names = list(result["runs"])
    print(
        f"{result['sequences']} fresh sequences per setting (seed {result['seed']} + 1000 L + R); "
        + "; ".join(
            f"{n}: {m['date']}, {m['wall_s']:.0f} s, load {m['load_average'][0]}" for n, m in result["runs"].items()
        )
        + "\n"
    )
    print(
        "| L | R | "
        + " | ".join(f"{n}: bit errors / seq (copies + marker) | perfect | stops after k copies" for n in names)
        + " |"
    )
    print("|---:|---:|" + "---:|---:|---|" * len(names))
    for i, row in enumerate(result["runs"][names[0]]["rows"]):
        cells = []
        for n in names:
            r = result["runs"][n]["rows"][i]
            top = sorted(r["stops"].items(), key=lambda kv: -kv[1])[:3]
            cells += [
                f"{r['bit_errors']:.2f} ({r['copy_errors']:.2f} + {r['marker_errors']:.2f})",
                f"{100 * r['perfect']:.1f} %",
                ", ".join(f"{k}: {v}" for k, v in top),
            ]
        print(f"| {row['length']} | {row['repeats']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
