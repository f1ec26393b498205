"""The shipped MegaContext-lite models load, and the chapter's claims about them hold on fresh data."""

from __future__ import annotations

import torch

from ntm_minimal.megacontext import experiments
from ntm_minimal.megacontext.train import DEFAULT_DIR, load


def test_shipped_models_load_with_their_command_and_label_cost():
    models = load()
    cfg = models["config"]
    assert cfg["command"].startswith("python -m ntm_minimal.megacontext.train")
    assert cfg["label_forward_passes"]["mean"] > 1
    assert (DEFAULT_DIR / "metrics.csv").read_text().count("\n") > 10
    assert not any(m.training for k, m in models.items() if k != "config")


def test_claims_hold_on_a_fresh_batch():
    models = load()
    with torch.no_grad():
        gap = experiments.substitution_gap(models, batch=96, seed=123)["results"]
        sweep = experiments.budget_sweep(models, 4096, [256], batch=64, seed=321)["rows"][0]
    # Learned LOD1 gists mostly substitute for their tokens; mean pooling and LOD2 gists do not.
    assert gap["learned_lod0"]["accuracy"] > 0.95 and gap["learned_lod1"]["accuracy"] > 0.8
    assert gap["mean_lod1"]["accuracy"] < 0.1 and gap["learned_lod2"]["accuracy"] < 0.1
    # The soft read over everything answers; the recency window cannot; MegaContext-lite mostly can.
    assert sweep["A"] > 0.95 and sweep["B"] < 0.2 and sweep["C"] > 0.8 and sweep["C_selection"] > 0.8
    assert sweep["oracle"] >= sweep["C"] > sweep["random"]


def test_scaling_and_streaming_measurements_run_small():
    models = load()
    sc = experiments.scaling(models, [1024, 2048], w_max=256, repeats=1)
    assert [r["T"] for r in sc["rows"]] == [1024, 2048] and set(sc["slopes"]) == {
        "A_ms",
        "C_ms",
        "A_cpu_ms",
        "C_cpu_ms",
        "A_peak_MiB",
        "C_peak_MiB",
    }
    assert all(r["A_peak_MiB"] > 0 and r["C_peak_MiB"] > 0 for r in sc["rows"])
    variants = {"no cooldown": {"cooldown": 0}, "cooldown 2": {"cooldown": 2}, "oracle": {"scorer": "oracle"}}
    st = experiments.streaming(models, length=2048, batch=3, w_max=256, query_every=128, facts=8, variants=variants)
    first, _, oracle = st["rows"]
    assert first["accuracy_change"] == 0.0 and len(first["stream_accuracy"]) == 3
    per_stream = torch.tensor(oracle["stream_accuracy"]) - torch.tensor(first["stream_accuracy"])
    assert abs(oracle["accuracy_change"] - per_stream.mean().item()) < 1e-6
    assert abs(oracle["accuracy_change_se"] - (per_stream.std() / 3**0.5).item()) < 1e-6


def test_peak_extra_bytes_sees_a_temporary():
    x = torch.ones(1024, 1024)
    assert 4 * 2**20 <= experiments.peak_extra_bytes(lambda: (x * 2).sum()) < 5 * 2**20  # one 4 MiB temporary
    assert 7.9 * 2**20 < experiments.peak_extra_bytes(lambda: (x * 2 + 1).sum()) < 9 * 2**20  # two alive at once


def test_trainer_cli_writes_a_loadable_run(tmp_path):
    from ntm_minimal.megacontext import train

    train.main(
        [
            "--out",
            str(tmp_path),
            "--gist-steps",
            "2",
            "--lens-steps",
            "1",
            "--length",
            "2048",
            "--batch",
            "2",
            "--log-every",
            "1",
        ]
    )
    run = load(tmp_path)
    assert run["config"]["settings"]["gist_steps"] == 2 and run["config"]["label_forward_passes"]["mean"] > 1
    assert (tmp_path / "metrics.csv").read_text().splitlines()[0].startswith("phase,step")


def test_trainer_needs_out_and_refuses_the_shipped_folder(tmp_path, capsys):
    import pytest

    from ntm_minimal.megacontext import train

    with pytest.raises(SystemExit):
        train.main([])
    assert "--out" in capsys.readouterr().err
    for out in (DEFAULT_DIR, DEFAULT_DIR / "sub"):
        with pytest.raises(SystemExit):
            train.main(["--out", str(out), "--gist-steps", "1", "--lens-steps", "1"])
        assert "shipped" in capsys.readouterr().err
    with pytest.raises(ValueError, match="out"):
        train.save(DEFAULT_DIR, {}, None)


def test_recorded_command_comes_from_the_parsed_settings(tmp_path):
    from ntm_minimal.megacontext import train

    args = train.parser().parse_args(["--out", str(tmp_path), "--seed", "7"])
    cmd = train.command_line(args)
    assert (
        cmd.startswith("python -m ntm_minimal.megacontext.train ") and "--seed 7" in cmd and f"--out {tmp_path}" in cmd
    )
    # Repeating the recorded command parses back to the same settings.
    again = train.parser().parse_args(cmd.split()[3:])
    assert vars(again) == vars(args)
