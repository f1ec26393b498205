"""MegaContext-lite against the NTM's soft read, side by side in one run (chapter 15's numbers).

Four measurements (``ntm_minimal.megacontext.experiments``), all with the shipped GistNet, LensNet
and reader (``ntm_minimal/checkpoints/megacontext``):

1. per-query wall time and peak extra memory against ``T`` for (A) the soft read over all tokens and
   (C) MegaContext-lite (LensNet + 3 refocus passes + read), with log-log slopes;
2. accuracy and selection recall against ``W_max / T`` for A, B (recency), C, oracle and random;
3. the gist-vs-token substitution gap (answer's block at LOD0 / LOD1 / LOD2);
4. allocator churn on the streaming task: with and without cooldown, and with the NTM's Eq. 7, 8, 9
   applied to the focus scores.

5. accuracy and selection recall against ``T`` (``2^12 .. 2^20``) at ``W_max`` 512 and 2048 for every
   reader of ``experiments.READERS``, for the shipped run and the further training seeds
   (``checkpoints/megacontext/seed*``): mean and spread over runs;
6. CPU (process) time, counted matrix-multiply FLOPs and peak extra memory per query of the same readers,
   for the same runs: each run's values and mean and spread over runs.

Usage: ``OMP_NUM_THREADS=1 .venv/bin/python bench/megacontext.py [--json ntm_minimal/results/megacontext.json]``
(default sizes: a few minutes on 2 cores; ``--max-log2-t 20`` is the default top length).
``--against-t ntm_minimal/results/megacontext_against_t.json`` runs parts 5-6 only and writes them there
(about 15 minutes on one core). ``--readers C_curriculum --run-dirs RUN`` measures only the reader with
the run's curriculum LensNet (``RUN/curriculum``, from ``lens_training --curriculum-max-t``) and joins it
to the run's cells.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ntm_minimal.megacontext import experiments  # noqa: E402
from ntm_minimal.megacontext import tables as mc_tables  # noqa: E402
from ntm_minimal.megacontext.train import DEFAULT_DIR, load, load_runs  # noqa: E402
from ntm_minimal.tables import Table  # noqa: E402


def _table(rows, columns, formats) -> str:
    """Aligned text of ``rows`` (dicts) in ``columns``, formatted with ``formats`` (``".2f"`` style)."""
    return Table(columns, [[r[c] for c in columns] for r in rows], formats=formats).to_text()


def _machine() -> dict:
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "processor": platform.processor() or platform.machine(),
    }


def against_t(args, argv) -> dict:
    """Parts 5-6: every reader against T at two budgets (all training runs), and its cost per query."""
    t0 = time.process_time()
    runs = load_runs(args.checkpoint) if not (args.run_dirs or args.merge) else {}
    for folder in args.run_dirs or []:
        models = load(folder)
        runs[f"seed {models['config']['settings']['seed']}"] = models
    lengths = [2**k for k in range(args.min_log2_t_acc, args.max_log2_t + 1, args.log2_step)]
    budgets = [512, 2048]
    # Each part keeps its own command, so the two parts can run (and be re-run) separately.
    out = json.loads(args.against_t.read_text()) if args.against_t.exists() else {}
    command = "python bench/megacontext.py " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.merge:  # accuracy results of other runs, measured by separate invocations into their own files
        for path in args.merge:
            other = json.loads(Path(path).read_text())["accuracy"]
            out["accuracy"] = experiments.merge_runs(out["accuracy"], other)
        out["accuracy"]["commands"].append(command)
        args.against_t.write_text(json.dumps(out, indent=1) + "\n")
        for w in sorted({c["W_max"] for c in out["accuracy"]["cells"]}):
            print(mc_tables.accuracy_table(out["accuracy"], w).to_text(), "\n")
        return out
    if "accuracy" in args.parts:
        readers = args.readers.split(",") if args.readers else None
        new = experiments.accuracy_against_length(runs, lengths, budgets, streams=args.streams, readers=readers)
        new.update(commands=[command], machine=_machine(), cpu_seconds=round(time.process_time() - t0, 1))
        # Runs measured by separate invocations (--run-dirs) join the same cells.
        joins = "accuracy" in out and (args.run_dirs or readers)
        out["accuracy"] = experiments.merge_runs(out["accuracy"], new) if joins else new
        print(f"5. Accuracy against T ({args.streams * 16} queries per cell; mean [min, max] over runs {list(runs)})")
        for w in budgets:
            print(mc_tables.accuracy_table(out["accuracy"], w).to_text(), "\n")
    if "cost" in args.parts:
        t1 = time.process_time()
        out["cost"] = experiments.cost_over_runs(runs, lengths, budgets, repeats=args.repeats)
        out["cost"].update(command=command, machine=_machine(), cpu_seconds=round(time.process_time() - t1, 1))
        print(
            f"6. Cost per query, one stream, batch 1 (median CPU time of {args.repeats} calls; "
            f"mean [min, max] over runs {list(runs)})"
        )
        for field in ("cpu_ms", "flops", "peak_MiB"):
            for w in budgets:
                print(mc_tables.cost_table(out["cost"], w, field).to_text(), "\n")
    print(f"total {round(time.process_time() - t0, 1)} s of CPU time")
    args.against_t.parent.mkdir(parents=True, exist_ok=True)
    args.against_t.write_text(json.dumps(out, indent=1) + "\n")
    return out


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, default=DEFAULT_DIR)
    p.add_argument("--min-log2-t", type=int, default=10)
    p.add_argument("--max-log2-t", type=int, default=20)
    p.add_argument("--log2-step", type=int, default=2)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--sweep-t", type=int, default=16384)
    p.add_argument("--sweep-batch", type=int, default=128)
    p.add_argument("--stream-batch", type=int, default=32)
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    p.add_argument("--against-t", type=Path, default=None, help="run parts 5-6 only and write them here")
    p.add_argument("--min-log2-t-acc", type=int, default=12, help="shortest T of parts 5-6")
    p.add_argument("--streams", type=int, default=16, help="streams per cell of part 5 (16 queries each)")
    p.add_argument(
        "--run-dirs",
        type=Path,
        nargs="*",
        default=None,
        help="with --against-t: measure these runs only and add them to the JSON's accuracy cells",
    )
    p.add_argument(
        "--merge",
        type=Path,
        nargs="*",
        default=None,
        help="with --against-t: add the accuracy runs of these JSON files to it (nothing is measured)",
    )
    p.add_argument(
        "--readers",
        default=None,
        help="with --against-t: measure only these readers (comma-separated names of experiments.READERS) "
        "and add them to the runs' cells",
    )
    p.add_argument(
        "--parts", default="accuracy,cost", help="with --against-t: accuracy, cost or both (comma-separated)"
    )
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    if args.against_t:
        return against_t(args, argv)
    models = load(args.checkpoint)
    t0 = time.time()
    lengths = [2**k for k in range(args.min_log2_t, args.max_log2_t + 1, args.log2_step)]
    if lengths[-1] != 2**args.max_log2_t:
        lengths.append(2**args.max_log2_t)
    out = {
        "command": "python bench/megacontext.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": _machine(),
    }
    out["scaling"] = experiments.scaling(models, lengths, repeats=args.repeats)
    print(
        "1. Per query, one stream (A: soft read over all T tokens; C: LensNet + 3 refocus passes + read, W_max = 2048);"
    )
    print(f"   wall times: fastest and median of {args.repeats} calls, A and C in turns; cpu: fastest process time")
    print(
        _table(
            out["scaling"]["rows"],
            [
                "T",
                "A_ms",
                "C_ms",
                "A_median_ms",
                "C_median_ms",
                "A_cpu_ms",
                "C_cpu_ms",
                "A_peak_MiB",
                "C_peak_MiB",
                "tree_MiB",
                "ingest_s_per_token",
            ],
            {
                "A_ms": ".2f",
                "C_ms": ".2f",
                "A_median_ms": ".2f",
                "C_median_ms": ".2f",
                "A_cpu_ms": ".2f",
                "C_cpu_ms": ".2f",
                "A_peak_MiB": ".2f",
                "C_peak_MiB": ".2f",
                "tree_MiB": ".1f",
                "ingest_s_per_token": ".2e",
            },
        )
    )
    s = out["scaling"]["slopes"]
    print(
        f"log-log slopes for T >= {out['scaling']['slopes_from_T']}: wall time A {s['A_ms']:.2f}, C {s['C_ms']:.2f}; "
        f"cpu time A {s['A_cpu_ms']:.2f}, C {s['C_cpu_ms']:.2f}; "
        f"peak memory A {s['A_peak_MiB']:.2f}, C {s['C_peak_MiB']:.2f}\n"
    )

    budgets = [128, 256, 512, 1024, 2048]
    out["budget_sweep"] = experiments.budget_sweep(models, args.sweep_t, budgets, batch=args.sweep_batch)
    print(
        f"2. Accuracy (all 8 value bits right) vs W_max / T, T = {args.sweep_t}, {args.sweep_batch} queries, 16 facts"
    )
    sweep_columns = ["W_max", "W_over_T", "A", "B", "C", "oracle", "random"]
    sweep_columns += ["C_selection", "oracle_selection", "random_selection", "C_edits"]
    sweep_formats = {k: ".3f" for k in sweep_columns[1:-1]} | {"C_edits": ".1f"}
    print(_table(out["budget_sweep"]["rows"], sweep_columns, sweep_formats))
    print()
    out["substitution_gap"] = experiments.substitution_gap(models)
    gap_rows = [
        {"gists": k.split("_")[0], "answer at": k.split("_")[1].upper(), **v}
        for k, v in out["substitution_gap"]["results"].items()
    ]
    print("3. Substitution gap: reader loss (nats) with the answer's block at each level, T = 4096")
    print(_table(gap_rows, ["gists", "answer at", "nll", "accuracy", "n"], {"nll": ".3f", "accuracy": ".3f"}))
    print()
    out["streaming"] = experiments.streaming(models, batch=args.stream_batch)
    st = out["streaming"]
    print(
        f"4. Streaming recall: T = {st['T']}, {st['batch']} streams, a query every {st['query_every']} tokens "
        f"({st['queries']} refocuses), W_max = {st['w_max']}, switch probability {st['switch']}"
    )
    print(
        _table(
            st["rows"],
            [
                "variant",
                "accuracy",
                "accuracy_change",
                "accuracy_change_se",
                "worst_stream_accuracy",
                "selection_recall",
                "edits_per_refocus",
                "flips_per_refocus",
                "fragments",
            ],
            {
                k: ".3f"
                for k in (
                    "accuracy",
                    "accuracy_change",
                    "accuracy_change_se",
                    "worst_stream_accuracy",
                    "selection_recall",
                    "edits_per_refocus",
                    "flips_per_refocus",
                    "fragments",
                )
            },
        )
    )
    print("accuracy_change: against 'no cooldown', paired by stream; _se: its standard error over the streams")
    out["seconds"] = round(time.time() - t0, 1)
    print(f"\ntotal {out['seconds']} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
