# %% [markdown]
# # 13. Reproduction report: all five tasks
#
# This chapter sets the shipped checkpoints of chapters 8–12 next to what the paper reports
# (Graves, Wayne & Danihelka 2014, section 4 and Tables 1–3). Every number in the "ours" columns is
# computed below from the files in `ntm_minimal/checkpoints/` (the training logs `metrics.csv`,
# the held-out results `eval.json`, and the models themselves); nothing is typed in. Paper figures
# are quoted with the place they come from. Where we fall short, the table says so.
#
# **You will:**
# - read, per task, the paper's result next to ours on the same measure;
# - see how each number was measured (batch, seeds) and what it cost to train (wall time, hardware);
# - see where our set-up departs from the paper's, and why.

# %%
import matplotlib.pyplot as plt

from ntm_minimal import checkpoint, plotting, pretrained, sorting
from ntm_minimal.evaluation import evaluate, heldout_batch
from ntm_minimal.metrics import bit_errors, cost_bits
from ntm_minimal.prose import glue, number, percent
from ntm_minimal.tables import show
from ntm_minimal.tasks.ngrams import excess_by_occurrences, optimal_cost_bits
from ntm_minimal.analysis import even_address_collisions
from ntm_minimal.train import learning_rates

torch.set_num_threads(1)  # small models and batches: one thread is as fast, and steady on a busy machine


def first_below(name, column, threshold):
    """Sequences seen when ``column`` of the training log first fell below ``threshold`` (or None)."""
    log = pretrained.metrics(name)
    hit = checkpoint.first_below(log, column, threshold)
    return f"{int(hit):,}" if hit is not None else f"not within {int(log['sequences'][-1]):,}"


def describe(name):
    """Model, size, training budget and settings of a checkpoint, from its config.json and eval.json."""
    cfg, ev = pretrained.config(name), pretrained.eval_results(name)
    mc, tr = cfg["model_config"], cfg["train"]
    if cfg["model"] == "ntm":
        model = (f"NTM, {mc['controller']} controller {mc['controller_size']}, {mc['read_heads']}R+{mc['write_heads']}W heads, "
                 f"memory {mc['memory_n']}x{mc['memory_m']}" + (", learned start" if mc.get("memory_init") == "learned" else ""))
    else:
        model = f"LSTM {mc['layers']}x{mc['hidden_size']}"
    rates = ", ".join(f"{lr:g}" if step == 0 else f"{lr:g} from step {step:,}" for step, lr in learning_rates(cfg))
    return [name, model, f"{ev['parameters']:,}", f"{tr['optimizer']}, batch {tr['batch_size']}, lr {rates}",
            f"{ev['sequences']:,}", f"{ev['wall_s']:.0f} s ({tr['device']})", str(tr["seed"]),
            str(ev.get("skipped_steps", "not recorded"))]


# %% [markdown]
# ## How everything was trained
#
# One row per checkpoint: the model, its size, the optimiser (with each learning rate and the
# step from which a resumed segment used it), the training budget, the wall time, and the updates
# the trainer skipped because their gradient was not finite. All runs were made with `python -m ntm_minimal.train` (the exact command is in each
# `config.json`) on a shared machine with 2 CPU cores (AMD EPYC), one thread per run, one seed each
# (the N-gram section adds runs with other seeds).
# The paper trained with RMSProp (momentum 0.9) and gradients clipped elementwise to $\pm 10$
# (section 4); we kept the clipping but used Adam, which converged much faster in our short runs
# (Collier & Beel 2018 made the same choice).

# %% tags=["nbval-check-output"]
NAMES = ["copy", "copy_lstm", "repeat_copy", "repeat_copy_lstm", "associative_recall", "associative_recall_lstm",
         "ngrams", "ngrams_learned", "ngrams_lstm", "priority_sort", "priority_sort_lstm"]
show(["checkpoint", "model", "parameters", "optimiser", "sequences", "wall time", "seed", "skipped updates"],
     [describe(n) for n in NAMES])

# %% [markdown]
# ## Copy (section 4.1)
#
# **Measure.** Bit errors and cost per sequence on fresh seeded batches of exactly $L$ vectors
# (`eval.json`: {glue:text}`copy_grid_n` fresh sequences per length for each model), and the number of training sequences until the held-out
# cost (64 fixed sequences of lengths 1–20) first fell below 1 bit.

# %% tags=["nbval-check-output"]
cp = {label: {r["length"]: r for r in pretrained.eval_results(name)["grid"]}
      for label, name in [("NTM", "copy"), ("LSTM", "copy_lstm")]}
glue("copy_grid_n", min(r["batch_size"] for rows in cp.values() for r in rows.values()))
rows = [["training sequences until held-out cost < 1 bit", "NTM near 0 bits after about 200,000 (Fig. 3)",
         first_below("copy", "heldout_cost_bits", 1.0), first_below("copy_lstm", "heldout_cost_bits", 1.0)]]
paper_l = {10: "NTM nearly perfect (Fig. 4)", 20: "NTM nearly perfect (Fig. 4)", 30: "NTM nearly perfect (Fig. 4)",
           50: "NTM nearly perfect (Fig. 4)", 120: "NTM mostly right, some errors (Fig. 4); LSTM fails beyond 20 (Fig. 5)"}
for length, paper in paper_l.items():
    rows.append([f"L = {length}: bit errors / cost per sequence", paper,
                 *(f"{cp[m][length]['bit_errors']:.3f} / {cp[m][length]['cost_bits']:.2f}" for m in ("NTM", "LSTM"))])
show(["measure", "paper", "ours: NTM", "ours: LSTM"], rows)

# %% [markdown]
# **The tail.** A mean over 1,024 sequences can hide a few that fail completely, so chapter 8
# counts the failing sequences at every length from 1 to 50 and at 60–120, for the shipped model
# and three fine-tunes of it on lengths up to 50 (`checkpoints/extra/copy_ft50`; `copy_ft50m`
# with a margin term in the loss; `copy_ft50h` with the margin term and hard examples; chapter 8
# and `bench/copy_tail.md` say why). The counts come from
# `ntm_minimal/results/copy_tail_*.json` (`bench/copy_tail.py`, fresh sequences, seed 20261201 + L):

# %% tags=["nbval-check-output"]
tail_rows, copy_tails = [], {}
for label, name in [("NTM (shipped)", "copy"), ("NTM fine-tuned on L 1-50", "copy_ft50"),
                    ("NTM fine-tuned on L 1-50, margin loss", "copy_ft50m"),
                    ("NTM fine-tuned on L 1-50, margin loss + hard examples", "copy_ft50h")]:
    rows_by_length = {r["length"]: r for r in pretrained.bench_result(f"copy_tail_{name}")["rows"]}
    copy_tails[label] = rows_by_length
    short = [rows_by_length[n] for n in range(1, 51)]
    tail_rows.append([label, f"{sum(r['failing'] for r in short)} / {sum(r['sequences'] for r in short):,}",
                      f"{sum(r['failing'] > 0 for r in short)} of 50",
                      *(f"{rows_by_length[n]['perfect_fraction']:.1%} / {rows_by_length[n]['bit_errors']:.3f}" for n in (50, 100, 120))])
show(["model", "failing sequences, L = 1..50", "lengths with any failure", "L = 50: perfect / bit errors",
      "L = 100: perfect / bit errors", "L = 120: perfect / bit errors"], tail_rows,
     caption="1,024 fresh sequences per length; targets: no failing sequence at L <= 50, < 0.3 bit errors at L = 120")

# %% [markdown]
# ## Repeat copy (section 4.2)
#
# **Measure.** The same, for sequences of $L$ vectors repeated $R$ times (`eval.json`, 1,024
# fresh sequences per setting), and the held-out batch of the training range ($L$ 1–10, $R$ 1–10).

# %% tags=["nbval-check-output"]
rc = {label: pretrained.eval_results(name) for label, name in [("NTM", "repeat_copy"), ("LSTM", "repeat_copy_lstm")]}
rc["NTM to 20"] = checkpoint.load_eval(pretrained.folder("repeat_copy_ft20"))
ft20 = {(r["length"], r["repeats"]): r for r in rc["NTM to 20"]["grid"]}


def errors_and_cost(r):
    return f"{r['bit_errors']:.3f} / {r['cost_bits']:.2f}" if r else "not measured"


rows = [["held-out (L 1-10, R 1-10): bit errors / cost", "both solve it; NTM much faster (Fig. 7)",
         *(errors_and_cost(rc[m]["heldout"]) for m in ("NTM", "LSTM", "NTM to 20"))]]
for r_ntm, r_lstm in zip(rc["NTM"]["grid"], rc["LSTM"]["grid"]):
    rows.append([f"L = {r_ntm['length']}, R = {r_ntm['repeats']}",
                 "NTM generalises to longer and more repeats, but misplaces the end marker (Fig. 8)"
                 if r_ntm is rc["NTM"]["grid"][0] else "",
                 errors_and_cost(r_ntm), errors_and_cost(r_lstm), errors_and_cost(ft20.get((r_ntm["length"], r_ntm["repeats"])))])
show(["measure", "paper", "ours: NTM", "ours: LSTM", "ours: NTM fine-tuned on R 1-20 (extra run)"], rows)

# %% [markdown]
# The last column is a further run (`checkpoints/extra/repeat_copy_ft20`, chapter 9): the shipped
# NTM fine-tuned on up to 20 repeats, so $R = 12$–$20$ are inside its training range there. The
# shipped NTM stops after 11 to 15 copies whatever $R$ asks beyond 10 (chapter 9 measures where);
# trained to 20, it counts to 20 and then stops early again beyond it.

# %% [markdown]
# ## Associative recall (section 4.3)
#
# **Measure.** Cost (cross-entropy, bits per sequence) and bit errors per sequence on fresh seeded
# batches of exactly $K$ items (`eval.json`, 1,024 fresh sequences per $K$), and the number of training
# sequences until the held-out cost first fell below 1 bit (`metrics.csv`, a fixed batch of 256
# sequences of 2–6 items).

# %% tags=["nbval-check-output"]
ar, ar_lstm = pretrained.eval_results("associative_recall"), pretrained.eval_results("associative_recall_lstm")
by_k = {label: {r["items"]: r for r in ev["grid"]} for label, ev in [("NTM", ar), ("LSTM", ar_lstm)]}
rows = [["training sequences until held-out cost < 1 bit", "NTM about 30,000; LSTM 3x256 not at zero after 1M (Fig. 10)",
         first_below("associative_recall", "heldout_cost_bits", 1.0),
         first_below("associative_recall_lstm", "heldout_cost_bits", 1.0)]]
paper_k = {6: "near zero (Fig. 10, training range)", 8: "nearly perfect (Fig. 11)", 12: "nearly perfect (Fig. 11)",
           15: "below 1 bit of cost (Fig. 11)"}
for k, paper in paper_k.items():
    rows.append([f"K = {k}: cost / bit errors per sequence", paper,
                 *(f"{by_k[m][k]['cost_bits']:.3f} / {by_k[m][k]['bit_errors']:.3f}" for m in ("NTM", "LSTM"))])
show(["measure", "paper", "ours: NTM", "ours: LSTM"], rows)

# %% [markdown]
# ## Dynamic N-grams (section 4.4)
#
# **Measure.** Cost in bits per sequence on the 195 scored bits of 1000 held-out sequences of 200
# bits, the paper's validation size: the checkpoints' own held-out batch (`eval.json`, which the
# test suite re-measures from the models), and the Bayes-optimal estimator (section 4.4) on the
# *same* sequences, computed here. The paper reports the comparison as a figure (Fig. 13), so its
# column is qualitative. The last two rows split each excess by how often the predicted bit's
# context occurred earlier in the sequence (`excess_by_occurrences`, chapter 11).

# %% tags=["nbval-check-output"]
NG = {"NTM": "ngrams", "NTM, learned memory": "ngrams_learned", "LSTM": "ngrams_lstm"}
ng_held = {label: pretrained.eval_results(name)["heldout"] for label, name in NG.items()}
ng_cost = {label: h["cost_bits"] for label, h in ng_held.items()}
val = heldout_batch(pretrained.task("ngrams"), ng_held["NTM"]["batch_size"], ng_held["NTM"]["seed"])
optimum = float(optimal_cost_bits(val).mean())
with torch.no_grad():
    by_n = {label: excess_by_occurrences(pretrained.load(name)(val.x), val, edges=(0, 16)) for label, name in NG.items()}
print(f"{val.x.shape[0]} sequences, seed {ng_held['NTM']['seed']} (LSTM: {ng_held['LSTM']['batch_size']}, seed {ng_held['LSTM']['seed']})")
show(["measure", "paper", *(f"ours: {label}" for label in NG), "optimal"],
     [["cost per sequence (bits), 1000 sequences", "NTM a little better than LSTM; neither optimal (Fig. 13)",
       *(f"{c:.2f}" for c in ng_cost.values()), f"{optimum:.2f}"],
      ["excess over the optimum (bits)", "", *(f"{c - optimum:+.2f}" for c in ng_cost.values()), "0"],
      *([f"  of which on contexts seen {span} before", "", *(f"{r[i]['per_sequence']:+.2f}" for r in by_n.values()), ""]
        for i, span in enumerate(("0-15 times", "16 or more times")))])

# %% [markdown]
# **Seeds.** The gap between the two shipped models is about one bit, so we trained each again with
# other seeds, changing nothing but `--seed` (`pretrained.seed_runs`). The LSTM seeds ran on a
# lent GPU; the NTM seeds used `--compile` and kept snapshots. None of that changes the training
# beyond float rounding. Each row is one model: its held-out cost for every seed, on the same 1000
# sequences (`eval.json`, re-measured by the tests), then their mean and range.

# %% tags=["nbval-check-output"]
spread = {label: {seed: checkpoint.load_eval(run)["heldout"]["cost_bits"]
                  for seed, run in pretrained.seed_runs(name).items()}
          for label, name in NG.items()}
ng_mean = {label: sum(c.values()) / len(c) for label, c in spread.items()}
show(["model", "cost per sequence (bits) by seed", "mean", "range", "mean excess over the optimum"],
     [[label, "  ".join(f"{seed}: {c:.2f}" for seed, c in costs.items()), f"{ng_mean[label]:.2f}",
       f"{min(costs.values()):.2f}-{max(costs.values()):.2f}", f"{ng_mean[label] - optimum:+.2f}"]
      for label, costs in spread.items()])
print(f"best NTM seed {min(spread['NTM'].values()):.2f}, worst LSTM seed {max(spread['LSTM'].values()):.2f}: "
      f"every LSTM seed below every NTM seed: {max(spread['LSTM'].values()) < min(spread['NTM'].values())}")
learned = spread["NTM, learned memory"]
print(f"worst learned-memory NTM seed {max(learned.values()):.2f}, best LSTM seed {min(spread['LSTM'].values()):.2f}: "
      f"every learned-memory NTM seed below every LSTM seed: {max(learned.values()) < min(spread['LSTM'].values())}")
print("seeds within 3 bits of the optimum: " + ", ".join(
    f"{label} {sum(c - optimum <= 3 for c in costs.values())} of {len(costs)}" for label, costs in spread.items()))

# %% [markdown]
# The same runs over training: a thin line per seed, a thick one for each model's mean, and the
# optimum on the same 1000 sequences.

# %%
fig = plotting.plot_seed_spread({label: [checkpoint.load_metrics(run) for run in pretrained.seed_runs(name).values()]
                                 for label, name in NG.items()})
plotting.add_reference_line(fig, optimum)
fig.axes[0].set_ylim(optimum - 2, optimum + 25)  # the first steps cost up to 195 bits
plt.show()

# %% [markdown]
# **What the seeds show.** Every LSTM seed ends below every NTM seed (the first line under the
# table), so our LSTM's lead is not the luck of one seed. The NTM's seeds also spread more: in the
# figure the NTM runs leave their first plateau at different times and one of them descends slowly
# for most of training, while the LSTM runs descend together. One NTM seed ends just outside the
# 3-bit target that the shipped NTM meets (the third line).
#
# The NTM with a learned initial memory (`ngrams_learned`, chapter 11) reverses the order: every
# one of its seeds ends below every LSTM seed (the second line under the table), and its mean
# excess over the optimum is a little over half the LSTM's. Its runs leave the first plateau well before
# the others in the figure. The shipped seed collapsed once, near step 8,800, and recovered
# within a few hundred steps.
#
# **Variants.** Besides the learned initial memory, two runs changed one setting of the shipped
# NTM's command to try to close the gap (the same schedule and seed; `pretrained.extra_runs()`
# lists them), on the same 1000 sequences.
# A controller of 256 units, which gives the NTM about as many parameters as the LSTM (first
# table), narrows the gap but does not close it. A memory of 256 rows, twice the paper's, makes
# it wider: at 200 bits the number of rows is not what holds this NTM back (one seed each).

# %% tags=["nbval-check-output"]
shipped = pretrained.config("ngrams")
shipped_ntm = pretrained.load("ngrams").config  # with the settings older runs left at their defaults
rows = []
for name in pretrained.extra_runs():
    run = pretrained.folder(name)
    cfg = checkpoint.load_config(run)
    if cfg["task"] != "ngrams" or cfg["model"] != "ntm" or cfg["train"]["seed"] != shipped["train"]["seed"]:
        continue  # seeds are in the table above
    ev = checkpoint.load_eval(run)
    change = ", ".join(f"{k} {shipped_ntm[k]} -> {v}" for k, v in cfg["model_config"].items() if shipped_ntm[k] != v)
    rows.append([name, change, f"{ev['parameters']:,}", f"{ev['heldout']['cost_bits']:.2f}",
                 f"{ev['heldout']['cost_bits'] - ng_mean['LSTM']:+.2f}"])
show(["run", "change from the shipped NTM", "parameters", "cost (bits)", "vs the LSTM's seed mean"], rows)

# %% [markdown]
# **LSTMs of the NTM's size.** The N-gram LSTM baseline has the paper's size, 3 layers of 128 units
# (Table 3), about 330,000 parameters against the NTM's 59,000. We also trained two LSTMs with
# about as many parameters as the NTM, 3 layers of 52 units and 1 layer of 120, with the
# baseline's command otherwise unchanged (same schedule, two seeds each, on a lent H100 GPU).

# %% tags=["nbval-check-output"]
SMALL_LSTMS = {"LSTM 3x52": "ngrams_lstm3x52", "LSTM 1x120": "ngrams_lstm1x120"}
rows = []
for label, name in {**NG, **SMALL_LSTMS}.items():
    runs = pretrained.seed_runs(name)
    by_seed = {seed: checkpoint.load_eval(run)["heldout"]["cost_bits"] for seed, run in runs.items()}
    mean = sum(by_seed.values()) / len(by_seed)
    rows.append([label, f"{checkpoint.load_eval(pretrained.folder(name))['parameters']:,}",
                 "  ".join(f"{seed}: {c:.2f}" for seed, c in by_seed.items()), f"{mean:.2f}", f"{mean - optimum:+.2f}"])
show(["model", "parameters", "cost per sequence (bits) by seed", "mean", "mean excess over the optimum"], rows)

# %% [markdown]
# Cut down to the NTM's size, the LSTM ends far behind both NTMs: its excess over the optimum is
# several times theirs. So for its size the NTM's memory buys a great deal here; the paper's
# comparison, and our target, use the larger LSTM.

# %% [markdown]
# ## Priority sort (section 4.5)
#
# **Measure.** On the 1,024 fresh lists of chapter 12 (`sorting.fresh_lists`): bit errors per list
# (16 answers of 8 bits) with their standard error and worst list, the share of answers with all 8
# bits right, the share of lists sorted perfectly, and the bit errors at each answer. Besides the
# shipped NTM (8 read + 8 write heads) and LSTM: the 4 + 4 NTM and its best recipe, heads that shift
# up to 4 rows per step (chapter 12b), and the DNC of chapter 14.

# %% tags=["nbval-check-output"]
SORTERS = {"NTM 8 + 8": "priority_sort", "NTM 4 + 4": "priority_sort_4heads", "NTM 4 + 4, shifts -4..4": "priority_sort_shift4",
           "LSTM": "priority_sort_lstm", "DNC (chapter 14)": "priority_sort_dnc"}
sort_lists, _ = sorting.fresh_lists()
quality = sorting.measure(SORTERS, sort_lists)
header, rows = sorting.quality_table(quality)
show([*header, "bit errors at answers 0..15"],
     [[*row, " ".join(f"{v:.1f}" for v in quality[row[0]]["per_position"].tolist())] for row in rows])
print("paper: both NTMs (the feed-forward one with 8 heads and 512 units) learn faster and reach a lower cost "
      "than the LSTM (Fig. 18); its Fig. 17 shows a sort that is nearly perfect")

# %% [markdown]
# ## The course's targets, checked
#
# Besides the paper's results, the course set itself concrete targets for these small runs. Each
# line below is computed from the numbers above.

# %% tags=["nbval-check-output"]
ntm_err = {k: by_k["NTM"][k]["bit_errors"] for k in (6, 8, 12, 15)}
rc_train = [r for r in rc["NTM"]["grid"] if r["length"] <= 10 and r["repeats"] <= 10]
best_sort_label = min((label for label in quality if label.startswith("NTM")), key=lambda label: quality[label]["bit_errors"])
best_sort = quality[best_sort_label]
failing_short = {label: sum(rows[n]["failing"] for n in range(1, 51)) for label, rows in copy_tails.items()}
best_copy = min(failing_short, key=failing_short.get)
targets = [
    ("copy: NTM below 0.1 bit errors per sequence at L = 10 and 20",
     max(cp["NTM"][n]["bit_errors"] for n in (10, 20)) < 0.1, " / ".join(f"{cp['NTM'][n]['bit_errors']:.3f}" for n in (10, 20))),
    ("copy: NTM below 0.1 bit errors per sequence at L = 50", cp["NTM"][50]["bit_errors"] < 0.1,
     f"{cp['NTM'][50]['bit_errors']:.3f}"),
    ("copy: an NTM copies every fresh sequence at L = 1..50 (1,024 per length) and makes < 0.3 bit errors "
     "per sequence at L = 120", failing_short[best_copy] == 0 and copy_tails[best_copy][120]["bit_errors"] < 0.3,
     f"{best_copy}: {failing_short[best_copy]} failing of 51,200, {copy_tails[best_copy][120]['bit_errors']:.4f} at L = 120"),
    ("repeat copy: NTM below 0.1 at training lengths (held-out, and L = 10 with R = 5, 10)",
     max([rc["NTM"]["heldout"]["bit_errors"]] + [r["bit_errors"] for r in rc_train]) < 0.1,
     " / ".join(f"{v:.3f}" for v in [rc["NTM"]["heldout"]["bit_errors"]] + [r["bit_errors"] for r in rc_train])),
    ("associative recall: NTM below 0.5 bit errors per sequence at K = 6", ntm_err[6] < 0.5, f"{ntm_err[6]:.3f}"),
    *[target for label in ("NTM", "NTM, learned memory") for target in [
        (f"N-grams: {label} within 3 bits of the optimum (1000 sequences)", ng_cost[label] - optimum <= 3,
         f"{ng_cost[label] - optimum:+.2f} bits"),
        (f"N-grams: {label} below the LSTM", ng_cost[label] < ng_cost["LSTM"],
         f"{ng_cost[label]:.2f} vs {ng_cost['LSTM']:.2f}"),
        (f"N-grams: {label} within 3 bits of the optimum, mean over seeds", ng_mean[label] - optimum <= 3,
         f"{ng_mean[label] - optimum:+.2f} bits"),
        (f"N-grams: {label} below the LSTM, mean over seeds ({len(spread[label])} vs {len(spread['LSTM'])})",
         ng_mean[label] < ng_mean["LSTM"], f"{ng_mean[label]:.2f} vs {ng_mean['LSTM']:.2f}")]],
    ("priority sort: NTM fewer bit errors than the LSTM", quality["NTM 8 + 8"]["bit_errors"] < quality["LSTM"]["bit_errors"],
     f"{quality['NTM 8 + 8']['bit_errors']:.2f} vs {quality['LSTM']['bit_errors']:.2f}"),
    ("priority sort: an NTM sorts (at most 2 bit errors per list and 90 % of answers exactly right, 1,024 fresh lists)",
     sorting.sorts(best_sort),
     f"{best_sort_label}: {best_sort['bit_errors']:.2f} ± {best_sort['bit_errors_se']:.2f} bit errors (worst list "
     f"{best_sort['bit_errors_worst']:.0f}), {best_sort['vectors_right']:.1%} of answers right"),
]
show(["target", "met", "measured"], [[t, "yes" if ok else "NO", v] for t, ok, v in targets])

# %% [markdown]
# ## Where our set-up departs from the paper's
#
# - **Budget.** Each model saw at most about half a million training sequences, on one CPU
#   thread, in minutes to a few hours (first table). The paper's curves run to hundreds of
#   thousands or millions of sequences. A result we miss may only need more training; we cannot
#   tell from these runs.
# - **Optimiser.** Adam on batches of 16 or 32, starting at learning rate $10^{-3}$ and, for copy
#   and N-grams, lowered later (the first table gives each run's rates and the steps where they
#   changed; repeat copy also used a curriculum over length and repeats), instead of RMSProp with
#   momentum 0.9 at $10^{-4}$ to $3 \times 10^{-5}$ on single sequences (Table 1). We kept the
#   paper's elementwise clipping to $\pm 10$; the N-gram and sort runs also clip the global gradient
#   norm to 50. A first N-gram run's weights became NaN after about 600 steps: replayed under
#   `torch.autograd.detect_anomaly`, the backward pass of step 696 sent an infinite gradient into
#   the shift (Eq. 8), where it met a zero weight and became NaN; clipping cannot repair that. The
#   trainer now skips any update whose gradient is not finite and counts it (the last column of
#   the first table; "not recorded" for runs trained before the guard existed; the N-gram runs'
#   counts cover their segments after step 3,300). The first run of the 4 + 4 sort command
#   diverged at step 13,000 (its held-out errors doubled within 100 steps, at learning rate
#   $10^{-3}$); `extra/priority_sort_4heads` is the same run replayed from its step-2,900 state and
#   stopped at step 12,000, which its `config.json` records.
# - **Models.** Copy and repeat copy use the paper's copy sizes (LSTM controller of 100 units, one
#   read and one write head, Table 1). Sort uses the paper's sort controller, feed-forward with 512
#   units, and 8 read and 8 write heads (the paper gives "8 heads" and does not say how they
#   split; 4 read and 4 write heads, the other reading, are in chapter 12b). Associative recall is smaller than the paper's: a feed-forward controller of 100
#   units with one read and one write head (paper: 256 units, 4 heads). N-grams uses an LSTM
#   controller of 100 units with one read and one write head. The LSTM baselines have 3 layers
#   of 256 units for copy and repeat copy ({glue:text}`big_lstm_params` million parameters, {glue:text}`big_lstm_mb` MB in float16) and 3 layers
#   of 128 units for associative recall, N-grams and priority sort ({glue:text}`small_lstm_params` parameters,
#   {glue:text}`small_lstm_mb` MB in float32; the paper's associative-recall LSTM has 3 x 256, section 4.3), to keep those
#   checkpoints small.
# - **Task details the paper leaves open.** Sort vectors are 8 bits wide; the shift range is
#   $-1..1$; the memory starts at a small constant ($10^{-6}$, Collier & Beel 2018), except in
#   `ngrams_learned`, whose initial memory is trained with the rest (chapter 11); N-gram
#   sequences score only the 195 bits drawn from the table (the first five are coin flips).
# - **Seeds.** One training seed per shipped checkpoint (in the first table); the held-out batches
#   have their own fixed seeds. Two tasks have further seeds: N-grams, where the models end about a
#   bit apart (its section: the NTM, the learned-memory NTM, the LSTM and the two small LSTMs), and
#   priority sort, whose shipped NTM was repeated with two more seeds (chapter 12b); for the other
#   tasks we cannot give a spread.

# %% tags=["hide-input"]
# The figures the text quotes, from the same files.
def megabytes(name):
    return (pretrained.folder(name) / "model.safetensors").stat().st_size / 1e6


small_lstms = ("associative_recall_lstm", "ngrams_lstm", "priority_sort_lstm")
small_params = [pretrained.eval_results(n)["parameters"] for n in small_lstms]
small_mb = [megabytes(n) for n in small_lstms]
glue("big_lstm_params", number(pretrained.eval_results("copy_lstm")["parameters"] / 1e6, 2))
glue("big_lstm_mb", number(megabytes("copy_lstm"), 1))
glue("small_lstm_params", f"{min(small_params):,} to {max(small_params):,}")
glue("small_lstm_mb", number(max(small_mb), 1))
shipped_tail = copy_tails["NTM (shipped)"]
for name, lengths in [("tail_short", range(1, 51)), ("tail_long", (60, 80, 100, 120))]:
    n = sum(shipped_tail[length]["sequences"] for length in lengths)
    glue(name, percent(sum(shipped_tail[length]["failing"] for length in lengths) / n))
glue("packed_readable", percent(even_address_collisions(17)["readable"], 0))
shipped_sort = quality["NTM 8 + 8"]
glue("sort_verdict", "sorts by the course's bar" if sorting.sorts(shipped_sort) else "does not yet sort by the course's bar")
glue("sort_bits", f"{shipped_sort['bit_errors']:.2f} ± {shipped_sort['bit_errors_se']:.2f}")
glue("sort_worst", int(shipped_sort["bit_errors_worst"]))
glue("sort_right", percent(shipped_sort["vectors_right"], 1))
_ = glue("sort_dnc_verdict", "sorts too" if sorting.sorts(quality["DNC (chapter 14)"]) else "does not meet the bar")

# %% [markdown]
# ## Summary
#
# - **Copy and repeat copy** are learned exactly on the training range, and the NTM generalises far
#   beyond it where the LSTM fails (the tables above give each length); the repeat-copy NTM, like
#   the paper's, loses count of the repeats before it loses the sequence. The shipped copy NTM
#   fails {glue:text}`tail_short` of fresh sequences at lengths 1–50 and {glue:text}`tail_long` at 60–120 (the tail table); fine-tuned on lengths up to 50 with hard
#   examples, it copies every one of 51,200 fresh sequences at lengths 1–50 and every one at
#   60–120 (chapter 8).
# - **Associative recall is reproduced**: a feed-forward NTM learns the task within a similar
#   number of sequences as the paper reports (table above), and stays nearly perfect on lists more
#   than twice as long as in training, while the LSTM baseline, trained on the same sequences, is
#   far from solving it.
# - **Dynamic N-grams is reproduced, with a learned initial memory**: trained on the same half
#   million sequences with the same schedule, all models come within about two bits per sequence
#   of the optimal estimator, and none reaches it, as in the paper. With the memory starting at a
#   constant, as for the other tasks, our LSTM ends slightly ahead of our NTM, the reverse of the
#   paper's order, for every seed we trained and for an NTM with about as many parameters as the
#   LSTM. The same NTM with its initial memory learned, a choice the paper leaves open, ends
#   ahead of the LSTM for every seed, as in the paper; it gains on contexts seen fewer than 16
#   times before (the table's last rows). Both NTMs use their memory as a log searched by content
#   (chapter 11); with the learned start the search is sharp. An LSTM of the NTM's size ends far
#   behind both.
# - **Priority sort** with the paper's sort configuration, read as 8 read and 8 write heads
#   (feed-forward, 512 units, memory 128 × 20): our NTM {glue:text}`sort_verdict` on 1,024 fresh
#   lists, with {glue:text}`sort_bits` wrong bits per list (worst list {glue:text}`sort_worst`) and
#   {glue:text}`sort_right` of the answers exactly right, far fewer errors than the LSTM, as in the
#   paper's Fig. 18 (table above). It does not use the algorithm of the paper's Fig. 17: it stores
#   the inputs in arrival order and finds each next priority by content, and its remaining errors
#   are on priorities that lie close together (chapter 12). The 4 + 4 NTM did find the Fig. 17
#   algorithm, addresses computed from the priority and read by shifting, and is capped by it:
#   packed onto 17 rows, even ideal addresses let at most about {glue:text}`packed_readable` of the
#   answers be read back (chapter 12b). The DNC of chapter 14 {glue:text}`sort_dnc_verdict`.
# - Everything above is measured from the shipped files; rerun any row with the command in its
#   `config.json`, or with the `TRAIN_FROM_SCRATCH` switch in chapters 8–12.

# %% [markdown]
# **What next:** go on to [chapter 14, the Differentiable Neural Computer](14_dnc.ipynb). Every
# symbol, its shape and its name in the code: [the glossary](../book/glossary.md).
