# %% [markdown]
# # 1. Memory and reading
#
# A Neural Turing Machine keeps what it knows in a **memory matrix** next to its controller
# network. This chapter introduces that matrix, the **weighting** a head uses to say where it looks,
# and the simplest thing a head does with it: **read** (Eq. 2 of the paper).
#
# **You will:**
# - hold a batch of memories as one tensor `[B, N, M]` and a batch of weightings as `[B, N]`;
# - derive reading as a weighted sum of rows (Eq. 2) and check it against `ntm_minimal.memory.read`;
# - see why a *blurry* weighting gives a blurry read, and why that blur is what makes reading trainable;
# - read with several heads at once, `[B, H, N]`, with no loop.

# %%
import matplotlib.pyplot as plt

from ntm_minimal import memory, plotting

plotting.use_style()

# %% [markdown]
# ## The memory matrix
#
# The memory at time $t$ is a matrix $\mathbf{M}_t$ of $N$ rows ("locations"), each a vector of $M$
# numbers. The paper's copy task uses $N = 128$ rows of width $M = 20$. With a batch of $B$
# independent sequences, each has its own memory, so in PyTorch the memory is one tensor
# `[B, N, M]`. We start with a small one, easy to look at: $N = 8$ rows of width $M = 6$.

# %% tags=["nbval-check-output"]
_ = torch.manual_seed(0)
B, N, M = 2, 8, 6
mem = torch.randn(B, N, M)  # two memories, one per sequence in the batch
print("memory:", list(mem.shape), "(batch, rows, row width)")

# %% [markdown]
# ## Weightings: where a head looks
#
# A head never picks one row by its index. It emits a **weighting** $w_t$: one number per row, all
# non-negative and summing to one (the paper's Eq. 1),
#
# $$ \sum_i w_t(i) = 1, \qquad 0 \le w_t(i) \le 1 \quad \text{for all } i. \tag{1} $$
#
# A weighting is a probability distribution over rows. All its mass on one row is a *sharp* focus,
# like an ordinary memory address; mass spread over several rows is a *blurry* focus. A softmax of
# any vector of scores gives a valid weighting, which is how the next chapters will build them.

# %% tags=["nbval-check-output"]
sharp = torch.zeros(B, N)
sharp[:, 3] = 1.0  # all attention on row 3
blurry = torch.softmax(-0.5 * (torch.arange(N) - 3.0) ** 2, dim=-1).expand(B, N)  # centred on row 3, spread out
for name, w in [("sharp", sharp), ("blurry", blurry)]:
    print(f"{name:6s}", [round(x, 2) for x in w[0].tolist()], " sum:", round(w[0].sum().item(), 4))

# %% [markdown]
# ## Reading (Eq. 2)
#
# A read head returns the rows of memory mixed in the proportions of its weighting:
#
# $$ \mathbf{r}_t \longleftarrow \sum_i w_t(i)\, \mathbf{M}_t(i). \tag{2} $$
#
# Here $\mathbf{M}_t(i)$ is row $i$, so the read vector $\mathbf{r}_t$ has the width of a row, $M$.
# Since the weights are non-negative and sum to one, $\mathbf{r}_t$ is a *convex combination* of
# rows: an average of them. A sharp weighting returns one row exactly; a blurry one returns a blend.
# The figure shows both on the first memory of the batch: the weightings on the left, on the same
# rows as the memory; the read vectors under the memory, in its colours.

# %%
fig = plotting.plot_read(mem[0], {"sharp": sharp[0], "blurry": blurry[0]})
plt.show()

# %% [markdown]
# The sharp read copies row 3 colour for colour. The blurry read is paler: averaging rows that
# disagree pulls each entry towards zero.
#
# ### Deriving it in code
#
# For one head, `w` is `[B, N]`. Multiply each row by its weight and sum over the rows: put `w` on
# a new last axis so it broadcasts over the row entries, `[B, N, 1] * [B, N, M]`, then sum over
# `N` (axis `-2`).

# %%
def my_read(mem, w):
    """Eq. 2 for one head: mem [B, N, M], w [B, N] -> r [B, M]."""
    return (w.unsqueeze(-1) * mem).sum(dim=-2)


r = my_read(mem, sharp)
print(list(r.shape))

# %% [markdown]
# The same sum is a matrix product: each read vector is the row vector $w$ times the matrix
# $\mathbf{M}$, `[1, N] @ [N, M] = [1, M]`, batched over `B`. This form is faster, and it is what
# the package uses. Check our version against the package's `memory.read` on random weightings, so
# the two can never drift apart:

# %%
w_random = torch.softmax(torch.randn(B, N), dim=-1)
torch.testing.assert_close(my_read(mem, w_random), memory.read(mem, w_random))
torch.testing.assert_close((w_random.unsqueeze(-2) @ mem).squeeze(-2), memory.read(mem, w_random))
print("my_read matches ntm_minimal.memory.read")

# %% [markdown]
# From here on the course uses `memory.read`. It also checks its arguments, so a weighting of the
# wrong length fails at once with a message that names it.

# %% [markdown]
# ## What a read can and cannot return
#
# Because $\mathbf{r}_t$ is an average of rows, each of its entries lies between the smallest and
# the largest value of that column of memory. A one-hot weighting returns its row exactly, and the
# uniform weighting returns the mean row.

# %% tags=["nbval-check-output"]
r_blurry = memory.read(mem, blurry)
inside = (r_blurry >= mem.min(dim=1).values) & (r_blurry <= mem.max(dim=1).values)
print("every entry within its column's range:", bool(inside.all()))
print("sharp read == row 3:", torch.equal(memory.read(mem, sharp), mem[:, 3]))
uniform = torch.full((B, N), 1.0 / N)
print("uniform read == mean row:", torch.allclose(memory.read(mem, uniform), mem.mean(dim=1)))

# %% [markdown]
# ## Why blur: reading must be differentiable
#
# An ordinary computer reads `mem[:, 3]`. The index `3` is an integer: there is no gradient with
# respect to it, so a network could never learn *where* to read by gradient descent. Eq. 2 replaces
# the index with a weighting, and the read is linear in it: $\partial \mathbf{r} / \partial w(i) =
# \mathbf{M}(i)$. Every row receives a gradient that says how the read would change if the head
# looked a little more there. Blurry focus is the price of that; chapter 6 shows how the NTM
# sharpens it again.
#
# Below, a head starts with the blurry focus on row 3, but a loss asks its read to equal row 5.
# The head's weighting is a softmax of scores, and we let gradient descent adjust the scores:
# after 30 small steps the focus has moved to row 5. Nothing like this is possible with an integer
# index.

# %% tags=["nbval-check-output"]
scores = (-0.5 * (torch.arange(N) - 3.0) ** 2).unsqueeze(0).requires_grad_(True)  # [1, N]
target = mem[:1, 5]  # the read we want: row 5 of the first memory
optimiser = torch.optim.SGD([scores], lr=1.0)
w_start = torch.softmax(scores, dim=-1).detach()
for step in range(30):
    loss = ((memory.read(mem[:1], torch.softmax(scores, dim=-1)) - target) ** 2).sum()
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
w_end = torch.softmax(scores, dim=-1).detach()
print(f"focus moved from row {int(w_start.argmax())} to row {int(w_end.argmax())}; weight there {w_end[0, 5]:.2f}")

# %%
fig = plotting.plot_weighting_panels({"before training": w_start[0], "after 30 gradient steps": w_end[0]},
                               color=[plotting.COLORS["neutral"], plotting.COLORS["read"]])
plt.show()

# %% [markdown]
# ## Several heads at once
#
# An NTM can have several read heads, each with its own weighting. Rather than looping over them,
# stack the weightings into `[B, H, N]`: the matrix product reads every head in one call,
# `[B, H, N] @ [B, N, M] = [B, H, M]`. `memory.read` accepts any number of head dimensions between
# the batch and the rows.

# %% tags=["nbval-check-output"]
w_heads = torch.stack([sharp, blurry, uniform], dim=1)  # [B, H=3, N]
r_heads = memory.read(mem, w_heads)
print("weightings:", list(w_heads.shape), "-> reads:", list(r_heads.shape))
torch.testing.assert_close(w_heads @ mem, r_heads)
torch.testing.assert_close(r_heads[:, 1], memory.read(mem, blurry))  # head 1 is the blurry head
print("each head reads as if alone")

# %% [markdown]
# The same code runs on the GPU when there is one: move the tensors to `device` (set in the first
# cell) and nothing else changes.

# %%
r_device = memory.read(mem.to(device), w_heads.to(device))
print(r_device.device, list(r_device.shape))

# %% [markdown]
# ## Summary
#
# - The memory is a tensor `[B, N, M]`: $N$ rows of width $M$ per sequence.
# - A weighting is a distribution over rows (Eq. 1): non-negative, summing to one; `[B, N]` for one
#   head, `[B, H, N]` for several.
# - Reading (Eq. 2) averages the rows with the weighting: `w @ memory`, one read vector of width $M$
#   per head. Sharp weightings read one row; blurry ones read a blend.
# - Replacing an index by a weighting makes reading differentiable, so *where* to read can be learned.
#
# Next, chapter 2 writes to the memory. First, implement Eq. 2 yourself in
# [the exercise](../exercises/01_memory_read.ipynb).

# %% [markdown]
# **What next:** work [exercise 1](../exercises/01_memory_read.ipynb) (its solution is
# [here](../solutions/01_memory_read.ipynb)), then go on to [chapter 2, writing: erase and
# add](02_writing.ipynb). Every symbol, its shape and its name in the code: [the
# glossary](../book/glossary.md).
