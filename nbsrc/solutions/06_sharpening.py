# %% [markdown]
# # Exercise 6: sharpening and the whole addressing
#
# Implement sharpening from [chapter 6](../notebooks/06_sharpening.ipynb) (Eq. 9), then put the
# four stages of Fig. 2 together into one head's addressing (Eq. 5–9).
#
# $$ w_t(i) \longleftarrow \frac{\tilde{w}_t(i)^{\gamma_t}}{\sum_j \tilde{w}_t(j)^{\gamma_t}} \tag{9} $$
#
# The checks of `sharpen` include $\gamma = 1000$ on a nearly flat weighting: every $\tilde w(i)^{\gamma}$
# then underflows to 0, and a literal transcription of Eq. 9 returns $0/0$ = `nan`. Compute the
# same quantity in a form that cannot (chapter 6 shows one). For `address`, use the package's
# `content_weighting`, `interpolate` and `shift` (chapters 3–5) and your own `sharpen`.
# Rules: no Python loops; `sharpen` must not call `ntm_minimal.addressing.sharpen`.

# %%
from ntm_minimal import addressing

# %% tags=["exercise"]
def sharpen(w, gamma):
    """Sharpening (Eq. 9): ``w(i) = w~(i) ** gamma / sum_j w~(j) ** gamma``.

    Args:
        w: ``[B, N]`` or ``[B, H, N]``, the shifted weighting (non-negative, sums to 1).
        gamma: ``[B, 1]`` or ``[B, H, 1]``, exponents ``>= 1``.

    Returns:
        Same shape as ``w``: a weighting, finite even for ``gamma = 1000``.

    Hint: ``w ** gamma = exp(gamma * log w)``, and "exp, then divide by the sum" is a softmax.
    Floor ``w`` at a tiny number (say ``1e-20``) before the log, so a zero weight gives no ``-inf``.
    """
    # BEGIN SOLUTION
    return torch.softmax(gamma * torch.log(w.clamp_min(1e-20)), dim=-1)  # softmax subtracts the max: no 0/0
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import ntm as checks

checks.check_sharpen(sharpen)

# %% tags=["exercise"]
def address(key, beta, g, s, gamma, w_prev, memory):
    """One head's addressing (Eq. 5-9, Fig. 2): content, interpolate, shift, sharpen.

    Args:
        key: ``[B, M]`` or ``[B, H, M]``; beta, g, gamma: ``[B, 1]`` or ``[B, H, 1]``;
        s: ``[B, 2k+1]`` or ``[B, H, 2k+1]``; w_prev: ``[B, N]`` or ``[B, H, N]``; memory: ``[B, N, M]``.

    Returns:
        The new weighting ``w_t``, shaped like ``w_prev``.
    """
    # BEGIN SOLUTION
    w_content = addressing.content_weighting(key, beta, memory)  # Eq. 5
    w_gated = addressing.interpolate(w_content, w_prev, g)  # Eq. 7
    return sharpen(addressing.shift(w_gated, s), gamma)  # Eq. 8, then Eq. 9
    # END SOLUTION


# %% tags=["uses-exercise"]
checks.check_address(address)

# %% [markdown]
# ## See it work
#
# A head that starts on row 0 and, with $g = 0$ (ignore content), a slightly blurry $+1$ shift and
# $\gamma = 5$, steps through the memory one row per step and stays sharp.

# %% tags=["uses-exercise"]
_ = torch.manual_seed(6)
mem = torch.randn(1, 8, 4)
w = torch.eye(8)[[0]]
ones = torch.ones(1, 1)
for t in range(5):
    w = address(mem[:, 0], ones, 0 * ones, torch.tensor([[0.05, 0.15, 0.8]]), 5 * ones, w, mem)
    print(f"step {t}: head on row {int(w.argmax())}, weight there {w.max().item():.3f}")
