# %% [markdown]
# # 12b. Priority sort, measured
#
# Chapter 12 trains the paper's sort configuration until it sorts. This page holds the
# measurements behind it:
#
# - every sort model of the course on the same fresh lists, and the shipped recipe with other seeds;
# - the paper's optimiser (RMSProp) against the course's (Adam) on that configuration;
# - the course's first sort NTM, with 4 read and 4 write heads: it found the algorithm the paper's
#   Fig. 17 shows and could not sort with it. Its weightings say why, and a test of that
#   explanation.

# %%
import matplotlib.pyplot as plt

from ntm_minimal import checkpoint, plotting, pretrained, sorting
from ntm_minimal.analysis import (even_address_collisions, main_writes, read_write_agreement, shared_rows,
                                  signed_rows, write_spread)
from ntm_minimal.metrics import bit_errors
from ntm_minimal.prose import glue, number, percent
from ntm_minimal.tables import show
from ntm_minimal.tasks import make_task
from ntm_minimal.tasks.priority_sort import answer_errors

plotting.use_style()
torch.set_num_threads(1)  # small models and batches: one thread is as fast, and steady on a busy machine
task = make_task("priority_sort")
K, S = task.items, task.outputs

# %% [markdown]
# ## Every sort model on fresh lists
#
# The same 1,024 fresh lists as chapter 12 (`sorting.fresh_lists`), each model's wrong bits per
# list with their standard error and worst list, the share of answers exactly right and of lists
# sorted perfectly. Each run's `config.json` holds the command that trained it.

# %% tags=["nbval-check-output"]
ALL = {"NTM 8 + 8, Adam (shipped)": "priority_sort", "NTM 8 + 8, RMSProp": "priority_sort_rmsprop",
       "NTM 4 + 4": "priority_sort_4heads", "NTM 4 + 4, learned memory": "priority_sort_learned",
       "NTM 4 + 4, learned memory + curriculum": "priority_sort_learned_curr",
       "NTM 4 + 4, shifts -4..4": "priority_sort_shift4", "LSTM (shipped)": "priority_sort_lstm",
       "DNC (shipped)": "priority_sort_dnc", "DNC, first short run": "priority_sort_dnc_short"}
lists, _ = sorting.fresh_lists()
measured = sorting.measure(ALL, lists)
show(*sorting.quality_table(measured), caption="1,024 fresh lists of 20 inputs and 16 answers (128 bits)")
meeting = [label for label, q in measured.items() if sorting.sorts(q)]
glue("bar_bits", int(sorting.TARGET["bit_errors"]))
glue("bar_right", percent(sorting.TARGET["vectors_right"], 0))
glue("meeting", " and ".join(meeting) if meeting else "none")
_ = glue("best_4x4", percent(max(measured[k]["vectors_right"] for k in ALL if k.startswith("NTM 4 + 4")), 0))

# %% [markdown]
# Models that meet the course's bar (at most {glue:text}`bar_bits` wrong bits per list,
# {glue:text}`bar_right` of answers right):
# {glue:text}`meeting`. No NTM with 4 read and 4 write heads gets more than
# {glue:text}`best_4x4` of its answers right, whatever the recipe.

# %% [markdown]
# ## The shipped recipe with other seeds
#
# One run can be lucky. The shipped command was repeated with `--seed 1` and `--seed 2`, with the
# same schedule of learning rates (`checkpoints/extra/priority_sort_seed*`; the tests check that each
# differs from the shipped run only in its seed), and measured on the same fresh lists.

# %% tags=["nbval-check-output"]
SEEDS = {f"NTM 8 + 8, seed {seed}": run.name for seed, run in pretrained.seed_runs("priority_sort").items()}
seed_measured = sorting.measure(SEEDS, lists)
show(*sorting.quality_table(seed_measured), caption="the same 1,024 fresh lists; one row per training seed")
seed_bits = [q["bit_errors"] for q in seed_measured.values()]
glue("n_seeds", len(SEEDS))
glue("seeds_meeting", sum(sorting.sorts(q) for q in seed_measured.values()))
glue("seed_bits_lo", number(min(seed_bits), 2))
glue("seed_bits_hi", number(max(seed_bits), 2))
_ = glue("seed_right_lo", percent(min(q["vectors_right"] for q in seed_measured.values()), 1))

# %%
seed_logs = pretrained.learning_logs(SEEDS)
fig = plotting.plot_learning_curves(seed_logs, y="heldout_bit_errors", logy=False)
plt.show()
PLATEAU = 30  # wrong bits of 128 on the held-out lists, as in chapter 12
left = [next((f"{int(s):,}" for s, v in zip(log["sequences"], log["heldout_bit_errors"]) if v < PLATEAU),
             f"never within {int(log['sequences'][-1]):,}") for log in seed_logs.values()]
glue("seed_plateau_bits", PLATEAU)
glue("seed_steps", f"{int(pretrained.eval_results('priority_sort')['steps']):,}")
_ = glue("seed_plateau", " / ".join(left))

# %% [markdown]
# {glue:text}`seeds_meeting` of the {glue:text}`n_seeds` seeds meet the bar after the shipped
# schedule of {glue:text}`seed_steps` steps; their bit errors per list range from
# {glue:text}`seed_bits_lo` to {glue:text}`seed_bits_hi`, and the weakest gets
# {glue:text}`seed_right_lo` of its answers right. The held-out curves first get below
# {glue:text}`seed_plateau_bits` wrong bits after {glue:text}`seed_plateau` training lists, seed by
# seed: leaving the plateau early is not enough, since how fast a seed then falls differs as much.
# The recipe is reproducible, its outcome within this budget is not: one success in three says
# the shipped run was a good draw, not a typical one.

# %% [markdown]
# ## The paper's optimiser
#
# The paper trains with RMSProp (learning rate $3 \cdot 10^{-5}$, momentum 0.9). We trained the
# 8 + 8 configuration with it and with Adam ($10^{-3}$), with the same seed, side by side on
# the same CPU for the same number of steps.

# %%
optimiser_logs = pretrained.learning_logs({"NTM 8 + 8, Adam 1e-3": "priority_sort",
                                           "NTM 8 + 8, RMSProp 3e-5": "priority_sort_rmsprop"})
fig = plotting.plot_learning_curves(optimiser_logs, y="heldout_bit_errors", logy=False)
plt.show()
rms = optimiser_logs["NTM 8 + 8, RMSProp 3e-5"]
adam = optimiser_logs["NTM 8 + 8, Adam 1e-3"]
last = int(rms["step"][-1])
glue("rms_steps", f"{last:,}")
glue("rms_bits", number(rms["heldout_bit_errors"][-1], 1))
_ = glue("adam_bits_then", number(adam["heldout_bit_errors"][adam["step"].index(last)], 1))

# %% [markdown]
# After {glue:text}`rms_steps` steps the RMSProp run still makes {glue:text}`rms_bits` wrong bits
# per list on the held-out batch, where the Adam run is at {glue:text}`adam_bits_then`: with this
# learning rate RMSProp has not left the plateau that Adam also sat on, so the shipped run uses
# Adam. This says nothing about where RMSProp would end after far longer training.
#
# ## The 4 + 4 NTM: the paper's algorithm, and why it does not sort
#
# Before the 8 + 8 run, the course's sort NTM had 4 read and 4 write heads (the other reading of
# "8 heads"), trained for {glue:text}`small_steps` steps. Unlike the 8 + 8 NTM, it writes each vector at a location
# that depends on its priority. One list, each write head's most-weighted row against the input's
# priority (rows past 63 drawn as negative offsets, since the memory wraps):

# %%
small = pretrained.load("priority_sort_4heads")
glue("small_steps", f"{pretrained.eval_results('priority_sort_4heads')['steps']:,}")
one, prio = task.sample_with_priorities(1, torch.Generator().manual_seed(5))
with torch.no_grad():
    _, trace = small(one.x, return_trace=True)
fig = plotting.plot_sort_writes(prio[0], trace.write_weights[0, :K], title="4 + 4 NTM: write locations vs priority")
plt.show()

# %% tags=["nbval-check-output"]
many, prios = task.sample_with_priorities(64, torch.Generator().manual_seed(6))
with torch.no_grad():
    _, traces = small(many.x, return_trace=True)
main = main_writes(traces.write_weights, K)
rows = signed_rows(main).float()
prio_corr = torch.corrcoef(torch.stack([prios.flatten(), rows.flatten()]))[0, 1]
print(f"main write head: correlation of the priority with its row {prio_corr:+.2f} (64 lists)")
glue("small_prio_corr", number(prio_corr, 2))
agree = read_write_agreement(prios, traces.read_weights, traces.write_weights)
show(["", *(f"write head {j}" for j in range(agree.shape[1]))],
     [[f"read head {i}", *row] for i, row in enumerate(agree.tolist())], formats={j: ".2f" for j in range(1, 1 + agree.shape[1])},
     caption="how often a read head, at answer s, is on the row where a write head stored the s-th priority")
_ = glue("best_agreement", percent(float(agree.max()), 0))

# %% [markdown]
# Its main write head puts the priority into the address (correlation {glue:text}`small_prio_corr`
# over 64 lists), the paper's Fig. 17, and while answering a read head walks down those rows: at
# best it sits on the exact row of the answer {glue:text}`best_agreement` of the time, against
# $1/128$ for a random row.
#
# ### Inputs that share a row
#
# The plot also shows the flaw: the line spans fewer rows than there are inputs, so some inputs land
# on a row already written. Such a row holds a blend of two vectors, or at best (a full erase) only
# the later one. `shared_rows` marks, for each answer, whether its input's row was also another
# input's row. We count on 1,024 fresh lists, for the 4 + 4 NTM, its learned-memory recipe, and the
# two memory models that sort (chapter 12's 8 + 8 NTM, which writes in arrival order, and the DNC,
# whose allocation picks an unused row):

# %% tags=["nbval-check-output"]
sorts, sort_priorities = task.sample_with_priorities(1024, torch.Generator().manual_seed(77))
SHARING = {}  # name -> the figures of row_sharing, for the text


def row_sharing(label, name):
    """Rows used and answers right, alone on their row or sharing it, for one checkpoint on ``sorts``."""
    with torch.no_grad():
        out, tr = checkpoint.load_model(pretrained.folder(name)).eval()(sorts.x, return_trace=True)
    writes = main_writes(tr.write_weights, K)  # [B, K, N]: the DNC's write head, or the NTM's main one
    shared, right = shared_rows(sort_priorities, writes, S), answer_errors(out, sorts) == 0
    spread = {k: float(v.float().mean()) for k, v in write_spread(writes).items()}
    SHARING[name] = {"span": spread["span"], "shared": float(shared.float().mean()),
                     "right": float(right.float().mean()), "bits": float(bit_errors(out, sorts).mean())}
    alone = f"{float(right[~shared].float().mean()):.0%}" if (~shared).any() else "none alone"
    together = f"{float(right[shared].float().mean()):.0%}" if shared.any() else "none shared"
    return [label, writes.shape[-1], f"{spread['distinct']:.1f}", f"{spread['span']:.1f}",
            f"{float(shared.float().mean()):.0%}", alone, together, f"{float(right.float().mean()):.1%}"]


SHARING_COLUMNS = ["model", "memory rows", "distinct rows written (of 20 inputs)", "rows spanned",
                   "answers sharing their row", "right when alone", "right when sharing", "answers right"]
show(SHARING_COLUMNS,
     [row_sharing(label, name) for label, name in [("NTM 4 + 4", "priority_sort_4heads"),
                                                    ("NTM 4 + 4, learned memory", "priority_sort_learned"),
                                                    ("NTM 8 + 8 (chapter 12)", "priority_sort"),
                                                    ("DNC", "priority_sort_dnc")]],
     caption="1,024 fresh lists (seed 77); an answer is right when all 8 of its bits are")
glue("small_sharing", percent(SHARING["priority_sort_4heads"]["shared"], 0))
_ = glue("big_sharing", percent(SHARING["priority_sort"]["shared"], 0))

# %% [markdown]
# The 4 + 4 NTM leaves {glue:text}`small_sharing` of its answers on a shared row, and those are
# mostly wrong; the 8 + 8 NTM, writing in arrival order, shares {glue:text}`big_sharing`.
#
# How well could *any* write address computed from the priority do? `even_address_collisions`
# spreads the priorities evenly over a number of rows (the map least likely to put two on one row),
# writes them in input order, and counts the answers left alone, and those that were the last write
# to their row: if a row keeps the last vector written to it, the most such a sort can read back.

# %% tags=["nbval-check-output"]
span = round(SHARING["priority_sort_4heads"]["span"])
# the fewest rows (from 64 up) over which evenly spread addresses keep 9 answers in 10 readable
assert even_address_collisions(64, K, S)["readable"] < 0.9
nine_in_ten = next(r for r in range(64, 129) if even_address_collisions(r, K, S)["readable"] >= 0.9)
show(["rows the addresses spread over", "answers alone on their row", "answers last written to their row (at most right)",
      "lists with every answer alone"],
     [[r, f"{c['alone']:.1%}", f"{c['readable']:.1%}", f"{c['sequences_apart']:.1%}"]
      for r in sorted({span, 32, 64, nine_in_ten, 128}) for c in [even_address_collisions(r, K, S)]],
     caption="20 priorities uniform in [-1, 1], the top 16 checked; 20,000 draws")
glue("nine_in_ten", nine_in_ten)
packed, everywhere = even_address_collisions(span, K, S), even_address_collisions(128, K, S)
glue("span", span)
glue("packed_alone", percent(packed["alone"], 0))
glue("packed_readable", percent(packed["readable"], 0))
_ = glue("all_rows_readable", percent(everywhere["readable"], 0))

# %% [markdown]
# That is why the 4 + 4 NTM does not sort, in three steps:
#
# - **Shared rows cost most of its errors**: an answer on a shared row is right far less often
#   than one alone (the table above).
# - **The writes are packed because the reads shift.** A read head moves at most one row per
#   step (shift range 1, Eq. 8), and the 16 answers come one per step, so one head reading them in
#   order by shifting needs them on about 16 neighbouring rows: the writes span {glue:text}`span`.
# - **Packed addresses from a priority must collide.** Spread evenly over {glue:text}`span` rows,
#   20 priorities leave only about {glue:text}`packed_alone` of the answers alone, and even if every
#   row kept its last vector, at most about {glue:text}`packed_readable` could be read back. Nine
#   answers in ten need the writes spread evenly over about {glue:text}`nine_in_ten` rows or more (all 128 rows allow at
#   most about {glue:text}`all_rows_readable`), too far apart for a head that steps one row per
#   answer.
#
# Chapter 12's 8 + 8 NTM avoids the trap altogether: it does not compute an address from the
# priority, so nothing collides, and it finds the order by content when reading.
#
# ### The test: a wider shift
#
# If the writes are packed because a read head steps at most one row per answer, heads that may
# move further should spread the writes, share fewer rows and sort better. The 4 + 4 command with
# `--shift-range 4` (Eq. 8 with shifts $-4..4$) tests that prediction
# (`checkpoints/extra/priority_sort_shift4`), next to two other recipes: a learned initial memory
# (`--memory-init learned`) and the same with a curriculum over the list length.

# %%
recipe_logs = pretrained.learning_logs({"NTM 4 + 4": "priority_sort_4heads", "NTM 4 + 4, shifts -4..4": "priority_sort_shift4",
                                        "NTM 4 + 4, learned memory": "priority_sort_learned",
                                        "NTM 4 + 4, learned memory + curriculum": "priority_sort_learned_curr"})
fig = plotting.plot_learning_curves(recipe_logs, y="heldout_bit_errors", logy=False)
plt.show()

# %% tags=["nbval-check-output"]
show(SHARING_COLUMNS, [row_sharing("NTM 4 + 4, shifts -4..4", "priority_sort_shift4")],
     caption="the same 1,024 fresh lists (seed 77)")
wide_span = round(SHARING["priority_sort_shift4"]["span"])
glue("wide_span", wide_span)
glue("wide_readable", percent(even_address_collisions(wide_span, K, S)["readable"], 0))
glue("wide_right", percent(SHARING["priority_sort_shift4"]["right"], 0))
glue("wide_bits", round(SHARING["priority_sort_shift4"]["bits"]))
_ = glue("small_bits", round(SHARING["priority_sort_4heads"]["bits"]))

# %% [markdown]
# The prediction holds, and the wider shift is still no sort:
#
# - **The writes spread**: about {glue:text}`wide_span` rows instead of {glue:text}`span`, so
#   fewer answers share a row, and it makes {glue:text}`wide_bits` wrong bits per list instead of
#   {glue:text}`small_bits`.
# - **Still bounded**: spread over {glue:text}`wide_span` rows, even addresses would let at most
#   about {glue:text}`wide_readable` of the answers be read back; it gets {glue:text}`wide_right`.
# - **The other recipes** follow the 4 + 4 curve: a learned start and short lists first do not
#   remove the collisions.
#
# ## Summary
#
# - On the same fresh lists, the models that sort are {glue:text}`meeting`; of the shipped
#   recipe's {glue:text}`n_seeds` seeds, {glue:text}`seeds_meeting` within the same budget.
# - With the paper's RMSProp the 8 + 8 NTM had not left its plateau when Adam was far below it.
# - The 4 + 4 NTM found the paper's Fig. 17 algorithm (an address from the priority, read by
#   shifting) and is capped by it: packed addresses collide. The 8 + 8 NTM stores in arrival order
#   and finds the order by content, which nothing caps but close priorities.

# %% [markdown]
# **What next:** go on to [chapter 13, reproduction report: all five tasks](13_reproduction.ipynb).
# Every symbol, its shape and its name in the code: [the glossary](../book/glossary.md).
