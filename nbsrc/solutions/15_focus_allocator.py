# %% [markdown]
# # Exercise 15: the Focus Allocator
#
# Implement one refocus of the greedy allocator of [chapter 15](../notebooks/15_megacontext.ipynb),
# on one stream and with two levels of detail: every block of 32 tokens is either at **LOD0** (its
# 32 tokens are in the working context, one entry each) or at **LOD1** (one gist entry stands for
# it). The unfinished last block has no gist yet and is always LOD0.
#
# Inputs: `levels` `[n_blocks]` (0 or 1), a signed LensNet `score` per block (+ expand, − collapse),
# each block's `age` (refocus steps since it was last edited), the stream length `length`, the
# budget `w_max` (entries), the protected `tail` (tokens), `cooldown`, `max_edits` and `threshold`.
#
# The rule:
#
# 1. **candidates**: expand a LOD1 block whose score is $\ge$ `threshold`; collapse a *complete* LOD0
#    block that lies entirely before the protected tail (block index $< \lfloor (T - \text{tail}) / 32 \rfloor$)
#    and whose score is $\le -$`threshold`. A block with `age <= cooldown` is never edited.
# 2. **greedy**: visit the candidates by decreasing $|\text{score}|$ (ties: the lower block first) and
#    apply each, *skipping* an expansion that would take the working context over `w_max` entries
#    (an expansion adds 31 entries, a collapse removes 31), until `max_edits` edits are made.
#
# Return the new working context as a list of entries `(start, end, lod)` in timeline order:
# `(t, t + 1, 0)` for token `t`, `(32 b, 32 b + 32, 1)` for the gist of block `b`. The check compares
# your list with the reference, and names what is wrong when it differs: a budget overflow, a gap or an
# overlap in the timeline, a misaligned gist, an edited tail block, an ignored cooldown.
#
# Rule: write it yourself. The course's own allocator (`ntm_minimal.megacontext`) and the check's
# reference must not do the work; the check watches what runs, so an alias or a private helper of
# theirs fails it too. Python loops are fine here: the lists are short.

# %% tags=["exercise"]
def focus(levels, scores, age, length, w_max, tail=64, cooldown=2, max_edits=4, threshold=0.2):
    """One greedy refocus; returns the working context as ``[(start, end, lod), ...]``.

    Args:
        levels: ``[n_blocks]`` long, 0 (tokens) or 1 (gist) per block of 32 tokens.
        scores: ``[n_blocks]`` float, signed focus scores.
        age: ``[n_blocks]`` long, refocus steps since each block was last edited.
        length: number of tokens ``T`` (the last block may be unfinished).
        w_max: the budget, in entries.

    Hint: build the candidate list first, sort it by ``(-abs(score), block)``, then walk it while
    keeping the current number of entries; write the entries from the final levels at the end.
    """
    # BEGIN SOLUTION
    levels = levels.clone()
    n = levels.numel()
    protected = max(0, (length - tail) // 32)
    entries = sum(1 if lvl == 1 else min(32, length - 32 * b) for b, lvl in enumerate(levels.tolist()))
    candidates = []
    for b in range(n):
        s = float(scores[b])
        if age[b] <= cooldown:
            continue  # the cooldown: a block edited recently stays as it is
        if levels[b] == 1 and s >= threshold:
            candidates.append((-abs(s), b))
        elif levels[b] == 0 and 32 * (b + 1) <= length and b < protected and s <= -threshold:
            candidates.append((-abs(s), b))
    edits = 0
    for _, b in sorted(candidates):
        if edits == max_edits:
            break
        if levels[b] == 1:
            if entries + 31 > w_max:
                continue  # this expansion does not fit; a later, smaller-scored collapse may still happen
            levels[b], entries = 0, entries + 31
        else:
            levels[b], entries = 1, entries - 31
        edits += 1
    out = []
    for b, lvl in enumerate(levels.tolist()):
        if lvl == 1:
            out.append((32 * b, 32 * b + 32, 1))
        else:
            out += [(t, t + 1, 0) for t in range(32 * b, min(32 * b + 32, length))]
    return out
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import megacontext as mc_checks

mc_checks.check_focus(focus)

# %% [markdown]
# ## See it work
#
# Eight blocks at LOD1, then the protected tail and the unfinished block at LOD0, and five refocus
# steps: the scores first ask for blocks 2 and 5, then turn against block 2. With a cooldown of 2 the
# allocator keeps block 2 expanded until its age passes 2, then collapses it; the printout shows each
# block's level (1 = gist, 0 = tokens).

# %% tags=["uses-exercise"]
from ntm_minimal.tables import show

levels = torch.tensor([1] * 8 + [0] * 3)
age = torch.full((11,), 100)
length = 10 * 32 + 7
wanted = [torch.tensor([0, 0, 0.9, 0, 0, 0.6, 0, 0, 0, 0, 0])] + [torch.tensor([0, 0, -0.9, 0, 0, 0, 0, 0, 0, 0, 0])] * 4
rows = []
for step, s in enumerate(wanted):
    wc = focus(levels, s, age, length, w_max=200)
    new = torch.tensor([0 if any(e[2] == 0 for e in wc if e[0] // 32 == b) else 1 for b in range(11)])
    age = torch.where(new != levels, 0, age + 1)
    levels = new
    rows.append([step, " ".join(map(str, levels.tolist())), len(wc), int(age[2])])
show(["step", "levels of blocks 0-10", "entries", "age of block 2"], rows)
