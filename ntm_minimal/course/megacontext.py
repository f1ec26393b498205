"""The check of exercise 15: one greedy refocus of a two-level Focus Allocator.

The exercise's allocator works on one stream with LOD0 and LOD1 only. Its input is the level of
every block (``levels`` ``[n_blocks]``, 0 or 1; the unfinished last block is always 0), a signed
score per block, each block's ``age`` (refocus steps since it was last edited), the stream length
``T`` and the settings. It returns the new working context as a list of entries
``(start, end, lod)`` in timeline order: ``(t, t + 1, 0)`` for a token, ``(32 b, 32 b + 32, 1)`` for
the gist of block ``b``. The rule (:func:`reference_focus`):

1. candidates: expand a LOD1 block with ``score >= threshold``; collapse a complete LOD0 block
   outside the protected tail with ``score <= -threshold``; blocks with ``age <= cooldown`` are
   never edited;
2. visit the candidates by decreasing ``|score|`` (ties: lower block first) and apply each one,
   skipping an expansion that would take the working context over ``w_max`` entries, until
   ``max_edits`` edits are made.

:func:`check_focus` compares the reader's function with the reference on hand-made and random cases
(fixed ones, and as many drawn fresh), naming the broken invariant (budget, a gap or an overlap, a
misaligned gist, the tail, the cooldown); it goes through the runner every check uses
(:mod:`ntm_minimal.course.runner`), whose rule here is that nothing of :mod:`ntm_minimal.megacontext`
nor :func:`reference_focus` may do the work.

    >>> from ntm_minimal.course import megacontext as mc_checks
    >>> mc_checks.check_focus(focus)           # doctest: +SKIP
"""

from __future__ import annotations

import torch

from .runner import Case, Check, CheckFailed, Rules, define

__all__ = ["check_focus", "entries_of", "reference_focus"]

BLOCK = 32


def _protected(length: int, tail: int) -> int:
    return max(0, (length - tail) // BLOCK)


def entries_of(levels: torch.Tensor, length: int) -> list[tuple[int, int, int]]:
    """The entries ``(start, end, lod)`` of a per-block level vector."""
    out = []
    for b, lvl in enumerate(levels.tolist()):
        if lvl == 1:
            out.append((BLOCK * b, BLOCK * b + BLOCK, 1))
        else:
            out += [(t, t + 1, 0) for t in range(BLOCK * b, min(BLOCK * b + BLOCK, length))]
    return out


def reference_focus(levels, scores, age, length, w_max, tail=64, cooldown=2, max_edits=4, threshold=0.2):
    """The reference refocus (see the module docstring)."""
    levels = levels.clone()
    complete = torch.arange(levels.numel()) < length // BLOCK
    free = age > cooldown
    expand = (levels == 1) & (scores >= threshold) & free
    collapse = (
        (levels == 0)
        & complete
        & (torch.arange(levels.numel()) < _protected(length, tail))
        & (scores <= -threshold)
        & free
    )
    order = sorted((-abs(float(scores[b])), b) for b in (expand | collapse).nonzero()[:, 0].tolist())
    size, edits = len(entries_of(levels, length)), 0
    for _, b in order:
        if edits == max_edits:
            break
        if levels[b] == 1:
            if size + BLOCK - 1 > w_max:
                continue
            levels[b], size = 0, size + BLOCK - 1
        else:
            levels[b], size = 1, size - BLOCK + 1
        edits += 1
    return entries_of(levels, length)


def _invariants(where: str, got, case: dict) -> None:
    """Name the first broken invariant of a returned working context."""
    length, w_max = case["length"], case["w_max"]
    if not isinstance(got, list) or not all(isinstance(e, (tuple, list)) and len(e) == 3 for e in got):
        raise CheckFailed(f"{where}: expected a list of (start, end, lod) tuples, got {type(got).__name__}")
    got = [tuple(int(v) for v in e) for e in got]
    if len(got) > w_max:
        raise CheckFailed(f"{where}: budget overflow: {len(got)} entries > w_max = {w_max}")
    pos = 0
    for start, end, lod in got:
        if start > pos:
            raise CheckFailed(f"{where}: a gap in the timeline: tokens {pos}..{start - 1} are not covered")
        if start < pos:
            raise CheckFailed(
                f"{where}: an overlap in the timeline: entry {(start, end, lod)} starts at {start}, "
                f"but tokens up to {pos - 1} are already covered"
            )
        if lod == 1 and (start % BLOCK or end - start != BLOCK):
            raise CheckFailed(
                f"{where}: a misaligned gist {(start, end, lod)}: a LOD1 entry covers one whole block "
                f"[{BLOCK}b, {BLOCK}b + {BLOCK})"
            )
        if lod == 0 and end != start + 1:
            raise CheckFailed(f"{where}: a LOD0 entry must cover one token, got {(start, end, lod)}")
        if lod not in (0, 1):
            raise CheckFailed(f"{where}: lod must be 0 or 1, got {lod}")
        pos = end
    if pos > length:
        raise CheckFailed(
            f"{where}: the entries run past the end of the timeline (to {pos}, length {length}): "
            "an unfinished block cannot have a gist"
        )
    if pos != length:
        raise CheckFailed(f"{where}: a gap at the end of the timeline: covered up to {pos}, length is {length}")
    before = entries_of(case["levels"], length)
    was = {s // BLOCK: lod for s, _, lod in before}
    now = {s // BLOCK: lod for s, _, lod in got}
    for b in range(case["levels"].numel()):
        if was[b] != now[b]:
            if b >= _protected(length, case["tail"]):
                raise CheckFailed(
                    f"{where}: block {b} is in the protected tail (last {case['tail']} tokens) and must stay LOD0"
                )
            if int(case["age"][b]) <= case["cooldown"]:
                raise CheckFailed(
                    f"{where}: the cooldown was ignored: block {b} was edited {int(case['age'][b])} "
                    f"refocus steps ago (cooldown {case['cooldown']}) and must not change"
                )


def _cases(g: torch.Generator) -> list[Case]:
    cases = []
    n = 12  # 12 blocks: 11 complete + one unfinished of 20 tokens
    levels = torch.ones(n, dtype=torch.long)
    levels[-3:] = 0
    base = dict(
        levels=levels,
        scores=torch.zeros(n),
        age=torch.full((n,), 100),
        length=11 * BLOCK + 20,
        w_max=200,
        tail=64,
        cooldown=2,
        max_edits=4,
        threshold=0.2,
    )
    first, second = (int(b) for b in torch.randperm(8, generator=g)[:2])
    one = dict(base, scores=torch.zeros(n).index_fill(0, torch.tensor([first]), 0.9))
    cases.append(Case("expand one block", one))
    two = dict(
        base,
        scores=torch.zeros(n).index_fill(0, torch.tensor([first]), 0.9).index_fill(0, torch.tensor([second]), 0.8),
        w_max=len(entries_of(levels, base["length"])) + BLOCK,
    )
    cases.append(Case("budget for one expansion only", two))
    lv = levels.clone()
    lv[4] = 0
    collapse = dict(base, levels=lv, scores=torch.zeros(n).index_fill(0, torch.tensor([4]), -0.7))
    cases.append(Case("collapse a block", collapse))
    cool = dict(
        base,
        levels=lv,
        scores=torch.zeros(n).index_fill(0, torch.tensor([4]), -0.9).index_fill(0, torch.tensor([1]), 0.5),
        age=torch.full((n,), 100).index_fill(0, torch.tensor([4]), 1),
    )
    cases.append(Case("cooldown: block 4 was edited 1 step ago", cool))
    tail = dict(base, scores=-torch.ones(n))
    cases.append(Case("the tail and the unfinished block stay LOD0", tail))
    for k in range(6):
        n = int(torch.randint(20, 60, (1,), generator=g))
        length = (n - 1) * BLOCK + int(torch.randint(1, BLOCK + 1, (1,), generator=g))
        lv = (torch.rand(n, generator=g) < 0.7).long()
        lv[_protected(length, 64) :] = 0
        lv[length // BLOCK :] = 0
        size = len(entries_of(lv, length))
        cases.append(
            Case(
                f"random {k + 1}",
                dict(
                    levels=lv,
                    scores=torch.rand(n, generator=g) * 2 - 1,
                    age=torch.randint(0, 5, (n,), generator=g),
                    length=length,
                    w_max=size + int(torch.randint(0, 100, (1,), generator=g)),
                    tail=64,
                    cooldown=int(torch.randint(0, 3, (1,), generator=g)),
                    max_edits=int(torch.randint(1, 6, (1,), generator=g)),
                    threshold=0.2,
                ),
            )
        )
    return cases


def _judge(where: str, got, want, case: dict) -> None:
    """The invariants first (they say what is wrong), then the greedy choice itself."""
    _invariants(where, got, case)
    got = [tuple(int(v) for v in e) for e in got]
    if got != want:
        diff = next(i for i, (a, b) in enumerate(zip(got + [None] * len(want), want + [None] * len(got))) if a != b)
        raise CheckFailed(
            f"{where}: a valid working context, but not the greedy one: entry {diff} is "
            f"{got[diff] if diff < len(got) else 'missing'}, expected "
            f"{want[diff] if diff < len(want) else 'nothing'} ({len(got)} vs {len(want)} entries)"
        )


check_focus = define(
    Check(
        "check_focus",
        "focus allocator (greedy, block-aligned, cooldown)",
        "focus",
        _cases,
        reference_focus,
        "ntm_minimal.course.megacontext.reference_focus (budget, exact cover, aligned gists, tail, cooldown)",
        Rules(loops=False, forbidden=("ntm_minimal.megacontext",)),
        seed=15,
        judge=_judge,
    )
)
