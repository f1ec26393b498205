"""Hard examples: a batch part made of the hardest of a pool of fresh sequences, scored
by their smallest signed logit (``metrics.min_signed_margin``)."""

from __future__ import annotations

import pytest
import torch
from conftest import tiny_cli

from ntm_minimal import NTM, checkpoint
from ntm_minimal.metrics import min_signed_margin
from ntm_minimal.tasks import CopyTask
from ntm_minimal.tasks.base import Batch
from ntm_minimal.train import main
from ntm_minimal.training import TrainConfig, Trainer


def _model(seed=0):
    torch.manual_seed(seed)
    return NTM(9, 8, controller_size=8, memory_n=8, memory_m=4)


def test_min_signed_margin_matches_a_float64_loop_and_ignores_unscored_steps():
    b = CopyTask(max_len=4).sample(5, torch.Generator().manual_seed(0))
    logits = torch.randn(b.y.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * 3
    batch = Batch(b.x.double(), b.y.double(), b.mask.double())
    want = []
    for i in range(5):
        signed = [
            float(logits[i, t, k]) * (1 if batch.y[i, t, k] > 0.5 else -1)
            for t in range(logits.shape[1])
            if batch.mask[i, t] > 0
            for k in range(logits.shape[2])
        ]
        want.append(min(signed))
    assert min_signed_margin(logits, batch).tolist() == want
    empty = batch._replace(mask=torch.zeros_like(batch.mask))
    assert torch.isinf(min_signed_margin(logits, empty)).all()


def test_the_batch_is_the_random_part_plus_the_hardest_of_the_pool():
    task, config = CopyTask(max_len=6), TrainConfig(batch_size=6, hard_pool=20, hard_examples=4, progress=False)
    trainer = Trainer(_model(), task, config)
    got = trainer.sample()
    # The same draw by hand: 2 random sequences, then a pool of 20 scored by the untrained model.
    whole = task.sample(2 + 20, torch.Generator().manual_seed(config.seed))
    with torch.no_grad():
        margins = min_signed_margin(trainer.model(whole.x[2:]), Batch(*(t[2:] for t in whole)))
    chosen = margins.argsort()[:4].sort().values + 2
    want = Batch(*(t[torch.cat([torch.arange(2), chosen])] for t in whole))
    for g, w in zip(got, want):
        assert torch.equal(g, w)
    left_out = torch.ones(20, dtype=torch.bool)
    left_out[chosen - 2] = False
    assert margins[chosen - 2].max() <= margins[left_out].min()  # nothing left out was harder


def test_hard_examples_change_the_update_and_a_batch_can_be_all_hard():
    task = CopyTask(max_len=4)
    states = {}
    for pool, hard in [(0, 0), (12, 3), (8, 4)]:
        trainer = Trainer(_model(), task, TrainConfig(batch_size=4, hard_pool=pool, hard_examples=hard, progress=False))
        cost, errors = trainer.train_step()
        assert trainer.sequences == 4 and cost > 0
        states[pool] = trainer.model.state_dict()
    for pool in (12, 8):
        assert any(not torch.equal(states[0][k], states[pool][k]) for k in states[0])


@pytest.mark.parametrize(
    "settings",
    [
        dict(hard_pool=8),
        dict(hard_examples=2),
        dict(hard_pool=4, hard_examples=5),
        dict(hard_pool=64, hard_examples=17),
        dict(hard_pool=-1, hard_examples=0),
        dict(hard_pool=8, hard_examples=True),
        dict(hard_pool=8.0, hard_examples=2),
    ],
)
def test_train_config_rejects_bad_hard_example_settings(settings):
    with pytest.raises(ValueError, match="hard_"):
        TrainConfig(batch_size=16, **settings)


def test_the_cli_records_hard_examples_and_a_resumed_run_continues_exactly(tmp_path):
    tiny = tiny_cli("--seed", "3", "--hard-pool", "16", "--hard-examples", "2", grid_length=3)
    main([*tiny, "--steps", "4", "--out", str(tmp_path / "whole")])
    config = checkpoint.load_config(tmp_path / "whole")
    assert (config["train"]["hard_pool"], config["train"]["hard_examples"]) == (16, 2)
    assert "--hard-pool 16 --hard-examples 2" in config["command"]
    main([*tiny, "--steps", "2", "--out", str(tmp_path / "part")])
    main(["--resume", str(tmp_path / "part"), "--steps", "4"])
    a = checkpoint.load_model(tmp_path / "whole").state_dict()
    b = checkpoint.load_model(tmp_path / "part").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
