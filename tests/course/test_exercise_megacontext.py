"""Exercise 15 (the Focus Allocator): the solution passes its check; the stub and plausible mistakes fail it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

from ntm_minimal.course import megacontext as checks
from ntm_minimal.course.runner import CheckFailed

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("notebooks_tool", ROOT / "tools" / "notebooks.py")
notebooks_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebooks_tool)
NAME = "15_focus_allocator"


def _focus(folder: str):
    """The ``focus`` function defined by the generated notebook (solution or exercise stub)."""
    nb = notebooks_tool.expected("solutions", NAME)[folder]
    namespace = {"torch": torch}
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "setup" not in tags and "uses-exercise" not in tags:
            exec(compile(cell.source, f"<{folder}/{NAME}>", "exec"), namespace)
    return namespace["focus"]


def test_notebook_calls_the_check():
    nb = notebooks_tool.expected("solutions", NAME)["solutions"]
    assert any("mc_checks.check_focus(focus)" in c.source for c in nb.cells if c.cell_type == "code")


def test_solution_passes(capsys):
    checks.check_focus(_focus("solutions"))
    assert capsys.readouterr().out.startswith("✓ focus")


def test_stub_fails():
    with pytest.raises(CheckFailed, match="NotImplementedError"):
        checks.check_focus(_focus("exercises"))


def _entries(levels, length):
    """The entries of a per-block level vector, written here (the check's own helper may not run in a submission)."""
    out = []
    for b, lvl in enumerate(levels.tolist()):
        out += (
            [(32 * b, 32 * b + 32, 1)] if lvl == 1 else [(t, t + 1, 0) for t in range(32 * b, min(32 * b + 32, length))]
        )
    return out


def test_the_reference_is_forbidden():
    with pytest.raises(CheckFailed, match="do not run the course's implementation.*reference_focus"):
        checks.check_focus(checks.reference_focus)


def _variant(
    budget=True,
    gap=False,
    overlap=False,
    misaligned=False,
    cooldown=True,
    tail=True,
    order="abs",
    stop_at_misfit=False,
    unfinished=False,
):
    """A configurable focus(): the solution with one mistake switched on."""
    tail_flag, cooldown_flag = tail, cooldown

    def impl(levels, scores, age, length, w_max, tail=64, cooldown=2, max_edits=4, threshold=0.2):
        levels = levels.clone()
        protected = max(0, (length - tail) // 32) if tail_flag else levels.numel()
        entries = sum(1 if v == 1 else min(32, length - 32 * b) for b, v in enumerate(levels.tolist()))
        cands = []
        for b in range(levels.numel()):
            s = float(scores[b])
            if cooldown_flag and age[b] <= cooldown:
                continue
            complete = 32 * (b + 1) <= length or unfinished
            if levels[b] == 1 and s >= threshold:
                cands.append(b)
            elif levels[b] == 0 and complete and b < protected and s <= -threshold:
                cands.append(b)
        key = {"abs": lambda b: (-abs(float(scores[b])), b), "signed": lambda b: (-float(scores[b]), b)}[order]
        edits = 0
        for b in sorted(cands, key=key):
            if edits == max_edits:
                break
            if levels[b] == 1:
                if budget and entries + 31 > w_max:
                    if stop_at_misfit:
                        break
                    continue
                levels[b], entries = 0, entries + 31
            else:
                levels[b], entries = 1, entries - 31
            edits += 1
        out = _entries(levels, length)
        if gap:  # the last token of the first LOD0 block left out
            out.remove(next(e for e in out if e[2] == 0 and e[1] % 32 == 0))
        if overlap:  # a token kept next to the first gist that covers it
            first = next(i for i, e in enumerate(out) if e[2] == 1)
            out.insert(first + 1, (out[first][1] - 1, out[first][1], 0))
        if misaligned:  # gists one token late
            out = [(a + 1, b + 1, 1) if lod == 1 else (a, b, lod) for a, b, lod in out]
        return out

    return impl


MISTAKES = {
    "no budget check": (dict(budget=False), "budget overflow"),
    "last token of a block dropped": (dict(gap=True), "gap"),
    "a token kept beside its gist": (dict(overlap=True), "overlap"),
    "gists one token late": (dict(misaligned=True), "misaligned|overlap|gap"),
    "cooldown ignored": (dict(cooldown=False), "cooldown"),
    "tail collapsed": (dict(tail=False), "tail"),
    "unfinished block collapsed": (dict(unfinished=True, tail=False), "tail|past the end"),
    "sorted by signed score": (dict(order="signed"), "not the greedy one"),
    "stops at the first expansion that does not fit": (dict(stop_at_misfit=True), "not the greedy one"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_plausible_mistakes_fail(mistake):
    settings, message = MISTAKES[mistake]
    with pytest.raises(CheckFailed, match=message):
        checks.check_focus(_variant(**settings))


def test_correct_variant_passes():
    checks.check_focus(_variant())
