# %% [markdown]
# # 14. The Differentiable Neural Computer
#
# Two years after the NTM, Graves et al. published its successor, the **Differentiable Neural
# Computer** (DNC; Nature 538, 2016). It keeps the NTM's memory matrix, its content lookup
# (Eq. 5–6) and its erase-and-add write (Eq. 3–4), and replaces the location-based half of the
# addressing (interpolation, shift, sharpening: Eq. 7–9) with memory *management*. The paper's
# Methods name three things the NTM cannot do:
#
# 1. **keep allocated regions apart**: nothing stops the NTM from writing a new block over one
#    it still needs, because it has no record of which rows are in use;
# 2. **free memory**: once written, a row is never marked reusable, so on a long stream of data
#    the NTM has no way to tell old rows it may overwrite from rows it still needs;
# 3. **follow the order of writes once it jumps by content**: a shift moves to the *neighbouring*
#    row, which is the next one written only if the writes were contiguous.
#
# The DNC answers each with one mechanism: a **usage** per row with **free gates** and an
# **allocation weighting** (1 and 2), and a **temporal link matrix** that records which row was
# written after which (3). This chapter builds each in a few lines, checks it against
# `ntm_minimal.dnc`, pictures it, and then asks whether the trained models bear the argument out.
#
# **You will:**
# - see the NTM's third weakness happen, and the link matrix avoid it;
# - derive retention, usage, allocation, write weighting, precedence, link and read modes, each
#   checked against the package with `assert_close`;
# - watch usage rise and fall over time as a hand-driven DNC writes, frees and reuses rows;
# - compare trained DNCs, NTMs and LSTMs on the paper's tasks, from the shipped checkpoints;
# - test the DNC's three claims: memory reuse, the link matrix on copy, and a memory larger than
#   in training.

# %%
import matplotlib.pyplot as plt
from torch.nn import functional as F

from ntm_minimal import addressing, checkpoint, dnc, plotting, pretrained, tables
from ntm_minimal.dnc import DNC
from ntm_minimal.plotting import dnc as dnc_plots
from ntm_minimal.tables import show

plotting.use_style()


def one_hot(rows, n):
    """Weightings ``[len(rows), n]``, one-hot on the given rows (one batch element each)."""
    return F.one_hot(torch.tensor(rows), n).double()


# %% [markdown]
# ## The NTM loses the order after a jump
#
# Suppose a model wrote three vectors, in this order, to rows 5, 2 and 7 of an 8-row memory (a
# content lookup chose each row; nothing forced them to be neighbours). To read them back in
# order it must get from row 5 to row 2. The NTM's only location-based move is the shift of Eq. 8,
# and a shift by $+1$ goes to row 6. The DNC records every write in a **link matrix** $L$
# ($L[i, j]$: how much row $i$ was written right after row $j$); multiplying it with a read
# weighting moves the read to the row written next:

# %% tags=["nbval-check-output"]
N = 8
L, p = torch.zeros(1, N, N, dtype=torch.float64), torch.zeros(1, N, dtype=torch.float64)
for row in [5, 2, 7]:  # the writes, in time order
    w = one_hot([row], N)
    L, p = dnc.link(L, p, w), dnc.precedence(p, w)
at_5 = one_hot([5], N)
ntm_next = addressing.shift(at_5, torch.tensor([[0.0, 0.0, 1.0]], dtype=torch.float64))  # NTM: shift by +1
forward, backward = dnc.directional_weightings(L, at_5[:, None])  # read heads carry a head axis: [B, R, N]
print("NTM, shift +1 from row 5: row", int(ntm_next.argmax()))
print("DNC, forward link from row 5: row", int(forward.argmax()), "| then from row 2: row",
      int(dnc.directional_weightings(L, one_hot([2], N)[:, None])[0].argmax()))
print("DNC, backward link from row 7: row", int(dnc.directional_weightings(L, one_hot([7], N)[:, None])[1].argmax()))

# %% [markdown]
# The NTM state holds a memory, weightings and reads; nothing in it says which rows are in use or
# in what order they were filled, so weaknesses 1 and 2 are not bugs of a particular training run:
# the information is not there. The DNC's state adds exactly that information:

# %% tags=["nbval-check-output"]
print("NTM state:", ntm_minimal.NTMState._fields)
print("DNC state:", dnc.DNCState._fields)

# %% [markdown]
# ## Freeing: retention and usage
#
# Every step, each read head $i$ emits a **free gate** $f^i_t \in [0, 1]$: "the rows I read last
# step may be reused". The **retention** $\psi_t$ says how much of each row survives all read
# heads' freeing, and the **usage** $u_t$ rises when a row is written and falls when it is freed
# (Methods, "Dynamic memory allocation"):
#
# $$ \psi_t = \prod_{i=1}^{R} \big(1 - f^i_t\, w^{r,i}_{t-1}\big), \qquad
#    u_t = \big(u_{t-1} + w^w_{t-1} - u_{t-1} \circ w^w_{t-1}\big) \circ \psi_t . $$
#
# Both use the *previous* step's weightings: this step's write weighting depends on $u_t$, so it
# cannot enter it. $u + w - u w$ is a soft OR ("used before, or just written"), which keeps usage
# in $[0, 1]$. In code, with read heads on axis 1:

# %% tags=["nbval-check-output"]
def my_retention(free_gates, w_read_prev):
    """free_gates [B, R, 1], w_read_prev [B, R, N] -> psi [B, N]."""
    return (1 - free_gates * w_read_prev).prod(dim=1)  # product over the read heads


def my_usage(u_prev, w_write_prev, psi):
    """u_prev, w_write_prev, psi [B, N] -> u [B, N]."""
    return (u_prev + w_write_prev - u_prev * w_write_prev) * psi


g = torch.Generator().manual_seed(0)
B, R = 3, 2
free = torch.rand(B, R, 1, generator=g, dtype=torch.float64)
w_read = torch.softmax(3 * torch.randn(B, R, N, generator=g, dtype=torch.float64), -1)
u_prev = torch.rand(B, N, generator=g, dtype=torch.float64)
w_write = 0.9 * torch.softmax(3 * torch.randn(B, N, generator=g, dtype=torch.float64), -1)
psi = my_retention(free, w_read)
torch.testing.assert_close(psi, dnc.retention(free, w_read))
torch.testing.assert_close(my_usage(u_prev, w_write, psi), dnc.usage(u_prev, w_write, psi))
print("retention and usage match ntm_minimal.dnc; usage stays in [0, 1]:",
      bool(((0 <= my_usage(u_prev, w_write, psi)) & (my_usage(u_prev, w_write, psi) <= 1)).all()))

# %% [markdown]
# ## Allocation: the least used row first
#
# The **free list** $\phi_t$ sorts the rows by ascending usage. The **allocation weighting** (Methods,
# eq. 1) gives the first row of the list what it has free, the next row what it has free times
# what the first has *not*, and so on:
#
# $$ a_t[\phi_t[j]] = \big(1 - u_t[\phi_t[j]]\big) \prod_{i=1}^{j-1} u_t[\phi_t[i]] . $$
#
# With usages near 0 or 1 this is nearly one-hot on the least used row; if every row is full it is
# zero. The sort has no useful gradient (its permutation is piecewise constant); the paper ignores
# it and lets the gradient flow through the sorted values only, as a sort followed by a
# cumulative product does by itself. `ntm_minimal.dnc.allocation` also lifts the usages to
# $10^{-6} + (1 - 10^{-6})\,u$ first, as deepmind/dnc does, so a long product of zeros cannot
# feed a $0/0$ into the gradient; the difference is at most $N \cdot 10^{-6}$. Exercise 14 asks you to
# write it; here it is with the free list printed:

# %% tags=["nbval-check-output"]
u = torch.tensor([[0.9, 0.2, 1.0, 0.0, 0.6, 0.95, 1.0, 0.3]], dtype=torch.float64)
sorted_u, free_list = torch.sort(u, dim=-1, stable=True)
before = torch.cumprod(torch.cat([torch.ones(1, 1, dtype=torch.float64), sorted_u[:, :-1]], -1), -1)
a = torch.zeros_like(u).scatter(-1, free_list, (1 - sorted_u) * before)
torch.testing.assert_close(a, dnc.allocation(u), atol=N * 1e-6, rtol=0)
print("usage:     ", [f"{x:.2f}" for x in u[0].tolist()])
print("free list: ", free_list[0].tolist())
print("allocation:", [f"{x:.2f}" for x in a[0].tolist()], "| sum", round(a.sum().item(), 3))
print("all rows full -> allocation", dnc.allocation(torch.ones(1, 4)).tolist())

# %% [markdown]
# Row 3 (usage 0) takes everything; row 1 (0.2) would be next. The **write weighting** (eq. 2)
# then chooses, with the allocation gate $g^a_t$, between writing to free rows and writing by
# content ($c^w_t$, the NTM's content lookup on $M_{t-1}$), and the write gate $g^w_t$ says
# whether to write at all:
#
# $$ w^w_t = g^w_t \big[ g^a_t\, a_t + (1 - g^a_t)\, c^w_t \big] . $$

# %% tags=["nbval-check-output"]
content = torch.softmax(torch.randn(1, N, generator=g, dtype=torch.float64), -1)
g_alloc, g_write = torch.tensor([[0.8]], dtype=torch.float64), torch.tensor([[0.9]], dtype=torch.float64)
mine = g_write * (g_alloc * a + (1 - g_alloc) * content)
torch.testing.assert_close(mine, dnc.write_weighting(a, content, g_alloc, g_write))
print("write weighting matches; it sums to", round(mine.sum().item(), 3), "= g^w (allocation and content weighting each sum to 1)")

# %% [markdown]
# ## Order: precedence and the link matrix
#
# The **precedence** $p_t$ is "where the last write went": a full write replaces it, no write
# keeps it. The **link matrix** moves each write's precedence into the row just written:
#
# $$ p_t = \Big(1 - \sum_i w^w_t[i]\Big)\, p_{t-1} + w^w_t, \qquad
#    L_t[i, j] = \big(1 - w^w_t[i] - w^w_t[j]\big)\, L_{t-1}[i, j] + w^w_t[i]\, p_{t-1}[j], \quad L_t[i, i] = 0 . $$
#
# Writing row $i$ clears its old links (in both directions) and links it to wherever the previous
# write went. The read heads then look one write forward or backward from where they read last
# step, $f^i_t = L_t w^{r,i}_{t-1}$ and $b^i_t = L_t^\top w^{r,i}_{t-1}$, and three **read modes**
# $\pi^i_t$ (a softmax: backward, content, forward) mix them with a content lookup on $M_t$:
#
# $$ w^{r,i}_t = \pi^i_t[1]\, b^i_t + \pi^i_t[2]\, c^{r,i}_t + \pi^i_t[3]\, f^i_t . $$

# %% tags=["nbval-check-output"]
def my_link(L_prev, p_prev, w_write):
    """L_prev [B, N, N], p_prev and w_write [B, N] -> L [B, N, N]."""
    w_i, w_j = w_write[:, :, None], w_write[:, None, :]
    return ((1 - w_i - w_j) * L_prev + w_i * p_prev[:, None, :]) * (1 - torch.eye(w_write.shape[-1]))


L_mine = L_pkg = torch.zeros(B, N, N, dtype=torch.float64)
p_mine = p_pkg = torch.zeros(B, N, dtype=torch.float64)
for step in range(6):  # six soft writes, so the check sees a link matrix with history
    w = 0.9 * torch.softmax(4 * torch.randn(B, N, generator=g, dtype=torch.float64), -1)
    L_mine, L_pkg = my_link(L_mine, p_mine, w), dnc.link(L_pkg, p_pkg, w)  # the previous precedence
    p_mine, p_pkg = (1 - w.sum(-1, keepdim=True)) * p_mine + w, dnc.precedence(p_pkg, w)
torch.testing.assert_close(L_mine, L_pkg)
torch.testing.assert_close(p_mine, p_pkg)
fwd, bwd = dnc.directional_weightings(L_pkg, w_read)
torch.testing.assert_close(fwd, torch.einsum("bij,brj->bri", L_pkg, w_read))
torch.testing.assert_close(bwd, torch.einsum("bji,brj->bri", L_pkg, w_read))
modes = torch.softmax(torch.randn(B, R, 3, generator=g, dtype=torch.float64), -1)
c_read = torch.softmax(torch.randn(B, R, N, generator=g, dtype=torch.float64), -1)
torch.testing.assert_close(dnc.read_weighting(bwd, c_read, fwd, modes),
                           modes[..., :1] * bwd + modes[..., 1:2] * c_read + modes[..., 2:] * fwd)
print("link, forward/backward and read weighting match ntm_minimal.dnc")
print("largest row and column sums of L:", round(L_pkg.sum(-1).max().item(), 3), round(L_pkg.sum(-2).max().item(), 3),
      "| diagonal:", L_pkg.diagonal(dim1=-2, dim2=-1).abs().max().item())

# %% [markdown]
# Rows and columns of $L$ sum to at most 1, so $L w$ of a weighting is again (at most) a
# weighting, and the diagonal stays 0: a row never follows itself. The link is dense, $N \times N$
# per sequence, so its cost per step grows as $N^2$ where everything else grows as $N$
# (`bench/README.md` measures it; the paper's sparse link cuts it to $O(N \log N)$).
#
# ## A DNC driven by hand
#
# To see usage, allocation and freeing together, drive the equations by hand on a memory of 6
# rows: 5 steps write by allocation ($g^a = g^w = 1$); then the read head reads the rows of the
# first two writes, and at each next step frees what it read ($f = 1$); then 4 more writes.
# Nothing here is trained: every gate is set by the script.

# %%
n = 6
u, w_prev, r_prev = torch.zeros(1, n), torch.zeros(1, n), torch.zeros(1, 1, n)
L, p = torch.zeros(1, n, n), torch.zeros(1, n)
script = ["write"] * 5 + ["read write 0", "read write 1"] + ["write"] * 4
history = {"usage": [], "write": [], "read": []}
for action in script:  # one DNC step per entry
    f = torch.full((1, 1, 1), float(r_prev.sum() > 0))  # free whatever the head read last step
    u = dnc.usage(u, w_prev, dnc.retention(f, r_prev))
    g_write = torch.full((1, 1), float(action == "write"))
    w_prev = dnc.write_weighting(dnc.allocation(u), torch.full((1, n), 1 / n), torch.ones(1, 1), g_write)
    L, p = dnc.link(L, p, w_prev), dnc.precedence(p, w_prev)
    r_prev = torch.zeros(1, 1, n)
    if action.startswith("read"):  # read the row that write number k went to
        r_prev[0, 0, int(history["write"][int(action[-1])].argmax())] = 1.0
    for key, value in [("usage", u[0]), ("write", w_prev[0]), ("read", r_prev[0, 0])]:
        history[key].append(value)
fig, axes = plt.subplots(1, 4, figsize=(12, 2.8))
for ax, key in zip(axes, ["write", "read", "usage"]):
    plotting.plot_weightings_over_time(ax, torch.stack(history[key]), title=f"{key} ({'u_t' if key == 'usage' else 'w_t'})")
dnc_plots.plot_link_matrix(L[0], ax=axes[3], title="link matrix at the end")
plt.show()
print("rows written:", [int(w.argmax()) if w.sum() > 0.5 else "-" for w in history["write"]])
print("total write weight of the last write (memory full):", f"{history['write'][-1].sum().item():.1e}")
print("links at the end (row i after row j):", [(i, j) for i, j in (L[0] > 0.5).nonzero().tolist()])

# %% [markdown]
# Three things to read off:
#
# - **Allocation fills free rows, but not in row order.** The first write goes to row 0, the next
#   ones to rows 3, 2, 4, 5. That is the $10^{-6}$ lift at work: every allocation leaves a sliver
#   ($10^{-6}$, $10^{-12}$, ...) on the other free rows, so after one write the free rows are no
#   longer exactly tied, and in float32 the smallest slivers vanish into the lift. The order does
#   not matter to a model (any free row is as good as another), and the paper's exact formula
#   would give 0, 1, 2, ...
# - **Freeing is one step late.** A row's usage drops to 0 one step after it was read, because the
#   free gate acts on the previous read weighting. The next two writes land exactly in the two
#   freed rows (0 and 3), and only then in the never-used row 1. The last write finds every row
#   full: its allocation is (almost) zero, so nothing is written.
# - **The link matrix keeps the order of the writes, reuse included**: $5 \to 0 \to 3 \to 1$ for
#   the last writes and $2 \to 4 \to 5$ from the first. Rewriting rows 0 and 3 erased their old
#   links: a row's links describe what it holds now.

# %% [markdown]
# ## The whole DNC
#
# `ntm_minimal.DNC` puts the pieces into one step, in this order (Methods): the controller sees
# $[\mathbf{x}_t, \mathbf{r}_{t-1}]$; one linear layer emits the **interface vector**
# $\xi_t$ ($W R + 3W + 5R + 3$ numbers: read keys and strengths, write key and strength, erase and
# write vectors, free gates, allocation and write gates, read modes); then retention, usage,
# allocation, write weighting (content lookup on $M_{t-1}$), the write (the NTM's Eq. 3–4),
# link and precedence, and the read weighting with its content lookup on $M_t$, so a row written
# now can be read now. Strengths use the paper's **oneplus** $1 + \log(1 + e^x) \ge 1$ (deepmind/dnc
# uses softplus, $\ge 0$). One deviation from the paper, taken from deepmind/dnc: the usage does not
# pass a gradient back into the previous write weighting (`detach_usage=True`). The model has the
# NTM's contract (`forward(x, return_trace=False)`, `step`, `initial_state`, `config`), so the
# course's trainer, checkpoints and evaluation serve it unchanged. With the NTM's copy-task sizes:

# %% tags=["nbval-check-output"]
sizes = dict(input_size=9, output_size=8, controller="lstm", controller_size=100, memory_n=128, memory_m=20)
rows = []
for label, model in [("NTM, 1 read + 1 write head", ntm_minimal.NTM(**sizes)),
                     ("DNC, 1 read head", DNC(**sizes, read_heads=1)), ("DNC, 4 read heads", DNC(**sizes, read_heads=4))]:
    parts = {name: sum(p.numel() for p in child.parameters()) for name, child in model.named_children()}
    rows.append([label, sum(parts.values()), ", ".join(f"{k} {v:,d}" for k, v in parts.items())])
show(["model", "parameters", "of which"], rows, formats={1: ","})

# %% [markdown]
# ## Trained on the paper's tasks
#
# The DNCs below were trained with the same command-line trainer as the NTMs of chapters 8–12
# (`python -m ntm_minimal.train --model dnc ...`; each checkpoint's `config.json` holds the
# command) at the NTM runs' task settings. Per task one table sets the three models side by side,
# every number read from the shipped files (`eval.json`, `metrics.csv`, `config.json`):
#
# - **held-out**: bit errors (and cost, bits) per sequence on the run's fixed held-out batch of the
#   training range, for the weights shipped;
# - **sequences to target**: training sequences until the held-out bit errors first fell below the
#   task's target (the targets: 0.1 for copy and repeat copy, 0.5 for associative recall);
# - **seconds per step**: training wall time over optimizer steps, on the device the run used
#   (a shared 2-core CPU unless it says otherwise), batch size in brackets, and whether the step
#   ran under `torch.compile` (about twice as fast for an NTM);
# - **generalisation**: bit errors per sequence on settings beyond training (`eval.json` grid; the
#   memory rows used there, if larger than in training, in brackets).

# %%
MODELS = {"NTM": "", "LSTM": "_lstm", "DNC": "_dnc"}  # this order keeps chapter 8's colours (NTM red, LSTM blue)
TARGETS = {"copy": 0.1, "repeat_copy": 0.1, "associative_recall": 0.5}
BEYOND = {"copy": [{"length": 60}, {"length": 100}, {"length": 120}], "repeat_copy": [{"length": 10, "repeats": 20}, {"length": 20, "repeats": 10}],
          "associative_recall": [{"items": 12}, {"items": 15}], "ngrams": [{"length": 800}],
          "priority_sort": [{"items": 30, "outputs": 16}]}


def grid_entry(result, setting):
    """The eval.json grid row with exactly these sample settings (any memory_n), or None."""
    rows = [r for r in result.get("grid", []) if all(r.get(k) == v for k, v in setting.items())]
    return min(rows, key=lambda r: r.get("memory_n", 0)) if rows else None


def model_row(task, label, name):
    """One table row for checkpoint ``name`` (or a row saying it is not shipped)."""
    if name not in pretrained.available():
        return [label, "not shipped", "", "", "", *["" for _ in BEYOND[task]]]
    result, cfg, log = pretrained.eval_results(name), pretrained.config(name), pretrained.metrics(name)
    held = result["heldout"]
    target = TARGETS.get(task)
    reached = checkpoint.first_below(log, "heldout_bit_errors", target) if target else None
    to_target = "—" if target is None else (f"{int(reached):,}" if reached is not None
                                            else f"not within {int(log['sequences'][-1]):,}")
    compiled = ", compiled" if cfg["train"].get("compile") else ""
    speed = f"{result['wall_s'] / result['steps']:.3f} ({cfg['train']['device']}, {cfg['train']['batch_size']}{compiled})"
    beyond = []
    for setting in BEYOND[task]:
        row = grid_entry(result, setting)
        rows_used = f" [N={row['memory_n']}]" if row and row.get("memory_n") else ""
        beyond.append(f"{row['bit_errors']:.3f}{rows_used}" if row else "not measured")
    return [label, f"{result['parameters']:,}", f"{held['bit_errors']:.3f} ({held['cost_bits']:.2f})", to_target, speed,
            *beyond]


def comparison(task):
    """Show the NTM / DNC / LSTM table of one task."""
    header = ["model", "parameters", "held-out bit errors (cost)", f"sequences to < {TARGETS.get(task, '—')}",
              "s / step (device, batch)", *(", ".join(f"{k} {v}" for k, v in s.items()) for s in BEYOND[task])]
    rows = [model_row(task, label, task + suffix) for label, suffix in MODELS.items()]
    tables.show(header, rows, caption=task.replace("_", " "))


# %% tags=["nbval-check-output"]
for task in BEYOND:
    comparison(task)

# %% [markdown]
# On **copy** the DNC (LSTM controller, 32 rows, one read head; tested beyond training with 128
# rows) learned the task in far fewer sequences than the NTM (held-out bit errors below 0.1 after
# 24,000 training sequences, the NTM after 161,600), with the same number of parameters. It
# generalises less far: without retraining, with 128 rows, it is near perfect up to length 40
# (0.008 bit errors per sequence in `eval.json`), makes 0.1 at 60, then breaks down (3.1 bit errors per sequence at length 100, 38 at 120, where the NTM makes
# below 1); the NTM of chapter 8 copies to length 80 almost without error.
#
# On **associative recall** the DNC meets the task's target (0.047 bit errors per sequence on the
# held-out batch, target 0.5) after about as many training sequences as the NTM (48,000 against
# 41,600), but it is the weaker model beyond training: at 15 items it makes 0.55 bit errors per
# sequence where the NTM makes 0.07, with 5.6 times the parameters (an LSTM controller of 100 and
# two read heads, where the NTM's controller is feed-forward) and about ten times the seconds per
# step (the DNC trained while more jobs shared the CPU, so only part of that is the model). The
# LSTM baseline is far behind both.
#
# On **priority sort** the DNC is by far the best of the three: 8.0 bit errors per sequence on the
# held-out batch against the NTM's 24.8 and the LSTM's 37.5, and 11.0 at 30 items (with 64 rows)
# against the NTM's 44.9, after 73,600 training sequences where the NTM had 384,000. It is one
# short run (1,000 s; a feed-forward controller of 512, 32 rows, 4 read heads), shipped with the
# weights of its best held-out row (step 1,100): its training became unstable after that, so
# treat the margin as one seed's. Sorting by priority is writing to where a key says and reading
# in key order, which the DNC's free choice of rows and its links suit better than a shift.
#
# On **repeat copy** the DNC meets the target only with a recipe of its own: one read head, no
# curriculum, and Csordás & Schmidhuber's three fixes (the deep dive below has the runs that
# failed). It then learns in fewer training sequences than the NTM (144,000 against 206,400 to a
# held-out 0.1) and, trained on up to 10 repeats, makes fewer errors at 20 repeats (153 bit
# errors per sequence against 221 in `eval.json`), but far more on sequences of 20 vectors (614
# against 109).
#
# On **N-grams** one short DNC run (900 steps, 17 minutes) ends at 170 bits per
# sequence, where the NTM is at 130 after 16,000 steps (and was at 172.5 after its own first 1,000
# steps): not enough training to compare, and reported as such.
#
# ### Learning curves
#
# The held-out bit errors during training, against the sequences seen. **Train it yourself:**
# `TRAIN_FROM_SCRATCH = True` retrains every checkpoint of this section (and the demonstrations
# below) first, with the commands stored in the checkpoints, which the lines below print; that
# takes hours on a laptop CPU.

# %% tags=["nbval-check-output"]
TRAIN_FROM_SCRATCH = False

CURVE_TASKS = ["copy", "repeat_copy", "associative_recall"]
shipped = {task: {label: task + suffix for label, suffix in MODELS.items() if task + suffix in pretrained.available()}
           for task in CURVE_TASKS}
curves = {task: pretrained.learning_logs(names, retrain_first=TRAIN_FROM_SCRATCH) for task, names in shipped.items()}

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for ax, (task, logs) in zip(axes, curves.items()):
    plotting.plot_learning_curves(logs, y="heldout_bit_errors", ax=ax)
    ax.set_title(task.replace("_", " "))
plt.show()

# %% [markdown]
# ## What only the DNC can do? Three tests
#
# The paper backs its three points with small experiments (Extended Data Figs. 1, 2 and 4). Here
# are the same three tests at CPU scale, each with the NTM on the same task and memory. Each
# model was trained once with the trainer into `ntm_minimal/checkpoints/extra/` (a feed-forward
# controller of 64 units, rows of 16, one read head, Adam at $2 \cdot 10^{-3}$, batches of 16,
# 3,000 steps or a time limit, resumed where that was not enough, the best held-out weights kept); the
# lines below print each command. Every
# number in the tables is measured here on **fresh** batches of 256 sequences drawn with seeds no
# run trained or was evaluated on, and each cell gives the mean bit errors per sequence, the
# **worst** sequence, and the share of sequences copied without a single wrong bit.

# %%
from pathlib import Path

from ntm_minimal.evaluation import heldout_batch
from ntm_minimal.metrics import bit_errors
from ntm_minimal.tasks import make_task


def demo_run(name):
    """Folder of demonstration run ``name``: the shipped one, or (TRAIN_FROM_SCRATCH) a retrained copy in runs/."""
    print(pretrained.summary(name))
    if not TRAIN_FROM_SCRATCH:
        return pretrained.extra_run(name)
    pretrained.retrain(name)
    return Path("runs") / name


@torch.no_grad()
def fresh_errors(model, task, seed, **setting):
    """Bit errors of each of 256 fresh sequences (``setting``: sample overrides such as ``length``)."""
    batch = heldout_batch(task, 256, seed, **setting)
    return bit_errors(model(batch.x), batch)


def spread(errors):
    """mean / worst / share perfect, of the bit errors of a batch's sequences."""
    return f"{errors.mean():.2f} / {errors.max():.0f} / {(errors == 0).float().mean():.0%}"


SPREAD = "bit errors per sequence on 256 fresh sequences: mean / worst / share copied perfectly"

# %% [markdown]
# ### 1. Memory reuse (Extended Data Fig. 1)
#
# The task (`ntm_minimal.tasks.memory_reuse`): 4 copy sequences of 2–5 random 6-bit vectors
# back to back, each answered right after its delimiter, with a memory of only **6 rows**: 8 to 20
# vectors in all, while any one sequence fits. A model that cannot reuse rows runs out of memory
# after the first sequence or two. Testing with 10 and 20 sequences (up to 100 vectors in 6 rows)
# asks whether what it learned is a reuse *rule*.

# %% tags=["nbval-check-output"]
reuse_models = {label: checkpoint.load_model(demo_run(name))
                for label, name in [("DNC", "dnc_demo_reuse"), ("NTM", "dnc_demo_reuse_ntm")]}
reuse_task = make_task("memory_reuse", **checkpoint.load_config(pretrained.extra_run("dnc_demo_reuse"))["task_config"])
rows = [[label, model.config["memory_n"], f"{sum(p.numel() for p in model.parameters()):,}",
         *(spread(fresh_errors(model, reuse_task, 91_400 + k, sequences=k)) for k in (4, 10, 20))]
        for label, model in reuse_models.items()]
tables.show(["model", "memory rows", "parameters", "4 sequences (as trained)", "10 sequences", "20 sequences"], rows,
            caption=SPREAD)

# %% [markdown]
# Both models learned to reuse their 6 rows: neither runs out of memory after the first
# sequence, and with 10 and 20 sequences in a row (up to 100 vectors through 6 rows) neither
# collapses: the errors per copied sequence grow (the DNC's mean from about 0.1 to 0.25 bits, the
# NTM's from 0.01 to 0.03), but each learned a rule for reuse rather than a layout for four
# sequences. But the **NTM does it better**, on the mean, the worst sequence and
# the share of perfect rows alike, after the same 5,300 training steps. The NTM's reason is in its
# picture further below: its shifts wrap around, so its memory is a ring, and for this task a ring
# is exactly the right data structure: every sequence is read back once, in the order it was
# written, right after it was written. The oldest row is always the one to overwrite, and
# overwriting needs no freeing. The DNC paper's point 2 is about reuse that is *not* first in,
# first out; this test, the paper's own, does not ask for it. (A deep dive at the end shows that
# Csordás & Schmidhuber's de-allocation fix closes most of the gap.)
#
# How the DNC manages its 6 rows, on one fresh row of 4 sequences of 5 vectors (20 vectors), drawn
# like the paper's Extended Data Fig. 1 (shaded: the steps where it answers):

# %%
sample = reuse_task.sample(1, torch.Generator().manual_seed(7), length=5)
with torch.no_grad():
    _, reuse_trace = reuse_models["DNC"](sample.x, return_trace=True)
fig = dnc_plots.plot_memory_management(reuse_trace, phases=dnc_plots.answer_phases(sample.mask[0]))
plt.show()

# %% [markdown]
# The gates, averaged over a fresh batch of 256 rows of 4 sequences, in the steps where vectors
# arrive and in the steps where the model answers:

# %% tags=["nbval-check-output"]
batch = reuse_task.sample(256, torch.Generator().manual_seed(91_500))
with torch.no_grad():
    _, trace = reuse_models["DNC"](batch.x, return_trace=True)
arriving = batch.x[..., :reuse_task.bits].abs().sum(-1) > 0  # a vector arrives (all-zero vectors are rare)
answering = batch.mask > 0
for name, gate in [("write gate", trace.write_gate[..., 0]), ("allocation gate", trace.alloc_gate[..., 0]),
                   ("free gate", trace.free_gates[..., 0])]:
    print(f"{name:16s} mean while vectors arrive {gate[arriving].mean():.2f} | while answering {gate[answering].mean():.2f}")
written = trace.write_weights.sum(dim=(1, 2))  # total write weight of each row of the batch
print(f"total write weight {written.mean():.1f} for {batch.mask.sum(1).mean():.1f} vectors, in "
      f"{trace.usage.shape[-1]} rows: each row rewritten about {written.mean() / trace.usage.shape[-1]:.1f} times")

# %% [markdown]
# As in the paper's figure, the allocation gate is open while vectors arrive and mostly closed
# while the model answers, and each row is written several times over one row of the batch. The
# free gate differs from the paper's picture: it stays near 1 at every step, so this DNC frees
# every row the moment it has read it, a cruder policy that suffices when every vector is read
# exactly once. While answering it keeps writing (the write gate stays high), mostly by content
# into rows it already uses, and it reads by content, not through the links (below: its read
# modes); how its content chain finds the next vector we did not take apart.
#
# The NTM on the same task, with the same 6 rows, on the same sequence. Its heads circle the
# ring: the write head moves one row per vector, the read head follows it around:

# %% tags=["nbval-check-output"]
answer = batch.mask > 0
print("DNC read modes while answering (backward, content, forward):",
      [round(x, 2) for x in trace.read_modes[..., 0, :][answer].mean(0).tolist()])

# %%
with torch.no_grad():
    _, ntm_trace = reuse_models["NTM"](sample.x, return_trace=True)
fig = plotting.plot_weighting_sequences({"NTM write weighting": ntm_trace.write_weights[0, :, 0],
                                         "NTM read weighting": ntm_trace.read_weights[0, :, 0]}, panel_size=(5.5, 2.2))
plt.show()

# %% [markdown]
# ### 2. The link matrix on copy (Extended Data Fig. 4)
#
# A DNC has no shift, so with a feed-forward controller (no state of its own) the only way to
# read a sequence back *in order* is the forward link: content alone cannot say which row comes
# next unless the model writes its own position code into memory. The ablation trains the same
# DNC twice on copy (lengths 1–10, 6-bit vectors, 16 rows), once with `temporal_links=False`
# (no link matrix, content reads only), and the NTM (16 rows) for reference:

# %% tags=["nbval-check-output"]
copy_models = {label: checkpoint.load_model(demo_run(name)) for label, name in
               [("DNC", "dnc_demo_copy"), ("DNC without links", "dnc_demo_copy_nolinks"), ("NTM", "dnc_demo_copy_ntm")]}
copy_task = make_task("copy", **checkpoint.load_config(pretrained.extra_run("dnc_demo_copy"))["task_config"])
rows = [[label, *(spread(fresh_errors(model, copy_task, 91_600 + n, length=n)) for n in (5, 10))]
        for label, model in copy_models.items()]
tables.show(["model (16 rows)", "length 5", "length 10 (longest trained)"], rows, caption=SPREAD)

# %% tags=["nbval-check-output"]
logs = {label: checkpoint.load_metrics(pretrained.extra_run(name)) for label, name in
        [("DNC", "dnc_demo_copy"), ("DNC without links", "dnc_demo_copy_nolinks"), ("NTM", "dnc_demo_copy_ntm")]}
rows = []
for label, log in logs.items():
    hit = checkpoint.first_below(log, "heldout_bit_errors", 0.1)
    rows.append([label, f"{int(hit):,}" if hit else f"more than {int(log['sequences'][-1]):,} (the run's budget)"])
show(["model", "training sequences until held-out bit errors < 0.1"], rows)

# %%
fig = plotting.plot_learning_curves(logs, y="heldout_bit_errors")
plt.show()

# %% [markdown]
# The links make the difference in speed: with them the DNC reached the target after 4,800
# training sequences, without them seven times later, and the NTM not within its 48,000. They
# also make the difference in how far the skill goes: with links every one of these 256 fresh
# sequences of length 5 and of length 10 comes out right but for at most one bit (the tail is not
# zero, though: in the other 256 of length 10 in the next section's table the worst loses 13);
# without links the DNC is perfect at length 5 but copies only 60 % of the length-10 sequences
# without error (the worst loses 19 bits). So the
# paper's "the task cannot easily be solved without the link matrix" holds here in part: a
# feed-forward DNC without links *can* learn to copy short sequences (its content lookups must
# carry the order; we did not take its program apart), but it learns slowly and only as far as
# it was trained.
#
# How the trained DNC reads, on one fresh sequence of length 10: its read modes (forward while it
# answers) and its link matrix after the input, a chain through the rows it wrote:

# %%
sample = copy_task.sample(1, torch.Generator().manual_seed(8), length=10)
with torch.no_grad():
    _, copy_trace = copy_models["DNC"](sample.x, return_trace=True)
fig, axes = plt.subplots(1, 2, figsize=(11, 3.0), gridspec_kw={"width_ratios": [2.2, 1]})
dnc_plots.plot_read_modes(copy_trace, ax=axes[0], phases=dnc_plots.answer_phases(sample.mask[0]))
dnc_plots.plot_link_matrix(copy_trace.link[0, 10], ax=axes[1], title="link matrix after the input")
plt.show()

# %% tags=["nbval-check-output"]
answer = sample.mask[0] > 0
read_rows = copy_trace.read_weights[0, answer, 0].argmax(-1).tolist()
written_rows = copy_trace.write_weights[0, :10].argmax(-1).tolist()
print("mean read modes while answering (backward, content, forward):",
      [round(x, 2) for x in copy_trace.read_modes[0, answer, 0].mean(0).tolist()])
print("the read head is one row ahead in write order at every answer step but the last:",
      read_rows[:-1] == written_rows[1:])

# %%
# Not checked by the tests: which free row the allocation takes next depends on the last digits of
# nearly equal usages, which differ from one CPU to another (the order, not the chain, changes).
print("rows written while reading in:", written_rows)
print("rows read while answering:    ", read_rows)

# %% [markdown]
# This is weakness 3 of the NTM, turned around. The allocation scattered the vectors over the rows
# (the order among rows that are all nearly unused is decided by the last digits of their usages,
# so it changes from one machine to another), and the read head follows exactly that order
# through the forward link, where an NTM's shift would have walked to the neighbouring
# rows. As the NTM of chapter 8 does, it reads one row ahead and outputs what it read one step
# earlier: at the delimiter it finds the first row by content, then follows the links.
#
# ### 3. A larger memory without retraining (Extended Data Fig. 2)
#
# No parameter of the DNC or the NTM depends on the number of rows $N$, so a model trained with
# 16 rows runs unchanged with 64 (`with_memory_rows`). The question is whether what it learned
# still works there: on sequences longer than any it trained on (10), which do not fit into 16
# rows. The same two copy models, on fresh sequences:

# %% tags=["nbval-check-output"]
SETTINGS = [(10, 16), (10, 64), (20, 16), (20, 32), (40, 64)]
rows = []
for label in ["DNC", "NTM"]:
    model = copy_models[label]
    rows.append([label, *(spread(fresh_errors(model.with_memory_rows(n), copy_task, 91_700 + length, length=length))
                          for length, n in SETTINGS)])
tables.show(["model (trained: N = 16, L ≤ 10)", *(f"L = {length}, N = {n}" for length, n in SETTINGS)], rows,
            caption=SPREAD)

# %% [markdown]
# With 16 rows neither model can copy 20 vectors (no sequence without errors): the memory is too
# small, the DNC's allocation runs out of free rows and the NTM's ring overwrites the start. With
# 32 rows both copy most length-20 sequences without having trained on them or on that memory,
# the DNC more often than the NTM. At length 40 with 64 rows both break down, and the DNC has the
# lower mean but the *smaller* share of perfect sequences. And more rows can hurt the DNC even at
# a trained length (length 10 with 64 rows). Where it goes wrong shows at the delimiter, where the
# read head must find the first vector by content:

# %% tags=["nbval-check-output"]
batch = copy_task.sample(256, torch.Generator().manual_seed(91_710), length=10)
for n in (16, 64):
    with torch.no_grad():
        _, trace = copy_models["DNC"].with_memory_rows(n)(batch.x, return_trace=True)
    first_row = trace.write_weights[:, 0].argmax(-1, keepdim=True)
    read = trace.read_weights[:, 10, 0]  # the read at the delimiter step
    found = read.gather(-1, first_row)
    on_written = (read * (trace.write_weights[:, :10].sum(1) > 0.5)).sum(-1)  # on any row holding a vector
    print(f"N = {n:2d}: read weight at the delimiter on the first vector's row: mean {found.mean():.2f} "
          f"(below 0.5 in {(found < 0.5).float().mean():.0%} of the sequences); on rows holding vectors: {on_written.mean():.2f}")

# %% [markdown]
# With 16 rows the content lookup at the delimiter lands on the first vector's row almost always;
# with 64 it still lands on rows that hold vectors, but often splits its weight among several of
# them, and the copy starts in the wrong place (why a larger memory confuses it we did not trace).
# The links themselves do not depend on $N$; this content lookup does, so the paper's "behaviour
# independent of the memory size" holds here for the walk through the links, not for the jump
# that starts it. The NTM, which starts from row 0 where its heads begin, does
# not care about $N$ at length 10 at all.

# %% [markdown]
# ## What it costs
#
# At the copy task's sizes a DNC with one read head has as many parameters as the NTM (the
# table of "The whole DNC" above); each extra read head adds a key, a strength, a free gate and
# three read modes to the interface, and a read vector to the controller's input. The price is
# paid per step: sorting the usages, and the dense $N \times N$ link matrix, which every step
# updates and keeps for the backward pass. The demonstration runs above trained on the same shared
# CPU at about the same time, so their seconds per step compare roughly, where both ran eagerly
# (the trainer compiles a new NTM run's step by default since these runs began):

# %% tags=["nbval-check-output"]
rows = []
for dnc_run, ntm_run in [("dnc_demo_copy", "dnc_demo_copy_ntm"), ("dnc_demo_reuse", "dnc_demo_reuse_ntm")]:
    per_step, mode = {}, {}
    for name in (dnc_run, ntm_run):
        ev, cfg = checkpoint.load_eval(pretrained.extra_run(name)), checkpoint.load_config(pretrained.extra_run(name))
        per_step[name] = ev["wall_s"] / ev["steps"]
        mode[name] = "compiled" if cfg["train"].get("compile") else "eager"
    fair = mode[dnc_run] == mode[ntm_run]
    rows.append([f"{dnc_run} vs {ntm_run}", f"{per_step[dnc_run]:.3f} ({mode[dnc_run]})",
                 f"{per_step[ntm_run]:.3f} ({mode[ntm_run]})",
                 f"{per_step[dnc_run] / per_step[ntm_run]:.1f}x" if fair else "not comparable (the NTM's step ran under torch.compile)"])
show(["runs (DNC vs NTM)", "DNC: s / step", "NTM: s / step", "DNC / NTM"], rows)

# %% [markdown]
# `bench/dnc_scaling.py` times the two side by side at the copy shape for $N$ = 16 to 512
# (`bench/README.md`, DNC section): the DNC costs about 1.4–1.7 times the NTM's CPU time per step
# up to $N = 64$, where both are dominated by many small operations per step; from $N = 128$ the
# dense link takes over, and at $N = 512$ a step costs 20 times the NTM's and autograd keeps
# 1.4 GiB for one batch of 16 copy sequences of 41 steps (the NTM: 86 MiB). The paper's sparse
# link matrix (not built here) exists for that reason.

# %% [markdown]
# ## Deep dives (optional)
#
# ### The sort's gradient
#
# The free list makes the allocation a piecewise function of the usages: where two usages cross,
# the two rows swap places in the list and the allocation jumps. Away from such ties it is smooth,
# and its gradient (through the sorted values, the permutation held fixed) is the gradient of the
# formula for that order, which `gradcheck` confirms in float64. At a tie the paper's
# "we ignore these discontinuities" is visible: a change of $2 \cdot 10^{-4}$ in one usage moves
# half the allocation to another row, and no gradient announces it.

# %% tags=["nbval-check-output"]
u = torch.tensor([[0.3, 0.9, 0.5, 0.1]], dtype=torch.float64, requires_grad=True)
print("gradcheck of dnc.allocation away from ties:", torch.autograd.gradcheck(dnc.allocation, (u,)))
for delta in (1e-4, -1e-4):
    tie = torch.tensor([[0.3, 0.3 + delta, 0.9]], dtype=torch.float64)
    print(f"usages {[round(x, 4) for x in tie[0].tolist()]} -> allocation {[round(x, 3) for x in dnc.allocation(tie)[0].tolist()]}")

# %% [markdown]
# ### Csordás & Schmidhuber's three fixes
#
# Csordás & Schmidhuber (ICLR 2019) trace failures of the DNC to three details of its memory
# access and propose one small change for each. All three are switches of `ntm_minimal.DNC`, off
# by default (the paper's DNC), and flags of the trainer: `--dealloc-content`, `--masking`,
# `--link-sharpness`.
#
# #### De-allocation that wipes
#
# Freeing a row in the DNC only lowers its usage; its content stays until it is overwritten, and a
# content lookup can still find it. Csordás & Schmidhuber (ICLR 2019) trace failures of the DNC to
# such stale matches and propose to wipe what is freed: multiply each row by its retention before
# the write, $M_t = (M_{t-1} \circ \psi_t \mathbf{1}^\top) \circ (E - w^w_t e_t^\top) + w^w_t v_t^\top$
# (`DNC(dealloc_content=True)`). The reuse DNC above reads by content and frees every row it reads,
# so it is a natural test. The same run, with only this switch changed (and no resumed segment):

# %% tags=["nbval-check-output"]
reuse_models["DNC, wiping freed rows"] = checkpoint.load_model(demo_run("dnc_demo_reuse_dealloc"))
rows = [[label, *(spread(fresh_errors(reuse_models[label], reuse_task, 91_400 + k, sequences=k)) for k in (4, 10, 20))]
        for label in ["DNC", "DNC, wiping freed rows", "NTM"]]
tables.show(["model (6 rows)", "4 sequences (as trained)", "10 sequences", "20 sequences"], rows, caption=SPREAD)

# %% [markdown]
# Wiping helps a lot here: the DNC reached the held-out target after 3,000 steps, where the plain
# DNC had not after 5,300, and on four sequences it is as good as the NTM. On longer rows it copies
# more sequences perfectly than the NTM (89 % and 75 % against 84 % and 66 %), but its failures
# are worse (a higher mean and worst sequence). One run per setting, so take the ranking between
# it and the NTM as unsettled; that wiping beats not wiping on this task is the clear part.

# %% [markdown]
# #### Masked content lookup
#
# A content lookup compares the key with the whole word (Eq. 5–6). A word that holds a tag and a
# value beside it can then only be found by both: a key that knows the tag but not the value is
# pulled towards whatever row has a similar value. The fix lets every head emit a mask
# $m \in [0, 1]^W$ (a sigmoid) and compare only the masked entries,
# $C(M, k, \beta, m)[i] = \mathrm{softmax}_i\big(\beta \cos(k \circ m, M[i] \circ m)\big)$
# (`dnc.masked_content_weighting`). Four rows, each a one-hot tag and a 2-number value; the key
# holds row 2's tag and row 1's value:

# %% tags=["nbval-check-output"]
tags = torch.eye(4, dtype=torch.float64)
values = torch.tensor([[5.0, 0], [0, 5], [0, -5], [-5, 0]], dtype=torch.float64)
words = torch.cat([tags, values], dim=1)[None]  # [1, 4 rows, 6]: a one-hot tag, then a value
key = torch.tensor([[0, 0, 1, 0, 0, 5.0]], dtype=torch.float64)
beta = torch.tensor([[10.0]], dtype=torch.float64)
tag_only = torch.tensor([[1, 1, 1, 1, 0, 0.0]], dtype=torch.float64)
show(["lookup", *(f"row {i}" for i in range(4))],
     [["whole word (Eq. 5-6)", *addressing.content_weighting(key, beta, words)[0].tolist()],
      ["masked to the tag", *dnc.masked_content_weighting(key, beta, words, tag_only)[0].tolist()]],
     formats={i: ".3f" for i in range(1, 5)}, caption="content weighting over the four rows")

# %% [markdown]
# A constant mask changes nothing (the cosine ignores scale), so at its initial value, a sigmoid
# of 0 everywhere, the masked DNC starts as the paper's.
#
# #### Sharper links
#
# A forward weighting $L_t w^r_{t-1}$ inherits every small weight the link matrix has collected,
# and a chain of forward reads blurs further at each hop. The fix raises each directional
# weighting to a learned power $s \ge 1$ per read head and renormalises,
# $S(d, s)_i = (d_i + \epsilon)^s / \sum_j (d_j + \epsilon)^s$ (`dnc.sharpen_links`; the NTM's
# sharpening, Eq. 9, applied to the links). Ten writes, each 0.9 on its row and 0.05 on either
# neighbour, then a read head that starts on the first row and follows the forward links:

# %% tags=["nbval-check-output"]
n, writes = 12, 10
link, prec = torch.zeros(1, n, n, dtype=torch.float64), torch.zeros(1, n, dtype=torch.float64)
for t in range(writes):
    w = torch.zeros(1, n, dtype=torch.float64)
    w[0, t], w[0, (t + 1) % n], w[0, (t - 1) % n] = 0.9, 0.05, 0.05
    link, prec = dnc.link(link, prec, w), dnc.precedence(prec, w)
rows = []
for label, sharpness in [("L w (the paper)", None), ("sharpened, s = 3", 3.0)]:
    w_read = F.one_hot(torch.zeros(1, 1, dtype=torch.long), n).double()
    on_target = []
    for hop in range(1, writes):
        forward, _ = dnc.directional_weightings(link, w_read)
        w_read = forward if sharpness is None else dnc.sharpen_links(forward, torch.full((1, 1, 1), sharpness, dtype=torch.float64))
        on_target.append(float(w_read[0, 0, hop]))
    rows.append([label, *on_target])
show(["forward weighting", *(f"hop {k}" for k in range(1, writes))], rows, formats={k: ".2f" for k in range(1, writes)},
     caption="weight on the right row after k forward hops from the first row")

# %% [markdown]
# Unlike $L w$, the sharpened weighting always sums to 1: past the last write, where $L w$ is all
# zero, it becomes uniform, and the controller must read by content instead.
#
# #### Measured on repeat copy
#
# Csordás & Schmidhuber report that on a large repeat copy (8-bit words, lengths 2–14, 1–8
# repeats, 16 rows) the plain DNC fails and the DNC with all three fixes learns it with zero
# error. Our first repeat-copy DNC (two read heads, the NTM's curriculum over lengths and
# repeats) failed too, with and without the fixes. The runs below change one thing at a time;
# the last is the shipped `repeat_copy_dnc`. Every number is read from their files:

# %% tags=["nbval-check-output"]
RC_RUNS = {"2 read heads, curriculum (first attempt)": "repeat_copy_dnc_curriculum",
           "the same + D, M, S": "repeat_copy_dnc_mds", "1 read head, no curriculum": "repeat_copy_dnc_nocurr",
           "1 read head, no curriculum + D, M, S (shipped)": "repeat_copy_dnc"}
FIXES = {"D": "dealloc_content", "M": "masking", "S": "link_sharpness"}
COMMON_STEPS = (3_400, 6_000)  # the shortest run's last step, and the next shortest's


def variant_row(label, name):
    """Recipe, budget and held-out bit errors of one repeat-copy DNC run."""
    run = pretrained.folder(name)
    cfg, result, log = checkpoint.load_config(run), checkpoint.load_eval(run), checkpoint.load_metrics(run)
    mc, train_cfg = cfg["model_config"], cfg["train"]
    fixes = ", ".join(k for k, flag in FIXES.items() if mc.get(flag)) or "none"
    curriculum = f"over {train_cfg['curriculum_steps']:,} steps" if train_cfg["curriculum_steps"] else "none"
    at_steps = [f"{log['heldout_bit_errors'][log['step'].index(step)]:.1f}" if step in log["step"] else "not trained"
                for step in COMMON_STEPS]
    reached = checkpoint.first_below(log, "heldout_bit_errors", 0.1)
    return [label, fixes, mc["read_heads"], curriculum, f"{result['steps']:,}", f"{result['wall_s'] / 60:.0f}",
            *at_steps, f"{min(log['heldout_bit_errors']):.1f}", "not reached" if reached is None else f"{int(reached):,}"]


show(["run", "fixes", "read heads", "curriculum", "steps", "minutes", *(f"held-out at step {step:,}" for step in COMMON_STEPS),
      "best held-out", "sequences to < 0.1"], [variant_row(label, name) for label, name in RC_RUNS.items()],
     caption="repeat copy, DNC with an LSTM controller of 100 and 32 rows; held-out bit errors per sequence")

# %% [markdown]
# Up to step 3,400 all four runs are alike, 73–89 bit errors per held-out sequence. After that the
# one-head DNC with the three fixes fell to zero (held-out 0 at step 9,600, where its target
# stopped it), while the same run without them stood at 75 at step 6,000, where we stopped it,
# on a slow decline. Which of the three fixes matters we did not separate (one run each, one seed).
# Dropping the curriculum mattered too: the first attempt, traced on short sequences (4 vectors, 3
# repeats), kept its write gate at 0.1–0.4 during the input and its read weightings below a third:
# on the short sequences a curriculum starts with, the controller alone can carry the sequence,
# and it never learned to use the memory. On full-size sequences from the start it must.
#
# How the shipped model repeats, on one sequence of 5 vectors and 3 repeats: at the delimiter it
# finds the first row by content, then reads forward through the links (forward mode about 1).
# During the first copy its write gate stays near 1 and it writes each vector it reads into a
# fresh row, so the chain of links goes on past the last input; the later copies follow that
# chain with the write gate near 0. It never jumps back: it lays the next lap of the track as it
# goes.

# %% [markdown]
# ## Summary
#
# - The DNC keeps the NTM's memory, content lookup and write, and replaces its location
#   addressing (Eq. 7–9) with memory management: **usage** raised by writes and lowered by
#   **free gates** (retention), an **allocation** weighting down the free list, and a **temporal
#   link matrix** with its precedence, read through three **read modes**. Each is a few tensor
#   lines; `ntm_minimal.dnc` has them as checked functions, and `ntm_minimal.DNC` has the NTM's
#   contract, so the same trainer, checkpoints and evaluation serve it.
# - **Where it wins here.** The link matrix follows writes wherever the allocation put them,
#   which a shift cannot (weakness 3): on copy with 16 rows the feed-forward DNC learned more
#   than ten times faster than the NTM of the same size, read back in write order through
#   scattered rows, and copied sequences twice the trained length (given the rows) more often
#   than the NTM. Without links the same DNC learned seven times slower and only up to the
#   trained lengths. The shipped copy DNC (the paper's task sizes) also reached the target in
#   about a seventh of the NTM's training sequences, and on priority sort the DNC is far ahead of
#   the NTM and the LSTM (one short run).
# - **Where it does not.** On memory reuse, the paper's own test of freeing, the NTM of the same
#   size did better: every sequence is read once, in order, right after it was written, and for
#   that the NTM's ring of rows, which overwrites the oldest row, is just right; freeing should
#   pay off only when rows must be released out of order, which this test does not ask for. Wiping
#   freed rows (Csordás & Schmidhuber's fix) halves the DNC's mean errors on 20 sequences and
#   copies more of them perfectly than the NTM, but its failures stay worse than the NTM's.
#   The DNC's transfer to a larger memory is partial: the walk through the links does not depend
#   on $N$, but the content lookup that finds the start does not carry over: with 64 rows it
#   starts wrong more often than with 16, while the NTM, which starts at row 0, does not care.
#   On the paper's tasks, the shipped copy DNC copies less far beyond its training lengths than
#   the NTM, the recall DNC learns about as fast as the NTM but generalises worse to more items,
#   and repeat copy was learned only with one read head, no curriculum and all three of
#   Csordás & Schmidhuber's fixes; the plain DNC stayed at 74–84 bit errors per sequence.
# - **What it costs.** About the NTM's parameters for one read head, but more time per training
#   step (1.8 times in the eager reuse runs), growing as $N^2$ with the link matrix: 20 times
#   the NTM's step and 1.4 GiB of saved tensors per copy batch at $N = 512$ (`bench/README.md`).
#
# Implement the allocation weighting and the link update yourself in
# [the exercise](../exercises/14_dnc.ipynb).

# %% [markdown]
# **What next:** work [exercise 14](../exercises/14_dnc.ipynb) (its solution is
# [here](../solutions/14_dnc.ipynb)), then go on to [chapter 15, MegaContext](15_megacontext.ipynb),
# a hierarchical memory that selects what to attend to instead of attending everywhere. Every
# symbol, its shape and its name in the code: [the glossary](../book/glossary.md).
