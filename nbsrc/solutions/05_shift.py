# %% [markdown]
# # Exercise 5: the convolutional shift
#
# Implement the shift of [chapter 5](../notebooks/05_shift.ipynb) (Eq. 8), a circular convolution
# of the gated weighting with a distribution over offsets:
#
# $$ \tilde{w}_t(i) \longleftarrow \sum_{j=0}^{N-1} w^g_t(j)\, s_t(i - j) \qquad \text{(indices modulo } N\text{)} \tag{8} $$
#
# The shift distribution `s` has $2k+1$ entries for the offsets $-k, \dots, k$: `s[..., k]` is the
# weight of "stay", and offset $+1$ moves weight from row $i$ to row $i + 1$ (row $N-1$ wraps to row
# 0). It must work for one head (`w` `[B, N]`, `s` `[B, 2k+1]`) and several (`[B, H, N]`,
# `[B, H, 2k+1]`), for any $k$ with $2k + 1 \le N$. The checks start with a one-hot weighting and a
# pure $+1$ shift, so a shift in the wrong direction or without wrap-around is caught at once.
# Rules: no Python loops (not even over the offsets); do not call `ntm_minimal.addressing`.

# %% tags=["exercise"]
def shift(w, s):
    """Convolutional shift (Eq. 8): ``w~(i) = sum_j w(j) s(i - j)``, indices modulo ``N``.

    Args:
        w: ``[B, N]`` or ``[B, H, N]``, the gated weighting.
        s: ``[B, 2k+1]`` or ``[B, H, 2k+1]``, weights of the offsets ``-k..k`` (``s[..., k]`` = stay).

    Returns:
        Same shape as ``w``: the shifted weighting.

    Hint: build one index tensor ``[2k+1, N]`` whose row for offset ``o`` holds ``(i - o) mod N``;
    ``w[..., index]`` then holds every rolled copy of ``w`` at once, ``[..., 2k+1, N]``.
    """
    # BEGIN SOLUTION
    n, k = w.shape[-1], s.shape[-1] // 2
    offsets = torch.arange(-k, k + 1).unsqueeze(1)  # [2k+1, 1]
    index = (torch.arange(n).unsqueeze(0) - offsets) % n  # [2k+1, N]: row o reads w at (i - o) mod N
    rolled = w[..., index]  # [..., 2k+1, N], one gather for every head and offset
    return torch.einsum("...o,...on->...n", s, rolled)  # mix the rolled copies with the offset weights
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import ntm as checks

checks.check_shift(shift)

# %% [markdown]
# ## See it work
#
# A one-hot focus on row 0 of a memory of 6 rows, shifted by $+1$ six times, walks once around the
# memory and comes back; shifted with a blurry $s$ it spreads out. Each step prints the row with the
# most weight *and* that weight, and the total weight at the end: a shift moves weight, it never
# loses any, so the total must stay 1.

# %% tags=["uses-exercise"]
w = torch.tensor([[1.0, 0, 0, 0, 0, 0]])
step, blurry = torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([[0.1, 0.8, 0.1]])
sharp_path, w_blur = [], w
for t in range(6):
    w = shift(w, step)
    w_blur = shift(w_blur, blurry)
    sharp_path.append(f"{int(w.argmax())} ({w.max().item():.2f})")
print("row with most weight (its weight) at each step, s = offset +1:", ", ".join(sharp_path))
print("total weight after 6 steps (must be 1):", round(w.sum().item(), 3), "| back on row 0:", w[0, 0].item() > 0.99)
print("blurry s after 6 steps:", [round(x, 2) for x in w_blur[0].tolist()], "| total:", round(w_blur.sum().item(), 3))
