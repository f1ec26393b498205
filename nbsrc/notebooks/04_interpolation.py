# %% [markdown]
# # 4. The interpolation gate
#
# Content addressing (chapter 3) finds rows by what they hold, and it forgets where the head was a
# step ago. Many algorithms need the opposite: "stay where I am", or "continue from where I
# stopped". The **interpolation gate** $g_t$ lets each head choose, at every step, between the new
# content weighting and its own previous weighting (Eq. 7).
#
# **You will:**
# - derive the gate (Eq. 7) and check it against `ntm_minimal.addressing.interpolate`;
# - see the blend for several values of $g$, and why the result is still a weighting;
# - watch a head over time that jumps to content when $g = 1$ and keeps its place when $g = 0$.

# %%
import matplotlib.pyplot as plt

from ntm_minimal import addressing, plotting

plotting.use_style()

# %% [markdown]
# ## The equation
#
# Each head emits a scalar gate $g_t \in [0, 1]$ and mixes its content weighting $w^c_t$ (Eq. 5)
# with the weighting $w_{t-1}$ it produced at the previous step:
#
# $$ w^g_t \longleftarrow g_t\, w^c_t + (1 - g_t)\, w_{t-1}. \tag{7} $$
#
# With $g_t = 1$ the head follows the content; with $g_t = 0$ it ignores the content and keeps its
# previous focus; values in between blend the two. In `ntm_minimal` the controller emits an
# unconstrained number per head, and a sigmoid maps it into $(0, 1)$ (see `ntm_minimal.heads`).
#
# ## The blend, pictured
#
# Below, the previous weighting is centred on row 1 and the content weighting on row 6. Each panel
# shows $w^g_t$ for one $g$, with the two inputs as outlines (grey dashes: previous; green dots:
# content). Weight flows from one focus to the other as $g$ grows.

# %%
_ = torch.manual_seed(0)
B, N, M = 2, 8, 6
rows = torch.arange(N, dtype=torch.float32)
w_prev = torch.softmax(-((rows - 1) ** 2), dim=-1).expand(B, N)  # last step's focus: row 1
mem = torch.randn(B, N, M)
w_content = addressing.content_weighting(mem[:, 6], torch.full((B, 1), 10.0), mem)  # content: row 6

fig = plotting.plot_interpolation(w_content[0], w_prev[0], gates=(0, 0.25, 0.5, 0.75, 1))
plt.show()

# %% [markdown]
# An intermediate $g$ gives *two* bumps, not one bump halfway between: the gate blends weightings,
# it does not move them. Moving a focus is the shift's job (chapter 5), and cleaning up a blurry
# blend the sharpening's (chapter 6).
#
# ### Deriving it in code
#
# Eq. 7 is one line. The gate has a trailing dimension of 1, `[B, 1]` (or `[B, H, 1]` for several
# heads), so it broadcasts over the $N$ rows.

# %%
def my_interpolate(w_content, w_prev, g):
    """Eq. 7: w_content, w_prev [B, *H, N], g [B, *H, 1] -> [B, *H, N]."""
    return g * w_content + (1 - g) * w_prev


g = torch.rand(B, 1)
torch.testing.assert_close(my_interpolate(w_content, w_prev, g), addressing.interpolate(w_content, w_prev, g))
H = 3
wc_heads = torch.softmax(torch.randn(B, H, N), dim=-1)
wp_heads = torch.softmax(torch.randn(B, H, N), dim=-1)
g_heads = torch.rand(B, H, 1)
torch.testing.assert_close(my_interpolate(wc_heads, wp_heads, g_heads),
                           addressing.interpolate(wc_heads, wp_heads, g_heads))
print("my_interpolate matches ntm_minimal.addressing.interpolate, for one head and for three")

# %% [markdown]
# From here on the course uses `addressing.interpolate`.
#
# ## Still a weighting
#
# For $g \in [0, 1]$, Eq. 7 is a *convex combination* of two weightings, and such a mix is again a
# weighting: every entry is a non-negative mix of non-negative numbers, and the sum is
# $g \cdot 1 + (1 - g) \cdot 1 = 1$. A gate outside $[0, 1]$ would break this (a weight could go
# negative), which is why the gate comes out of a sigmoid and why `interpolate` rejects such a $g$.

# %% tags=["nbval-check-output"]
w_g = addressing.interpolate(wc_heads, wp_heads, g_heads)
print("non-negative:", bool((w_g >= 0).all()), "| sums to 1:", torch.allclose(w_g.sum(-1), torch.ones(B, H)))
try:
    addressing.interpolate(w_content, w_prev, torch.full((B, 1), 1.5))
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## Why a head needs it: keep position or jump to content
#
# Imagine a head over eight time steps. At each step the controller emits a key, here a noisy copy
# of a different row each time, so the content weighting jumps about. Four heads see the same keys
# and differ only in their gates:
#
# - $g_t = 1$ always: the head goes wherever the keys point (it *is* the content weighting);
# - $g_t = 0$ always: the head never leaves its starting row;
# - $g_t = 0.5$ always: each step half the weight moves to the new content, so the head trails a
#   fading memory of where the keys used to point;
# - **gated**, $g_t = 1$ at steps 0 and 4 and $0$ otherwise: the head jumps to the content at those
#   two steps and otherwise *keeps its place*, whatever the keys say.
#
# All start from a focus on row 0, as `ntm_minimal.NTM` does. The loop over time is inherent: each
# step needs the previous weighting.

# %% tags=["nbval-check-output"]
T = 8
targets = [5, 1, 6, 2, 0, 3, 7, 4]  # the row each step's key resembles
keys = mem[:, targets] + 0.3 * torch.randn(B, T, M)  # [B, T, M]
beta = torch.full((B, 1), 20.0)
w_content_t = [addressing.content_weighting(keys[:, t], beta, mem) for t in range(T)]  # T x [B, N]
gates = {"g = 1": [1.0] * T, "g = 0": [0.0] * T, "g = 0.5": [0.5] * T, "gated": [1, 0, 0, 0, 1, 0, 0, 0]}

histories = {}
for name, schedule in gates.items():
    w = torch.zeros(B, N)
    w[:, 0] = 1.0  # initial focus: row 0
    steps = []
    for t in range(T):
        w = addressing.interpolate(w_content_t[t], w, torch.full((B, 1), float(schedule[t])))
        steps.append(w[0])
    histories[name] = torch.stack(steps)  # first example, [T, N]
    print(f"{name:8s} largest weight on rows: {histories[name].argmax(dim=-1).tolist()}")

# %%
fig = plotting.plot_weighting_sequences(histories, annotate=gates)
plt.show()

# %% [markdown]
# With $g = 1$ the head follows the keys (rows 5, 1, 6, 2, ...); with $g = 0$ it never moves; with
# $g = 0.5$ it is a blur of recent targets. The gated head holds row 5 for steps 0–3 and row 0 for
# steps 4–7 (each step's gate is printed above its column). On its own, "keep my place" is only a
# memory of the last position; chapter 5 adds the shift, which moves a kept focus one row along.
# Keep plus shift is how an NTM walks through its memory, as in the copy task: jump to a start
# by content ($g = 1$), then $g \approx 0$ and shift by one at every step.
#
# A trained controller is rarely this clean: it learns $g_t$ from data, and a soft $g_t$ gives a
# blend that is differentiable in $g_t$, so the gradient says whether the head should have trusted
# content or position a little more.

# %% [markdown]
# ## Summary
#
# - The interpolation gate (Eq. 7) blends the content weighting with the previous weighting:
#   `g * w_content + (1 - g) * w_prev`, with `g` `[B, *H, 1]` broadcast over the rows.
# - For $g \in [0, 1]$ the result is again a weighting; intermediate $g$ gives two bumps, not a moved one.
# - $g = 1$: jump to content; $g = 0$: keep the previous focus. This is what lets a head remember
#   where it is, the starting point for location-based addressing in chapters 5 and 6.
#
# Implement Eq. 7 yourself in [the exercise](../exercises/04_interpolation.ipynb).

# %% [markdown]
# **What next:** work [exercise 4](../exercises/04_interpolation.ipynb) (its solution is
# [here](../solutions/04_interpolation.ipynb)), then go on to [chapter 5, the convolutional
# shift](05_shift.ipynb). Every symbol, its shape and its name in the code: [the
# glossary](../book/glossary.md).
