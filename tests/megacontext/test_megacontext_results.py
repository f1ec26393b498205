"""The shipped against-T measurements are what chapter 15b says they are, and their runs load."""

from __future__ import annotations

import json

import pytest

from ntm_minimal import pretrained
from ntm_minimal.megacontext import tables
from ntm_minimal.megacontext.experiments import READERS, scaled_edits
from ntm_minimal.megacontext.lens_training import SCORER_FOLDERS, SCORERS
from ntm_minimal.megacontext.train import DEFAULT_DIR, load_runs


def test_accuracy_against_t_covers_every_reader_length_and_budget():
    acc = pretrained.bench_result("megacontext_accuracy")["accuracy"]
    lengths = sorted({c["T"] for c in acc["cells"]})
    assert lengths[0] == 2**12 and lengths[-1] == 2**20 and {c["W_max"] for c in acc["cells"]} == {512, 2048}
    assert all(c["queries"] >= 256 for c in acc["cells"])
    assert acc["scaled_edits"] == {str(w): scaled_edits(w) for w in (512, 2048)}
    for c in acc["cells"]:
        assert set(c["runs"]) == set(acc["runs"])
        assert {"A", "A_cached", "B", "top_k"} <= set(c["accuracy"])
        # The cached read is the same read: the same answers in every run.
        assert all(r["accuracy"]["A"] == r["accuracy"]["A_cached"] for r in c["runs"].values())
        if "oracle" in c["selection"]:  # the hierarchy holds the answer: the oracle always finds it
            assert c["selection"]["oracle"]["min"] == 1.0
        assert set(c["accuracy"]) <= set(READERS)
    # The hierarchy does not fit W_max = 512 from T = 2^19 on (T / 1024 LOD2 gists alone).
    assert not any("C" in c["accuracy"] for c in acc["cells"] if c["W_max"] == 512 and c["T"] >= 2**19)
    assert "flat top-k" in tables.accuracy_table(acc, 2048).to_text()


def test_the_curriculum_lensnet_reader_is_measured_for_every_run_that_has_one():
    acc = pretrained.bench_result("megacontext_accuracy")["accuracy"]
    runs = load_runs(DEFAULT_DIR)
    with_curriculum = [name for name, models in runs.items() if "lensnet_curriculum" in models]
    assert with_curriculum and set(with_curriculum) <= set(acc["runs"])
    for c in acc["cells"]:
        # wherever C fits the budget, so does C curriculum (the same allocator), for each such run
        assert ("C_curriculum" in c["accuracy"]) == ("C_scaled" in c["accuracy"])
        if "C_curriculum" in c["accuracy"]:
            assert c["accuracy"]["C_curriculum"]["n"] == len(with_curriculum)
            assert all("C_curriculum" in c["runs"][r]["accuracy"] for r in with_curriculum)
    assert "C curriculum" in tables.accuracy_table(acc, 2048).to_text()
    for name in with_curriculum:
        folder = DEFAULT_DIR / (f"seed{name.split()[-1]}" if name != "seed 0" else "") / "curriculum"
        info = json.loads((folder / "config.json").read_text())
        assert info["curriculum"]["lengths"][-1] == max(c["T"] for c in acc["cells"])


def test_cost_against_t_and_its_shape():
    cost = pretrained.bench_result("megacontext_against_t")["cost"]
    rows = {(r["T"], r["W_max"]): r for r in cost["rows"]}
    assert max(t for t, _ in rows) == 2**20
    big, small = rows[2**20, 2048], rows[2**12, 2048]
    # Counted FLOPs: the soft read grows with T, the working context does not (a few times, not 256 times).
    assert big["A"]["flops"] > 200 * small["A"]["flops"]
    assert big["C_scaled"]["flops"] < 10 * small["C_scaled"]["flops"]
    assert big["top_k"]["flops"] < big["A_cached"]["flops"]


def test_shipped_runs_and_lensnet_comparison():
    runs = load_runs(DEFAULT_DIR)
    assert len(runs) >= 2 and set(runs) >= set(pretrained.bench_result("megacontext_accuracy")["accuracy"]["runs"])
    lens = pretrained.bench_result("megacontext_lensnets")
    assert set(SCORERS) <= {r["scorer"] for r in lens["rows"]}
    assert all(r["selection"]["min"] == 1.0 for r in lens["rows"] if r["scorer"] == "oracle")
    # Three seeds, each a shipped run folder per scorer whose command names its seed.
    assert len(lens["seeds"]) == 3 and all(r["accuracy"]["n"] == 3 for r in lens["rows"])
    for seed in lens["seeds"]:
        n = int(seed.split()[-1])
        assert f"--seed {n}" in lens["commands"][seed]
        base = DEFAULT_DIR / "lensnets" / (f"seed{n}" if n else "")
        for folder in SCORER_FOLDERS.values():
            assert (base / folder / "lensnet.safetensors").exists()
            assert f"--seed {n}" in json.loads((base / folder / "config.json").read_text())["command"]
        rows = {(r["T"], r["scorer"]): r for r in lens["runs"][seed]}
        for r in lens["rows"]:  # each seed's value lies in the spread
            assert r["accuracy"]["min"] <= rows[r["T"], r["scorer"]]["accuracy"] <= r["accuracy"]["max"]


def test_cost_against_t_measures_every_training_run():
    cost = pretrained.bench_result("megacontext_against_t")["cost"]
    acc = pretrained.bench_result("megacontext_accuracy")["accuracy"]
    assert cost["runs"] == acc["runs"] and len(cost["runs"]) == 3
    assert "--parts cost" in cost["command"]
    for r in cost["rows"]:
        assert set(r["runs"]) == set(cost["runs"])
        names = [n for n in READERS if n in r]
        assert {"A", "A_cached", "B", "top_k"} <= set(names)
        for name in names:
            for field in ("cpu_ms", "flops", "peak_MiB"):
                values = [v[name][field] for v in r["runs"].values()]  # every run measures the same readers
                spread = r[name]["spread"][field]
                assert spread["n"] == 3 and spread["min"] == min(values) and spread["max"] == max(values)
                assert r[name][field] == spread["mean"] == pytest.approx(sum(values) / 3)
            if name in ("A", "A_cached", "B", "top_k"):  # fixed work on the same streams: the same FLOPs
                assert len({v[name]["flops"] for v in r["runs"].values()}) == 1
    text = tables.cost_table(cost, 2048, "cpu_ms").to_text()
    assert "mean [min, max] over 3 training runs" in text
    top = next(r for r in cost["rows"] if r["T"] == 2**20 and r["W_max"] == 2048)
    shown = tables.spread_text(top["C_scaled"]["spread"]["cpu_ms"], fmt=".3g")
    assert "[" in shown and shown in text  # CPU times differ between runs: the table shows the range
