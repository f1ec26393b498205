# %% [markdown]
# # 6. Sharpening, and the whole addressing
#
# Chapter 5 ended with a problem: a shift that is not perfectly sure of its offset blurs the focus,
# and the blur grows with every step. The last stage of the addressing, **sharpening** (Eq. 9),
# undoes it: each head raises its weighting to a power $\gamma_t \ge 1$ and renormalises. With it,
# the four stages of the paper's Fig. 2 are complete, and this chapter puts them together.
#
# **You will:**
# - derive sharpening (Eq. 9) and check it against `ntm_minimal.addressing.sharpen`;
# - compute it as $\operatorname{softmax}(\gamma \log w)$, which stays finite for any $\gamma$ where
#   the literal formula divides $0$ by $0$;
# - watch shift-then-sharpen keep a moving focus sharp for many steps;
# - run the whole pipeline, Eq. 5–9, with `addressing.address_stages`, in the paper's three modes;
# - move every parameter yourself in the **addressing explorer**.

# %%
import matplotlib.pyplot as plt

from ntm_minimal import addressing, plotting
from ntm_minimal.tables import show

plotting.use_style()

# %% [markdown]
# ## The equation
#
# Each head emits a scalar $\gamma_t \ge 1$ and sharpens the shifted weighting $\tilde{w}_t$:
#
# $$ w_t(i) \longleftarrow \frac{\tilde{w}_t(i)^{\gamma_t}}{\sum_j \tilde{w}_t(j)^{\gamma_t}}. \tag{9} $$
#
# Raising to a power $\gamma > 1$ shrinks small weights much more than large ones ($0.5^2 = 0.25$ but
# $0.1^2 = 0.01$), and the division makes the result a weighting again. The order of the rows
# by weight never changes (a power is increasing). $\gamma = 1$ changes nothing, and as $\gamma$ grows
# all the weight goes to the largest entry (shared equally if several tie).
#
# ## Sharpening, pictured
#
# The blurred weighting of chapter 5, one-hot on row 0 shifted three times by the unsure $+1$,
# $s = (0.05, 0.15, 0.8)$, then sharpened with growing $\gamma$:

# %%
N = 12
w_start = torch.zeros(1, N)
w_start[:, 0] = 1.0
unsure = torch.tensor([[0.05, 0.15, 0.8]])
blurred = w_start
for t in range(3):
    blurred = addressing.shift(blurred, unsure)
fig = plotting.plot_sharpening(blurred[0], gammas=(2, 5, 20))
plt.show()

# %% [markdown]
# With $\gamma = 2$ the tails shrink; by $\gamma = 20$ the focus is one-hot on row 3, the row
# the head would be on had each of the three shifts been exactly $+1$.
#
# ### Deriving it in code
#
# Transcribed literally, Eq. 9 is a power and a normalisation, with $\gamma$ `[B, 1]` (or
# `[B, H, 1]`) broadcast over the rows:

# %%
def my_sharpen(w, gamma):
    """Eq. 9, literally: w [B, *H, N], gamma [B, *H, 1] -> [B, *H, N]."""
    powered = w ** gamma
    return powered / powered.sum(dim=-1, keepdim=True)


_ = torch.manual_seed(0)
B = 2
w = torch.softmax(2 * torch.randn(B, N), dim=-1)
gamma = 1 + 4 * torch.rand(B, 1)
torch.testing.assert_close(my_sharpen(w, gamma), addressing.sharpen(w, gamma))
print("my_sharpen matches ntm_minimal.addressing.sharpen (for moderate γ)")

# %% [markdown]
# ## Why the package computes softmax(γ log w)
#
# Since $\tilde{w}(i)^{\gamma} = \exp(\gamma \log \tilde{w}(i))$, Eq. 9 is exactly a softmax:
#
# $$ w(i) = \frac{\exp(\gamma \log \tilde{w}(i))}{\sum_j \exp(\gamma \log \tilde{w}(j))} = \operatorname{softmax}_i\big(\gamma \log \tilde{w}\big). $$
#
# The two forms are equal in exact arithmetic, not in floating point. The controller can emit any
# $\gamma \ge 1$ (chapter 7 maps an unbounded number to it). For a flat weighting, every
# $\tilde{w}(i)^{\gamma}$ is tiny: in float32 numbers below about $10^{-45}$ round to zero, so with
# 12 rows of weight about $1/12$, $\gamma = 50$ already makes **every** term zero, and the literal
# formula returns $0/0$ = `nan`. A softmax subtracts the largest score before exponentiating, so the
# largest term is $e^0 = 1$ and the denominator is at least 1: no $0/0$ and no overflow, for any $\gamma$.
#
# One detail remains: a weight of exactly 0 (common after a sure shift) has $\log 0 = -\infty$. The
# forward pass survives ($e^{-\infty} = 0$), but the gradient of $\log w$ at $0$ is infinite, and
# $0 \cdot \infty$ makes it `nan`. The package floors $\tilde{w}$ at $10^{-20}$
# (`addressing.SHARPEN_FLOOR`) before the log: far below any weight that matters, and the gradient
# stays finite.

# %% tags=["nbval-check-output"]
flat = torch.softmax(0.1 * torch.randn(B, N), dim=-1)  # float32, every weight near 1/12
big = torch.full((B, 1), 50.0)
print("largest w**γ:", f"{(flat ** big).max().item():.1g}", "(every term underflowed)")
for name, result in [("literal w**γ / sum", my_sharpen(flat, big)),
                     ("softmax(γ log w)", torch.softmax(big * torch.log(flat), dim=-1)),
                     ("addressing.sharpen", addressing.sharpen(flat, big))]:
    print(f"{name:18s}: finite = {bool(result.isfinite().all())}, sums to {result[0].sum():.3f}, "
          f"largest weight {result[0].max():.3f}")

sure = addressing.shift(w_start, torch.tensor([[0.0, 0.0, 1.0]])).requires_grad_(True)  # one-hot: 11 zeros
target = torch.softmax(torch.randn(1, N), dim=-1)
for name, fn in [("log without floor", lambda x, g: torch.softmax(g * torch.log(x), dim=-1)),
                 ("addressing.sharpen", addressing.sharpen)]:
    (grad,) = torch.autograd.grad((fn(sure, torch.full((1, 1), 3.0)) * target).sum(), sure)
    print(f"gradient through {name}: finite = {bool(grad.isfinite().all())}")

# %% [markdown]
# ## Shift, then sharpen, step after step
#
# Back to chapter 5's walk: a head that starts on row 0 and moves by the unsure $+1$ at every step.
# Without sharpening the focus dissolves; with sharpening after each shift, even a modest $\gamma$
# pulls the weight back to one row per step and the head walks through memory like a pointer.

# %% tags=["nbval-check-output"]
T = 10
walks, rows = {}, []
for name, g_value in [("shift only (γ = 1)", 1.0), ("shift + sharpen, γ = 2", 2.0), ("shift + sharpen, γ = 5", 5.0)]:
    w_t, history = w_start, []
    for t in range(T):  # each step needs the last: a loop over time is inherent
        w_t = addressing.sharpen(addressing.shift(w_t, unsure), torch.full((1, 1), g_value))
        history.append(w_t[0])
    walks[name] = torch.stack(history)  # [T, N]
    peak = walks[name].max(dim=-1).values
    rows.append([name, walks[name].argmax(dim=-1).tolist(), float(peak[-1])])
show(["", "row with the largest weight, step by step", "largest weight at the end"], rows,
     formats={1: lambda r: " ".join(map(str, r)), 2: ".3f"})

# %%
fig = plotting.plot_weighting_sequences(walks, panel_size=(3.0, 2.4))
plt.show()

# %% [markdown]
# This is the pairing the paper relies on for iteration: the shift moves the focus, the sharpening
# keeps it from spreading. A controller that is unsure of a shift can compensate with a larger
# $\gamma_t$, and a controller that *wants* a blurry focus (to read an average of neighbours, say)
# keeps $\gamma_t$ near 1.
#
# ## The whole addressing (Fig. 2)
#
# One head's addressing at step $t$ runs four stages in a fixed order, each with its own parameters
# from the controller:
#
# | stage | equation | parameters | chapter |
# |---|---|---|---|
# | content addressing | Eq. 5–6 | key $\mathbf{k}_t$, strength $\beta_t$ | 3 |
# | interpolation | Eq. 7 | gate $g_t$ (and the previous $w_{t-1}$) | 4 |
# | convolutional shift | Eq. 8 | shift weighting $s_t$ | 5 |
# | sharpening | Eq. 9 | $\gamma_t$ | 6 |
#
# `addressing.address(key, beta, g, s, gamma, w_prev, memory)` runs all four and returns $w_t$;
# `addressing.address_stages` returns each intermediate weighting too, for pictures like Fig. 2.
#
# ### Deriving it in code
#
# With the functions of chapters 3–6, the pipeline is four nested calls:

# %%
def my_address(key, beta, g, s, gamma, w_prev, mem):
    """Eq. 5-9 for [B, *H] heads: content, interpolate, shift, sharpen -> w_t [B, *H, N]."""
    w_content = addressing.content_weighting(key, beta, mem)  # Eq. 5
    w_gated = addressing.interpolate(w_content, w_prev, g)  # Eq. 7
    return addressing.sharpen(addressing.shift(w_gated, s), gamma)  # Eq. 8, Eq. 9


M, H = 5, 3
mem = torch.randn(B, N, M)
params = dict(key=torch.randn(B, H, M), beta=5 * torch.rand(B, H, 1), g=torch.rand(B, H, 1),
              s=torch.softmax(torch.randn(B, H, 3), dim=-1), gamma=1 + 3 * torch.rand(B, H, 1),
              w_prev=torch.softmax(torch.randn(B, H, N), dim=-1))
torch.testing.assert_close(my_address(mem=mem, **params), addressing.address(memory=mem, **params))
print("my_address matches ntm_minimal.addressing.address for", H, "heads")

# %% [markdown]
# ### The paper's three modes
#
# The paper (section 3.3.2) describes three ways a head can combine the stages, all produced by the
# same equations with different parameters:
#
# 1. **content only**: $g = 1$, stay, $\gamma = 1$; the weighting is the content weighting, as in
#    an associative memory;
# 2. **content, then shift**: $g = 1$ and a shift, to find a block by content and then step inside
#    it (for instance to the item stored after the one the key matches);
# 3. **location only**: $g = 0$ and a shift, to iterate from wherever the head was, ignoring content.
#
# Below, a memory of 10 rows, a key that is a noisy copy of row 6, and a previous focus on row 2.

# %% tags=["nbval-check-output"]
example = plotting.explorer_example()  # memory [10, 6], key ~ row 6, w_prev focused on row 2
modes = {"content only": dict(g=1.0, s=(0, 1, 0)), "content, then shift +1": dict(g=1.0, s=(0, 0, 1)),
         "location only, shift +1": dict(g=0.0, s=(0, 0, 1))}
for name, p in modes.items():
    stages, _ = plotting.explorer_stages(example, beta=20.0, g=p["g"], s=p["s"], gamma=1.0)
    print(f"{name:24s} -> focus on row {int(stages.sharpened.argmax())} (weight {stages.sharpened.max():.2f})")

# %% [markdown]
# Every stage of one of them (mode 3 with a blurry shift and $\gamma = 10$), in Fig. 2's order:

# %%
stages, s_used = plotting.explorer_stages(example, beta=20.0, g=0.0, s=(0.1, 0.3, 0.6), gamma=10.0)
fig = plotting.plot_address_stages(stages, w_prev=example.w_prev, s=s_used)
plt.show()

# %% [markdown]
# ## The addressing explorer
#
# Each row below is one setting of the five parameters, and each column one stage of Eq. 5–9: the
# previous weighting, the content weighting (green), the gated one, the shift distribution, the
# shifted and the sharpened weighting. From top to bottom: a pure content lookup; "keep position,
# step $+1$" (mode 3); content then a step; a blurry step; and the same step sharpened with
# $\gamma = 10$.

# %%
fig = plotting.plot_explorer_presets(example)
plt.show()

# %% [markdown]
# In a running notebook (locally, on Colab or Binder) the cell below shows sliders for β, $g$, the
# three shift weights $s(-1), s(0), s(+1)$ (normalised to sum to 1) and γ, and redraws every stage
# when you release one. In the static web page of the book the sliders cannot run Python, so they
# may show only the first picture, or nothing: the figure above holds the same presets.
#
# Things to try: with $g = 1$, lower β to 0 and watch the content weighting go flat; with $g = 0$
# move weight from $s(+1)$ to $s(0)$ and see the shifted weighting spread, then raise γ until it is
# one row again; set $g = 0.5$ to get two bumps (chapter 4) and see what sharpening does to them.

# %%
plotting.addressing_explorer(example)

# %% [markdown]
# ## Summary
#
# - Sharpening (Eq. 9) raises the shifted weighting to a power $\gamma \ge 1$ and renormalises: it
#   keeps the order of the rows and concentrates the weight on the largest; $\gamma = 1$ changes nothing.
# - Compute it as `softmax(gamma * log(w.clamp_min(1e-20)))`: the same quantity, but never $0/0$
#   for large $\gamma$, and with a finite gradient at zero weights.
# - Shift then sharpen lets a head move through memory step after step without its focus spreading.
# - The full addressing (Fig. 2) is content (Eq. 5) → interpolation (Eq. 7) → shift (Eq. 8) →
#   sharpening (Eq. 9), `addressing.address`; its parameters select content lookup, content then
#   shift, or pure iteration.
#
# Implement Eq. 9 and the whole pipeline in [the exercise](../exercises/06_sharpening.ipynb).
# Chapter 7 connects the pipeline to a controller and builds the whole NTM.

# %% [markdown]
# **What next:** work [exercise 6](../exercises/06_sharpening.ipynb) (its solution is
# [here](../solutions/06_sharpening.ipynb)), then go on to [chapter 7, heads, controllers and the
# whole NTM](07_ntm.ipynb). Every symbol, its shape and its name in the code: [the
# glossary](../book/glossary.md).
