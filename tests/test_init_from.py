"""``--init-from``: a new run that starts from another run's weights (e.g. a shipped checkpoint
fine-tuned on longer sequences), with a fresh optimizer, recorded in its config.json."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from conftest import tiny_cli
from safetensors.torch import load_file

from ntm_minimal import checkpoint, pretrained
from ntm_minimal.evaluation import evaluate
from ntm_minimal.tasks import make_task
from ntm_minimal.train import main

TINY = tiny_cli(max_len=None)


def test_a_run_starts_from_another_runs_weights(tmp_path):
    main([*TINY, "--task-config", '{"max_len": 3}', "--steps", "2", "--out", str(tmp_path / "base")])
    # No steps to take: the new run's weights are exactly the source's, whatever its seed.
    main(
        [
            *TINY,
            "--task-config",
            '{"max_len": 6}',
            "--steps",
            "1",
            "--lr",
            "1e-12",
            "--seed",
            "7",
            "--init-from",
            str(tmp_path / "base"),
            "--out",
            str(tmp_path / "tuned"),
        ]
    )
    base, tuned = (load_file(str(tmp_path / d / checkpoint.MODEL_FILE)) for d in ("base", "tuned"))
    assert base.keys() == tuned.keys()
    assert all(torch.allclose(base[k], tuned[k], atol=1e-9) for k in base)
    config = checkpoint.load_config(tmp_path / "tuned")
    assert config["init_from"]["run"] == str(tmp_path / "base") and config["init_from"]["steps"] == 2
    assert config["init_from"]["command"] == checkpoint.load_config(tmp_path / "base")["command"]
    assert config["task_config"] == {"max_len": 6} and "--init-from" in config["command"]


def test_init_from_needs_the_same_model(tmp_path):
    main([*TINY, "--steps", "2", "--out", str(tmp_path / "base")])
    with pytest.raises(SystemExit, match="init-from"):
        main(
            [
                *TINY,
                "--steps",
                "2",
                "--memory-n",
                "16",
                "--init-from",
                str(tmp_path / "base"),
                "--out",
                str(tmp_path / "other"),
            ]
        )


FINE_TUNED = "copy_ft50"  # the shipped copy model fine-tuned on lengths 1..50 (bench/copy_tail.md)


def regrid_against_copy(run, lengths) -> dict[int, dict]:
    """Re-measure a copy fine-tune's ``eval.json`` grid at ``lengths`` and check that no grid length
    is worse than the shipped copy model's; returns the grid rows by length."""
    config, result = checkpoint.load_config(run), checkpoint.load_eval(run)
    model, task = checkpoint.load_model(run), make_task(config["task"])
    rows = {row["length"]: row for row in result["grid"]}
    for length in lengths:
        row = rows[length]
        again = evaluate(model, task, [{"length": length}], row["batch_size"], row["seed"])[0]
        assert again["cost_bits"] == pytest.approx(row["cost_bits"], rel=1e-4, abs=1e-3)
        assert again["bit_errors"] == pytest.approx(row["bit_errors"], abs=1e-6)
    base = {row["length"]: row for row in pretrained.eval_results("copy")["grid"]}
    assert rows.keys() == base.keys()
    assert all(rows[n]["bit_errors"] <= base[n]["bit_errors"] for n in rows)
    return rows


def test_fine_tuned_copy_reproduces_its_grid_and_beats_its_start():
    """Its eval.json is re-measured at L = 50 and 120 (1,024 sequences each), and every length of its
    grid has fewer bit errors than the checkpoint it started from."""
    run = pretrained.folder(FINE_TUNED)
    assert Path(checkpoint.load_config(run)["init_from"]["run"]).parts[-2:] == pretrained.folder("copy").parts[-2:]
    rows = regrid_against_copy(run, (50, 120))
    assert all(rows[n]["bit_errors"] == 0 for n in rows if n <= 60) and rows[120]["bit_errors"] < 0.3
