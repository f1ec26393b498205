"""ntm_minimal.dnc.compare: fresh-data errors with their spread, and rows read from the shipped files."""

from __future__ import annotations

import math

import pytest
import torch

from ntm_minimal import checkpoint, pretrained
from ntm_minimal.dnc import compare
from ntm_minimal.tasks import make_task


def test_spread_of_known_errors():
    s = compare.spread(torch.tensor([0.0, 0.0, 2.0, 6.0]))
    assert s.sequences == 4 and s.mean == 2.0 and s.worst == 6.0 and s.perfect == 0.5
    assert s.se == pytest.approx(math.sqrt(((4 + 4 + 0 + 16) / 3) / 4))
    assert str(s) == "2.000 ± 1.414 / 6 / 50.0%"


@pytest.mark.parametrize("bad", [torch.tensor([1.0]), torch.zeros(2, 3), [0.0, 1.0]])
def test_spread_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="errors"):
        compare.spread(bad)


def test_fresh_errors_are_seeded_sized_and_keep_the_mode():
    model = checkpoint.load_model(pretrained.folder("dnc_demo_copy")).train()
    cfg = checkpoint.load_config(pretrained.folder("dnc_demo_copy"))
    task = make_task(cfg["task"], **cfg["task_config"])
    a = compare.fresh_errors(model, task, 3, count=40, chunk=16, length=5)
    b = compare.fresh_errors(model, task, 3, count=40, chunk=16, length=5)
    c = compare.fresh_errors(model, task, 4, count=40, chunk=16, length=20)
    assert a.shape == (40,) and torch.equal(a, b) and model.training
    assert c.mean() > a.mean()  # 20 vectors do not fit into the 16 rows it trained with
    with pytest.raises(ValueError, match="count"):
        compare.fresh_errors(model, task, 3, count=0)


def test_fresh_errors_pass_a_task_setting_named_sequences_to_the_task():
    """memory_reuse has a sample setting ``sequences``; it must reach the task, not the count."""
    folder = pretrained.folder("dnc_demo_reuse")
    cfg = checkpoint.load_config(folder)
    model, task = checkpoint.load_model(folder), make_task(cfg["task"], **cfg["task_config"])
    errors = compare.fresh_errors(model, task, 3, sequences=2)
    assert errors.shape == (compare.FRESH_SEQUENCES,)


def test_grid_entry_takes_the_fewest_rows_and_says_when_missing():
    result = {
        "grid": [
            {"length": 20, "memory_n": 64, "bit_errors": 2.0},
            {"length": 20, "memory_n": 32, "bit_errors": 1.0},
            {"length": 10, "bit_errors": 0.0},
        ]
    }
    assert compare.grid_entry(result, {"length": 20})["memory_n"] == 32
    assert compare.grid_entry(result, {"length": 10})["bit_errors"] == 0.0
    assert compare.grid_entry(result, {"length": 30}) is None and compare.grid_entry({}, {"length": 10}) is None


def test_comparison_reads_the_shipped_files():
    header, rows = compare.comparison("copy")
    assert [r[0] for r in rows] == list(compare.MODELS) and all(len(r) == len(header) for r in rows)
    dnc = rows[-1]
    result = pretrained.eval_results("copy_dnc")
    assert dnc[1] == f"{result['parameters']:,}" and dnc[2].startswith(f"{result['heldout']['bit_errors']:.3f}")
    assert dnc[4].startswith(f"{result['wall_s'] / result['steps']:.3f}")
    with pytest.raises(ValueError, match="task"):
        compare.comparison("no_such_task")


def test_variant_row_names_the_fixes_of_each_run():
    shipped = compare.variant_row("shipped", "repeat_copy_dnc")
    first = compare.variant_row("first", "repeat_copy_dnc_curriculum")
    assert shipped[1] == "D, M, S" and first[1] == "none"
    assert shipped[-1] != "not reached" and first[-1] == "not reached"
    assert float(shipped[-2]) < 0.1 < float(first[-2])


def test_grid_text_gives_the_spread_where_the_row_has_it():
    plain = {"bit_errors": 0.5, "batch_size": 256}
    full = {**plain, "bit_errors_se": 0.1, "bit_errors_worst": 7.0, "perfect_share": 0.75, "batch_size": 1024}
    assert compare.grid_text(plain) == "0.50 bit errors per sequence (mean of 256)"
    assert compare.grid_text(full) == "0.50 ± 0.10 bit errors per sequence (worst 7, 75.0 % of 1,024 perfect)"
    with pytest.raises(ValueError, match="row"):
        compare.grid_text({"cost_bits": 1.0})


def test_sequences_at_weights_reads_the_step_of_the_shipped_weights():
    short = "priority_sort_dnc_short"  # a keep_best run whose best weights came before its last step
    result, log = pretrained.eval_results(short), pretrained.metrics(short)
    seen = pretrained.sequences_at_weights(short)
    assert seen < result["sequences"]
    assert seen == result.get("model_step") * pretrained.config(short)["train"]["batch_size"]
    assert seen in [int(s) for s in log["sequences"]]


def test_sequences_at_weights_adds_the_run_the_weights_started_from():
    config, log = pretrained.config("priority_sort_dnc"), pretrained.metrics("priority_sort_dnc")
    assert config["init_from"]["run"].endswith("priority_sort_dnc_short")
    own = int(
        log["sequences"][
            [int(s) for s in log["step"]].index(pretrained.eval_results("priority_sort_dnc")["model_step"])
        ]
    )
    assert pretrained.sequences_at_weights("priority_sort_dnc") == own + pretrained.sequences_at_weights(
        "priority_sort_dnc_short"
    )
