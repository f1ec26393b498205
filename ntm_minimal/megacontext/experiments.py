"""The measurements of chapter 15 (run by ``bench/megacontext.py``; the chapter reads its JSON).

Each function draws fresh data from its own seed, runs the readers side by side on the same batch
and returns plain dicts of numbers:

* :func:`scaling` — per-query wall time and peak extra memory of reader (A) and MegaContext-lite (C)
  against ``T``, plus the tree's ingest time;
* :func:`budget_sweep` — accuracy and selection recall against ``W_max / T`` for readers A-D;
* :func:`substitution_gap` — the reader's loss with the answer's block at LOD0, LOD1 or LOD2;
* :func:`streaming` — churn, flip-flops, fragmentation and accuracy of allocator variants
  (cooldown, Eq. 7 interpolation, Eq. 8 shift, Eq. 9 sharpening) on the streaming task;
* :func:`accuracy_against_length` — every reader (:data:`READERS`) at ``T`` up to ``2^20`` and two
  budgets, for several trained runs (mean and spread over runs);
* :func:`cost_against_length` — CPU (process) time, counted matrix-multiply FLOPs and peak extra
  memory per query of the same readers.
"""

from __future__ import annotations

import copy
import math
import statistics
import time

import torch
from torch.profiler import ProfilerActivity, profile
from torch.utils.flop_counter import FlopCounterMode

from ..tasks.long_recall import LongRecallTask, StreamingRecallTask
from .content_read import correct, nll
from .focus_allocator import FocusConfig, apply_edit
from .gistnet import BLOCK, GistNet
from .read_strategies import (
    answer_at_lod0,
    cache_keys,
    covers,
    read_all,
    read_cached,
    read_focused,
    read_recent,
    read_top_blocks,
    top_k_for_budget,
)
from .stream import run_stream
from .tree import MegaContextTree, build_levels
from .working_context import assemble, coarse_cover, minimal_entries


def peak_extra_bytes(fn) -> int:
    """Peak of the memory ``fn()`` allocates beyond what exists before it (torch profiler events)."""
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = []
    for e in prof.events():
        if e.name == "[memory]" and e.cpu_memory_usage < 0:
            events.append((e.time_range.start, e.cpu_memory_usage))
        elif e.name != "[memory]" and e.self_cpu_memory_usage > 0:
            events.append((e.time_range.start, e.self_cpu_memory_usage))  # an op's own allocations (not its children's)
    total = peak = 0
    for _, delta in sorted(events):
        total += delta
        peak = max(peak, total)
    return peak


def _timed_in_turns(fns: dict, repeats: int) -> dict:
    """Wall and CPU (process) times of each function, called in turns (a busy machine slows them
    alike): ``{name: {"wall": [s...], "cpu": [s...]}}``. CPU time does not count the time other
    processes held the cores, so it is the steadier measure on a shared machine."""
    times = {name: {"wall": [], "cpu": []} for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[name]["wall"].append(time.perf_counter() - t0)
            times[name]["cpu"].append(time.process_time() - c0)
    return times


def loglog_slope(xs, ys) -> float:
    """Least-squares slope of ``log y`` against ``log x``."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


@torch.no_grad()
def scaling(models, lengths, w_max: int = 2048, repeats: int = 7, seed: int = 0) -> dict:
    """(A) vs (C) per query, one stream, ``T`` in ``lengths``; C refocuses 3 passes then reads.
    Times: fastest (and median) of ``repeats`` calls made in turns."""
    reader, gistnet, lensnet = models["reader"], models["gistnet"], models["lensnet"]
    rows = []
    config = FocusConfig(w_max=w_max)
    for length in lengths:
        lay = LongRecallTask(length=length, facts=16).sample_layout(1, torch.Generator().manual_seed(seed + length))
        x, q = lay.batch.x, lay.batch.x[:, -1]
        tree = MegaContextTree(gistnet, 1, x.shape[2])
        t0 = time.perf_counter()
        tree.append(x)
        ingest = time.perf_counter() - t0
        levels = tree.levels()
        run_a = lambda: read_all(reader, x, q)  # noqa: E731
        run_c = lambda: read_focused(reader, levels, q, config, "lens", lensnet)  # noqa: E731
        run_a(), run_c()  # warm up
        times = _timed_in_turns({"A": run_a, "C": run_c}, repeats)
        # The fastest of the repeats is the cost without interference from other work on the machine.
        rows.append(
            {
                "T": length,
                "ingest_s_per_token": ingest / length,
                "A_ms": 1e3 * min(times["A"]["wall"]),
                "C_ms": 1e3 * min(times["C"]["wall"]),
                "A_median_ms": 1e3 * statistics.median(times["A"]["wall"]),
                "C_median_ms": 1e3 * statistics.median(times["C"]["wall"]),
                "A_cpu_ms": 1e3 * min(times["A"]["cpu"]),
                "C_cpu_ms": 1e3 * min(times["C"]["cpu"]),
                "A_peak_MiB": peak_extra_bytes(run_a) / 2**20,
                "C_peak_MiB": peak_extra_bytes(run_c) / 2**20,
                "tree_MiB": sum(lv.numel() * lv.element_size() for lv in levels) / 2**20,
            }
        )
    big = [r for r in rows if r["T"] >= 2**14]
    big = big if len(big) >= 2 else rows  # the slope needs two lengths
    keys = ("A_ms", "C_ms", "A_cpu_ms", "C_cpu_ms", "A_peak_MiB", "C_peak_MiB")
    slopes = {k: loglog_slope([r["T"] for r in big], [r[k] for r in big]) for k in keys}
    return {"w_max": w_max, "repeats": repeats, "rows": rows, "slopes_from_T": big[0]["T"], "slopes": slopes}


@torch.no_grad()
def budget_sweep(models, length: int, budgets, batch: int = 128, facts: int = 16, seed: int = 1) -> dict:
    """Accuracy (all value bits right) and selection recall of A-D for each ``W_max`` on one batch."""
    reader, gistnet, lensnet = models["reader"], models["gistnet"], models["lensnet"]
    lay = LongRecallTask(length=length, facts=facts).sample_layout(batch, torch.Generator().manual_seed(seed))
    x, q, y, answer = lay.batch.x, lay.batch.x[:, -1], lay.batch.y[:, -1], lay.answer_steps[:, 0]
    levels = build_levels(x, gistnet)
    acc_a = correct(read_all(reader, x, q), y).float().mean().item()
    rows = []
    for w_max in budgets:
        config = FocusConfig(w_max=w_max)
        row = {
            "W_max": w_max,
            "W_over_T": w_max / length,
            "A": acc_a,
            "B": correct(read_recent(reader, x, q, w_max), y).float().mean().item(),
        }
        for name, scorer in (("C", "lens"), ("oracle", "oracle"), ("random", "random")):
            out = read_focused(reader, levels, q, config, scorer, lensnet, answer, torch.Generator().manual_seed(seed))
            hit = correct(out.logits, y)
            row[name] = hit.float().mean().item()
            row[f"{name}_selection"] = answer_at_lod0(out.units, answer, length).float().mean().item()
            row[f"{name}_edits"] = torch.stack(out.edits).float().sum(0).mean().item()
        rows.append(row)
    return {"T": length, "batch": batch, "facts": facts, "rows": rows}


def _answer_at(units, answer, length, level: int):
    """Refine the answer's unit (expanding) until it sits at ``level``."""
    for _ in range(2):
        hit = covers(units, answer, length, BLOCK)
        slot = hit.float().argmax(1)
        lvl = units.level.gather(1, slot[:, None])[:, 0]
        units = apply_edit(units, slot, (lvl > level).long(), step=0)
    return units


@torch.no_grad()
def substitution_gap(
    models, length: int = 4096, batch: int = 256, facts: int = 16, w_max: int = 512, seed: int = 2
) -> dict:
    """Reader loss and accuracy with the answer's block at LOD0, LOD1 or LOD2, for the learned
    GistNet and for mean pooling; everything else is the coarse cover. LOD2 rows: only the queries
    whose answer lies in a LOD2 group of the coarse cover."""
    reader = models["reader"]
    lay = LongRecallTask(length=length, facts=facts).sample_layout(batch, torch.Generator().manual_seed(seed))
    x, q, y, answer = lay.batch.x, lay.batch.x[:, -1], lay.batch.y[:, -1], lay.answer_steps[:, 0]
    base = coarse_cover(batch, length, 64, w_max)
    in_lod2 = (covers(base, answer, length, BLOCK) & (base.level == 2)).any(1)
    out = {}
    for name, gistnet in (("learned", models["gistnet"]), ("mean", GistNet(x.shape[2], kind="mean"))):
        levels = build_levels(x, gistnet)
        for level in (0, 1, 2):
            units = _answer_at(base, answer, length, level)
            keep = in_lod2 if level == 2 else torch.ones(batch, dtype=torch.bool)
            e = assemble(units, *levels)
            logits = reader.logits(q, e.embedding, e.valid)
            out[f"{name}_lod{level}"] = {
                "nll": nll(logits, y)[keep].mean().item(),
                "accuracy": correct(logits, y)[keep].float().mean().item(),
                "n": int(keep.sum()),
            }
    return {"T": length, "batch": batch, "facts": facts, "results": out}


#: Allocator variants of the streaming comparison: name -> FocusConfig overrides (and scorer).
VARIANTS = {
    "no cooldown": {"cooldown": 0},
    "cooldown 2": {"cooldown": 2},
    "Eq.7 g=0.5": {"cooldown": 0, "gate": 0.5},
    "Eq.7 g=0.25": {"cooldown": 0, "gate": 0.25},
    "Eq.8 [.25,.5,.25]": {"cooldown": 0, "kernel": (0.25, 0.5, 0.25)},
    "Eq.9 gamma=2": {"cooldown": 0, "gamma": 2.0},
    "Eq.9 gamma=4": {"cooldown": 0, "gamma": 4.0},
    "oracle": {"cooldown": 0, "scorer": "oracle"},
    "random": {"cooldown": 0, "scorer": "random"},
}


@torch.no_grad()
def streaming(
    models,
    length: int = 8192,
    batch: int = 32,
    w_max: int = 512,
    query_every: int = 64,
    facts: int = 32,
    switch: float = 0.25,
    seed: int = 3,
    variants=None,
) -> dict:
    """Every allocator variant on the same streaming batch; per-variant means and the worst stream."""
    task = StreamingRecallTask(length=length, facts=facts, warmup=1024, query_every=query_every, switch=switch)
    lay = task.sample_layout(batch, torch.Generator().manual_seed(seed))
    rows = []
    for name, settings in (variants or VARIANTS).items():
        settings = dict(settings)
        scorer = settings.pop("scorer", "lens")
        config = FocusConfig(w_max=w_max, **settings)
        t0 = time.perf_counter()
        log = run_stream(
            lay,
            models["gistnet"],
            models["reader"],
            config,
            scorer,
            models["lensnet"],
            torch.Generator().manual_seed(seed),
        )
        per_stream = log.correct.float().mean(0)  # [B]
        row = {
            "variant": name,
            **log.summary(),
            "worst_stream_accuracy": per_stream.min().item(),
            "stream_accuracy": per_stream.tolist(),
            "seconds": time.perf_counter() - t0,
        }
        rows.append(row)
    # Paired by stream (every variant sees the same streams): mean accuracy change against the first
    # variant and its standard error over streams.
    first = torch.tensor(rows[0]["stream_accuracy"])
    for row in rows:
        diff = torch.tensor(row["stream_accuracy"]) - first
        row["accuracy_change"] = diff.mean().item()
        row["accuracy_change_se"] = (diff.std() / math.sqrt(diff.numel())).item() if diff.numel() > 1 else float("nan")
    return {
        "T": length,
        "batch": batch,
        "w_max": w_max,
        "query_every": query_every,
        "facts": facts,
        "switch": switch,
        "queries": int(lay.query_steps.shape[1]),
        "rows": rows,
    }


#: The readers of the accuracy/cost-against-T comparison (name -> what it is).
READERS = {
    "A": "soft read over all T tokens (keys recomputed per query)",
    "A_cached": "soft read over all T tokens, keys cached once",
    "B": "recency window: soft read over the last W_max tokens",
    "top_k": "flat top-k: the tokens of the k best-matching LOD1 blocks + the tail (k fills W_max)",
    "C": "MegaContext-lite, 3 passes of at most 4 edits",
    "C_scaled": "MegaContext-lite, 3 passes, edit budget scaled with W_max",
    "oracle": "allocator with oracle scores (scaled edit budget)",
    "random": "allocator with random scores (scaled edit budget)",
    "C_curriculum": "MegaContext-lite, edits scaled, LensNet trained on a curriculum over T (runs that have one)",
}
#: Refocus passes of every allocator reader here (two reach a token inside a LOD2 gist).
PASSES = 3


def scaled_edits(w_max: int, block: int = BLOCK, passes: int = PASSES) -> int:
    """Edits per refocus that could fill ``w_max`` twice over in ``passes`` refocuses (an expansion adds ``block - 1``)."""
    return -(-2 * w_max // ((block - 1) * passes))


def fact_queries(layout):
    """A query for every fact of every stream: memory ``[B, T-1, C]`` (the stream before its query),
    queries ``[B, F, C]``, targets ``[B, F, V]`` and answer steps ``[B, F]``."""
    x, facts = layout.batch.x, layout.fact_steps
    b, t, c = x.shape
    kb = int(layout.batch.y.shape[-1])  # value bits; key bits follow from the channel count
    key_bits = c - 2 - kb
    rows = torch.arange(b)[:, None]
    fact = x[rows, facts]  # [B, F, C]
    query = torch.zeros_like(fact)
    query[..., :key_bits] = fact[..., :key_bits]
    query[..., -1] = 1.0
    return x[:, : t - 1], query, fact[..., key_bits : key_bits + kb], facts


def _focus_configs(w_max: int) -> dict:
    """Allocator readers: name -> (config, scorer kind, the run's model that scores)."""
    scaled = FocusConfig(w_max=w_max, max_edits=scaled_edits(w_max))
    return {
        "C": (FocusConfig(w_max=w_max), "lens", "lensnet"),
        "C_scaled": (scaled, "lens", "lensnet"),
        "oracle": (scaled, "oracle", None),
        "random": (scaled, "random", None),
        "C_curriculum": (scaled, "lens", "lensnet_curriculum"),
    }


def _chunks(n: int, size: int):
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


@torch.no_grad()
def _answers_one_stream(
    models, memory, query, answer, budgets, tail: int, seed: int, chunk: int = 4, readers=None
) -> dict:
    """``{W_max: {"logits": {reader: [F, V]}, "selected": {reader: [F]}}}`` for the queries about one
    stream; the tree and the key caches are built once for all budgets, and A does not depend on W_max.
    ``readers``: the names to measure (default: every reader the run has a model for)."""
    reader, gistnet = models["reader"], models["gistnet"]
    want = set(readers) if readers is not None else set(READERS)
    f, length = query.shape[0], memory.shape[1]
    levels = build_levels(memory, gistnet)
    tokens, gists = cache_keys(reader, memory), cache_keys(reader, levels[1])
    full = {}
    if "A" in want:
        full["A"] = torch.cat(
            [read_all(reader, memory.expand(s.stop - s.start, -1, -1), query[s]) for s in _chunks(f, chunk)]
        )
    if "A_cached" in want:
        full["A_cached"] = read_cached(reader, tokens, query)
    wide = tuple(lv.expand(f, -1, -1) for lv in levels)
    out = {}
    for w_max in budgets:
        logits, selected = dict(full), {}
        if "B" in want:
            logits["B"] = read_recent(reader, memory.expand(f, -1, -1), query, w_max)
        if "top_k" in want:
            top = read_top_blocks(reader, tokens, gists, query, top_k_for_budget(length, w_max, tail), tail)
            logits["top_k"] = top.logits
            selected["top_k"] = (top.blocks == (answer // BLOCK)[:, None]).any(1)
        for name, (config, scorer, model) in _focus_configs(w_max).items():
            if name not in want or (model is not None and model not in models):
                continue
            if minimal_entries(length, config.tail) > w_max:
                continue  # the coarsest cover of this stream does not fit the budget
            res = read_focused(
                reader,
                wide,
                query,
                config,
                scorer,
                models[model] if model else None,
                answer,
                torch.Generator().manual_seed(seed),
                passes=PASSES,
            )
            logits[name] = res.logits
            selected[name] = answer_at_lod0(res.units, answer, length)
        out[w_max] = {"logits": logits, "selected": selected}
    return out


@torch.no_grad()
def accuracy_against_length(
    runs: dict, lengths, budgets, streams: int = 16, facts: int = 16, seed: int = 5, readers=None
) -> dict:
    """Accuracy and selection recall of every reader of :data:`READERS` against ``T``, for each ``W_max``
    in ``budgets`` and each trained run in ``runs`` (name -> models), on the same data for all.

    Each ``T`` draws ``streams`` streams and asks about each of their ``facts`` facts (``streams * facts``
    queries per cell). A reader whose coarsest working context does not fit ``W_max`` gets no entry,
    and so does ``C_curriculum`` in a run without a curriculum LensNet. ``readers``: only these names
    (the data and the other readers' answers do not depend on it).
    """
    if readers is not None and not set(readers) <= set(READERS):
        raise ValueError(f"readers: expected names of READERS {list(READERS)}, got {list(readers)}")
    cells = []
    for length in lengths:
        task = LongRecallTask(length=length, facts=facts)
        lay = task.sample_layout(streams, torch.Generator().manual_seed(seed + length))
        memory, query, target, answer = fact_queries(lay)
        hits = {(w, r): {} for w in budgets for r in runs}
        sel = {(w, r): {} for w in budgets for r in runs}
        for s in range(streams):  # one stream at a time keeps memory at one stream's tokens
            for run, models in runs.items():
                out = _answers_one_stream(
                    models, memory[s : s + 1], query[s], answer[s], budgets, task.tail, seed + s, readers=readers
                )
                for w_max, res in out.items():
                    for name, lg in res["logits"].items():
                        hits[w_max, run].setdefault(name, []).append(correct(lg, target[s]))
                    for name, v in res["selected"].items():
                        sel[w_max, run].setdefault(name, []).append(v)
        for w_max in budgets:
            per_run = {
                run: {
                    "accuracy": {k: torch.cat(v).float().mean().item() for k, v in hits[w_max, run].items()},
                    "selection": {k: torch.cat(v).float().mean().item() for k, v in sel[w_max, run].items()},
                }
                for run in runs
            }
            cell = {"T": length, "W_max": w_max, "queries": streams * facts, "runs": per_run}
            _spreads(cell)
            cells.append(cell)
    return {
        "readers": READERS,
        "streams": streams,
        "facts": facts,
        "passes": PASSES,
        "scaled_edits": {w: scaled_edits(w) for w in budgets},
        "runs": list(runs),
        "cells": cells,
    }


def _spreads(cell: dict) -> None:
    """``cell[kind][reader]``: the spread over the runs that measured the reader (every reader any run has)."""
    for kind in ("accuracy", "selection"):
        names = dict.fromkeys(k for r in cell["runs"].values() for k in r[kind])
        cell[kind] = {k: _spread([r[kind][k] for r in cell["runs"].values() if k in r[kind]]) for k in names}


def merge_runs(old: dict, new: dict) -> dict:
    """:func:`accuracy_against_length` results of the same cells for more runs, or more readers of the same
    runs, joined (a reader measured again replaces its old value; spreads recomputed)."""
    key = lambda c: (c["T"], c["W_max"], c["queries"])  # noqa: E731
    if sorted(map(key, old["cells"])) != sorted(map(key, new["cells"])):
        raise ValueError("new: expected the same cells (T, W_max, queries) as old")
    cells = {key(c): c for c in copy.deepcopy(old["cells"])}  # old is left as it was
    for c in new["cells"]:
        cell = cells[key(c)]
        for run, res in c["runs"].items():
            mine = cell["runs"].setdefault(run, {"accuracy": {}, "selection": {}})
            for kind in ("accuracy", "selection"):
                mine[kind] = {**mine[kind], **res[kind]}
        _spreads(cell)
    runs = list(dict.fromkeys(old["runs"] + new["runs"]))
    return {
        **old,
        "runs": runs,
        "cells": list(cells.values()),
        "commands": old.get("commands", []) + new.get("commands", []),
        "cpu_seconds": old.get("cpu_seconds", 0) + new.get("cpu_seconds", 0),
    }


def _spread(values) -> dict:
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values), "n": len(values)}


def counted_flops(fn) -> int:
    """Matrix-multiply FLOPs of ``fn()`` as ``torch.utils.flop_counter`` counts them (elementwise work not counted)."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


def _cpu_times(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        c0 = time.process_time()
        fn()
        out.append(time.process_time() - c0)
    return out


@torch.no_grad()
def cost_against_length(models, lengths, budgets, repeats: int = 5, seed: int = 9) -> dict:
    """Per query (one stream, batch 1): median CPU (process) time, counted FLOPs and peak extra memory of
    every reader except oracle/random (an allocator's cost is C's without LensNet), and the one-off
    ingest cost per token (tree + key cache)."""
    reader, gistnet, lensnet = models["reader"], models["gistnet"], models["lensnet"]
    rows = []
    for length in lengths:
        lay = LongRecallTask(length=length, facts=16).sample_layout(1, torch.Generator().manual_seed(seed + length))
        memory, query, _, answer = fact_queries(lay)
        q = query[:, 0]
        c0 = time.process_time()
        levels = build_levels(memory, gistnet)
        tokens, gists = cache_keys(reader, memory), cache_keys(reader, levels[1])
        ingest = time.process_time() - c0
        t = memory.shape[1]
        for w_max in budgets:
            fns = {
                "A": lambda: read_all(reader, memory, q),
                "A_cached": lambda: read_cached(reader, tokens, q),
                "B": lambda: read_recent(reader, memory, q, w_max),
            }
            tail = FocusConfig().tail  # the tail every reader keeps at LOD0
            k = top_k_for_budget(t, w_max, tail)
            fns["top_k"] = lambda k=k, tail=tail: read_top_blocks(reader, tokens, gists, q, k, tail)
            for name, (config, _, model) in _focus_configs(w_max).items():
                if model == "lensnet" and minimal_entries(t, config.tail) <= w_max:
                    fns[name] = lambda config=config: read_focused(
                        reader, levels, q, config, "lens", lensnet, passes=PASSES
                    )
            row = {"T": length, "W_max": w_max, "ingest_cpu_us_per_token": 1e6 * ingest / t}
            for name, fn in fns.items():
                fn()  # warm up
                row[name] = {
                    "cpu_ms": 1e3 * statistics.median(_cpu_times(fn, repeats)),
                    "flops": counted_flops(fn),
                    "peak_MiB": peak_extra_bytes(fn) / 2**20,
                }
            rows.append(row)
    return {"repeats": repeats, "readers": READERS, "rows": rows}


#: The per-query cost fields of :func:`cost_against_length` (one value per reader and cell).
COST_FIELDS = ("cpu_ms", "flops", "peak_MiB")


def cost_over_runs(runs: dict, lengths, budgets, repeats: int = 5, seed: int = 9) -> dict:
    """:func:`cost_against_length` for every trained run in ``runs`` (name -> models), on the same data,
    joined by :func:`join_cost_runs`."""
    return join_cost_runs(
        {run: cost_against_length(models, lengths, budgets, repeats, seed) for run, models in runs.items()}
    )


def join_cost_runs(per_run: dict) -> dict:
    """One :func:`cost_against_length` result per run (name -> result) joined cell by cell: each row keeps
    its runs' values (``row["runs"][run][reader][field]``, ``row["runs"][run]["ingest_cpu_us_per_token"]``),
    ``row[reader]["spread"][field]`` is the mean, min and max over the runs that measured the reader, and
    ``row[reader][field]`` (and ``row["ingest_cpu_us_per_token"]``) the mean, as a single run writes it."""
    if not per_run:
        raise ValueError("per_run: expected at least one run")
    key = lambda r: (r["T"], r["W_max"])  # noqa: E731
    results = list(per_run.values())
    order = [key(r) for r in results[0]["rows"]]
    for res in results[1:]:
        if sorted(map(key, res["rows"])) != sorted(order):
            raise ValueError("per_run: expected the same cells (T, W_max) in every run")
    if len({res["repeats"] for res in results}) != 1:
        raise ValueError("per_run: expected the same repeats in every run")
    at = {run: {key(r): r for r in res["rows"]} for run, res in per_run.items()}
    rows = []
    for cell in order:
        mine = {run: at[run][cell] for run in per_run}
        row = {"T": cell[0], "W_max": cell[1]}
        row["runs"] = {run: {k: v for k, v in r.items() if k not in ("T", "W_max", "runs")} for run, r in mine.items()}
        row["ingest_cpu_us_per_token"] = _spread([r["ingest_cpu_us_per_token"] for r in mine.values()])["mean"]
        names = dict.fromkeys(k for r in mine.values() for k, v in r.items() if isinstance(v, dict) and k != "runs")
        for name in names:
            spread = {f: _spread([r[name][f] for r in mine.values() if name in r]) for f in COST_FIELDS}
            row[name] = {f: spread[f]["mean"] for f in COST_FIELDS} | {"spread": spread}
        rows.append(row)
    return {"repeats": results[0]["repeats"], "readers": READERS, "runs": list(per_run), "rows": rows}


@torch.no_grad()
def compare_scorers(
    models, scorers: dict, lengths, w_max: int, streams: int = 8, facts: int = 16, seed: int = 5
) -> dict:
    """Selection recall and accuracy of the allocator (scaled edit budget, :data:`PASSES` passes) with each
    scorer in ``scorers`` (name -> LensNet-like module), the oracle and random scores, on the same queries."""
    config = FocusConfig(w_max=w_max, max_edits=scaled_edits(w_max))
    rows = []
    for length in lengths:
        lay = LongRecallTask(length=length, facts=facts).sample_layout(
            streams, torch.Generator().manual_seed(seed + length)
        )
        memory, query, target, answer = fact_queries(lay)
        hits, sel = {}, {}
        for s in range(streams):
            levels = tuple(lv.expand(facts, -1, -1) for lv in build_levels(memory[s : s + 1], models["gistnet"]))
            runs = {name: ("lens", sc) for name, sc in scorers.items()} | {
                "oracle": ("oracle", None),
                "random": ("random", None),
            }
            for name, (kind, scorer) in runs.items():
                out = read_focused(
                    models["reader"],
                    levels,
                    query[s],
                    config,
                    kind,
                    scorer,
                    answer[s],
                    torch.Generator().manual_seed(seed + s),
                    passes=PASSES,
                )
                hits.setdefault(name, []).append(correct(out.logits, target[s]))
                sel.setdefault(name, []).append(answer_at_lod0(out.units, answer[s], memory.shape[1]))
        for name in hits:
            rows.append(
                {
                    "T": length,
                    "scorer": name,
                    "accuracy": torch.cat(hits[name]).float().mean().item(),
                    "selection": torch.cat(sel[name]).float().mean().item(),
                }
            )
    return {"w_max": w_max, "edits": scaled_edits(w_max), "queries": streams * facts, "rows": rows}
