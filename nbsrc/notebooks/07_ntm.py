# %% [markdown]
# # 7. Heads, controllers and the whole NTM
#
# Chapters 1–6 built every equation of the paper's section 3: reading, writing and the four stages
# of addressing. Each took its parameters ($\mathbf{k}_t, \beta_t, g_t, s_t, \gamma_t,
# \mathbf{e}_t, \mathbf{a}_t$) as given. In an NTM they come from a neural network, the
# **controller**, through the **heads**. This chapter connects the parts into `ntm_minimal.NTM`
# (the paper's Fig. 1) and runs it.
#
# **You will:**
# - see how one linear layer emits the parameters of every head, and why each parameter goes
#   through its own transform;
# - compare the two controllers of the paper, LSTM and feed-forward;
# - follow one NTM step in the order of `ntm_minimal.model`, rebuild it from the public functions,
#   and choose the initial memory;
# - verify the gradients of a whole step with `torch.autograd.gradcheck`;
# - run an untrained NTM on a copy-task batch and look at its weightings over time, as in Fig. 6.

# %%
import matplotlib.pyplot as plt

import ntm_minimal
from ntm_minimal import addressing, memory, metrics, plotting
from ntm_minimal.heads import Heads
from ntm_minimal.model import MEMORY_INIT, NTMState
from ntm_minimal.tasks import make_task

plotting.use_style()

# %% [markdown]
# ## The parts
#
# At every time step $t$ the NTM
#
# 1. feeds the **controller** the input $\mathbf{x}_t$ and the read vectors of the previous step
#    $\mathbf{r}_{t-1}$, and gets its output $\mathbf{h}_t$;
# 2. maps $\mathbf{h}_t$ through the **heads' linear layer** to every head's parameters;
# 3. **addresses** (Eq. 5–9): every head, read and write, computes its weighting $w_t$ on the
#    memory $\mathbf{M}_{t-1}$;
# 4. **writes** (Eq. 3–4) with the write heads, giving $\mathbf{M}_t$;
# 5. **reads** (Eq. 2) $\mathbf{M}_t$ with the read heads, giving $\mathbf{r}_t$;
# 6. computes the **output** logits from $[\mathbf{h}_t, \mathbf{r}_t]$.
#
# The rest of this chapter goes through steps 1, 2 and the order of 3–6.
#
# ## One linear layer for every head
#
# The paper leaves open how the controller's output becomes the heads' parameters. `ntm_minimal`
# uses a single linear layer for all heads: its output is cut into one block per head
# ($\mathbf{k}$: $M$ numbers; $\beta$, $g$, $\gamma$: one each; $s$: $2k+1$), read heads first,
# then one block of $\mathbf{e}$ and $\mathbf{a}$ ($2M$ numbers) per write head. One matrix product
# per step serves every head, and the blocks become `[B, H, ...]` tensors that chapters 3–6 address
# without a loop over heads. For the paper's copy task set-up (controller of 100 units, rows of
# $M = 20$, one read and one write head, shifts $-1..1$):

# %% tags=["nbval-check-output"]
_ = torch.manual_seed(0)
heads = Heads(controller_size=100, memory_m=20, read_heads=1, write_heads=1, shift_range=1)
print("heads' layer:", heads.proj)
print("per head: k 20 + β 1 + g 1 + s 3 + γ 1 =", heads.address_size, "| per write head: e 20 + a 20 = 40")
print("total:", 2 * heads.address_size, "+", 40, "=", heads.proj.out_features)

# %% [markdown]
# A linear layer outputs any real number, but each parameter has a range its equation needs. Each
# block therefore passes through a fixed transform (`ntm_minimal.heads`):
#
# | parameter | equation | needs | transform | why this one |
# |---|---|---|---|---|
# | key $\mathbf{k}$ | 5–6 | any vector | none | the cosine ignores the key's length, so only its direction matters |
# | key strength $\beta$ | 5 | $\beta \ge 0$ | softplus $\log(1 + e^x)$ | grows linearly, not exponentially: a large raw output cannot explode β |
# | gate $g$ | 7 | $0 \le g \le 1$ | sigmoid | a smooth switch between content and the last position |
# | shift $s$ | 8 | a distribution over $2k+1$ offsets | softmax | the paper's choice; non-negative, sums to 1 |
# | sharpening $\gamma$ | 9 | $\gamma \ge 1$ | $1 +$ softplus | never below 1, and unlike a clipped ReLU it always has a gradient |
# | erase $\mathbf{e}$ | 3 | entries in $[0, 1]$ | sigmoid | each entry is a fraction to erase |
# | add $\mathbf{a}$ | 4 | any vector | tanh | a write head adds at most 1 to any memory entry per step, so no single step can blow the memory up |
#
# Whatever the controller emits, even absurdly large numbers, the parameters land in range:

# %% tags=["nbval-check-output"]
B = 4
p = heads(100 * torch.randn(B, 100))  # a controller output far larger than any real one
for name, value in p._asdict().items():
    print(f"{name:6s} {str(list(value.shape)):12s} min {value.min().item():7.1f}  max {value.max().item():7.1f}")
print("s sums to 1:", torch.allclose(p.s.sum(-1), torch.ones(B, 2)))

# %% [markdown]
# (In `HeadParams` the head dimension holds read heads then write heads for `key`, `beta`, `g`, `s`
# and `gamma`, and write heads only for `erase` and `add`.)
#
# ## Controllers: LSTM or feed-forward
#
# The paper tries two controllers. An **LSTM** controller (`LSTMController`, one `nn.LSTMCell`) has
# its own recurrent state, which the paper compares to the registers of a processor: small, fast
# working memory beside the large external one. A **feed-forward** controller
# (`FeedForwardController`, one tanh layer) has no state at all, so everything it remembers from one
# step to the next must go through the memory and the read vectors. The paper notes that this makes
# its behaviour easier to interpret, since reads and writes are easier to read than an RNN's hidden
# state, at the price of a bottleneck: what it can do per step is limited by the number of heads.
# Both see $[\mathbf{x}_t, \mathbf{r}_{t-1}]$
# and share one interface, `controller(input, state) -> (h, state)`.
#
# With the paper's copy-task sizes, memory $128 \times 20$:

# %% tags=["nbval-check-output"]
task = make_task("copy")  # 8-bit vectors: input_size 9 (8 bits + delimiter), output_size 8
for kind in ["lstm", "feedforward"]:
    model = ntm_minimal.NTM(task.input_size, task.output_size, controller=kind, controller_size=100,
                            memory_n=128, memory_m=20, read_heads=1, write_heads=1, shift_range=1)
    parts = {name: sum(p.numel() for p in getattr(model, name).parameters()) for name in ["controller", "heads", "output"]}
    print(f"{kind:11s} parameters: {sum(parts.values()):6,d}  ({', '.join(f'{k} {v:,d}' for k, v in parts.items())})")
    print(f"{'':11s} controller state at the start: {type(model.initial_state(1).controller).__name__}")

# %% [markdown]
# The memory itself holds no parameters: its $128 \times 20$ numbers are state, rewritten for every
# sequence, so a larger memory costs no extra weights. The paper reports 67,561 parameters for its
# LSTM NTM on copy; it does not describe its layer layout in enough detail to reproduce that
# number exactly. Most of ours sit in the LSTM's four gates, each of which sees the input, the read
# vector and its own 100 units.
#
# ## One step, in order
#
# `NTM.step` runs the six steps listed above. Two choices of order matter:
#
# - **All heads address the memory as it was before this step's write**, $\mathbf{M}_{t-1}$, read and
#   write heads alike, in one batched call; content lookups see what is stored, not a half-written memory.
# - **The read heads read after the write**, $\mathbf{M}_t$: a vector written at step $t$ can be read
#   at step $t$ already, which saves a step of delay when the model must pass something through memory.
#
# With the functions of chapters 1–6, the whole step takes a few lines. It must match `model.step`:

# %%
def my_step(model, x_t, state):
    """One NTM step: x_t [B, input_size], state -> (logits [B, output_size], new state)."""
    r = model.read_heads
    h, ctrl = model.controller(torch.cat([x_t, state.reads.flatten(1)], dim=-1), state.controller)  # 1
    p = model.heads(h)  # 2: every head's parameters
    w = addressing.address(p.key, p.beta, p.g, p.s, p.gamma, state.weights, state.memory)  # 3: [B, R+W, N]
    new_memory = memory.write(state.memory, w[:, r:], p.erase, p.add)  # 4: write heads, M_t
    reads = memory.read(new_memory, w[:, :r])  # 5: read heads read M_t
    logits = model.output(torch.cat([h, reads.flatten(1)], dim=-1))  # 6
    return logits, NTMState(ctrl, new_memory, w, reads)


small = ntm_minimal.NTM(input_size=3, output_size=2, controller="lstm", controller_size=16, memory_n=10,
                        memory_m=4, read_heads=2, write_heads=2, shift_range=1)
x_t = torch.randn(B, 3)
state = small.initial_state(B)
for t in range(3):  # a few steps, so the state is no longer the initial one
    state = small.step(x_t, state)[1]
mine, theirs = my_step(small, x_t, state), small.step(x_t, state)
torch.testing.assert_close(mine[0], theirs[0])
for field in ["memory", "weights", "reads"]:
    torch.testing.assert_close(getattr(mine[1], field), getattr(theirs[1], field))
print("my_step matches NTM.step (2 read + 2 write heads)")

# %% [markdown]
# `NTM.forward` runs `step` over time (the loop over time is inherent: each step needs the last
# state). Inside the loop the model calls unchecked versions of the same functions; the checks of
# the public functions run once, on the whole input.
#
# ## The initial state
#
# Before the first step the memory, the weightings and the read vectors need values. The paper does
# not say which. Collier & Beel (2018) compared the options on the copy task: filling the memory
# with a small **constant** converged about twice as fast as a learned or a random initial memory.
# `ntm_minimal` follows them: every cell starts at `MEMORY_INIT` $= 10^{-6}$, not learned, the same
# for every sequence. Not exactly zero: the cosine of Eq. 6 would be $0/0$ for every row. Not random:
# the first content lookups would then match noise. Every head starts one-hot on row 0, so the
# first shifts move from a definite place, and the first read vectors are the reads of that memory.
# `NTM(..., memory_init="learned")` makes the initial memory a trained parameter instead; chapter 11
# meets a task where that helps.

# %% tags=["nbval-check-output"]
init = small.initial_state(2)
print("memory", list(init.memory.shape), "all equal to", f"{MEMORY_INIT:g}:", bool((init.memory == MEMORY_INIT).all()))
print("weights", list(init.weights.shape), "one-hot on row 0:", bool((init.weights[..., 0] == 1).all()))
print("reads", list(init.reads.shape), "| LSTM state:", [list(t.shape) for t in init.controller])

# %% [markdown]
# ## Checking the gradients
#
# Training needs the gradient of the loss through every equation, and a wrong gradient (a missing
# term, a wrong sign) makes a model train badly without any error message. `torch.autograd.gradcheck`
# compares autograd's gradient with finite differences, which needs float64. On a tiny model it
# takes a moment: the gradient of one step's logits with respect to the input, the previous
# memory, the previous weightings and the previous reads.

# %% tags=["nbval-check-output"]
tiny = ntm_minimal.NTM(input_size=3, output_size=2, controller="lstm", controller_size=6, memory_n=5,
                       memory_m=3, read_heads=1, write_heads=1, shift_range=1).double()
start = tiny.initial_state(2)
start = start._replace(memory=torch.randn(2, 5, 3, dtype=torch.float64))  # a memory with content
inputs = (torch.randn(2, 3, dtype=torch.float64), start.memory,
          torch.softmax(torch.randn(2, 2, 5, dtype=torch.float64), dim=-1), torch.randn(2, 1, 3, dtype=torch.float64))
inputs = tuple(x.requires_grad_() for x in inputs)


def step_logits(x, mem, weights, reads):
    return tiny.step(x, NTMState(start.controller, mem, weights, reads))[0]


print("gradcheck of one NTM step:", torch.autograd.gradcheck(step_logits, inputs))

# %% [markdown]
# ## An untrained NTM on the copy task
#
# The copy task (section 4.1 of the paper, `ntm_minimal.tasks.copy`) presents a sequence of random
# 8-bit vectors, then a delimiter on a ninth channel, then asks the model to output the sequence
# again. A perfect NTM writes each vector to a new row while it reads the input, then walks the
# same rows again while it outputs: the diagonal lines of the paper's Fig. 6.
#
# Here is an **untrained** NTM (random weights) on one batch of sequences of length 6. Its cost is
# about 1 bit per output bit, chance level, since its logits are near zero:

# %% tags=["nbval-check-output"]
_ = torch.manual_seed(7)
L = 6
batch = task.sample(4, torch.Generator().manual_seed(7), length=L)
model = ntm_minimal.NTM(task.input_size, task.output_size, controller="lstm", controller_size=100,
                        memory_n=24, memory_m=20, read_heads=1, write_heads=1, shift_range=1)
with torch.no_grad():
    logits, trace = model(batch.x, return_trace=True)
print("x", list(batch.x.shape), "-> logits", list(logits.shape))
print(f"cost per sequence: {metrics.cost_bits(logits, batch).mean():.1f} bits for {L * task.bits} output bits")
print("mean g:", round(trace.params.g.mean().item(), 2), "| mean γ:", round(trace.params.gamma.mean().item(), 2),
      "| mean s over (-1, 0, +1):", [round(x, 2) for x in trace.params.s.mean(dim=(0, 1, 2)).tolist()])
print("largest write weight per step:", [round(x, 2) for x in trace.write_weights[0, :, 0].max(dim=-1).values.tolist()])

# %% [markdown]
# The trace holds the weightings of every step (`trace.write_weights` `[B, T, W, N]`,
# `trace.read_weights` `[B, T, R, N]`). Drawn as in Fig. 6 (time left to right, memory rows bottom to
# top, black = weight 1), with the input and the target alongside (channels bottom to top):

# %%
fig = plotting.plot_weighting_sequences(
    {"input x (9 channels)": batch.x[0], "target y (8 channels)": batch.y[0],
     "write weighting": trace.write_weights[0, :, 0], "read weighting": trace.read_weights[0, :, 0]},
    panel_size=(2.9, 2.6), sharey=False)
for ax in fig.axes[:2]:
    ax.set_ylabel("channel")
plt.show()

# %% [markdown]
# Nothing like Fig. 6 yet. Both heads start on row 0; their random gates $g \approx 0.5$ mix in a
# content weighting that is nearly uniform (the memory holds almost nothing to match), their shifts
# are spread over all three offsets, and $\gamma$ is too small to undo the blur. The largest write
# weight is about 0.3 at the first step and below 0.1 from step 7 on: the focus is smeared over
# the whole memory (the faint grey above), so the model writes every vector faintly everywhere and
# reads back a blend. Training must discover the parameters chapters 4–6 showed by hand: $g \approx
# 0$ and a sure $+1$ shift to iterate, a large $\gamma$ to stay sharp, and a content lookup or a
# jump to find the start again. Later chapters train this model and show the diagonals appear.

# %% [markdown]
# ## Summary
#
# - One linear layer maps the controller output to every head's parameters; fixed transforms put each
#   in its range: softplus for β, sigmoid for $g$ and $\mathbf{e}$, softmax for $s$, $1 +$ softplus
#   for γ, tanh for $\mathbf{a}$, and the key as it is.
# - The controller (an LSTM with its own state, or a stateless feed-forward layer) sees the input
#   and the previous reads; the memory adds state but no parameters.
# - A step: controller → head parameters → all heads address $\mathbf{M}_{t-1}$ → write → read
#   $\mathbf{M}_t$ → output. Memory starts at a small constant (Collier & Beel 2018), the heads on row 0.
# - `gradcheck` confirms the gradient of a whole step; an untrained NTM blurs its focus, and
#   training has to learn sharp, iterating heads.
#
# Implement the head transforms and one NTM step yourself in [the exercise](../exercises/07_ntm.ipynb).

# %% [markdown]
# **What next:** work [exercise 7](../exercises/07_ntm.ipynb) (its solution is
# [here](../solutions/07_ntm.ipynb)), then go on to [chapter 8, the copy task](08_copy.ipynb). Every
# symbol, its shape and its name in the code: [the glossary](../book/glossary.md).
