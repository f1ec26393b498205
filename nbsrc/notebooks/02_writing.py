# %% [markdown]
# # 2. Writing: erase and add
#
# A read head only looks. A **write head** changes the memory, and it does so in two soft steps
# taken from how a computer overwrites a memory cell: first **erase** part of what is there (Eq. 3),
# then **add** something new (Eq. 4). Both are weighted by the head's weighting from chapter 1, so
# writing stays differentiable.
#
# **You will:**
# - derive erase (Eq. 3) and add (Eq. 4) as outer products, and check them against `ntm_minimal.memory`;
# - see a sharp write overwrite one row and a blurry write smear over several;
# - combine several write heads with the paper's rule (erases multiply, adds sum) and see why it
#   makes the order of the heads irrelevant.

# %%
import matplotlib.pyplot as plt

from ntm_minimal import memory, plotting

plotting.use_style()

# %% [markdown]
# ## The two equations
#
# At step $t$ a write head emits a weighting $w_t$ over the $N$ rows, an **erase vector**
# $\mathbf{e}_t$ of $M$ entries in $[0, 1]$ and an **add vector** $\mathbf{a}_t$ of $M$ entries.
# Each row $i$ of the previous memory is first scaled down, entry by entry:
#
# $$ \tilde{\mathbf{M}}_t(i) \longleftarrow \mathbf{M}_{t-1}(i)\left[\mathbf{1} - w_t(i)\, \mathbf{e}_t\right], \tag{3} $$
#
# where $\mathbf{1}$ is a row of ones and the product is elementwise. Then the add vector is mixed in:
#
# $$ \mathbf{M}_t(i) \longleftarrow \tilde{\mathbf{M}}_t(i) + w_t(i)\, \mathbf{a}_t. \tag{4} $$
#
# Entry $j$ of row $i$ is erased in full only when both $w_t(i) = 1$ and $e_t(j) = 1$; if either is
# zero it is untouched. So the weighting says *where* to write, the erase vector *which entries* to
# clear, and the add vector *what* to put there.
#
# ## A sharp write overwrites one row
#
# With a one-hot weighting on row 3 and $\mathbf{e} = \mathbf{1}$, Eq. 3 sets row 3 to zero and
# Eq. 4 puts $\mathbf{a}$ in its place: exactly a computer's write. The other rows do not change.

# %%
_ = torch.manual_seed(0)
B, N, M = 2, 8, 6
mem = torch.randn(B, N, M)
sharp = torch.zeros(B, N)
sharp[:, 3] = 1.0
e_all = torch.ones(B, M)
a = torch.randn(B, M)

fig = plotting.plot_write(mem[0], sharp[0], e_all[0], a[0])
plt.show()

# %% tags=["nbval-check-output"]
new = memory.write(mem, sharp, e_all, a)
print("row 3 now holds a:", torch.allclose(new[:, 3], a))
print("other rows unchanged:", torch.equal(new[:, [0, 1, 2, 4, 5, 6, 7]], mem[:, [0, 1, 2, 4, 5, 6, 7]]))

# %% [markdown]
# ## A soft write
#
# A trained head is rarely that sharp. Below, the weighting is spread over rows 2–4 and the erase
# vector clears only some entries: rows are partly erased and receive part of the add vector, in
# proportion to their weight. The *change* panel shows the write touches only the rows the head
# looks at.

# %%
blurry = torch.softmax(-(torch.arange(N) - 3.0) ** 2, dim=-1).expand(B, N)
e_some = torch.tensor([1.0, 1.0, 0.5, 0.5, 0.0, 0.0]).expand(B, M)
fig = plotting.plot_write(mem[0], blurry[0], e_some[0], a[0])
plt.show()

# %% [markdown]
# ### Deriving erase and add in code
#
# For one head, `w` is `[B, N]` and `e`, `a` are `[B, M]`. The term $w_t(i)\,\mathbf{e}_t$ for
# every row $i$ is an **outer product**, `[B, N, 1] * [B, 1, M] = [B, N, M]`: the same shape as the
# memory. Eq. 3 multiplies the memory by one minus it; Eq. 4 adds the outer product of `w` and `a`.

# %%
def my_erase(mem, w, e):
    """Eq. 3 for one head: mem [B, N, M], w [B, N], e [B, M] -> [B, N, M]."""
    return mem * (1 - w.unsqueeze(-1) * e.unsqueeze(-2))


def my_add(mem, w, a):
    """Eq. 4 for one head: mem [B, N, M], w [B, N], a [B, M] -> [B, N, M]."""
    return mem + w.unsqueeze(-1) * a.unsqueeze(-2)


w_random = torch.softmax(torch.randn(B, N), dim=-1)
e_random = torch.rand(B, M)
torch.testing.assert_close(my_erase(mem, w_random, e_random), memory.erase(mem, w_random, e_random))
torch.testing.assert_close(my_add(mem, w_random, a), memory.add(mem, w_random, a))
torch.testing.assert_close(my_add(my_erase(mem, w_random, e_random), w_random, a),
                           memory.write(mem, w_random, e_random, a))
print("my_erase and my_add match ntm_minimal.memory; write = add after erase")

# %% [markdown]
# From here on the course uses `memory.erase`, `memory.add` and `memory.write` (erase then add).
#
# Three special cases show what each vector controls:
#
# | erase $\mathbf{e}$ | add $\mathbf{a}$ | effect on the rows the head looks at |
# |---|---|---|
# | $\mathbf{0}$ | anything | accumulate: the add is summed onto what is there |
# | $\mathbf{1}$ (and a sharp $w$) | anything | overwrite, as in ordinary memory |
# | anything | $\mathbf{0}$ | erase only: forget |

# %% tags=["nbval-check-output"]
zeros = torch.zeros(B, M)
accumulate = memory.write(mem, sharp, zeros, a)
forget = memory.write(mem, sharp, e_all, zeros)
print("e = 0 accumulates:", torch.allclose(accumulate[:, 3], mem[:, 3] + a))
print("a = 0 forgets:    ", bool((forget[:, 3] == 0).all()))

# %% [markdown]
# ## Several write heads
#
# With $H$ write heads, each with its own $w_h$, $\mathbf{e}_h$ and $\mathbf{a}_h$, in what order
# should they write? The paper sidesteps the question: the erases of all heads are applied first,
# and since each is a multiplication, their order does not matter; then the adds of all heads are
# summed in, and a sum has no order either:
#
# $$ \tilde{\mathbf{M}}_t(i) = \mathbf{M}_{t-1}(i) \prod_{h=1}^{H} \left[\mathbf{1} - w^h_t(i)\,\mathbf{e}^h_t\right],
# \qquad \mathbf{M}_t(i) = \tilde{\mathbf{M}}_t(i) + \sum_{h=1}^{H} w^h_t(i)\,\mathbf{a}^h_t. $$
#
# With the heads stacked on a dimension after the batch (`w` `[B, H, N]`, `e` and `a` `[B, H, M]`)
# this is a product and a sum over that dimension: no loop over heads.

# %%
H = 2
w_heads = torch.softmax(2 * torch.randn(B, H, N), dim=-1)
e_heads = torch.rand(B, H, M)
a_heads = torch.randn(B, H, M)


def my_write_heads(mem, w, e, a):
    """Eq. 3-4 for H heads: mem [B, N, M], w [B, H, N], e and a [B, H, M] -> [B, N, M]."""
    keep = (1 - w.unsqueeze(-1) * e.unsqueeze(-2)).prod(dim=1)  # [B, H, N, M] -> [B, N, M]
    return mem * keep + (w.unsqueeze(-1) * a.unsqueeze(-2)).sum(dim=1)


torch.testing.assert_close(my_write_heads(mem, w_heads, e_heads, a_heads), memory.write(mem, w_heads, e_heads, a_heads))
print("my_write_heads matches ntm_minimal.memory.write")

# %% [markdown]
# The sum of outer products is also a single matrix product, `w.transpose(1, 2) @ a`
# (`[B, N, H] @ [B, H, M]`), which is how the package computes it.
#
# The figure shows two heads writing to different rows, each with its own erase and add vector.

# %%
two = torch.zeros(H, N)
two[0, 2], two[1, 5] = 1.0, 1.0
fig = plotting.plot_write(mem[0], two, torch.rand(H, M), torch.randn(H, M))
plt.show()

# %% [markdown]
# ### Why not let the heads write one after another?
#
# The obvious alternative runs the heads in turn, each doing a full erase-then-add. When two heads
# look at the same rows, the second head's erase then also erases what the first head has just
# added, so swapping the heads changes the result. The paper's rule has no such asymmetry: no head
# erases another head's add of the same step, and reordering the heads changes nothing.

# %% tags=["nbval-check-output"]
def one_after_another(mem, w, e, a):
    for h in range(w.shape[1]):  # deliberately a loop: this is the alternative we reject
        mem = memory.write(mem, w[:, h], e[:, h], a[:, h])
    return mem


swap = [1, 0]
paper = memory.write(mem, w_heads, e_heads, a_heads)
paper_swapped = memory.write(mem, w_heads[:, swap], e_heads[:, swap], a_heads[:, swap])
seq = one_after_another(mem, w_heads, e_heads, a_heads)
seq_swapped = one_after_another(mem, w_heads[:, swap], e_heads[:, swap], a_heads[:, swap])
print(f"paper's rule, heads swapped:      largest change {(paper - paper_swapped).abs().max():.4f}")
print(f"one after another, heads swapped: largest change {(seq - seq_swapped).abs().max():.4f}")

# %% [markdown]
# With one head the two agree, and with heads that look at disjoint rows they agree too; they differ
# only where heads overlap. An NTM with several write heads is therefore free to have them cooperate
# on the same rows without any notion of which head goes first.
#
# ## Summary
#
# - A write is an erase (Eq. 3) followed by an add (Eq. 4), both weighted by the head's weighting:
#   `mem * (1 - w ⊗ e) + w ⊗ a`, with `⊗` the outer product over rows and entries.
# - The weighting chooses the rows, the erase vector the entries to clear, the add vector the new
#   content; a sharp weighting with $\mathbf{e} = \mathbf{1}$ is an ordinary overwrite.
# - Several heads: all erase factors multiply, then all adds sum (`memory.write` with `w` `[B, H, N]`),
#   so the result does not depend on the order of the heads.
#
# Next, chapter 3 shows how a head decides *where* to look from the memory's content. First,
# implement erase, add and write yourself in [the exercise](../exercises/02_writing.ipynb).

# %% [markdown]
# **What next:** work [exercise 2](../exercises/02_writing.ipynb) (its solution is
# [here](../solutions/02_writing.ipynb)), then go on to [chapter 3, content
# addressing](03_content_addressing.ipynb). Every symbol, its shape and its name in the code: [the
# glossary](../book/glossary.md).
