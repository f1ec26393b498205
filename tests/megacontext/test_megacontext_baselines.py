"""The readers MegaContext-lite is compared with (cached soft read, flat top-k), the against-T measurements
and the table builders."""

from __future__ import annotations

import pytest
import torch

from ntm_minimal.megacontext import Reader, build_levels, experiments, tables
from ntm_minimal.megacontext.content_read import correct
from ntm_minimal.megacontext.gistnet import BLOCK, GistNet
from ntm_minimal.megacontext.read_strategies import cache_keys, read_all, read_cached, read_top_blocks, top_k_for_budget
from ntm_minimal.megacontext.train import load
from ntm_minimal.tasks.long_recall import LongRecallTask


def _batch(length=2048, b=3, seed=0):
    lay = LongRecallTask(length=length, facts=8).sample_layout(b, torch.Generator().manual_seed(seed))
    return lay, lay.batch.x, lay.batch.x[:, -1], lay.batch.y[:, -1]


def test_cached_keys_give_the_soft_read():
    reader = Reader(16, 8, beta=7.0)
    _, x, q, _ = _batch()
    assert torch.allclose(read_cached(reader, cache_keys(reader, x), q), read_all(reader, x, q), atol=1e-4)
    # One cached stream answers a batch of queries about it.
    one = read_cached(reader, cache_keys(reader, x[:1]), q.flip(0))
    assert torch.allclose(one, read_all(reader, x[:1].expand(3, -1, -1), q.flip(0)), atol=1e-4)


def test_top_blocks_reads_the_best_blocks_and_the_tail():
    reader = Reader(16, 8)
    lay, x, q, y = _batch()
    gists = GistNet(x.shape[2], kind="mean")
    lod1 = build_levels(x, gists)[1]
    # With the answer's block forced to the top (its gist replaced by the fact itself), the read
    # over k blocks + tail equals the read over exactly those tokens.
    ans = lay.answer_steps[:, 0]
    lod1 = lod1.clone()
    lod1[torch.arange(3), ans // BLOCK] = x[torch.arange(3), ans]
    out = read_top_blocks(reader, cache_keys(reader, x), cache_keys(reader, lod1), q, k=2, tail=64)
    assert out.blocks.shape == (3, 2) and bool((out.blocks == (ans // BLOCK)[:, None]).any(1).all())
    steps = torch.cat(
        [
            (out.blocks[..., None] * BLOCK + torch.arange(BLOCK)).reshape(3, -1),
            torch.arange(2048 - 64, 2048).expand(3, -1),
        ],
        1,
    )
    picked = x.gather(1, steps[..., None].expand(-1, -1, x.shape[2]))
    assert torch.allclose(out.logits, reader.logits(q, picked), atol=1e-4)
    assert bool(correct(out.logits, y).all())
    with pytest.raises(ValueError, match="k"):
        read_top_blocks(reader, cache_keys(reader, x), cache_keys(reader, lod1), q, k=0, tail=64)
    with pytest.raises(ValueError, match="query"):
        read_cached(reader, cache_keys(reader, x), q[:, :5])


def test_top_k_fills_the_budget():
    assert top_k_for_budget(4095, 512, 64) == (512 - (4095 - (4095 - 64) // 32 * 32)) // 32
    assert top_k_for_budget(4095, 512, 64) * 32 + 95 <= 512
    with pytest.raises(ValueError, match="w_max"):
        top_k_for_budget(4095, 100, 64)
    assert experiments.scaled_edits(512) * experiments.PASSES * 31 >= 2 * 512


def test_fact_queries_ask_each_fact():
    lay, x, _, _ = _batch(b=2)
    memory, query, target, answer = experiments.fact_queries(lay)
    assert memory.shape == (2, 2047, 26) and query.shape == (2, 8, 26) and target.shape == (2, 8, 8)
    rows = torch.arange(2)[:, None]
    assert torch.equal(query[..., :16], x[rows, answer, :16]) and bool((query[..., -1] == 1).all())
    assert torch.equal(target, x[rows, answer, 16:24])


def test_against_t_runs_small_and_the_tables_show_it():
    models = load()
    acc = experiments.accuracy_against_length({"a": models, "b": models}, [2048], [256], streams=1, facts=8)
    cell = acc["cells"][0]
    assert cell["queries"] == 8 and cell["accuracy"]["A"]["n"] == 2
    assert cell["accuracy"]["A"]["mean"] == cell["accuracy"]["A_cached"]["mean"]  # same read, same answers
    assert cell["accuracy"]["oracle"]["mean"] == 1.0 and cell["selection"]["oracle"]["mean"] == 1.0
    text = tables.accuracy_table(acc, 256).to_text()
    assert "flat top-k" in text and "2^11" in text
    cost = experiments.cost_over_runs({"a": models, "b": models}, [2048], [256], repeats=1)
    row = cost["rows"][0]
    assert cost["runs"] == ["a", "b"] and set(row["runs"]) == {"a", "b"}
    assert row["A"]["flops"] > row["top_k"]["flops"] > 0 and row["C"]["cpu_ms"] > 0
    # The same models on the same stream: the same counted FLOPs in both runs.
    assert row["runs"]["a"]["C_scaled"]["flops"] == row["runs"]["b"]["C_scaled"]["flops"] == row["C_scaled"]["flops"]
    assert "C scaled" in tables.cost_table(cost, 256, "flops").to_text()
    with pytest.raises(ValueError, match="w_max"):
        tables.cost_table(cost, 999)
    with pytest.raises(ValueError, match="field"):
        tables.cost_table(cost, 256, "watts")


def _cost_run(scale, drop_c=False, cells=((2048, 256), (4096, 256))):
    """A fake cost_against_length result: every value of the run times ``scale``."""
    rows = []
    for t, w in cells:
        row = {"T": t, "W_max": w, "ingest_cpu_us_per_token": 2.0 * scale}
        for i, name in enumerate(("A", "top_k", "C_scaled")):
            if name == "C_scaled" and drop_c:
                continue
            row[name] = {"cpu_ms": scale * (i + 1) * t / 1024, "flops": 1000.0 * (i + 1) * t, "peak_MiB": 0.5 * scale}
        rows.append(row)
    return {"repeats": 3, "readers": experiments.READERS, "rows": rows}


def test_cost_over_runs_keeps_each_run_and_its_spread():
    joined = experiments.join_cost_runs({"s0": _cost_run(1.0), "s1": _cost_run(3.0), "s2": _cost_run(2.0, True)})
    assert joined["runs"] == ["s0", "s1", "s2"] and joined["repeats"] == 3
    row = next(r for r in joined["rows"] if r["T"] == 4096)
    assert row["runs"]["s1"]["A"]["cpu_ms"] == 12.0 and "C_scaled" not in row["runs"]["s2"]
    assert row["A"]["cpu_ms"] == pytest.approx(8.0)  # the mean of 4, 12, 8, where a single run puts its value
    assert row["A"]["spread"]["cpu_ms"] == {"mean": pytest.approx(8.0), "min": 4.0, "max": 12.0, "n": 3}
    assert row["C_scaled"]["spread"]["cpu_ms"]["n"] == 2  # only the runs that measured it
    assert row["C_scaled"]["cpu_ms"] == pytest.approx(24.0)
    assert row["A"]["spread"]["flops"]["min"] == row["A"]["spread"]["flops"]["max"] == row["A"]["flops"]
    assert row["ingest_cpu_us_per_token"] == pytest.approx(4.0)
    text = tables.cost_table(joined, 256, "cpu_ms").to_text()
    assert "8 [4, 12]" in text and "over 3 training runs" in text
    assert "4.1e+06" in tables.cost_table(joined, 256, "flops").to_text()  # equal in every run: the value alone
    single = tables.cost_table(_cost_run(1.0), 256, "cpu_ms").to_text()
    assert "[" not in single and "training runs" not in single
    with pytest.raises(ValueError, match="same cells"):
        experiments.join_cost_runs({"a": _cost_run(1.0), "b": _cost_run(1.0, cells=((2048, 256),))})
    with pytest.raises(ValueError, match="at least one"):
        experiments.join_cost_runs({})


def test_the_cost_plot_shades_the_spread_over_runs():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import PolyCollection

    from ntm_minimal.plotting import megacontext as mcplot

    joined = experiments.join_cost_runs({"s0": _cost_run(1.0), "s1": _cost_run(3.0)})
    fig = mcplot.plot_cost_against_t(joined, 256)
    shaded = [c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(shaded) == 3 * 3  # three readers in each of the three panels
    assert "3 training runs" not in fig._suptitle.get_text() and "2 training runs" in fig._suptitle.get_text()
    one = mcplot.plot_cost_against_t(_cost_run(1.0), 256)  # a single run: lines only
    assert not [c for ax in one.axes for c in ax.collections if isinstance(c, PolyCollection)]


def test_a_reader_measured_later_joins_the_runs_cells():
    models = {k: v for k, v in load().items() if k != "lensnet_curriculum"}
    old = experiments.accuracy_against_length({"a": models, "b": models}, [2048], [256], streams=1, facts=8)
    assert "C_curriculum" not in old["cells"][0]["accuracy"]  # no run has a curriculum LensNet
    extra = dict(models, lensnet_curriculum=models["lensnet"])
    new = experiments.accuracy_against_length({"a": extra}, [2048], [256], streams=1, facts=8, readers=["C_curriculum"])
    assert set(new["cells"][0]["accuracy"]) == {"C_curriculum"}
    merged = experiments.merge_runs(old, new)
    cell = merged["cells"][0]
    # The same LensNet in the same allocator gives C scaled's answers; the other readers are kept.
    same = cell["runs"]["a"]["accuracy"]["C_scaled"]
    assert cell["accuracy"]["C_curriculum"] == {"mean": same, "min": same, "max": same, "n": 1}
    assert cell["accuracy"]["A"]["n"] == 2 and set(cell["runs"]["b"]["accuracy"]) == set(old["cells"][0]["accuracy"])
    assert "C curriculum" in tables.accuracy_table(merged, 256).to_text()
    with pytest.raises(ValueError, match="readers"):
        experiments.accuracy_against_length({"a": models}, [2048], [256], streams=1, facts=8, readers=["D"])
