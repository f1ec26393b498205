# %% [markdown]
# # 14. The Differentiable Neural Computer
#
# Two years after the NTM, Graves et al. published its successor, the **Differentiable Neural
# Computer** ([Graves et al. 2016, *Nature* 538](https://www.nature.com/articles/nature20101)). It
# keeps the NTM's memory matrix, its content lookup (Eq. 5–6) and its erase-and-add write
# (Eq. 3–4), and replaces the location half of the addressing (Eq. 7–9) with memory
# *management*. The paper's Methods name three things the NTM cannot do:
#
# 1. **keep allocated regions apart**: it has no record of which rows are in use;
# 2. **free memory**: once written, a row is never marked reusable;
# 3. **follow the order of writes after a jump by content**: a shift moves to the *neighbouring*
#    row, which is the next one written only if the writes were contiguous.
#
# The DNC answers with a **usage** per row, **free gates** and an **allocation weighting** (1 and
# 2), and a **temporal link matrix** that records which row was written after which (3).
#
# **You will:**
# - see the NTM lose the order of writes, and the link matrix keep it;
# - derive the DNC's Methods equations one at a time (interface, usage, allocation, write
#   weighting, precedence, links, directional reads, read modes), write each as `my_*`, check it
#   against `ntm_minimal.dnc` and picture it;
# - drive a DNC by hand and watch it write, free and reuse rows;
# - read one trained DNC following its links through scattered rows.
#
# The trained comparisons with the NTM have a chapter of their own,
# [DNC against NTM, measured](14b_dnc_measured.ipynb).

# %%
import matplotlib.pyplot as plt
from torch.nn import functional as F

from ntm_minimal import addressing, checkpoint, dnc, plotting, pretrained
from ntm_minimal.dnc import DNC, compare
from ntm_minimal.dnc.interface import InterfaceLayer, interface_size
from ntm_minimal.plotting import dnc as dnc_plots
from ntm_minimal.prose import glue, mean_se, percent
from ntm_minimal.tables import show
from ntm_minimal.tasks import make_task

plotting.use_style()
torch.set_num_threads(1)  # the chapter's small tensors run fastest, and steadiest, on one thread


def one_hot(rows, n):
    """Weightings ``[len(rows), n]``, one-hot on the given rows (one batch element each)."""
    return F.one_hot(torch.tensor(rows), n).double()


g = torch.Generator().manual_seed(0)  # every random check below draws from this one generator
B, R, N = 3, 2, 8

# %% [markdown]
# ## The NTM loses the order after a jump
#
# Suppose a model wrote three vectors, in this order, to rows 5, 2 and 7 of an 8-row memory (a
# content lookup chose each row). To read them back in order it must get from row 5 to row 2.
# The NTM's only location move is the shift of Eq. 8, and a shift by $+1$ goes to row 6. The DNC
# records every write in a **link matrix** $L$ ($L[i, j]$: how much row $i$ was written right
# after row $j$); multiplying it with a read weighting moves the read to the row written next:

# %% tags=["nbval-check-output"]
L, p = torch.zeros(1, N, N, dtype=torch.float64), torch.zeros(1, N, dtype=torch.float64)
for row in [5, 2, 7]:  # the writes, in time order
    w = one_hot([row], N)
    L, p = dnc.link(L, p, w), dnc.precedence(p, w)
ntm_next = addressing.shift(one_hot([5], N), torch.tensor([[0.0, 0.0, 1.0]], dtype=torch.float64))
after_5, _ = dnc.directional_weightings(L, one_hot([5], N)[:, None])  # read heads carry a head axis: [B, R, N]
print("NTM, shift +1 from row 5: row", int(ntm_next.argmax()))
print("DNC, forward link from row 5: row", int(after_5.argmax()))

# %% [markdown]
# ## The interface vector
#
# At every step the controller's output $h_t$ goes through one linear layer, giving the
# **interface vector** $\xi_t$, which holds every parameter the memory needs. With word size $W$
# and $R$ read heads it has $WR + 3W + 5R + 3$ entries, cut into pieces, each squashed into the
# range its equation needs (Methods, "Interface parameters"): keys stay as they are; strengths
# go through $\mathrm{oneplus}(x) = 1 + \log(1 + e^x) \ge 1$; erase vector, free gates
# $f^i_t$, allocation gate $g^a_t$ and write gate $g^w_t$ through a sigmoid into $[0, 1]$; the
# three read modes $\pi^i_t$ of each head through a softmax.

# %% tags=["nbval-check-output"]
def my_interface(xi, W, R):
    """Split and squash xi [B, W*R + 3W + 5R + 3] into the interface's pieces (shapes as in ntm_minimal)."""
    b = xi.shape[0]
    keys, strengths, write_key, write_strength, erase, vector, free, alloc, gate, modes = xi.split(
        [R * W, R, W, 1, W, W, R, 1, 1, 3 * R], dim=-1)
    oneplus = lambda x: 1 + F.softplus(x)  # noqa: E731  (1 + log(1 + e^x), safe for large x)
    return dict(read_keys=keys.view(b, R, W), read_strengths=oneplus(strengths).view(b, R, 1), write_key=write_key,
                write_strength=oneplus(write_strength), erase=torch.sigmoid(erase), write_vector=vector,
                free_gates=torch.sigmoid(free).view(b, R, 1), alloc_gate=torch.sigmoid(alloc),
                write_gate=torch.sigmoid(gate), read_modes=torch.softmax(modes.view(b, R, 3), dim=-1))


W = 4
size = interface_size(W, R)
layer = InterfaceLayer(size, W, R).double()
with torch.no_grad():  # make the package's linear layer the identity, so its input is xi itself
    layer.proj.weight.copy_(torch.eye(size))
    layer.proj.bias.zero_()
xi = 3 * torch.randn(B, size, generator=g, dtype=torch.float64)
theirs = layer(xi)
for name, mine in my_interface(xi, W, R).items():
    torch.testing.assert_close(mine, getattr(theirs, name))
print(f"W = {W}, R = {R}: xi has {size} entries; my_interface matches ntm_minimal.dnc.interface")

# %%
fig = dnc_plots.plot_interface_layout(W, R)
plt.show()

# %% [markdown]
# Half of $\xi_t$ is keys and vectors; the rest is a handful of gates and strengths per head,
# which is all the memory management below needs.
#
# ## Freeing: retention and usage
#
# A free gate $f^i_t$ says "the rows read head $i$ read last step may be reused". The
# **retention** $\psi_t$ says how much of each row survives all heads' freeing, and the **usage**
# $u_t$ rises when a row is written and falls when it is freed (Methods, "Dynamic memory
# allocation"):
#
# $$ \psi_t = \prod_{i=1}^{R} \big(1 - f^i_t\, w^{r,i}_{t-1}\big), \qquad
#    u_t = \big(u_{t-1} + w^w_{t-1} - u_{t-1} \circ w^w_{t-1}\big) \circ \psi_t . $$
#
# Both use the *previous* step's weightings: this step's write depends on $u_t$, so it cannot
# enter it. $u + w - u w$ is a soft OR ("used before, or just written"), so usage stays in $[0, 1]$.

# %% tags=["nbval-check-output"]
def my_retention(free_gates, w_read_prev):
    """free_gates [B, R, 1], w_read_prev [B, R, N] -> psi [B, N]."""
    return (1 - free_gates * w_read_prev).prod(dim=1)  # product over the read heads


def my_usage(u_prev, w_write_prev, psi):
    """u_prev, w_write_prev, psi [B, N] -> u [B, N]."""
    return (u_prev + w_write_prev - u_prev * w_write_prev) * psi


free = torch.rand(B, R, 1, generator=g, dtype=torch.float64)
w_read = torch.softmax(3 * torch.randn(B, R, N, generator=g, dtype=torch.float64), -1)
u_prev = torch.rand(B, N, generator=g, dtype=torch.float64)
w_write = 0.9 * torch.softmax(3 * torch.randn(B, N, generator=g, dtype=torch.float64), -1)
psi = my_retention(free, w_read)
u_new = my_usage(u_prev, w_write, psi)
torch.testing.assert_close(psi, dnc.retention(free, w_read))
torch.testing.assert_close(u_new, dnc.usage(u_prev, w_write, psi))
print("retention and usage match ntm_minimal.dnc; usage in [0, 1]:", bool(((0 <= u_new) & (u_new <= 1)).all()))

# %%
fig = dnc_plots.plot_row_bars({"$u_{t-1}$": u_prev[0], "$w^w_{t-1}$": w_write[0], r"$\psi_t$": psi[0], "$u_t$": u_new[0]},
                              title="usage update, one batch element")
plt.show()

# %% [markdown]
# Where the last write went, usage rises; where a read head freed what it read, $\psi_t$ dips
# and the usage falls with it.
#
# ## Allocation: the least used row first
#
# The **free list** $\phi_t$ sorts the rows by ascending usage. The **allocation weighting**
# gives the first row of the list what it has free, the next what it has free times what the
# first has *not*, and so on:
#
# $$ a_t[\phi_t[j]] = \big(1 - u_t[\phi_t[j]]\big) \prod_{i=1}^{j-1} u_t[\phi_t[i]] . $$
#
# With usages near 0 or 1 this is nearly one-hot on the least used row; if every row is full it
# is zero. The sort's permutation has no gradient; the paper ignores that and lets the gradient
# flow through the sorted values. `dnc.allocation` also lifts the usages to
# $10^{-6} + (1 - 10^{-6})\,u$ first, as [deepmind/dnc](https://github.com/deepmind/dnc) does, so a
# product of zeros cannot feed $0/0$ into the gradient; the two differ by at most $N \cdot 10^{-6}$.

# %% tags=["nbval-check-output"]
def my_allocation(u):
    """u [B, N] -> a [B, N]: the free list by ascending usage, then an exclusive cumulative product."""
    sorted_u, free_list = torch.sort(u, dim=-1, stable=True)
    before = torch.cumprod(torch.cat([torch.ones_like(sorted_u[:, :1]), sorted_u[:, :-1]], -1), -1)
    return torch.zeros_like(u).scatter(-1, free_list, (1 - sorted_u) * before)  # back to row order


u = torch.tensor([[0.9, 0.2, 1.0, 0.0, 0.6, 0.95, 1.0, 0.3]], dtype=torch.float64)
a = my_allocation(u)
torch.testing.assert_close(a, dnc.allocation(u), atol=N * 1e-6, rtol=0)
torch.testing.assert_close(my_allocation(u_new), dnc.allocation(u_new), atol=N * 1e-6, rtol=0)
print("free list:", torch.sort(u, stable=True).indices[0].tolist(), "| allocation sums to", round(a.sum().item(), 3))
print("all rows full -> allocation", dnc.allocation(torch.ones(1, 4)).tolist())

# %%
fig = dnc_plots.plot_row_bars({"usage $u_t$": u[0], "allocation $a_t$": a[0]}, title="allocation")
plt.show()

# %% [markdown]
# Row 3 (usage 0) takes everything; row 1, the next in the free list, would be next. Exercise 14
# asks you to write this function yourself.
#
# ## The write weighting
#
# The allocation gate $g^a_t$ chooses between writing to free rows and writing by content
# ($c^w_t$, the NTM's content lookup on $M_{t-1}$); the write gate $g^w_t$ says whether to write
# at all (Methods, "Write weighting"):
#
# $$ w^w_t = g^w_t \big[ g^a_t\, a_t + (1 - g^a_t)\, c^w_t \big] . $$

# %% tags=["nbval-check-output"]
def my_write_weighting(a, c_write, g_alloc, g_write):
    """a, c_write [B, N], g_alloc and g_write [B, 1] -> w_write [B, N]."""
    return g_write * (g_alloc * a + (1 - g_alloc) * c_write)


content = torch.softmax(2 * torch.randn(1, N, generator=g, dtype=torch.float64), -1)
g_alloc, g_write = torch.tensor([[0.7]], dtype=torch.float64), torch.tensor([[0.9]], dtype=torch.float64)
w_w = my_write_weighting(a, content, g_alloc, g_write)
torch.testing.assert_close(w_w, dnc.write_weighting(a, content, g_alloc, g_write))
print("write weighting matches; it sums to", round(w_w.sum().item(), 3), "= g^w")

# %%
fig = dnc_plots.plot_row_bars({"allocation $a_t$": a[0], "content $c^w_t$": content[0], "write $w^w_t$": w_w[0]},
                              title="write weighting, $g^a = 0.7$, $g^w = 0.9$")
plt.show()

# %% [markdown]
# The write weighting is the two candidates mixed in proportions $g^a : (1 - g^a)$ and scaled by
# $g^w$: most of it on the free row 3, the rest where the content lookup points.
#
# ## Precedence: where the last write went
#
# To record the order of writes the DNC keeps a **precedence** $p_t$: a full write replaces it,
# no write keeps it (Methods, "Temporal memory linkage"):
#
# $$ p_t = \Big(1 - \sum_i w^w_t[i]\Big)\, p_{t-1} + w^w_t . $$

# %% tags=["nbval-check-output"]
def my_precedence(p_prev, w_write):
    """p_prev, w_write [B, N] -> p [B, N]."""
    return (1 - w_write.sum(-1, keepdim=True)) * p_prev + w_write


writes = [one_hot([5], N), 0.5 * one_hot([2], N), one_hot([7], N)]  # the middle write is half-hearted
p_mine, p_pkg, history = torch.zeros(1, N, dtype=torch.float64), torch.zeros(1, N, dtype=torch.float64), {}
for k, w in enumerate(writes):
    p_mine, p_pkg = my_precedence(p_mine, w), dnc.precedence(p_pkg, w)
    torch.testing.assert_close(p_mine, p_pkg)
    history[f"$p_{k + 1}$"] = p_mine[0]
print("precedence matches after each write; it always sums to at most 1:", round(p_mine.sum().item(), 3))

# %%
fig = dnc_plots.plot_row_bars(history, title="precedence after writes to rows 5, 2 (half), 7")
plt.show()

# %% [markdown]
# After the half write to row 2, precedence is split between rows 5 and 2; the full write to
# row 7 replaces it all.
#
# ## The link matrix
#
# The link matrix moves each write's precedence into the row just written:
#
# $$
# \begin{aligned}
# L_t[i, j] &= \big(1 - w^w_t[i] - w^w_t[j]\big)\, L_{t-1}[i, j] + w^w_t[i]\, p_{t-1}[j], \\
# L_t[i, i] &= 0 .
# \end{aligned}
# $$
#
# Writing row $i$ clears its old links, in both directions, and links it to wherever the
# previous write went; a row never follows itself.

# %% tags=["nbval-check-output"]
def my_link(L_prev, p_prev, w_write):
    """L_prev [B, N, N], p_prev and w_write [B, N] -> L [B, N, N]."""
    w_i, w_j = w_write[:, :, None], w_write[:, None, :]
    return ((1 - w_i - w_j) * L_prev + w_i * p_prev[:, None, :]) * (1 - torch.eye(w_write.shape[-1]))


L_mine = L_pkg = torch.zeros(B, N, N, dtype=torch.float64)
p_mine = p_pkg = torch.zeros(B, N, dtype=torch.float64)
for step in range(6):  # six soft writes, so the check sees a link matrix with history
    w = 0.9 * torch.softmax(4 * torch.randn(B, N, generator=g, dtype=torch.float64), -1)
    L_mine, L_pkg = my_link(L_mine, p_mine, w), dnc.link(L_pkg, p_pkg, w)  # with the previous precedence
    p_mine, p_pkg = my_precedence(p_mine, w), dnc.precedence(p_pkg, w)
torch.testing.assert_close(L_mine, L_pkg)
print("link matches ntm_minimal.dnc; largest row and column sums:", round(L_pkg.sum(-1).max().item(), 3),
      round(L_pkg.sum(-2).max().item(), 3))

# %%
fig = dnc_plots.plot_link_matrix(L[0], title="link matrix after writes to rows 5, 2, 7")
plt.show()

# %% [markdown]
# The two black cells are the two steps of the order: row 2 after row 5, row 7 after row 2.
# Rows and columns of $L$ sum to at most 1. The matrix is dense, $N \times N$ per sequence, so it
# costs $N^2$ per step where everything else costs $N$.
#
# ## Directional reads
#
# Each read head looks one write forward or backward from where it read last step. We write the
# **forward** and **backward weightings** with arrows, since the paper's $f$ is taken by the
# free gate:
#
# $$ \overrightarrow{w}^{\,i}_t = L_t\, w^{r,i}_{t-1}, \qquad \overleftarrow{w}^{\,i}_t = L_t^\top\, w^{r,i}_{t-1} . $$

# %% tags=["nbval-check-output"]
def my_directional(L_t, w_read_prev):
    """L_t [B, N, N], w_read_prev [B, R, N] -> forward, backward [B, R, N] (one matrix product each)."""
    return w_read_prev @ L_t.transpose(1, 2), w_read_prev @ L_t


fwd, bwd = my_directional(L_pkg, w_read)
for mine, theirs in zip((fwd, bwd), dnc.directional_weightings(L_pkg, w_read)):
    torch.testing.assert_close(mine, theirs)
print("forward and backward weightings match ntm_minimal.dnc")

# %%
at_2 = one_hot([2], N)[:, None]
forward_2, backward_2 = dnc.directional_weightings(L, at_2)
fig = dnc_plots.plot_row_bars({"read $w^r_{t-1}$": at_2[0, 0], r"forward $\overrightarrow{w}_t$": forward_2[0, 0],
                               r"backward $\overleftarrow{w}_t$": backward_2[0, 0]},
                              title="from row 2, after writes to rows 5, 2, 7")
plt.show()

# %% [markdown]
# From row 2 the forward weighting lands on row 7, written next, and the backward weighting on
# row 5, written before: the order of the writes, whatever rows they used.
#
# ## Read modes
#
# Three **read modes** $\pi^i_t$ per head (a softmax: backward, content, forward) mix the two
# directions with a content lookup $c^{r,i}_t$ on $M_t$, so a row written now can be read now:
#
# $$ w^{r,i}_t = \pi^i_t[1]\, \overleftarrow{w}^{\,i}_t + \pi^i_t[2]\, c^{r,i}_t + \pi^i_t[3]\, \overrightarrow{w}^{\,i}_t . $$

# %% tags=["nbval-check-output"]
def my_read_weighting(backward, c_read, forward, modes):
    """backward, c_read, forward [B, R, N], modes [B, R, 3] -> w_read [B, R, N]."""
    return modes[..., 0:1] * backward + modes[..., 1:2] * c_read + modes[..., 2:3] * forward


modes = torch.softmax(torch.randn(B, R, 3, generator=g, dtype=torch.float64), -1)
c_read = torch.softmax(torch.randn(B, R, N, generator=g, dtype=torch.float64), -1)
torch.testing.assert_close(my_read_weighting(bwd, c_read, fwd, modes), dnc.read_weighting(bwd, c_read, fwd, modes))
print("read weighting matches ntm_minimal.dnc")

# %%
c_2 = torch.softmax(3 * torch.randn(1, 1, N, generator=g, dtype=torch.float64), -1)
pi = torch.tensor([[[0.1, 0.2, 0.7]]], dtype=torch.float64)
fig = dnc_plots.plot_row_bars({"backward": backward_2[0, 0], "content": c_2[0, 0], "forward": forward_2[0, 0],
                               "read $w^r_t$": dnc.read_weighting(backward_2, c_2, forward_2, pi)[0, 0]},
                              title=r"read modes $\pi = (0.1, 0.2, 0.7)$")
plt.show()

# %% [markdown]
# With mostly forward mode, the read goes mostly to row 7, the next write; the content part
# spreads a fifth of it where the key points.
#
# ## A DNC driven by hand
#
# Now all of it together, on a memory of 6 rows, every gate set by the script: 5 steps write by
# allocation ($g^a = g^w = 1$); then the read head reads the rows of the first two writes, and at
# each next step frees what it read ($f = 1$); then 4 more writes.

# %%
n = 6
u, w_prev, r_prev = torch.zeros(1, n), torch.zeros(1, n), torch.zeros(1, 1, n)
L6, p6 = torch.zeros(1, n, n), torch.zeros(1, n)
script = ["write"] * 5 + ["read write 0", "read write 1"] + ["write"] * 4
history = {"usage": [], "write": [], "read": []}
for action in script:  # one DNC step per entry
    f = torch.full((1, 1, 1), float(r_prev.sum() > 0))  # free whatever the head read last step
    u = dnc.usage(u, w_prev, dnc.retention(f, r_prev))
    g_w = torch.full((1, 1), float(action == "write"))
    w_prev = dnc.write_weighting(dnc.allocation(u), torch.full((1, n), 1 / n), torch.ones(1, 1), g_w)
    L6, p6 = dnc.link(L6, p6, w_prev), dnc.precedence(p6, w_prev)
    r_prev = torch.zeros(1, 1, n)
    if action.startswith("read"):  # read the row that write number k went to
        r_prev[0, 0, int(history["write"][int(action[-1])].argmax())] = 1.0
    for key, value in [("usage", u[0]), ("write", w_prev[0]), ("read", r_prev[0, 0])]:
        history[key].append(value)
fig, axes = plt.subplots(2, 2, figsize=(6.6, 5.0))
for ax, key, symbol in zip(axes.flat, ["write", "read", "usage"], ["$w^w_t$", "$w^r_t$", "$u_t$"]):
    dnc_plots.plot_rows_over_time(ax, torch.stack(history[key]), title=f"{key} {symbol}")
dnc_plots.plot_link_matrix(L6[0], ax=axes[1, 1], title="link matrix at the end")
plt.show()

# %% tags=["nbval-check-output"]
print("rows written:", [int(w.argmax()) if w.sum() > 0.5 else "-" for w in history["write"]])
print("total write weight of the last write (memory full):", f"{history['write'][-1].sum().item():.1e}")
print("links at the end (row i after row j):", [(i, j) for i, j in (L6[0] > 0.5).nonzero().tolist()])

# %% [markdown]
# Three things to read off (row 0 at the top of every panel):
#
# - **Allocation fills free rows, not in row order.** The first write goes to row 0, the next
#   ones wherever the $10^{-6}$ lift leaves the smallest sliver of usage (printed above). Any
#   free row is as good as another; the paper's exact formula would give 0, 1, 2, ...
# - **Freeing is one step late.** A row's usage drops one step after it was read, because the
#   free gate acts on the previous read weighting. The next two writes land in the two freed
#   rows; the last write finds every row full, its allocation is (almost) zero, and nothing is
#   written.
# - **The link matrix keeps the order of the writes, reuse included.** Rewriting a row erased
#   its old links: a row's links describe what it holds now.
#
# ## The whole DNC
#
# `ntm_minimal.DNC` runs the pieces in this order each step: the controller sees
# $[x_t, r_{t-1}]$ and emits $\xi_t$; then retention, usage, allocation, write weighting, the
# write (Eq. 3–4), link and precedence, and the read weighting. One deviation, taken from
# deepmind/dnc: the usage passes no gradient back into the previous write weighting
# (`detach_usage=True`). The model has the NTM's contract (`forward`, `step`, `initial_state`,
# `config`), so the course's trainer, checkpoints and evaluation serve it unchanged. At the copy
# task's sizes:

# %% tags=["nbval-check-output"]
sizes = dict(input_size=9, output_size=8, controller="lstm", controller_size=100, memory_n=128, memory_m=20)
rows = []
for label, model in [("NTM, 1 read + 1 write head", ntm_minimal.NTM(**sizes)),
                     ("DNC, 1 read head", DNC(**sizes, read_heads=1)), ("DNC, 4 read heads", DNC(**sizes, read_heads=4))]:
    parts = {name: sum(p.numel() for p in child.parameters()) for name, child in model.named_children()}
    rows.append([label, sum(parts.values()), ", ".join(f"{k} {v:,d}" for k, v in parts.items())])
show(["model", "parameters", "of which"], rows, formats={1: ","})

# %% [markdown]
# With one read head the DNC has about the NTM's parameters; each extra head adds a key, a
# strength, a free gate and three modes to $\xi_t$, and a read vector to the controller's input.
#
# ## A trained DNC follows its links
#
# One small DNC (feed-forward controller of 64 units, 16 rows of 16, one read head) trained on
# copy with lengths 1–10. A feed-forward controller has no state of its own, so to answer in
# order it must find the next row through the memory. On fresh sequences of length 10:

# %% tags=["nbval-check-output"]
copy_run = compare.demo_run("dnc_demo_copy")
copy_dnc = checkpoint.load_model(copy_run)
copy_task = make_task("copy", **checkpoint.load_config(copy_run)["task_config"])
seed = compare.FRESH_SEED + 110  # the same fresh sequences as chapter 14b's link ablation at length 10
fresh = compare.spread(compare.fresh_errors(copy_dnc, copy_task, seed, length=10))
print(f"{fresh.sequences:,} fresh sequences: bit errors per sequence (mean ± s.e. / worst / share perfect)", fresh)
for name, value in {"copy_n": fresh.sequences, "copy_mean": mean_se(fresh.mean, fresh.se, 3), "copy_worst": int(fresh.worst),
                    "copy_perfect": percent(fresh.perfect)}.items():
    glue(name, value)  # into the text below

# %%
sample = copy_task.sample(1, torch.Generator().manual_seed(8), length=10)
with torch.no_grad():
    _, trace = copy_dnc(sample.x, return_trace=True)
fig = dnc_plots.plot_read_modes(trace, phases=dnc_plots.answer_phases(sample.mask[0]))
plt.show()
fig = dnc_plots.plot_link_matrix(trace.link[0, 10], title="link matrix after the input")
plt.show()

# %% tags=["nbval-check-output"]
answer = sample.mask[0] > 0
read_rows = trace.read_weights[0, answer, 0].argmax(-1).tolist()
written_rows = trace.write_weights[0, :10].argmax(-1).tolist()
print("the read head is one row ahead in write order at every answer step but the last:",
      read_rows[:-1] == written_rows[1:])

# %% [markdown]
# Over {glue:text}`copy_n` fresh sequences the DNC makes {glue:text}`copy_mean` bit errors per
# sequence; {glue:text}`copy_perfect` come out perfect and the worst loses
# {glue:text}`copy_worst` bits. The pictures show how: at the delimiter it finds the first row
# by content, then the forward mode takes over, and the link matrix is a chain through the rows
# the allocation scattered the vectors over. This is the NTM's weakness 3 turned around: the
# read follows the order of the writes, where a shift would walk to the neighbouring rows.
#
# ## Summary
#
# - The DNC keeps the NTM's memory, content lookup and write, and replaces Eq. 7–9 with memory
#   management. The **interface vector** $\xi_t$ carries every parameter; **retention** and
#   **usage** record which rows are free; the **allocation** weighting points at the least used
#   row; the **write weighting** chooses between allocation and content.
# - **Precedence** and the **link matrix** record the order of writes; **forward** and
#   **backward** weightings follow it; **read modes** mix them with a content lookup.
# - Each is a few tensor lines; `ntm_minimal.dnc` has them as checked functions, and
#   `ntm_minimal.DNC` has the NTM's contract.
#
# How the trained DNCs compare with the NTM (memory reuse, the links, a larger memory,
# Csordás & Schmidhuber's fixes, the paper's tasks) is the next chapter,
# [DNC against NTM, measured](14b_dnc_measured.ipynb).

# %% [markdown]
# **What next:** work [exercise 14](../exercises/14_dnc.ipynb) (its solution is
# [here](../solutions/14_dnc.ipynb)), then go on to [DNC against NTM, measured](14b_dnc_measured.ipynb).
# Every symbol, its shape and its name in the code: [the glossary](../book/glossary.md).
