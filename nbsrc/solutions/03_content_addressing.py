# %% [markdown]
# # Exercise 3: content addressing
#
# Implement the two equations of [chapter 3](../notebooks/03_content_addressing.ipynb): cosine
# similarity (Eq. 6), then the content weighting built on it (Eq. 5).
#
# $$ K[\mathbf{u}, \mathbf{v}] = \frac{\mathbf{u} \cdot \mathbf{v}}{\lVert\mathbf{u}\rVert\, \lVert\mathbf{v}\rVert} \tag{6} $$
#
# $$ w^c_t(i) \longleftarrow \frac{\exp\left(\beta_t\, K[\mathbf{k}_t, \mathbf{M}_t(i)]\right)}{\sum_j \exp\left(\beta_t\, K[\mathbf{k}_t, \mathbf{M}_t(j)]\right)} \tag{5} $$
#
# Both must work for one head (key `[B, M]`) and for several (key `[B, H, M]`). The checks include
# a key equal to a row, a key scaled by 10, and β = 1000, which needs a softmax that cannot overflow.
# Rules: no Python loops over the batch, heads or rows; do not call `ntm_minimal.addressing`.

# %% tags=["exercise"]
def cosine_similarity(key, memory):
    """Cosine similarity of a key with every memory row (Eq. 6).

    Args:
        key: ``[B, M]`` (one head) or ``[B, H, M]`` (H heads).
        memory: ``[B, N, M]``.

    Returns:
        ``[B, N]`` or ``[B, H, N]``, values in ``[-1, 1]``. Floor the product of the norms at
        ``1e-8`` so that an all-zero key or row gives 0 instead of NaN.

    Hint: ``torch.einsum("b...m,bnm->b...n", key, memory)`` gives all dot products; the row norms
    ``[B, N]`` need a head dimension inserted (``unsqueeze``) when the key has one.
    """
    # BEGIN SOLUTION
    dots = torch.einsum("b...m,bnm->b...n", key, memory)  # [B, *H, N]
    key_norm = key.norm(dim=-1, keepdim=True)  # [B, *H, 1]
    row_norm = memory.norm(dim=-1)  # [B, N]
    row_norm = row_norm.reshape(row_norm.shape[0], *[1] * (key.dim() - 2), row_norm.shape[1])  # [B, 1.., N]
    return dots / (key_norm * row_norm).clamp_min(1e-8)
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import ntm as checks

checks.check_cosine_similarity(cosine_similarity)

# %% tags=["exercise"]
def content_weighting(key, beta, memory):
    """Content weighting (Eq. 5): a softmax over rows of ``beta`` times the cosine similarity.

    Args:
        key: ``[B, M]`` or ``[B, H, M]``.
        beta: ``[B, 1]`` or ``[B, H, 1]``, key strengths ``>= 0``.
        memory: ``[B, N, M]``.

    Returns:
        ``[B, N]`` or ``[B, H, N]``: a weighting over the N rows (non-negative, sums to 1), finite
        even for ``beta = 1000``. Use your ``cosine_similarity``.
    """
    # BEGIN SOLUTION
    return torch.softmax(beta * cosine_similarity(key, memory), dim=-1)  # subtracts the max: no overflow
    # END SOLUTION


# %% tags=["uses-exercise"]
checks.check_content_weighting(content_weighting)

# %% [markdown]
# ## See it work
#
# A noisy copy of row 3 as the key: with a large β your content weighting puts almost all weight on
# row 3, and scaling the key changes nothing.

# %% tags=["uses-exercise"]
_ = torch.manual_seed(3)
mem = torch.randn(1, 6, 5)
key = mem[:, 3] + 0.2 * torch.randn(1, 5)
w = content_weighting(key, torch.tensor([[50.0]]), mem)
print("best row:", int(w.argmax()), "| its weight:", round(w.max().item(), 3))
print("scale-invariant:", torch.allclose(w, content_weighting(7 * key, torch.tensor([[50.0]]), mem)))
