# %% [markdown]
# # Exercise 4: the interpolation gate
#
# Implement the gate of [chapter 4](../notebooks/04_interpolation.ipynb) (Eq. 7):
#
# $$ w^g_t \longleftarrow g_t\, w^c_t + (1 - g_t)\, w_{t-1} \tag{7} $$
#
# It must work for one head (`[B, N]`, gate `[B, 1]`) and several (`[B, H, N]`, gate `[B, H, 1]`).
# The checks include `g = 0` (keep the previous weighting) and `g = 1` (take the content weighting).
# Rules: no Python loops; do not call `ntm_minimal.addressing`.

# %% tags=["exercise"]
def interpolate(w_content, w_prev, g):
    """Interpolation gate (Eq. 7): ``w^g = g * w^c + (1 - g) * w_prev``.

    Args:
        w_content: ``[B, N]`` or ``[B, H, N]``, this step's content weighting.
        w_prev: same shape, the head's weighting from the previous step.
        g: ``[B, 1]`` or ``[B, H, 1]``, gates in ``[0, 1]`` (1: follow content, 0: keep position).

    Returns:
        Same shape as ``w_content``: the gated weighting.
    """
    # BEGIN SOLUTION
    return g * w_content + (1 - g) * w_prev  # g [.., 1] broadcasts over the N rows
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import ntm as checks

checks.check_interpolate(interpolate)

# %% [markdown]
# ## See it work
#
# A head that follows content at step 0 and keeps its place for the next three steps, whatever the
# content weighting says.

# %% tags=["uses-exercise"]
N = 6
content = torch.eye(N)[[4, 1, 2, 0]].unsqueeze(1)  # [T=4, B=1, N]: content points at rows 4, 1, 2, 0
w = torch.eye(N)[[0]]  # start on row 0
for t, gate in enumerate([1.0, 0.0, 0.0, 0.0]):
    w = interpolate(content[t], w, torch.tensor([[gate]]))
    print(f"step {t}: g = {gate:g}, content on row {int(content[t].argmax())}, head on row {int(w.argmax())}")
