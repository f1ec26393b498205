"""The tables of chapter 15's measurements, built from the shipped JSON (``bench/megacontext.py``).

Each function takes a part of the JSON and returns a :class:`~ntm_minimal.tables.Table`, so the
chapter, the bench's printout and the tests show the same numbers the same way.
"""

from __future__ import annotations

from ..tables import Table

#: Column order and short headers of the readers (the keys of ``experiments.READERS``).
READER_COLUMNS = {
    "A": "A",
    "A_cached": "A cached",
    "B": "B recency",
    "top_k": "flat top-k",
    "C": "C (4 edits)",
    "C_scaled": "C scaled",
    "oracle": "oracle",
    "random": "random",
    "C_curriculum": "C curriculum",
}


def spread_text(cell: dict | None, digits: int = 2, fmt: str | None = None) -> str:
    """``mean [min, max]`` of one reader over runs (only the mean for a single run; ``—`` if absent).
    ``fmt``: a format spec (such as ``".3g"``) used instead of ``digits`` decimals."""
    if cell is None:
        return "—"
    spec = fmt or f".{digits}f"
    if cell["n"] == 1 or format(cell["min"], spec) == format(cell["max"], spec):
        return format(cell["mean"], spec)
    return f"{cell['mean']:{spec}} [{cell['min']:{spec}}, {cell['max']:{spec}}]"


def accuracy_table(result: dict, w_max: int, kind: str = "accuracy") -> Table:
    """One row per ``T``, one column per reader: ``kind`` (``"accuracy"`` or ``"selection"``) at ``w_max``."""
    if kind not in ("accuracy", "selection"):
        raise ValueError(f"kind: expected 'accuracy' or 'selection', got {kind!r}")
    cells = [c for c in result["cells"] if c["W_max"] == w_max]
    if not cells:
        raise ValueError(f"w_max: expected one of {sorted({c['W_max'] for c in result['cells']})}, got {w_max!r}")
    names = [n for n in READER_COLUMNS if any(n in c[kind] for c in cells)]
    rows = [[f"2^{c['T'].bit_length() - 1}"] + [spread_text(c[kind].get(n)) for n in names] for c in cells]
    what = (
        "accuracy (all value bits right)" if kind == "accuracy" else "selection recall (answer's block read as tokens)"
    )
    return Table(
        ["T"] + [READER_COLUMNS[n] for n in names],
        rows,
        caption=f"{what}, W_max = {w_max}, {cells[0]['queries']} queries per T; "
        f"mean [min, max] over {len(result['runs'])} training runs; — : the coarsest cover exceeds W_max",
    )


def cost_table(result: dict, w_max: int, field: str = "cpu_ms") -> Table:
    """One row per ``T``, one column per reader: ``field`` (``cpu_ms``, ``flops`` or ``peak_MiB``) per query;
    ``mean [min, max]`` over the training runs where the rows hold a spread (``experiments.cost_over_runs``)."""
    if field not in ("cpu_ms", "flops", "peak_MiB"):
        raise ValueError(f"field: expected 'cpu_ms', 'flops' or 'peak_MiB', got {field!r}")
    rows = [r for r in result["rows"] if r["W_max"] == w_max]
    if not rows:
        raise ValueError(f"w_max: expected one of {sorted({r['W_max'] for r in result['rows']})}, got {w_max!r}")
    names = [n for n in READER_COLUMNS if any(n in r for r in rows)]

    def text(r: dict, n: str) -> str | None:
        if n not in r:
            return None
        spread = r[n].get("spread", {}).get(field)
        return spread_text(spread if spread else {"mean": r[n][field], "n": 1}, fmt=".3g")

    table_rows = [[f"2^{r['T'].bit_length() - 1}"] + [text(r, n) for n in names] for r in rows]
    what = {
        "cpu_ms": "CPU (process) time per query, ms, median",
        "flops": "matrix-multiply FLOPs per query (counted)",
        "peak_MiB": "peak extra memory per query, MiB",
    }[field]
    runs = result.get("runs", [])
    over = f"mean [min, max] over {len(runs)} training runs; " if len(runs) > 1 else ""
    return Table(
        ["T"] + [READER_COLUMNS[n] for n in names],
        table_rows,
        caption=f"{what}, W_max = {w_max}, one stream, batch 1; {over}empty: not measured (budget too small)",
    )


def lensnet_table(result: dict) -> Table:
    """One row per focus scorer, accuracy and selection recall per ``T`` (``lens_training`` results
    joined over seeds by :func:`~.lens_training.combine_seeds`): ``mean [min, max]`` over the seeds."""
    rows = result["rows"]
    if not rows or not isinstance(rows[0]["accuracy"], dict):
        raise ValueError("result: expected rows joined over seeds (lens_training.combine_seeds)")
    scorers = list(dict.fromkeys(r["scorer"] for r in rows))
    lengths = sorted({r["T"] for r in rows})
    at = {(r["scorer"], r["T"]): r for r in rows}
    return Table(
        ["scorer"] + [f"T=2^{t.bit_length() - 1} {k}" for t in lengths for k in ("acc.", "sel.")],
        [[s] + [spread_text(at[s, t][k]) for t in lengths for k in ("accuracy", "selection")] for s in scorers],
        caption=f"W_max = {result['w_max']}, {result['edits']} edits per pass, {result['queries']} queries per T "
        f"(the same queries for every seed); {result['label_examples']} labelled examples, {result['steps']} steps "
        f"per scorer; mean [min, max] over {len(result['seeds'])} seeds ({', '.join(result['seeds'])}) of the "
        "label set, initialisation and order",
    )
