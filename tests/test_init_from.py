"""``--init-from``: a new run that starts from another run's weights (e.g. a shipped checkpoint
fine-tuned on longer sequences), with a fresh optimizer, recorded in its config.json."""
from __future__ import annotations

import pytest
import torch
from safetensors.torch import load_file

from ntm_minimal import checkpoint
from ntm_minimal.train import main

TINY = ["--task", "copy", "--controller-size", "8", "--memory-n", "8", "--memory-m", "4", "--batch-size", "4",
        "--eval-every", "2", "--eval-batch-size", "4", "--eval-grid", '[{"length": 5}]', "--grid-batch-size", "4",
        "--no-progress", "--device", "cpu", "--no-compile"]


def test_a_run_starts_from_another_runs_weights(tmp_path):
    main([*TINY, "--task-config", '{"max_len": 3}', "--steps", "2", "--out", str(tmp_path / "base")])
    # No steps to take: the new run's weights are exactly the source's, whatever its seed.
    main([*TINY, "--task-config", '{"max_len": 6}', "--steps", "1", "--lr", "1e-12", "--seed", "7",
          "--init-from", str(tmp_path / "base"), "--out", str(tmp_path / "tuned")])
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
        main([*TINY, "--steps", "2", "--memory-n", "16", "--init-from", str(tmp_path / "base"),
              "--out", str(tmp_path / "other")])
