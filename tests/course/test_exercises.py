"""Every exercise check can pass and can fail.

For each exercise notebook source ``nbsrc/solutions/NAME.py`` (no kernel: the cells are executed
in this process):

* the solution's functions pass their checks;
* the stubs of the generated exercise fail them with :class:`~ntm_minimal.course.runner.CheckFailed`;
* plausible wrong implementations (the mistakes readers make) fail them too.
"""

from __future__ import annotations

import importlib.util
import linecache
import math
import re
from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from ntm_minimal import addressing, memory
from ntm_minimal.course import grade
from ntm_minimal.course import ntm as checks
from ntm_minimal.course import tasks as task_checks
from ntm_minimal.course.runner import CheckFailed
from ntm_minimal.heads import HeadParams
from ntm_minimal.model import NTMState
from ntm_minimal.tasks import Batch

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools" / "notebooks.py")
notebooks_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebooks_tool)

#: Exercise -> the checks its notebook must call (keeps a silently dropped check from passing); the
#: grader reads the same table.
EXERCISES = {name: set(wanted) for name, wanted in grade.EXERCISES.items() if int(name[:2]) <= 12}  # 14+: own tests
CHECK_CALL = re.compile(r"checks\.(check_\w+)\((\w+)\)")
ALL_CHECKS = {
    name: getattr(module, name)
    for module in (checks, task_checks)
    for name in module.__all__
    if name.startswith("check_")
}


def _load(name: str, folder: str) -> tuple[dict, list[tuple[str, str]]]:
    """Execute the set-up-free cells of one generated notebook; return its namespace and check calls.

    Cells tagged ``uses-exercise`` (they call the checks, or the reader's functions) are not run;
    their ``checks.check_x(fn)`` calls are returned as ``(check_x, fn)`` pairs instead.
    """
    nb = notebooks_tool.expected("solutions", name)[folder]
    namespace: dict = {"torch": torch, "__name__": f"{folder}_{name}"}
    calls = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "setup" in tags:
            continue
        if "uses-exercise" in tags:
            calls += CHECK_CALL.findall(cell.source)
            continue
        filename = f"<{folder}/{name}/cell {len(calls)}-{hash(cell.source)}>"
        linecache.cache[filename] = (len(cell.source), None, cell.source.splitlines(True), filename)  # as IPython does:
        exec(compile(cell.source, filename, "exec"), namespace)  # so the rules can read the source
    return namespace, calls


CALLS = [(name, check, fn) for name in EXERCISES for check, fn in _load(name, "solutions")[1]]


def test_every_exercise_calls_its_checks():
    assert set(EXERCISES) == {
        p.stem for p in (ROOT / "nbsrc" / "solutions").glob("*.py") if p.stem[:2].isdigit() and int(p.stem[:2]) <= 12
    }
    for name, wanted in EXERCISES.items():
        assert {check for n, check, _ in CALLS if n == name} == wanted, name


def test_every_check_belongs_to_an_exercise():
    used = set().union(*EXERCISES.values())
    assert used == set(ALL_CHECKS)


@pytest.mark.parametrize("name, check, fn", CALLS, ids=[f"{n}-{c}" for n, c, _ in CALLS])
def test_solution_passes(name, check, fn, capsys):
    namespace, _ = _load(name, "solutions")
    ALL_CHECKS[check](namespace[fn])
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and "not checked" not in out  # the rules were read from the source


@pytest.mark.parametrize("name, check, fn", CALLS, ids=[f"{n}-{c}" for n, c, _ in CALLS])
def test_stub_fails(name, check, fn):
    namespace, _ = _load(name, "exercises")
    with pytest.raises(CheckFailed, match="NotImplementedError"):
        ALL_CHECKS[check](namespace[fn])


# ------------------------------------------------------------------ plausible mistakes


def _outer(w, v):
    """``[B, *H, N]`` x ``[B, *H, M]`` -> ``[B, h, N, M]`` with the head dims flattened."""
    b = w.shape[0]
    return w.reshape(b, -1, w.shape[-1]).unsqueeze(-1) * v.reshape(b, -1, v.shape[-1]).unsqueeze(-2)


def read_one_head_only(memory, w):
    return (w.unsqueeze(-1) * memory).sum(dim=-2)  # broadcasting breaks for [B, H, N]


def read_renormalised(memory, w):
    return torch.einsum("b...n,bnm->b...m", torch.softmax(w, dim=-1), memory)  # w is already a weighting


def erase_keeps(memory, w, e):
    return memory * _outer(w, e).prod(dim=1)  # keeps w e instead of 1 - w e


def erase_sums_heads(memory, w, e):
    return memory * (1 - _outer(w, e).sum(dim=1))  # heads' erases summed, not multiplied


def add_mean_heads(memory, w, a):
    return memory + _outer(w, a).mean(dim=1)


def add_ignores_w(memory, w, a):
    return memory + a.reshape(a.shape[0], -1, a.shape[-1]).sum(dim=1).unsqueeze(1)


def write_add_then_erase(memory, w, e, a):
    return _erase_product(memory + _outer(w, a).sum(dim=1), w, e)


def _erase_product(memory, w, e):
    return memory * (1 - _outer(w, e)).prod(dim=1)


def write_erase_only(memory, w, e, a):
    return _erase_product(memory, w, e)


def cosine_without_norms(key, memory):
    return torch.einsum("b...m,bnm->b...n", key, memory)


def cosine_key_norm_only(key, memory):
    return cosine_without_norms(key, memory) / key.norm(dim=-1, keepdim=True)


def content_naive_exp(key, beta, memory):
    scores = torch.exp(beta * addressing.cosine_similarity(key, memory))  # overflows for beta = 1000
    return scores / scores.sum(dim=-1, keepdim=True)


def content_ignores_beta(key, beta, memory):
    return torch.softmax(addressing.cosine_similarity(key, memory), dim=-1)


def interpolate_g_swapped(w_content, w_prev, g):
    return (1 - g) * w_content + g * w_prev


def interpolate_half(w_content, w_prev, g):
    return 0.5 * w_content + 0.5 * w_prev


def _rolled(w, k):
    n = w.shape[-1]
    return w[..., (torch.arange(n) - torch.arange(-k, k + 1).unsqueeze(1)) % n]  # [..., 2k+1, N]


def shift_wrong_direction(w, s):
    return torch.einsum("...o,...on->...n", s.flip(-1), _rolled(w, s.shape[-1] // 2))


def shift_no_wrap(w, s):
    k = s.shape[-1] // 2
    padded = F.pad(w, (k, k))  # zeros beyond the ends instead of wrapping around
    windows = padded.unfold(-1, 2 * k + 1, 1)  # [..., N, 2k+1]: windows[i, j] = w(i + j - k)
    return torch.einsum("...o,...no->...n", s.flip(-1), windows)


def shift_k1_only(w, s):
    return torch.einsum("...o,...on->...n", s, _rolled(w, 1))


def sharpen_unnormalised(w, gamma):
    return w**gamma


def sharpen_literal(w, gamma):
    p = w**gamma  # underflows to 0 for gamma = 1000 on a flat w: 0 / 0
    return p / p.sum(dim=-1, keepdim=True)


def address_shift_before_gate(key, beta, g, s, gamma, w_prev, memory):
    w_c = addressing.content_weighting(key, beta, memory)
    return addressing.sharpen(addressing.interpolate(addressing.shift(w_c, s), w_prev, g), gamma)


def address_sharpen_before_shift(key, beta, g, s, gamma, w_prev, memory):
    w_g = addressing.interpolate(addressing.content_weighting(key, beta, memory), w_prev, g)
    return addressing.shift(addressing.sharpen(w_g, gamma), s)


def address_g_swapped(key, beta, g, s, gamma, w_prev, memory):
    return addressing.address(key, beta, 1 - g, s, gamma, w_prev, memory)


def _split(raw, m, r, w, k):
    b, heads, width = raw.shape[0], r + w, 2 * k + 1
    n_addr = heads * (m + 3 + width)
    key, beta, g, s, gamma = raw[:, :n_addr].reshape(b, heads, -1).split([m, 1, 1, width, 1], dim=-1)
    erase, add = raw[:, n_addr:].reshape(b, w, 2 * m).split([m, m], dim=-1)
    return key, beta, g, s, gamma, erase, add


def heads_gamma_below_one(raw, memory_m, read_heads, write_heads, shift_range):
    key, beta, g, s, gamma, e, a = _split(raw, memory_m, read_heads, write_heads, shift_range)
    return HeadParams(
        key,
        F.softplus(beta),
        torch.sigmoid(g),
        torch.softmax(s, -1),
        F.softplus(gamma),
        torch.sigmoid(e),
        torch.tanh(a),
    )


def heads_naive_softplus(raw, memory_m, read_heads, write_heads, shift_range):
    key, beta, g, s, gamma, e, a = _split(raw, memory_m, read_heads, write_heads, shift_range)
    softplus = lambda x: torch.log(1 + torch.exp(x))  # noqa: E731 - overflows for x = 1000
    return HeadParams(
        key,
        softplus(beta),
        torch.sigmoid(g),
        torch.softmax(s, -1),
        1 + softplus(gamma),
        torch.sigmoid(e),
        torch.tanh(a),
    )


def heads_erase_add_swapped(raw, memory_m, read_heads, write_heads, shift_range):
    key, beta, g, s, gamma, e, a = _split(raw, memory_m, read_heads, write_heads, shift_range)
    return HeadParams(
        key,
        F.softplus(beta),
        torch.sigmoid(g),
        torch.softmax(s, -1),
        1 + F.softplus(gamma),
        torch.sigmoid(a),
        torch.tanh(e),
    )


def heads_shift_not_normalised(raw, memory_m, read_heads, write_heads, shift_range):
    key, beta, g, s, gamma, e, a = _split(raw, memory_m, read_heads, write_heads, shift_range)
    return HeadParams(
        key,
        F.softplus(beta),
        torch.sigmoid(g),
        torch.sigmoid(s),
        1 + F.softplus(gamma),
        torch.sigmoid(e),
        torch.tanh(a),
    )


def _step(model, x_t, state, read_first=False, keep_weights=False):
    r = model.read_heads
    h, ctrl = model.controller(torch.cat([x_t, state.reads.flatten(1)], dim=-1), state.controller)
    p = model.heads(h)
    w = addressing.address(p.key, p.beta, p.g, p.s, p.gamma, state.weights, state.memory)
    new_memory = memory.write(state.memory, w[:, r:], p.erase, p.add)
    reads = memory.read(state.memory if read_first else new_memory, w[:, :r])
    logits = model.output(torch.cat([h, reads.flatten(1)], dim=-1))
    return logits, NTMState(ctrl, new_memory, state.weights if keep_weights else w, reads)


def step_read_before_write(model, x_t, state):
    return _step(model, x_t, state, read_first=True)


def step_keeps_old_weights(model, x_t, state):
    return _step(model, x_t, state, keep_weights=True)


def step_heads_swapped(model, x_t, state):
    """Write heads taken from the front of the head dimension (read heads come first)."""
    w_heads = model.write_heads
    h, ctrl = model.controller(torch.cat([x_t, state.reads.flatten(1)], dim=-1), state.controller)
    p = model.heads(h)
    w = addressing.address(p.key, p.beta, p.g, p.s, p.gamma, state.weights, state.memory)
    new_memory = memory.write(state.memory, w[:, :w_heads], p.erase, p.add)
    reads = memory.read(new_memory, w[:, w_heads:])
    return model.output(torch.cat([h, reads.flatten(1)], dim=-1)), NTMState(ctrl, new_memory, w, reads)


# chapter 8: the copy batch and its measures


def _copy(seq, delimiter_at=None, answer_at=None, mask_all=False):
    b, length, bits = seq.shape
    x, y, mask = (
        seq.new_zeros(b, 2 * length + 1, bits + 1),
        seq.new_zeros(b, 2 * length + 1, bits),
        seq.new_zeros(b, 2 * length + 1),
    )
    x[:, :length, :bits] = seq
    x[:, length if delimiter_at is None else delimiter_at(length), bits] = 1.0
    start = length + 1 if answer_at is None else answer_at(length)
    y[:, start : start + length] = seq
    mask[:, start : start + length] = 1.0
    return Batch(x, y, mask if not mask_all else torch.ones_like(mask))


def copy_delimiter_on_last_vector(seq):
    return _copy(seq, delimiter_at=lambda n: n - 1)


def copy_answer_from_the_delimiter(seq):
    return _copy(seq, answer_at=lambda n: n)


def copy_every_step_scored(seq):
    return _copy(seq, mask_all=True)


def _nats(logits, y):
    return -(y * F.logsigmoid(logits) + (1 - y) * F.logsigmoid(-logits))


def cost_in_nats(logits, y, mask):
    return (_nats(logits, y).sum(-1) * mask).sum(-1)


def cost_naive_log(logits, y, mask):
    p = torch.sigmoid(logits)  # log(0) = -inf for logits of -200
    return (-(y * torch.log2(p) + (1 - y) * torch.log2(1 - p)).sum(-1) * mask).sum(-1)


def cost_ignores_mask(logits, y, mask):
    return _nats(logits, y).sum((-1, -2)) / math.log(2)


def cost_mean_over_bits(logits, y, mask):
    return (_nats(logits, y).mean(-1) * mask).sum(-1) / math.log(2)


def errors_at_least_zero(logits, y, mask):
    return (((logits >= 0) != (y > 0.5)).double().sum(-1) * mask).sum(-1)  # a logit of 0 predicts a 1


def errors_ignore_mask(logits, y, mask):
    return ((logits > 0) != (y > 0.5)).double().sum((-1, -2))


def errors_fraction_of_bits(logits, y, mask):
    return (((logits > 0) != (y > 0.5)).double().mean(-1) * mask).sum(-1)


# chapter 9: repeat copy


def _repeat(seq, repeats, scale, marker=True, scored_marker=True):
    b, length, bits = seq.shape
    t = (repeats + 1) * length + 2
    x, y, mask = seq.new_zeros(b, t, bits + 2), seq.new_zeros(b, t, bits + 1), seq.new_zeros(b, t)
    x[:, :length, :bits] = seq
    x[:, length, bits] = 1.0
    x[:, length, bits + 1] = repeats / scale
    y[:, length + 1 : length + 1 + repeats * length, :bits] = seq.repeat(1, repeats, 1)
    y[:, -1, bits] = 1.0 if marker else 0.0
    mask[:, length + 1 : t if scored_marker else t - 1] = 1.0
    return Batch(x, y, mask)


def repeat_no_end_marker(seq, repeats, repeat_scale=10.0):
    return _repeat(seq, repeats, repeat_scale, marker=False)


def repeat_count_unscaled(seq, repeats, repeat_scale=10.0):
    return _repeat(seq, repeats, 1.0)


def repeat_marker_not_scored(seq, repeats, repeat_scale=10.0):
    return _repeat(seq, repeats, repeat_scale, scored_marker=False)


# chapter 10: associative recall


def _recall(items, query, answer_offset=1, second_delimiter=True):
    b, k, length, bits = items.shape
    rows = torch.arange(b)
    delimiter = items.new_zeros(b, k, 1, bits + 2)
    delimiter[..., bits] = 1.0
    blocks = torch.cat([items, items.new_zeros(b, k, length, 2)], dim=-1)
    listed = torch.cat([delimiter, blocks], dim=2).reshape(b, k * (length + 1), bits + 2)
    qd = items.new_zeros(b, 1, bits + 2)
    qd[..., bits + 1] = 1.0
    shown = torch.cat([items[rows, query], items.new_zeros(b, length, 2)], dim=-1)
    x = torch.cat(
        [listed, qd, shown, qd if second_delimiter else torch.zeros_like(qd), items.new_zeros(b, length, bits + 2)],
        dim=1,
    )
    y, mask = items.new_zeros(b, x.shape[1], bits), items.new_zeros(b, x.shape[1])
    y[:, -length:] = items[rows, query + answer_offset]
    mask[:, -length:] = 1.0
    return Batch(x, y, mask)


def recall_answers_the_query_itself(items, query):
    return _recall(items, query, answer_offset=0)


def recall_one_query_delimiter(items, query):
    return _recall(items, query, second_delimiter=False)


# chapter 11: the optimal estimator


def _ngram(bits, prior=0.5, include_self=False, context=5, before=0.5):
    b, t = bits.shape
    p = bits.new_full((b, t), before)
    windows = bits.long().unfold(1, context, 1)[:, : t - context]
    seen = F.one_hot((windows * 2 ** torch.arange(context - 1, -1, -1)).sum(-1), 2**context).to(bits.dtype)
    ones = seen * bits[:, context:, None]
    keep = 0 if include_self else 1
    n_all = ((seen.cumsum(1) - keep * seen) * seen).sum(-1)
    n_one = ((ones.cumsum(1) - keep * ones) * seen).sum(-1)
    p[:, context:] = (n_one + prior) / (n_all + 2 * prior)
    return p


def ngram_laplace_prior(bits):
    return _ngram(bits, prior=1.0)  # (N1 + 1) / (N + 2): a uniform prior, not Beta(1/2, 1/2)


def ngram_counts_the_current_bit(bits):
    return _ngram(bits, include_self=True)  # peeks at the bit it predicts


def ngram_context_of_six(bits):
    return _ngram(bits, context=6) if bits.shape[1] > 6 else bits.new_full(bits.shape, 0.5)


def ngram_zero_before_context(bits):
    return _ngram(bits, before=0.0) if bits.shape[1] > 5 else torch.zeros_like(bits)


# chapter 12: priority sort


def sort_ascending(vectors, priority, outputs):
    order = priority.argsort(dim=1)[:, :outputs]
    return vectors.gather(1, order.unsqueeze(-1).expand(-1, -1, vectors.shape[-1]))


def sort_keeps_every_item(vectors, priority, outputs):
    order = priority.argsort(dim=1, descending=True)
    return vectors.gather(1, order.unsqueeze(-1).expand(-1, -1, vectors.shape[-1]))


def _wrong_bits(logits, y, mask):
    scored = mask[0] > 0
    return ((logits[:, scored] > 0) != (y[:, scored] > 0.5)).double()  # [B, S, bits]


def position_fraction_of_bits(logits, y, mask):
    return _wrong_bits(logits, y, mask).mean(-1).mean(0)


def position_summed_over_batch(logits, y, mask):
    return _wrong_bits(logits, y, mask).sum(-1).sum(0)


def position_every_step(logits, y, mask):
    return ((logits > 0) != (y > 0.5)).double().sum(-1).mean(0)  # [T], not [S]


MISTAKES = {
    "check_read": [read_one_head_only, read_renormalised],
    "check_erase": [erase_keeps, erase_sums_heads],
    "check_add": [add_mean_heads, add_ignores_w],
    "check_write": [write_add_then_erase, write_erase_only],
    "check_cosine_similarity": [cosine_without_norms, cosine_key_norm_only],
    "check_content_weighting": [content_naive_exp, content_ignores_beta],
    "check_interpolate": [interpolate_g_swapped, interpolate_half],
    "check_shift": [shift_wrong_direction, shift_no_wrap, shift_k1_only],
    "check_sharpen": [sharpen_unnormalised, sharpen_literal],
    "check_address": [address_shift_before_gate, address_sharpen_before_shift, address_g_swapped],
    "check_head_params": [
        heads_gamma_below_one,
        heads_naive_softplus,
        heads_erase_add_swapped,
        heads_shift_not_normalised,
    ],
    "check_ntm_step": [step_read_before_write, step_keeps_old_weights, step_heads_swapped],
    "check_copy_batch": [copy_delimiter_on_last_vector, copy_answer_from_the_delimiter, copy_every_step_scored],
    "check_cost_bits": [cost_in_nats, cost_naive_log, cost_ignores_mask, cost_mean_over_bits],
    "check_bit_errors": [errors_at_least_zero, errors_ignore_mask, errors_fraction_of_bits],
    "check_repeat_copy_batch": [repeat_no_end_marker, repeat_count_unscaled, repeat_marker_not_scored],
    "check_recall_batch": [recall_answers_the_query_itself, recall_one_query_delimiter],
    "check_optimal_predictions": [
        ngram_laplace_prior,
        ngram_counts_the_current_bit,
        ngram_context_of_six,
        ngram_zero_before_context,
    ],
    "check_sort_targets": [sort_ascending, sort_keeps_every_item],
    "check_errors_per_position": [position_fraction_of_bits, position_summed_over_batch, position_every_step],
}
WRONG = [(check, fn) for check, fns in MISTAKES.items() for fn in fns]


def test_every_check_has_mistakes():
    assert set(MISTAKES) == set(ALL_CHECKS)


@pytest.mark.parametrize("check, fn", WRONG, ids=[f"{c}-{f.__name__}" for c, f in WRONG])
def test_mistake_fails(check, fn, capsys):
    with pytest.raises(CheckFailed, match="case '"):
        ALL_CHECKS[check](fn)
    assert "✓" not in capsys.readouterr().out


def test_failure_message_names_case_and_values():
    with pytest.raises(CheckFailed) as info:
        checks.check_shift(shift_wrong_direction)
    message = str(info.value)
    assert "shift (Eq. 8), case 'one-hot on row 1, s = offset +1 (should move to row 2)'" in message
    assert "expected" in message and "got" in message


def test_reader_exception_becomes_check_failed():
    def broken(w, s):
        return w @ s  # wrong shapes: matmul raises RuntimeError

    with pytest.raises(CheckFailed, match=r"case 'one-hot on row 1.*raised RuntimeError") as info:
        checks.check_shift(broken)
    assert isinstance(info.value.__cause__, RuntimeError)  # the reader's traceback is kept


def test_non_tensor_and_wrong_shape_results_fail():
    with pytest.raises(CheckFailed, match="expected a torch.Tensor, got list"):
        checks.check_interpolate(lambda w_content, w_prev, g: w_content.tolist())
    with pytest.raises(CheckFailed, match="expected shape"):
        checks.check_interpolate(lambda w_content, w_prev, g: w_content.unsqueeze(0))
    with pytest.raises(CheckFailed, match="expected a function"):
        checks.check_read(None)


def test_in_place_changes_cannot_spoil_the_reference():
    def in_place(w, gamma):
        out = torch.softmax(gamma * torch.log(w.clamp_min(1e-20)), dim=-1)
        w.zero_()  # changes the caller's tensor
        return out

    checks.check_sharpen(in_place)


def test_checks_leave_the_global_rng_alone():
    solution, _ = _load("07_ntm", "solutions")
    torch.manual_seed(0)
    checks.check_head_params(solution["head_params"])
    checks.check_ntm_step(solution["ntm_step"])
    after = torch.rand(3)
    torch.manual_seed(0)
    torch.testing.assert_close(after, torch.rand(3))


# ------------------------------------------------------------------ the exercises' rules


def shift_calls_the_package(w, s):
    return addressing.shift(w, s)


def shift_by_alias(w, s):
    return roll_reference(w, s)


roll_reference = addressing.shift  # as if `from ntm_minimal.addressing import shift as roll_reference`


def shift_python_loop(w, s):
    k = s.shape[-1] // 2
    out = torch.zeros_like(w)
    for o in range(-k, k + 1):  # correct, but a loop over the offsets
        out = out + s[..., o + k : o + k + 1] * torch.roll(w, o, dims=-1)
    return out


def read_comprehension(memory, w):
    rows = [
        w[..., i, None] * memory[:, i].reshape(memory.shape[0], *[1] * (w.dim() - 2), -1)
        for i in range(memory.shape[1])
    ]
    return sum(rows)


def erase_loop_over_heads(memory, w, e):
    w3, e3 = w.reshape(w.shape[0], -1, w.shape[-1]), e.reshape(e.shape[0], -1, e.shape[-1])
    while w3.shape[1]:
        memory = memory * (1 - w3[:, 0, :, None] * e3[:, 0, None, :])
        w3, e3 = w3[:, 1:], e3[:, 1:]
    return memory


def write_with_looping_helper(memory, w, e, a):
    return erase_loop_over_heads(memory, w, e) + _outer(w, a).sum(dim=1)  # correct: erase, then add


def shift_by_kernel(w, s):
    from ntm_minimal import kernels

    return kernels.shift(w, s)  # the model's unchecked kernel: a private route to the same code


def step_through_forward(model, x_t, state):
    model(x_t.unsqueeze(1))  # forward runs step: correct for a first step only
    logits2, new_state, _ = type(model).step(model, x_t, state)
    return logits2, new_state


def positions_by_checker(logits, y, mask):
    return task_checks._sort_errors_reference(logits, y, mask)


def step_calls_model_step(model, x_t, state):
    logits, new_state, _ = model.step(x_t, state)
    return logits, new_state


def cost_calls_the_package(logits, y, mask):
    from ntm_minimal import metrics

    return metrics.cost_bits(logits, Batch(None, y, mask))


def ngram_loop_over_steps(bits):
    p = torch.full_like(bits, 0.5)
    for t in range(5, bits.shape[1]):  # correct, but one step at a time
        same = (bits.unfold(1, 5, 1)[:, : t - 5 + 1] == bits[:, None, t - 5 : t]).all(-1)  # [B, t-4]
        earlier, follow = same[:, :-1], bits[:, 5:t]
        p[:, t] = ((earlier * follow).sum(-1) + 0.5) / (earlier.sum(-1) + 1.0)
    return p


RAN = r"do not run the course's implementation"
RULE_BREAKERS = [
    (task_checks.check_cost_bits, cost_calls_the_package, RAN + r".*cost_bits \(metrics\.py"),
    (task_checks.check_optimal_predictions, ngram_loop_over_steps, r"no Python loops.*`for` loop"),
    (checks.check_shift, shift_calls_the_package, RAN + r".*shift \(addressing\.py"),
    (checks.check_shift, shift_by_alias, RAN + r".*shift \(addressing\.py"),
    (checks.check_shift, shift_by_kernel, RAN + r".*shift \(kernels\.py"),
    (checks.check_shift, shift_python_loop, r"rule: no Python loops\. `shift_python_loop` uses a `for` loop"),
    (checks.check_read, read_comprehension, r"rule: no Python loops.*list comprehension"),
    (checks.check_erase, erase_loop_over_heads, r"rule: no Python loops.*`while` loop"),
    (checks.check_write, write_with_looping_helper, r"`while` loop.*\(called from `write_with_looping_helper`\)"),
    (checks.check_ntm_step, step_calls_model_step, RAN + r".*\.step \("),
    (checks.check_ntm_step, step_through_forward, RAN + r".*\.forward \("),
    (task_checks.check_errors_per_position, positions_by_checker, RAN + r".*_sort_errors_reference"),
]


@pytest.mark.parametrize("check, fn, message", RULE_BREAKERS, ids=[f.__name__ for _, f, _ in RULE_BREAKERS])
def test_rule_breakers_fail_naming_the_rule(check, fn, message, capsys):
    with pytest.raises(CheckFailed, match="your results match, but the exercise's rule") as info:
        check(fn)
    assert re.search(message, str(info.value), re.S), str(info.value)
    assert "✓" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, part", [(step_heads_swapped, "memory"), (step_read_before_write, "reads"), (step_keeps_old_weights, "weights")]
)
def test_step_check_names_the_first_part_that_differs(fn, part):
    with pytest.raises(CheckFailed) as info:
        checks.check_ntm_step(fn)
    first_line = str(info.value).split("\n")[0]
    assert re.search(rf"case '[^']+', {part}(, \[\d\])?: results differ", first_line), first_line
    assert "hint: " + checks.STEP_HINTS[part] in str(info.value)


def test_check_failed_hides_the_checkers_frames():
    with pytest.raises(CheckFailed) as info:
        checks.check_shift(shift_wrong_direction)
    shown = "\n".join(info.value._render_traceback_())  # what IPython prints
    assert shown.startswith("CheckFailed: shift (Eq. 8), case 'one-hot on row 1") and "ntm_minimal/course" not in shown

    def broken(w, s):
        return w @ s

    with pytest.raises(CheckFailed) as info:
        checks.check_shift(broken)
    shown = "\n".join(info.value._render_traceback_())
    assert "in broken" in shown and "return w @ s" in shown and "ntm_minimal/course" not in shown
    assert shown.splitlines()[-1].startswith("CheckFailed: shift (Eq. 8), case 'one-hot on row 1")


def test_shift_demo_shows_a_wrong_shift(capsys):
    """The "see it work" cell prints weights and the total, so a shift that loses weight cannot look right."""
    nb = notebooks_tool.expected("solutions", "05_shift")["exercises"]
    demo = [c for c in nb.cells if c.cell_type == "code" and "uses-exercise" in c.metadata.get("tags", [])][-1]
    exec(demo.source, {"torch": torch, "shift": shift_no_wrap})
    out = capsys.readouterr().out
    assert "0 (0.00)" in out and "(must be 1): 0.0 " in out and "back on row 0: False" in out, out
