# %% [markdown]
# # Exercise 7: the heads and one NTM step
#
# Two parts of [chapter 7](../notebooks/07_ntm.ipynb): turn the output of the heads' linear layer
# into the parameters of every head, then put one whole NTM step together from the package's pieces.
#
# **Part 1, the head parameters.** The heads' linear layer emits one vector `raw` `[B, P]` per step.
# With $H = R + W$ heads ($R$ read heads first, then $W$ write heads), row width $M$ and shift range
# $k$, it is laid out as
#
# | block | size | contents |
# |---|---|---|
# | addressing, one block per head, read heads first | $H \times (M + 3 + 2k+1)$ | each head: $\mathbf{k}$ ($M$), $\beta$, $g$, $\mathbf{s}$ ($2k+1$), $\gamma$ |
# | writing, one block per write head | $W \times 2M$ | each write head: $\mathbf{e}$ ($M$), $\mathbf{a}$ ($M$) |
#
# Split it and apply the transforms of chapter 7: $\mathbf{k}$ as it is, $\beta$ softplus, $g$
# sigmoid, $\mathbf{s}$ softmax over its $2k+1$ entries, $\gamma$ one plus softplus, $\mathbf{e}$
# sigmoid, $\mathbf{a}$ tanh. One case has raw values of $\pm 1000$, where $\log(1 + e^x)$
# overflows: use `torch.nn.functional.softplus`.
#
# **Part 2, one step.** Given a model, an input `x_t` `[B, input_size]` and the state before the
# step, return the logits and the new state, in the order of chapter 7. Rules: no Python loops over
# the batch or the heads; in part 2 use `model.controller`, `model.heads`, `model.output`,
# `ntm_minimal.addressing.address`, `ntm_minimal.memory.write` and `ntm_minimal.memory.read`, not
# `model.step` itself.

# %%
from torch.nn import functional as F

from ntm_minimal import addressing, memory
from ntm_minimal.heads import HeadParams
from ntm_minimal.model import NTMState

# %% tags=["exercise"]
def head_params(raw, memory_m, read_heads, write_heads, shift_range):
    """Split the heads' linear layer output and map each part into its range.

    Args:
        raw: ``[B, P]`` with ``P = H (M + 3 + 2k+1) + W 2M``, ``H = read_heads + write_heads``.
        memory_m: ``M``; read_heads: ``R``; write_heads: ``W``; shift_range: ``k``.

    Returns:
        ``HeadParams(key [B, H, M], beta [B, H, 1], g [B, H, 1], s [B, H, 2k+1], gamma [B, H, 1],
        erase [B, W, M], add [B, W, M])``.

    Hint: ``raw[:, :n].reshape(B, H, -1)`` gives one row per head; ``tensor.split([sizes], dim=-1)``
    cuts a row into its parts.
    """
    # BEGIN SOLUTION
    b, m, heads, width = raw.shape[0], memory_m, read_heads + write_heads, 2 * shift_range + 1
    n_addr = heads * (m + 3 + width)
    addr = raw[:, :n_addr].reshape(b, heads, -1)  # [B, H, M + 3 + 2k+1]
    vec = raw[:, n_addr:].reshape(b, write_heads, 2 * m)  # [B, W, 2M]
    key, beta, g, s, gamma = addr.split([m, 1, 1, width, 1], dim=-1)
    erase, add = vec.split([m, m], dim=-1)
    return HeadParams(key, F.softplus(beta), torch.sigmoid(g), torch.softmax(s, dim=-1), 1 + F.softplus(gamma),
                      torch.sigmoid(erase), torch.tanh(add))
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import ntm as checks

checks.check_head_params(head_params)

# %% tags=["exercise"]
def ntm_step(model, x_t, state):
    """One NTM step: ``x_t`` ``[B, input_size]`` and the state before it -> ``(logits, new_state)``.

    Args:
        model: an ``ntm_minimal.NTM`` (use its ``controller``, ``heads``, ``output`` and ``read_heads``).
        x_t: ``[B, input_size]``.
        state: ``NTMState(controller, memory [B, N, M], weights [B, R + W, N], reads [B, R, M])``.

    Returns:
        ``(logits [B, output_size], NTMState(...))`` after the step.
    """
    # BEGIN SOLUTION
    r = model.read_heads
    h, ctrl = model.controller(torch.cat([x_t, state.reads.flatten(1)], dim=-1), state.controller)  # 1. controller
    p = model.heads(h)  # 2. every head's parameters from one linear layer
    w = addressing.address(p.key, p.beta, p.g, p.s, p.gamma, state.weights, state.memory)  # 3. all heads at once
    new_memory = memory.write(state.memory, w[:, r:], p.erase, p.add)  # 4. write heads write
    reads = memory.read(new_memory, w[:, :r])  # 5. read heads read the new memory
    logits = model.output(torch.cat([h, reads.flatten(1)], dim=-1))  # 6. output
    return logits, NTMState(ctrl, new_memory, w, reads)
    # END SOLUTION


# %% tags=["uses-exercise"]
checks.check_ntm_step(ntm_step)

# %% [markdown]
# ## See it work
#
# Run an untrained NTM over a copy-task sequence with your `ntm_step` and compare the logits with
# the model's own forward pass.

# %% tags=["uses-exercise"]
import ntm_minimal
from ntm_minimal.tasks import make_task

_ = torch.manual_seed(7)
task = make_task("copy", bits=4)
model = ntm_minimal.NTM(task.input_size, task.output_size, controller_size=16, memory_n=10, memory_m=5)
batch = task.sample(2, torch.Generator().manual_seed(7), length=3)
state, outputs = model.initial_state(2), []
for t in range(batch.x.shape[1]):
    logits, state = ntm_step(model, batch.x[:, t], state)
    outputs.append(logits)
print("same logits as model(x):", torch.allclose(torch.stack(outputs, dim=1), model(batch.x), atol=1e-6))
