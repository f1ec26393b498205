# %% [markdown]
# # 3. Content addressing
#
# Chapters 1 and 2 took the weighting as given. Now a head starts choosing it. The first way is by
# **content**: the head emits a *key*, a vector like a memory row, and looks at the rows that
# resemble it, as you recall a fact from a partial cue. Similarity is measured with the cosine
# (Eq. 6) and turned into a weighting with a softmax sharpened by a **key strength** β (Eq. 5).
#
# **You will:**
# - derive cosine similarity (Eq. 6) and content weighting (Eq. 5), and check them against
#   `ntm_minimal.addressing`;
# - see how β moves the weighting from uniform to a single row;
# - see why the cosine, not the dot product: it ignores the scale of the key and of the rows;
# - make both equations numerically safe: a softmax that cannot overflow, and all-zero rows.

# %%
import matplotlib.pyplot as plt

from ntm_minimal import addressing, memory, plotting

plotting.use_style()

# %% [markdown]
# ## The two equations
#
# The similarity of two vectors $\mathbf{u}$ and $\mathbf{v}$ is their cosine, the dot product of
# their directions, between $-1$ (opposite) and $1$ (same direction):
#
# $$ K[\mathbf{u}, \mathbf{v}] = \frac{\mathbf{u} \cdot \mathbf{v}}{\lVert\mathbf{u}\rVert\, \lVert\mathbf{v}\rVert}. \tag{6} $$
#
# The head compares its key $\mathbf{k}_t$ with every row and takes a softmax of the similarities,
# scaled by the key strength $\beta_t \ge 0$:
#
# $$ w^c_t(i) \longleftarrow \frac{\exp\left(\beta_t\, K[\mathbf{k}_t, \mathbf{M}_t(i)]\right)}{\sum_j \exp\left(\beta_t\, K[\mathbf{k}_t, \mathbf{M}_t(j)]\right)}. \tag{5} $$
#
# A softmax is non-negative and sums to one, so $w^c_t$ is a weighting (chapter 1) whatever the key.
#
# ## Recall from a noisy cue
#
# Take a memory of 8 rows and a key that is row 2 plus noise. The figure shows the memory and the
# key (left), the cosine of the key with each row (Eq. 6), then the content weighting (Eq. 5) for
# growing β. Row 2 has the highest cosine; β decides how strongly the weighting prefers it.

# %%
_ = torch.manual_seed(0)
B, N, M = 2, 8, 6
mem = torch.randn(B, N, M)
key = mem[:, 2] + 0.5 * torch.randn(B, M)  # [B, M]: a noisy copy of row 2
fig = plotting.plot_content_addressing(key[0], mem[0], betas=(0, 1, 5, 20, 100))
plt.show()

# %% [markdown]
# With β = 0 every row gets $1/N$: the key is ignored. As β grows, the softmax amplifies the
# differences in similarity until, for large β, all weight sits on the best match. β is therefore
# the head's *confidence*: low when it wants a blend of similar rows, high when it wants one.
#
# ### Deriving it in code
#
# For one head the key is `[B, M]`. The dot products with all rows are one batched matrix-vector
# product, `[B, N, M] @ [B, M, 1]`; divide by the product of the norms. Then Eq. 5 is a softmax over
# the rows (the last dimension) of the similarities times β, with β `[B, 1]`.

# %%
def my_cosine_similarity(key, mem):
    """Eq. 6 for one head: key [B, M], mem [B, N, M] -> [B, N]."""
    dots = (mem @ key.unsqueeze(-1)).squeeze(-1)  # [B, N]
    return dots / (mem.norm(dim=-1) * key.norm(dim=-1, keepdim=True))


def my_content_weighting(key, beta, mem):
    """Eq. 5 for one head: key [B, M], beta [B, 1], mem [B, N, M] -> [B, N]."""
    return torch.softmax(beta * my_cosine_similarity(key, mem), dim=-1)


beta = 10 * torch.rand(B, 1)
torch.testing.assert_close(my_cosine_similarity(key, mem), addressing.cosine_similarity(key, mem))
torch.testing.assert_close(my_content_weighting(key, beta, mem), addressing.content_weighting(key, beta, mem))
print("my versions match ntm_minimal.addressing")

# %% [markdown]
# From here on the course uses `addressing.cosine_similarity` and `addressing.content_weighting`.
# How peaked is the weighting for each β? The largest weight goes from $1/N = 0.125$ to almost 1:

# %% tags=["nbval-check-output"]
for b in [0.0, 1.0, 5.0, 20.0, 100.0]:
    w_c = addressing.content_weighting(key, torch.full((B, 1), b), mem)
    print(f"β = {b:5.1f}: largest weight {w_c[0].max():.3f} on row {int(w_c[0].argmax())}")

# %% [markdown]
# ## Why the cosine?
#
# A plain dot product $\mathbf{k} \cdot \mathbf{M}(i)$ would also measure agreement, but it grows
# with the length of the vectors. That mixes two things the cosine keeps apart:
#
# - **the key's length.** Doubling the key would double every score and sharpen the softmax, the
#   job of β. With the cosine the key says only *what* to look for, and β alone says *how sharply*.
# - **the rows' lengths.** A row that happens to hold large numbers would win every dot-product
#   lookup, whatever the key. With the cosine a row's size does not matter, only its direction.
#
# Below, row 3, which resembles the key only loosely (cosine 0.48 against 0.75 for row 2), is
# multiplied by 3. With the dot product it captures the weighting; the cosine still finds row 2.

# %% tags=["nbval-check-output"]
loud = mem.clone()
loud[:, 3] *= 3  # one row with large entries
beta = torch.full((B, 1), 5.0)
w_dot = torch.softmax(beta * (loud @ key.unsqueeze(-1)).squeeze(-1), dim=-1)
w_cos = addressing.content_weighting(key, beta, loud)
print("dot product picks row", int(w_dot[0].argmax()), "| cosine picks row", int(w_cos[0].argmax()))
print("cosine ignores the key's scale:", torch.allclose(addressing.content_weighting(10 * key, beta, loud), w_cos))

# %%
fig = plotting.plot_weighting_panels({"dot product (row 3 × 3)": w_dot[0], "cosine (row 3 × 3)": w_cos[0]},
                               color=[plotting.COLORS["neutral"], plotting.COLORS["content"]])
plt.show()

# %% [markdown]
# ## Numerical stability
#
# Two inputs break a literal transcription of Eq. 5–6, and both occur in practice.
#
# **Large β.** The controller can emit any β, and `exp(β K)` overflows once β K passes about 88 in
# float32: the result is `inf / inf = nan`. The cure is that a softmax does not change when the same
# number is subtracted from every score, $\operatorname{softmax}(\mathbf{x}) =
# \operatorname{softmax}(\mathbf{x} - \max_i x_i)$, and after the subtraction every exponent is at
# most $e^0 = 1$. `torch.softmax` does this for you; a hand-written `exp(...) / exp(...).sum()` does not.

# %% tags=["nbval-check-output"]
big = torch.full((B, 1), 1000.0)
scores = big * addressing.cosine_similarity(key, mem)
naive = torch.exp(scores) / torch.exp(scores).sum(dim=-1, keepdim=True)
print("naive exp / sum:", naive[0, :4].tolist())
print("torch.softmax:  ", [round(x, 4) for x in torch.softmax(scores, dim=-1)[0, :4].tolist()])
print("package:        ", [round(x, 4) for x in addressing.content_weighting(key, big, mem)[0, :4].tolist()])

# %% [markdown]
# **All-zero rows.** A row that was fully erased (chapter 2, a sharp write with $\mathbf{e} =
# \mathbf{1}$ and $\mathbf{a} = \mathbf{0}$) is all zeros, and a zero key is possible too. Eq. 6 is
# then $0/0$, and one `nan` spreads through the softmax to every weight. The package smooths each
# norm, $\sqrt{\lVert\mathbf{u}\rVert^2 + \epsilon}$ with $\epsilon = 10^{-10}$
# (`addressing.COSINE_EPS`; deepmind/dnc does the same with $10^{-6}$): a zero vector then has
# similarity 0 with everything (no preference), and nothing else changes measurably, since real
# norms are far larger than $\sqrt{\epsilon} = 10^{-5}$. Flooring the norm product at $\epsilon$
# would avoid the `nan` too, but the similarity would then jump from 0 at a zero row to $\pm 1$ a
# tiny step away, with a gradient of about $1/\epsilon$ there; the smoothed norm changes
# continuously, and its gradient at a zero row is at most about $1/\sqrt{\epsilon}$.
# (`ntm_minimal.NTM` also starts from a memory filled with a tiny constant, not zeros.)

# %% tags=["nbval-check-output"]
sharp = torch.zeros(B, N)
sharp[:, 4] = 1.0
wiped = memory.write(mem, sharp, torch.ones(B, M), torch.zeros(B, M))  # row 4 is now all zeros
print("naive cosine:  ", [round(x, 3) for x in my_cosine_similarity(key, wiped)[0].tolist()])
print("package cosine:", [round(x, 3) for x in addressing.cosine_similarity(key, wiped)[0].tolist()])
print("weights finite:", bool(addressing.content_weighting(key, beta, wiped).isfinite().all()))

# %% [markdown]
# ## Several heads at once
#
# As in chapters 1–2, several heads are a dimension after the batch: keys `[B, H, M]` and key
# strengths `[B, H, 1]` give content weightings `[B, H, N]`, one batched matrix product for all heads.

# %% tags=["nbval-check-output"]
H = 3
keys = mem[:, [2, 5, 7]] + 0.1 * torch.randn(B, H, M)  # each head looks for a different row
betas = torch.full((B, H, 1), 50.0)
w_heads = addressing.content_weighting(keys, betas, mem)
print("keys", list(keys.shape), "-> weightings", list(w_heads.shape))
print("each head's best row:", w_heads[0].argmax(dim=-1).tolist())

# %% [markdown]
# ## Summary
#
# - Cosine similarity (Eq. 6) compares a key with every row by direction only: `[B, *H, M]` with
#   `[B, N, M]` gives `[B, *H, N]`, values in $[-1, 1]$.
# - Content weighting (Eq. 5) is a softmax over rows of β times the similarity: β = 0 is uniform,
#   large β picks the best match. The key says *what*, β says *how sharply*.
# - Use a max-subtracting softmax (`torch.softmax`) so large β cannot overflow, and smooth the
#   norms so all-zero rows or keys give similarity 0 rather than `nan`, with a bounded gradient.
#
# Content alone cannot say "the row after the one I just wrote". Chapter 4 lets a head keep its
# previous focus instead. First, implement Eq. 5–6 in [the exercise](../exercises/03_content_addressing.ipynb).

# %% [markdown]
# **What next:** work [exercise 3](../exercises/03_content_addressing.ipynb) (its solution is
# [here](../solutions/03_content_addressing.ipynb)), then go on to [chapter 4, the interpolation
# gate](04_interpolation.ipynb). Every symbol, its shape and its name in the code: [the
# glossary](../book/glossary.md).
