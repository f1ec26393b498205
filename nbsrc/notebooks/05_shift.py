# %% [markdown]
# # 5. The convolutional shift
#
# With the gate of chapter 4 a head can keep its place. To *iterate*, to walk through memory one
# row after another as a program steps through an array, it must also **move** its focus relative
# to where it is, whatever the rows contain. The NTM does this with a **convolutional shift**
# (Eq. 8): each head emits a small distribution over offsets such as $-1, 0, +1$, and its weighting
# is rotated by each offset and mixed in those proportions.
#
# **You will:**
# - derive the shift (Eq. 8) as a circular convolution and check it against `ntm_minimal.addressing.shift`;
# - fix the conventions: `s[..., k]` means "stay", offset $+1$ moves row $i$ to row $i + 1$, and the
#   last row wraps around to row 0;
# - shift every head of a batch with one gather, no loops;
# - see why a shift that is not sure of itself blurs the focus, step after step (the problem
#   chapter 6 solves).

# %%
import matplotlib.pyplot as plt

from ntm_minimal import addressing, plotting

plotting.use_style()

# %% [markdown]
# ## The equation
#
# At step $t$ a head emits a **shift weighting** $s_t$: a distribution over the integer offsets a
# head may move by, here $-k, \dots, k$. The shifted weighting is the circular convolution of the
# gated weighting $w^g_t$ (Eq. 7) with $s_t$:
#
# $$ \tilde{w}_t(i) \longleftarrow \sum_{j=0}^{N-1} w^g_t(j)\, s_t(i - j), \tag{8} $$
#
# with all indices taken modulo $N$. Read it from the point of view of the weight at row $j$: the
# fraction $s_t(o)$ of it moves to row $j + o$. Offsets outside $-k, \dots, k$ have $s_t(o) = 0$, so
# only $2k + 1$ numbers are stored. In `ntm_minimal`, `s` is a tensor `[..., 2k+1]` whose entry
# `s[..., k + o]` is the weight of offset $o$:
#
# | entry | `s[..., 0]` | ... | `s[..., k]` | ... | `s[..., 2k]` |
# |---|---|---|---|---|---|
# | offset $o$ | $-k$ | ... | $0$ (stay) | ... | $+k$ |
#
# The paper's example allows offsets $-1, 0, +1$ ($k = 1$), so $s_t$ has three entries; the
# controller produces them with a softmax (chapter 7), so they are non-negative and sum to 1.
#
# ## The shift, pictured
#
# A one-hot focus on row 2 of a memory of 8 rows, shifted four ways. A shift that is sure of its
# offset moves the focus exactly; a shift that hesitates (last row) leaves it spread over three rows.

# %%
N = 8
w_row2 = torch.zeros(1, N)
w_row2[:, 2] = 1.0
shifts = {"stay": [0.0, 1.0, 0.0], "+1": [0.0, 0.0, 1.0], "-1": [1.0, 0.0, 0.0], "mostly +1": [0.1, 0.2, 0.7]}
fig = plotting.plot_shift(w_row2[0], {name: torch.tensor(s) for name, s in shifts.items()})
plt.show()

# %% [markdown]
# ### Deriving it in code
#
# Eq. 8 is a sum over offsets of rotated copies of $w$: the copy rotated by $o$ is
# `torch.roll(w, o, dims=-1)`, whose entry $i$ is $w(i - o)$, and it is weighted by $s(o)$. That
# gives a first version with a loop over the $2k + 1$ offsets (three, not $N$).
#
# The loop can go too. All rotated copies at once are one **gather**: an index tensor `[2k+1, N]`
# whose row for offset $o$ holds $(i - o) \bmod N$. Then `w[..., index]` is `[..., 2k+1, N]`, every
# rotation of every head's weighting, and Eq. 8 is a weighted sum over its offset dimension, a
# matrix product `[..., 1, 2k+1] @ [..., 2k+1, N]`.

# %%
def my_shift_rolls(w, s):
    """Eq. 8 as a sum of rolled copies: w [..., N], s [..., 2k+1] -> [..., N]."""
    k = s.shape[-1] // 2
    return sum(s[..., k + o, None] * torch.roll(w, o, dims=-1) for o in range(-k, k + 1))


def my_shift(w, s):
    """Eq. 8 with one gather: w [..., N], s [..., 2k+1] -> [..., N]."""
    n, k = w.shape[-1], s.shape[-1] // 2
    offsets = torch.arange(-k, k + 1).unsqueeze(1)  # [2k+1, 1]
    index = (torch.arange(n) - offsets) % n  # [2k+1, N]: row o holds (i - o) mod N
    return (s.unsqueeze(-2) @ w[..., index]).squeeze(-2)  # [..., 1, 2k+1] @ [..., 2k+1, N]


_ = torch.manual_seed(0)
B = 2
w = torch.softmax(2 * torch.randn(B, N), dim=-1)
s = torch.softmax(torch.randn(B, 3), dim=-1)
torch.testing.assert_close(my_shift_rolls(w, s), addressing.shift(w, s))
torch.testing.assert_close(my_shift(w, s), addressing.shift(w, s))
print("my_shift_rolls and my_shift match ntm_minimal.addressing.shift")

# %% [markdown]
# From here on the course uses `addressing.shift`, which computes the same sum (and checks its
# arguments: `s` needs an odd number of entries, at most $N$).
#
# ## Direction and wrap-around
#
# Two conventions are easy to get backwards, so pin them down with one-hot weightings: offset $+1$
# moves the focus from row $i$ to row $i + 1$, and "modulo $N$" makes the memory a ring, so $+1$
# from the last row lands on row 0 and $-1$ from row 0 on the last row.

# %% tags=["nbval-check-output"]
def one_hot(row, n=N):
    w = torch.zeros(1, n)
    w[:, row] = 1.0
    return w


plus, minus = torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([[1.0, 0.0, 0.0]])
for row, s_name, s_t in [(2, "+1", plus), (2, "-1", minus), (N - 1, "+1", plus), (0, "-1", minus)]:
    moved = addressing.shift(one_hot(row), s_t)
    print(f"focus on row {row}, offset {s_name}: now on row {int(moved.argmax())}")

# %% [markdown]
# Why a ring? Without wrap-around, weight shifted past an end would either vanish (the weighting
# would no longer sum to 1) or need a special rule at the edges. On a ring every offset is a
# rotation, a permutation of the rows, and nothing is lost.
#
# ## The shift is a matrix, and it keeps a weighting a weighting
#
# Eq. 8 is linear in $w$: $\tilde{w} = S\, w$ with $S_{ij} = s\big((i - j) \bmod N\big)$. Every
# diagonal of $S$ is constant and wraps around, a **circulant** matrix; column $j$ says where the
# weight of row $j$ goes. Each column holds the entries of $s$ once, so it sums to 1: the
# shift moves weight around without creating or destroying any, and with non-negative entries the
# result is again a weighting.

# %% tags=["nbval-check-output"]
n_small = 6
s_blur = torch.tensor([[0.1, 0.8, 0.1]])
S = addressing.shift(torch.eye(n_small), s_blur.expand(n_small, 3)).T  # column j = shift of one-hot row j
print(S.numpy().round(2))
print("columns sum to 1:", torch.allclose(S.sum(dim=0), torch.ones(n_small)))
w_small = torch.softmax(torch.randn(1, n_small), dim=-1)
print("S @ w == shift(w, s):", torch.allclose(S @ w_small[0], addressing.shift(w_small, s_blur)[0]))

# %% [markdown]
# ## Several heads, one gather
#
# Each head has its own weighting and its own shift, but the index tensor `[2k+1, N]` depends only
# on $N$ and $k$, so one gather rotates every head of every batch element: `w` `[B, H, N]` becomes
# `[B, H, 2k+1, N]`, and one batched matrix product with `s` `[B, H, 1, 2k+1]` finishes the job. No
# loop over batch, heads or rows (a loop over batch elements, one convolution each, is a common
# reason NTM implementations are slow). Wider shifts only widen the index tensor.

# %% tags=["nbval-check-output"]
H, k = 3, 2
w_heads = torch.softmax(2 * torch.randn(B, H, N), dim=-1)
s_heads = torch.softmax(torch.randn(B, H, 2 * k + 1), dim=-1)  # offsets -2..2
shifted = addressing.shift(w_heads, s_heads)
print("w", list(w_heads.shape), "s", list(s_heads.shape), "-> shifted", list(shifted.shape))
torch.testing.assert_close(my_shift(w_heads, s_heads), shifted)
torch.testing.assert_close(shifted[:, 1], addressing.shift(w_heads[:, 1], s_heads[:, 1]))  # head 1 alone
print("each head shifts as if alone")
try:
    addressing.shift(torch.softmax(torch.randn(B, 4), dim=-1), torch.softmax(torch.randn(B, 7), dim=-1))
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## Why a shift blurs
#
# A shift that puts all its weight on one offset moves the focus exactly. A trained controller
# emits $s_t$ from a softmax, which is never exactly one-hot. The paper's example: offsets $-1, 0, +1$
# weighted $0.1, 0.8, 0.1$ turn a single point into a slightly blurred one over three rows. Since
# $\tilde{w}$ is a convex mix of rotations of $w$, its largest weight can never exceed that of $w$:
# a shift can only keep a focus as sharp as it was, or blur it.
#
# Over many steps the blur compounds. Below, a head that starts on row 0 of 16 rows moves by $+1$
# at every step, once with a sure shift and once with a slightly unsure one,
# $s = (0.05, 0.15, 0.8)$. The sure head stays one-hot; the unsure one spreads like a random walk:
# after four steps no row holds half of its weight, after ten about a quarter.

# %% tags=["nbval-check-output"]
T, n_ring = 10, 16
steps = {"sure +1": torch.tensor([[0.0, 0.0, 1.0]]), "unsure +1": torch.tensor([[0.05, 0.15, 0.8]])}
walks = {}
for name, s_t in steps.items():
    w_t, history = one_hot(0, n_ring), []
    for t in range(T):  # inherently sequential: each step shifts the last result
        w_t = addressing.shift(w_t, s_t)
        history.append(w_t[0])
    walks[name] = torch.stack(history)  # [T, N]
    print(f"{name:9s} largest weight per step:", [round(x, 2) for x in walks[name].max(dim=-1).values.tolist()])

# %%
fig = plotting.plot_weighting_sequences(walks)
plt.show()

# %% [markdown]
# The unsure head still drifts one row per step on average (its centre moves by
# $0.8 - 0.05 = 0.75$ rows per step), but its weight smears over more and more rows: a head that
# iterates this way would soon read a blend of many rows and write to all of them at once.
# Something must undo the blur after each shift. That is the sharpening of chapter 6.

# %% [markdown]
# ## Summary
#
# - The shift (Eq. 8) is a circular convolution of the gated weighting with a distribution over
#   offsets $-k..k$: `s[..., k]` is "stay", offset $+1$ moves row $i$ to $i + 1$, and indices wrap
#   around modulo $N$.
# - It is a sum of rotated copies of $w$; all copies for all heads come from one gather with an index
#   tensor `[2k+1, N]`, then one batched matrix product: no loops.
# - As a circulant matrix whose columns sum to 1 it keeps a weighting a weighting, but a shift that
#   is not one-hot blurs the focus, and repeated shifts blur it more and more.
#
# Implement Eq. 8 yourself in [the exercise](../exercises/05_shift.ipynb); chapter 6 then sharpens
# the blurred focus.

# %% [markdown]
# **What next:** work [exercise 5](../exercises/05_shift.ipynb) (its solution is
# [here](../solutions/05_shift.ipynb)), then go on to [chapter 6, sharpening, and the whole
# addressing](06_sharpening.ipynb). Every symbol, its shape and its name in the code: [the
# glossary](../book/glossary.md).
