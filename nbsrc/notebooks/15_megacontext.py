# %% [markdown]
# # 15. MegaContext: hierarchical hard attention against the NTM's soft read
#
# Every NTM read in this course is **soft**: Eq. 5 puts a weight on every memory row and Eq. 2 mixes
# them all. That is why the whole machine trains by backpropagation, and why a read costs $O(N)$:
# with $N$ rows, every read touches $N$ rows.
#
# **MegaContext** ([github.com/brandf/MegaContext](https://github.com/brandf/MegaContext)) is a
# design for memories far longer than a working context: keep every token of a stream in a **tree**
# (LOD0 tokens, LOD1 gists of 32 tokens, LOD2 gists of 32 LOD1 gists), and give the reader only a
# **working context** of at most $W_{\max}$ entries that covers the whole timeline once, in detail
# where it matters and coarsely elsewhere. A **GistNet** compresses 32 entries into one, a
# **LensNet** scores each entry (+ expand, − collapse), and a **Focus Allocator** turns the scores
# into block-aligned expand/collapse edits under the budget. The selection is **hard**: a block is
# either in the working context at full detail or not. Its design note on the NTM
# ([*Neural Turing Machines*](https://github.com/brandf/MegaContext/blob/main/obsidian/reference/papers/Neural%20Turing%20Machines.md),
# in the repository's `obsidian/reference/papers/`) maps each of its parts onto the NTM's and ends
# with eight open questions; this chapter and the next answer some of them by measurement.
#
# MegaContext has no published long-context result, so this chapter builds a small version of it on
# a toy task that keeps the design's moving parts, and writes each part as an equation.
#
# **You will:**
# - build the tree and see what one gist keeps (GistNet, written by you as `my_gist`);
# - score a working context (LensNet, `my_lens_scores`) and apply the allocator's rule for one edit
#   (`my_edit_rule`), each checked against `ntm_minimal.megacontext`;
# - refocus a working context and watch it over a stream;
# - see why the allocator's choice gets no gradient, and how LensNet is trained instead.
#
# The measurements, every reader against $T$ up to $2^{20}$ tokens with the baselines MegaContext
# must beat, have a chapter of their own: [MegaContext, measured](15b_megacontext_measured.ipynb).

# %%
import matplotlib.pyplot as plt
import torch

from ntm_minimal import plotting
from ntm_minimal.megacontext import BLOCK, FocusConfig, MegaContextTree, assemble, build_levels, coarse_cover
from ntm_minimal.megacontext import train as mc_train
from ntm_minimal.megacontext.content_read import nll
from ntm_minimal.megacontext.focus_allocator import edit_rule
from ntm_minimal.megacontext.lensnet import unit_scores
from ntm_minimal.megacontext.read_strategies import answer_at_lod0, covers, read_all, read_focused
from ntm_minimal.megacontext.stream import run_stream
from ntm_minimal.megacontext.working_context import wc_length
from ntm_minimal.plotting import megacontext as mcplot
from ntm_minimal.prose import glue, number
from ntm_minimal.tasks import make_task

plotting.use_style()
torch.set_num_threads(1)

# %% [markdown]
# ## The task: facts among distractors, a query at the end
#
# Each step is one token of 26 channels: 16 key bits, 8 value bits, a *fact flag* and a *query flag*.
# A sequence of $T$ tokens holds 16 **facts** (key → value, fact flag on) at random steps among
# random **distractors** (fact flag off); the last token is a **query**: the key of one fact, query flag
# on. The answer is that fact's value, 8 bits. No fact lies in the last 64 steps, so a short recent
# window cannot answer. `make_task("long_recall")` draws these; `sample_layout` also says where the
# facts are (the oracle allocator uses that).

# %% tags=["nbval-check-output"]
task = make_task("long_recall", length=4096, facts=16)
layout = task.sample_layout(2, torch.Generator().manual_seed(0))
x, y = layout.batch.x, layout.batch.y
print("x", list(x.shape), "y", list(y.shape), "| scored steps per sequence:", layout.batch.mask.sum(1).tolist())
print("facts of sequence 0 at steps", layout.fact_steps[0].tolist())
print("the query asks about the fact at step", layout.answer_steps[0, 0].item(), "| value", y[0, -1].int().tolist())

# %% [markdown]
# ## The tree and the GistNet
#
# `MegaContextTree.append` adds tokens and computes only the gists of the blocks they complete; after
# $T$ tokens there are $\lfloor T/32 \rfloor$ LOD1 gists and $\lfloor T/1024 \rfloor$ LOD2 gists (the
# block size is `BLOCK`). The models are the shipped, trained ones; the last section says how they learned.

# %%
TRAIN_FROM_SCRATCH = False  # True: retrain GistNet, LensNet and the reader with the CLI (minutes on a CPU)

run_dir = mc_train.DEFAULT_DIR
if TRAIN_FROM_SCRATCH:
    import subprocess
    import sys
    from pathlib import Path
    run_dir = Path("megacontext_retrained")
    subprocess.run([sys.executable, "-m", "ntm_minimal.megacontext.train", "--out", str(run_dir)], check=True)
models = mc_train.load(run_dir)
gistnet, reader, lensnet = models["gistnet"], models["reader"], models["lensnet"]
print(models["config"]["command"])

# %% tags=["nbval-check-output"]
tree = MegaContextTree(gistnet, 2, task.channels)
for chunk in x[:, :2100].split(300, dim=1):  # tokens arrive 300 at a time
    tree.append(chunk)
    lod0, lod1, lod2 = tree.levels()
    print(f"T = {tree.length:4d}: LOD0 {list(lod0.shape)}, LOD1 {list(lod1.shape)}, LOD2 {list(lod2.shape)}")

# %% [markdown]
# A **gist** lives in the same space as the entries it replaces, so the reader can read a gist like a
# token. GistNet is attention pooling with a learned correction. For a block of entries
# $x_1 \dots x_{32}$ (tokens for LOD1, LOD1 gists for LOD2):
#
# $$\begin{aligned}
# h_i &= \tanh(W x_i + b), \qquad a_i = \operatorname{softmax}_i(v \cdot h_i + c),\\
# g &= \sum_i a_i x_i + U \sum_i a_i h_i + d. \qquad \text{(G)}
# \end{aligned}$$
#
# $U$ and $d$ start at zero, so an untrained GistNet is a convex mix of its block. Write Eq. G batched
# over blocks (`blocks` `[..., 32, C]`) with the weights of the shipped GistNet:

# %%
def my_gist(blocks, W, b, v, c, U, d):
    """Eq. G: ``blocks`` [..., 32, C] -> (gists [..., C], attention a [..., 32])."""
    h = torch.tanh(blocks @ W.T + b)  # [..., 32, hidden]
    a = torch.softmax(h @ v + c, dim=-1)  # [..., 32]
    gist = (a[..., None] * blocks).sum(-2) + (a[..., None] * h).sum(-2) @ U.T + d
    return gist, a


weights = dict(W=gistnet.inner.weight, b=gistnet.inner.bias, v=gistnet.score.weight[0], c=gistnet.score.bias[0],
               U=gistnet.correct.weight, d=gistnet.correct.bias)
blocks = x[:, : 4096 // BLOCK * BLOCK].reshape(2, -1, BLOCK, task.channels)
with torch.no_grad():
    mine, attention = my_gist(blocks, **weights)
    torch.testing.assert_close(mine, gistnet(blocks))
print("✓ my_gist matches GistNet on", blocks.shape[0] * blocks.shape[1], "blocks")

# %% [markdown]
# What does a gist keep? The picture shows $a_i$ over the 32 tokens of the block that holds the asked
# fact (red), and of a block of distractors only.

# %%
fact = int(layout.answer_steps[0, 0])
plain = next(i for i in range(blocks.shape[1]) if not bool(((layout.fact_steps[0] // BLOCK) == i).any()))
fig, axes = plt.subplots(1, 2, figsize=(9, 2.8), sharey=True)
mcplot.plot_gist_attention(axes[0], attention[0, fact // BLOCK], marks=[fact % BLOCK],
                           title=f"block {fact // BLOCK}: the asked fact at position {fact % BLOCK}")
mcplot.plot_gist_attention(axes[1], attention[0, plain], title=f"block {plain}: distractors only")
fig.tight_layout()
plt.show()

# %% tags=["nbval-check-output"]
fact_share = float(attention[0, fact // BLOCK, fact % BLOCK])
glue("gist_fact_share", number(fact_share, 2))
glue("gist_uniform", number(1 / BLOCK, 3))
print(f"attention on the fact: {fact_share:.2f} (uniform would be {1 / BLOCK:.3f})")

# %% [markdown]
# The trained GistNet puts {glue:text}`gist_fact_share` of its attention on the fact (uniform pooling
# would give {glue:text}`gist_uniform`): the gate $v \cdot h_i$ has learned to find the fact flag, so
# the LOD1 gist of a block is close to the block's fact. Over a block of distractors it has nothing to
# prefer and spreads out. A LOD2 gist mixes 32 such gists, and with them several facts.
#
# ## The working context and LensNet's score
#
# The working context starts as the coarsest legal cover: LOD2 gists where a whole 1024-token group
# lies before the protected tail, LOD1 gists for the remaining complete blocks, and the last 64 tokens
# plus the unfinished block at LOD0. It is a list of **units** (a LOD2 gist, a LOD1 gist, or a LOD0
# block of up to 32 tokens), and its length is its number of entries,
# $W = \sum_u n_u \le W_{\max}$ with $n_u = 1$ for a gist and the block's token count for LOD0.
#
# LensNet scores every entry $e_i$ of level $\ell_i$ for the query $x_q$ by cross-attention, plus
# the NTM's content similarity (Eq. 6) between the $\pm 1$ key bits of the query and of the entry:
#
# $$\begin{aligned}
# q &= W_q x_q + b_q, \qquad k_i = W_k e_i + b_k + E[\ell_i],\\
# s_i &= \tanh\!\Big(\alpha \frac{q \cdot k_i}{\sqrt d}
#   + \gamma[\ell_i]\, K(2\kappa_q - 1, 2\kappa_i - 1) + \delta[\ell_i]\Big), \qquad \text{(L)}
# \end{aligned}$$
#
# where $\kappa$ are the 16 key bits and $K$ is the cosine. A unit's score is the highest of its
# entries' scores (a LOD0 block is worth keeping for its best token). Write Eq. L for a batch of
# working contexts, entries `[B, W, C]` with levels `[B, W]` and a validity mask:

# %%
def my_lens_scores(query, entries, level, valid, Wq, bq, Wk, bk, E, alpha, gamma, delta, key_bits=16):
    """Eq. L: scores [B, W] in (-1, 1), 0 on padding."""
    lvl = level.clamp(min=0)
    q = query @ Wq.T + bq  # [B, d]
    k = entries @ Wk.T + bk + E[lvl]  # [B, W, d]
    logit = (k @ q[:, :, None])[..., 0] / q.shape[-1] ** 0.5
    kq, ke = 2 * query[:, :key_bits] - 1, 2 * entries[..., :key_bits] - 1
    cos = (ke @ kq[:, :, None])[..., 0] / (ke.norm(dim=-1) * kq.norm(dim=-1)[:, None])
    return torch.tanh(alpha * logit + gamma[lvl] * cos + delta[lvl]) * valid


levels = build_levels(x, gistnet)
config = FocusConfig(w_max=256, tail=64)
query = x[:, -1]
units = coarse_cover(2, 4096, config.tail, config.w_max)
entries = assemble(units, *levels)
with torch.no_grad():
    mine = my_lens_scores(query, entries.embedding, entries.level, entries.valid, lensnet.q.weight, lensnet.q.bias,
                          lensnet.k.weight, lensnet.k.bias, lensnet.lod.weight, lensnet.gain, lensnet.similarity,
                          lensnet.bias)
    torch.testing.assert_close(mine, lensnet(query, entries), atol=1e-5, rtol=1e-5)
    scores = unit_scores(mine, entries, units.level.shape[1])
print("✓ my_lens_scores matches LensNet on", int(entries.valid.sum()), "entries")

# %%
answer = layout.answer_steps[:, 0]
n = int(units.count[0])
hit = int(covers(units, answer, 4096, BLOCK)[0].float().argmax())
fig, ax = plt.subplots(figsize=(8, 2.8))
mcplot.plot_unit_scores(ax, scores[0, :n], units.level[0, :n], answer_unit=hit,
                        title="LensNet's unit scores over the coarse cover (colour: level)")
plt.show()

# %% tags=["nbval-check-output"]
gists = units.level[0, :n] >= 1  # the units that can be expanded
top = int(scores[0, :n].masked_fill(~gists, -2).argmax())
glue("lens_top_is_answer", "is" if top == hit else "is not")
glue("lens_answer_score", number(float(scores[0, hit]), 2))
glue("lens_units", n)
glue("lens_tail_score", number(float(scores[0, n - 1]), 2))
print(f"{n} units; highest gist score at unit {top}; the answer's unit is {hit} (score {float(scores[0, hit]):.2f}); "
      f"the last LOD0 block (it holds the query token) scores {float(scores[0, n - 1]):.2f}")

# %% [markdown]
# Over the {glue:text}`lens_units` units of the coarse cover, the unit that holds the answer (dashed)
# scores {glue:text}`lens_answer_score`, and it {glue:text}`lens_top_is_answer` the highest of the
# gists, the units an expansion can refine. (The last LOD0 block scores {glue:text}`lens_tail_score`:
# it holds the query token itself, whose key is the query's; it is protected and never edited.) The
# $\gamma K$ term does most of that work: it is the NTM's content match, **given** to LensNet as a
# feature. Without it (a learned two-stage cross-attention and nothing else), whether LensNet can
# still find the answer is one of the measurements of the [next chapter](15b_megacontext_measured.ipynb).
#
# ## The allocator's rule
#
# Each **refocus** makes at most `max_edits` edits, one at a time. Let $s^+$ be the highest score of a
# unit that may be expanded (a gist), $s^-$ the lowest score of a unit that may be collapsed (a LOD0
# block outside the protected tail, or an aligned run of 32 LOD1 gists, scored by their mean), and
# $W$ the current length. Expanding adds $31$ entries (a gist becomes 32 entries); collapsing removes
# 31. With thresholds $\tau_e, \tau_c$ and a hysteresis margin $m$:
#
# $$\begin{aligned}
# \text{expand} &\iff s^+ \ge \tau_e \wedge W + 31 \le W_{\max},\\
# \text{swap} &\iff s^+ \ge \tau_e \wedge W + 31 > W_{\max} \wedge s^- < s^+ - m,\\
# \text{collapse} &\iff \neg\text{expand} \wedge \neg\text{swap} \wedge s^- \le -\tau_c. \qquad \text{(F)}
# \end{aligned}$$
#
# A swap collapses first, to make room for the expansion at the next step. Two more rules keep the
# working context legal and calm: a working context over budget (new tokens arrived) first gets
# *forced* collapses, and an edit may not be reversed for `cooldown` refocuses. Write Eq. F batched
# over streams:

# %%
def my_edit_rule(best_expand, best_collapse, wc, w_max, tau_e=0.2, tau_c=0.2, margin=0.1, block=BLOCK):
    """Eq. F: bools (expand, swap, collapse) per stream [B]."""
    want = best_expand >= tau_e
    fits = wc + block - 1 <= w_max
    expand = want & fits
    swap = want & ~fits & (best_collapse < best_expand - margin)
    collapse = ~expand & ~swap & (best_collapse <= -tau_c)
    return expand, swap, collapse


g = torch.Generator().manual_seed(1)
s_plus, s_minus = torch.rand(4096, generator=g) * 2 - 1, torch.rand(4096, generator=g) * 2 - 1
wc = torch.randint(200, 300, (4096,), generator=g)
for a, b in zip(my_edit_rule(s_plus, s_minus, wc, 256), edit_rule(s_plus, s_minus, wc, FocusConfig(w_max=256))):
    assert torch.equal(a, b)
print("✓ my_edit_rule matches the allocator's edit_rule on 4096 random cases")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
grid = torch.linspace(-1, 1, 201)
sp, sm = torch.meshgrid(grid, grid, indexing="xy")
for ax, w in zip(axes, (200, 250)):
    e, s_, c_ = my_edit_rule(sp.flatten(), sm.flatten(), torch.full((sp.numel(),), w), 256)
    kind = (1 * e + 2 * s_ + 3 * c_).reshape(sp.shape)
    ax.imshow(kind, origin="lower", extent=(-1, 1, -1, 1), cmap=plt.get_cmap("Set2", 4), vmin=-0.5, vmax=3.5)
    ax.set_xlabel("s+ (best expandable score)")
    ax.set_title(f"W = {w}: " + ("room to expand" if w + 31 <= 256 else "no room: swap or collapse"))
axes[0].set_ylabel("s- (lowest collapsible score)")
handles = [plt.Rectangle((0, 0), 1, 1, color=plt.get_cmap("Set2", 4)(i)) for i in range(4)]
axes[1].legend(handles, ["no edit", "expand", "swap", "collapse"], loc="center left", bbox_to_anchor=(1, 0.5))
fig.tight_layout()
plt.show()

# %% [markdown]
# With room in the budget (left) every score above $\tau_e$ expands; with none (right) an expansion
# needs a swap, and the band $s^- \ge s^+ - m$ is where the margin refuses to trade two nearly equal
# scores. Three refocuses from the coarse cover, with the shipped LensNet:

# %% tags=["nbval-check-output"]
def describe(units, row=0):
    n = int(units.count[row])
    counts = [int((units.level[row, :n] == lv).sum()) for lv in range(3)]
    return f"{int(wc_length(units, 4096)[row]):3d} entries ({counts[0]} LOD0 blocks, {counts[1]} LOD1, {counts[2]} LOD2)"


print("coarse cover:", describe(units))
with torch.no_grad():
    for step in range(3):
        focused = read_focused(reader, levels, query, config, "lens", lensnet, passes=1, units=units, first_step=step)
        units = focused.units
        print(f"after refocus {step + 1}:", describe(units), "| answer block at LOD0:",
              answer_at_lod0(units, answer, 4096).tolist())

# %% [markdown]
# Two refocuses are the least that can reach a token inside a LOD2 gist (LOD2 → LOD1 → LOD0).
#
# ## The reader, and the gradient the choice does not get
#
# All readers answer with one `Reader`: its key is the query's key bits (as ±1) and its flag, and it
# reads with the NTM's content addressing (Eq. 5–6) and read (Eq. 2) over a set of entries: all $T$
# tokens for the soft read, the working context's tokens and gists for MegaContext-lite. Its two
# parameters, the key strength $\beta$ and an output scale, were trained with the GistNet.
#
# What soft attention buys shows in the gradient: with the soft read the answer's loss has a gradient
# with respect to **every** token. With the working context the loss still reaches the tokens through
# the gists (GistNet's pooling is soft), but **not the choice** of what to expand: the allocator's
# edits are discrete, so LensNet gets no gradient at all from the answer's loss. This is the design
# note's question 1 (soft against hard attention) in one cell.

# %% tags=["nbval-check-output"]
tokens = x[:1].clone().requires_grad_()
nll(read_all(reader, tokens, tokens[:, -1]), y[:1, -1]).sum().backward()
grad = tokens.grad[0].norm(dim=-1)
print(f"soft read: tokens with a non-zero gradient: {int((grad > 0).sum())} of {grad.numel()}; "
      f"share of the gradient on the asked fact: {grad[answer[0]].item() / grad.sum().item():.2f}")
tokens = x[:1].clone().requires_grad_()
out = read_focused(reader, build_levels(tokens, gistnet), tokens[:, -1], config, "lens", lensnet)
nll(out.logits, y[:1, -1]).sum().backward()
lens_grads = [p.grad for p in lensnet.parameters()]
print(f"working context: tokens with a non-zero gradient: {int((tokens.grad[0].norm(dim=-1) > 0).sum())} of 4096; "
      f"LensNet parameters reached by the gradient: {sum(g is not None for g in lens_grads)} of {len(lens_grads)}")
reader.zero_grad()
gistnet.zero_grad()

# %% [markdown]
# ## Training: GistNet by the reader's loss, LensNet from counterfactual ΔNLL
#
# `python -m ntm_minimal.megacontext.train --out DIR` trains in two phases (`--out` is required and
# may not be the shipped folder). **GistNet** and the reader learn from the answer's loss on random
# working contexts plus the loss of reading all tokens. **LensNet** learns to predict, for every unit,
# the change in the answer's loss when that unit gets one level finer (a gist expanded) or coarser (a
# block collapsed): the design's *counterfactual utility*, exact here because a "forward pass" is one
# read. Its cost is one pass for the context as it is plus one per unit:

# %% tags=["nbval-check-output"]
cfg = models["config"]
print(f"label cost: {cfg['label_forward_passes']['mean']:.1f} forward passes per example on average "
      f"(max {cfg['label_forward_passes']['max']}), W_max = {cfg['settings']['w_max']}, T = {cfg['settings']['length']}")

# %% [markdown]
# With a language model each of those passes would be a full forward pass over $W_{\max}$ entries;
# MegaContext's code compares a few whole-context variants pairwise instead. The
# [next chapter](15b_megacontext_measured.ipynb) trains LensNets both ways on the same labels.
#
# ## The working context over a stream
#
# In the streaming task a query arrives every 64 tokens, and the key it asks about switches now and
# then. At each query the new tokens join the tree and the working context, and the allocator makes
# one refocus (cooldown 2). Every row below is one refocus, every column one block, coloured by its
# level; the red dots mark the block of the fact each query asks about. Left: the shipped LensNet;
# right: the oracle allocator.

# %%
stream_task = make_task("streaming_recall", length=4096, facts=16, warmup=1024, query_every=64)
stream = stream_task.sample_layout(1, torch.Generator().manual_seed(5))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
logs = {}
for ax, scorer in zip(axes, ("lens", "oracle")):
    logs[scorer] = run_stream(stream, gistnet, reader, FocusConfig(w_max=512, cooldown=2), scorer, lensnet, record=True)
    mcplot.plot_levels_over_time(ax, logs[scorer].block_levels, answer_steps=stream.answer_steps[0],
                                 title=f"{scorer}: accuracy {logs[scorer].correct.float().mean():.2f}")
fig.tight_layout()
plt.show()

# %% [markdown]
# The oracle opens one narrow LOD0 column under each asked fact and keeps it while the query stays;
# new tokens pile up at LOD0 along the diagonal until the budget forces collapses. LensNet collapses
# new blocks almost at once and leaves thin LOD0 stripes that appear and vanish a refocus or two
# later: the flip-flops the design's cooldown, and the NTM's Eq. 7–9 in the next chapter, try to calm.
#
# **What next:** work [exercise 15](../exercises/15_focus_allocator.ipynb), the allocator's greedy
# refocus with the budget, the exact cover and the cooldown checked (its solution is
# [here](../solutions/15_focus_allocator.ipynb)); then read [MegaContext, measured](15b_megacontext_measured.ipynb),
# where every reader meets the baselines it must beat. Every symbol, its shape and its name in the
# code: [the glossary](../book/glossary.md).
