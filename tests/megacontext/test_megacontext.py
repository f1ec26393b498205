"""MegaContext-lite: tree shapes, allocator invariants, assembly and readers against brute force, bad input."""

from __future__ import annotations

import math

import pytest
import torch

from ntm_minimal.megacontext import (
    FocusConfig,
    GistNet,
    LensNet,
    MegaContextTree,
    Reader,
    assemble,
    build_levels,
    check_cover,
    coarse_cover,
    refocus,
)
from ntm_minimal.megacontext.focus_allocator import apply_edit, fragmentation
from ntm_minimal.megacontext.focus_scores import interpolate_scores, sharpen_scores, shift_scores
from ntm_minimal.megacontext.labels import counterfactual_labels
from ntm_minimal.megacontext.read_strategies import answer_at_lod0, read_all, read_focused, read_recent
from ntm_minimal.megacontext.stream import block_levels, run_stream
from ntm_minimal.megacontext.working_context import Units, extend, minimal_entries, unit_span, wc_length
from ntm_minimal.tasks.long_recall import LongRecallTask, StreamingRecallTask

C = 26  # 16 key bits + 8 value bits + 2 flags


def _tokens(b, t, seed=0):
    return LongRecallTask(length=max(t, 100), facts=4).sample(b, torch.Generator().manual_seed(seed)).x[:, :t]


@pytest.mark.parametrize("length", [31, 32, 33, 1023, 1024, 1025, 2100, 3 * 1024 + 95])
def test_tree_shapes_for_ragged_lengths(length):
    lod0, lod1, lod2 = build_levels(_tokens(2, length), GistNet(C))
    assert lod0.shape == (2, length, C)
    assert lod1.shape == (2, length // 32, C)
    assert lod2.shape == (2, length // 1024, C)


def test_incremental_tree_equals_one_shot_build():
    x, g = _tokens(3, 2150), GistNet(C)
    with torch.no_grad():
        torch.nn.init.normal_(g.correct.weight)  # a non-trivial net
        want = build_levels(x, g)
    tree = MegaContextTree(g, 3, C)
    for chunk in x.split(97, dim=1):
        tree.append(chunk)
    assert tree.length == 2150
    for got, ref in zip(tree.levels(), want):
        torch.testing.assert_close(got, ref)


def test_gistnet_attention_starts_as_a_convex_pooling_and_has_gradients():
    g = GistNet(C)
    blocks = torch.rand(4, 32, C, dtype=torch.float64)
    out = g.double()(blocks)
    assert out.shape == (4, C)
    assert bool((out <= blocks.max(1).values + 1e-12).all() and (out >= blocks.min(1).values - 1e-12).all())
    assert torch.autograd.gradcheck(lambda b: g(b), (blocks[:1].clone().requires_grad_(),))
    torch.testing.assert_close(GistNet(C, kind="mean")(blocks.float()), blocks.float().mean(1))


def _random_refocus_run(length, cfg, steps, seed, grow=0, batch=5):
    gen = torch.Generator().manual_seed(seed)
    units = coarse_cover(batch, length, cfg.tail, cfg.w_max, cfg.block)
    history = []
    for step in range(steps):
        if grow:
            units = extend(units, length, length + grow, cfg.block)
            length += grow
        scores = torch.rand(units.level.shape, generator=gen) * 2 - 1
        before = units
        units, stats = refocus(units, scores, length, cfg, step)
        history.append((before, units, stats, length))
    return history


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("grow", [0, 45])
def test_allocator_keeps_budget_exact_cover_and_alignment(seed, grow):
    cfg = FocusConfig(w_max=300, tail=64, cooldown=1)
    for _before, units, stats, length in _random_refocus_run(5000, cfg, 12, seed, grow):
        check_cover(units, length)  # exact cover, block-aligned, gists only over complete blocks
        assert bool((wc_length(units, length) <= cfg.w_max).all())
        assert bool((stats.edits <= cfg.max_edits).all())
        start, _ = unit_span(units, length)
        assert bool((start[units.valid()] % 32 == 0).all())
        lod2 = units.valid() & (units.level == 2)
        assert bool((start[lod2] % 1024 == 0).all())
        tail_block = (length - cfg.tail) // 32
        assert bool(((units.index >= tail_block) & units.valid() & (units.level > 0) & (units.level < 2)).sum() == 0)


def _block_level_rows(units, length):
    return torch.stack([block_levels(units, length, 32, row) for row in range(units.level.shape[0])])


@pytest.mark.parametrize("cooldown", [0, 1, 3])
def test_cooldown_forbids_reversing_a_recent_edit(cooldown):
    cfg = FocusConfig(w_max=260, tail=64, cooldown=cooldown)
    history = _random_refocus_run(4096, cfg, 14, seed=7)
    last_change = {}  # (row, block) -> (step, direction)
    reversals = 0
    for step, (before, units, _, length) in enumerate(history):
        old, new = _block_level_rows(before, length), _block_level_rows(units, length)
        for row, block in (old != new).nonzero().tolist():
            direction = int(torch.sign(old[row, block] - new[row, block]))  # +1 finer, -1 coarser
            prev = last_change.get((row, block))
            if prev and prev[1] == -direction and step - prev[0] <= cooldown:
                raise AssertionError(f"block {block} of row {row} reversed at step {step}, edited at {prev[0]}")
            reversals += bool(prev and prev[1] == -direction)
            last_change[(row, block)] = (step, direction)
    assert reversals > 0  # random scores do reverse edits once the cooldown has passed


def test_forced_collapses_bring_a_grown_context_back_under_budget():
    cfg = FocusConfig(w_max=200, tail=64)
    units = coarse_cover(2, 2048, 64, 200)
    units, _ = refocus(units, torch.ones(units.level.shape), 2048, cfg, 0)  # fill the budget with expansions
    units = extend(units, 2048, 2048 + 200)
    assert bool((wc_length(units, 2248) > 200).all())
    units, stats = refocus(units, torch.zeros(units.level.shape), 2248, cfg, 1)
    check_cover(units, 2248)
    assert bool((wc_length(units, 2248) <= 200).all()) and bool((stats.forced > 0).all())


def _brute_entries(units, lod0, lod1, lod2, row):
    out, length = [], lod0.shape[1]
    for j in range(int(units.count[row])):
        lvl, idx = int(units.level[row, j]), int(units.index[row, j])
        if lvl == 0:
            out += [lod0[row, t] for t in range(32 * idx, min(32 * idx + 32, length))]
        else:
            out.append((lod1 if lvl == 1 else lod2)[row, idx])
    return torch.stack(out)


def test_assembly_and_reader_match_brute_force():
    x = _tokens(3, 2100, seed=3).double()
    levels = build_levels(x, GistNet(C).double())
    cfg = FocusConfig(w_max=240, tail=64)
    units = _random_refocus_run(2100, cfg, 3, seed=1, batch=3)[-1][1]
    entries = assemble(units, *levels)
    reader = Reader(16, 8).double()
    query = x[:, -1]
    logits = reader.logits(query, entries.embedding, entries.valid)
    beta, alpha = math.exp(reader.log_beta.item()), math.exp(reader.log_alpha.item())
    for row in range(3):
        want = _brute_entries(units, *levels, row)
        n = want.shape[0]
        torch.testing.assert_close(entries.embedding[row, :n], want)
        assert not bool(entries.valid[row, n:].any())
        k = reader.keys(query[row], query=True)
        cos = torch.stack([torch.dot(k, m) / (k.norm() * m.norm()) for m in reader.keys(want)])
        w = torch.softmax(beta * cos, 0)
        r = (w[:, None] * want[:, 16:24]).sum(0)
        torch.testing.assert_close(logits[row], alpha * (2 * r - 1))
    torch.testing.assert_close(read_all(reader, x, query), reader.logits(query, x))
    torch.testing.assert_close(read_recent(reader, x, query, 100), reader.logits(query, x[:, -100:]))


def test_counterfactual_label_matches_an_explicit_edit():
    task = LongRecallTask(length=2048, facts=8)
    lay = task.sample_layout(2, torch.Generator().manual_seed(0))
    x, y = lay.batch.x, lay.batch.y[:, -1]
    levels = build_levels(x, GistNet(C))
    reader = Reader(16, 8)
    units = coarse_cover(2, 2048, 64, 256)
    labels = counterfactual_labels(reader, levels, x[:, -1], y, units, 64)
    assert int(labels.passes[0]) == 1 + int(labels.labelled[0].sum())
    from ntm_minimal.megacontext.content_read import nll

    base = nll(reader.logits(x[:, -1], *assemble(units, *levels)[::4]), y)
    variant = apply_edit(units, torch.tensor([5, 5]), torch.tensor([1, 1]), 0)
    e = assemble(variant, *levels)
    torch.testing.assert_close(labels.delta[:, 5], base - nll(reader.logits(x[:, -1], e.embedding, e.valid), y))


def test_oracle_allocator_puts_the_answer_at_lod0_and_reads_it():
    task = LongRecallTask(length=4096, facts=8)
    lay = task.sample_layout(6, torch.Generator().manual_seed(1))
    levels = build_levels(lay.batch.x, GistNet(C))
    cfg = FocusConfig(w_max=256, tail=64)
    out = read_focused(Reader(16, 8), levels, lay.batch.x[:, -1], cfg, "oracle", answer_step=lay.answer_steps[:, 0])
    assert bool(answer_at_lod0(out.units, lay.answer_steps[:, 0], 4096).all())
    assert bool(((out.logits > 0).float() == lay.batch.y[:, -1]).all())


def test_stream_run_keeps_invariants_and_records_levels():
    task = StreamingRecallTask(length=3000, facts=12, warmup=700, query_every=160)
    lay = task.sample_layout(3, torch.Generator().manual_seed(2))
    cfg = FocusConfig(w_max=200, tail=64)
    log = run_stream(lay, GistNet(C), Reader(16, 8), cfg, "lens", LensNet(16, 8), record=True)
    q = lay.query_steps.shape[1]
    assert log.correct.shape == (q, 3) and log.block_levels.shape[0] == q
    assert int(log.block_levels[-1].ge(0).sum()) == -(-(lay.query_steps[0, -1].item() + 1) // 32)


def test_score_transforms():
    s = torch.tensor([[0.5, -0.2, 0.0, 0.9]])
    torch.testing.assert_close(interpolate_scores(s, torch.full_like(s, float("nan")), 0.3), s)
    torch.testing.assert_close(interpolate_scores(s, torch.zeros_like(s), 0.25), 0.25 * s)
    torch.testing.assert_close(shift_scores(s, [0.0, 1.0, 0.0]), s)
    torch.testing.assert_close(shift_scores(s, [0.0, 0.0, 1.0]), torch.roll(s, 1, -1))
    sharp = sharpen_scores(s, 3.0)
    torch.testing.assert_close(sharp.abs().sum(), s.abs().sum())
    assert bool((torch.sign(sharp) == torch.sign(s)).all()) and sharp[0, 3] > s[0, 3] and sharp[0, 1].abs() < 0.2
    torch.testing.assert_close(sharpen_scores(s, 1.0), s)


def test_fragmentation_counts_lod0_regions():
    cfg = FocusConfig(w_max=512, tail=64)
    units = coarse_cover(1, 4096, 64, 512)
    lod1_slots = (units.level[0] == 1).nonzero()[:, 0]
    for j in (lod1_slots[0], lod1_slots[1], lod1_slots[5]):
        units = apply_edit(units, j.view(1), torch.tensor([1]), 0)
    assert fragmentation(units, 4096, cfg).tolist() == [2]


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="w_max"):
        FocusConfig(w_max=64, tail=64)  # smaller than the protected tail plus a block
    with pytest.raises(ValueError, match="tail"):
        FocusConfig(w_max=512, tail=50)  # not block-aligned
    with pytest.raises(ValueError, match="w_max"):
        coarse_cover(1, 2**20, 64, 512)  # a million tokens need 1024 LOD2 gists
    with pytest.raises(ValueError, match="block"):
        GistNet(C, block=1)
    with pytest.raises(ValueError, match="blocks"):
        GistNet(C)(torch.zeros(2, 31, C))
    with pytest.raises(ValueError, match="block"):
        MegaContextTree(GistNet(C), 1, C, block=16)
    with pytest.raises(ValueError, match="tokens"):
        MegaContextTree(GistNet(C), 2, C).append(torch.zeros(3, 5, C))
    cfg = FocusConfig(w_max=256)
    units = coarse_cover(2, 2048, 64, 256)
    with pytest.raises(ValueError, match="scores"):
        refocus(units, torch.zeros(2, 3), 2048, cfg, 0)
    with pytest.raises(ValueError, match="entries"):
        Reader(16, 8).logits(torch.zeros(2, C), torch.zeros(3, 5, C))
    with pytest.raises(ValueError, match="gamma"):
        sharpen_scores(torch.zeros(1, 3), 0.5)
    broken = units._replace(index=units.index.clone())
    broken.index[0, 1] += 1
    with pytest.raises(ValueError, match="gap|overlap"):
        check_cover(broken, 2048)


def test_minimal_entries_is_the_coarse_cover_length():
    for length in (100, 2048, 5000, 70000):
        units = coarse_cover(1, length, 64, 4096)
        assert int(wc_length(units, length)) == minimal_entries(length, 64)


def test_extreme_scores_stay_finite():
    cfg = FocusConfig(w_max=300, gate=0.5, kernel=[0.25, 0.5, 0.25], gamma=8.0)
    units = coarse_cover(2, 4096, 64, 300)
    for step, value in enumerate((1e30, -1e30, 0.0)):
        units, stats = refocus(units, torch.full(units.level.shape, value), 4096, cfg, step)
        check_cover(units, 4096)
        assert bool(torch.isfinite(units.memo[units.valid()]).all())
    assert isinstance(units, Units)


def test_lensnet_scores_are_signed_bounded_and_a_unit_takes_its_best_entry():
    from ntm_minimal.megacontext.lensnet import unit_scores

    x = _tokens(2, 2100, seed=4)
    levels = build_levels(x, GistNet(C))
    units = _random_refocus_run(2100, FocusConfig(w_max=240), 2, seed=3, batch=2)[-1][1]
    e = assemble(units, *levels)
    lens = LensNet(16, 8)
    s = lens(x[:, -1], e)
    assert s.shape == e.level.shape and bool((s.abs() < 1).all()) and bool((s[~e.valid] == 0).all())
    u = unit_scores(s, e, units.level.shape[1])
    for row in range(2):
        for j in range(int(units.count[row])):
            torch.testing.assert_close(u[row, j], s[row][e.valid[row] & (e.unit[row] == j)].max())
    s.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in lens.parameters())


def test_reader_weights_stay_on_valid_entries_for_a_huge_key_strength():
    # The query's key bits are all 0, as are the padding's (all-zero entries): the padding matches the
    # query better than any valid entry (key bits 1), so a softmax taken before masking would give it
    # all the mass at beta = 1e4 and leave the valid entries 0 after renormalising.
    reader = Reader(16, 8, beta=1e4).double()
    query = torch.zeros(2, reader.channels, dtype=torch.float64)
    query[:, 25] = 1.0  # query flag on
    entries = torch.zeros(2, 5, reader.channels, dtype=torch.float64)
    entries[:, :3, :16] = 1.0
    entries[:, :3, 16:24] = torch.tensor([1.0, 0.0] * 4, dtype=torch.float64)
    valid = torch.tensor([[True, True, True, False, False], [True, True, False, False, False]])
    w = reader.weighting(query, entries, valid)
    assert bool(torch.isfinite(w).all()) and not bool(w[~valid].any())
    torch.testing.assert_close(w.sum(-1), torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(w[0, :3], torch.full((3,), 1 / 3, dtype=torch.float64))
    logits = reader.logits(query, entries, valid)
    assert bool((logits[:, 0] > 0).all()) and bool((logits[:, 1] < 0).all())  # the valid entries' value bits
