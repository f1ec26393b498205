# %% [markdown]
# # Exercise 8: the copy task's data and its measures
#
# Three parts of [chapter 8](../notebooks/08_copy.ipynb): build a copy-task batch from its random
# vectors, then the two measures the paper and the course report, the cost in bits and the number
# of bit errors per sequence.
#
# **Part 1, the layout.** Given `seq` `[B, L, bits]` (every sequence of the batch has length $L$),
# return `Batch(x, y, mask)` laid out as in chapter 8: $T = 2L + 1$ steps, the vectors on channels
# `0 .. bits-1` at steps $0 \ldots L-1$, the delimiter (channel `bits` = 1) at step $L$, then zeros
# while the model answers; the target is the sequence at steps $L+1 \ldots 2L$, where the mask is 1.
#
# **Part 2, the measures.** For logits `[B, T, bits]`, targets `y` `[B, T, bits]` and `mask` `[B, T]`:
#
# $$ \text{cost} = -\sum_{t:\,\text{mask}_t = 1}\ \sum_{j} \Big[ y_{t,j} \log_2 \sigma(z_{t,j}) + (1 - y_{t,j}) \log_2 \big(1 - \sigma(z_{t,j})\big) \Big], $$
#
# and the bit errors: scored target bits that differ from the prediction $z > 0$ (a logit of exactly
# 0 predicts a 0). One case has logits of $\pm 200$, where $\log \sigma(-200)$ computed as
# `torch.log(torch.sigmoid(z))` is $\log 0 = -\infty$: use a stable form ($1 - \sigma(z) = \sigma(-z)$,
# and `torch.nn.functional.logsigmoid`). Padding steps (mask 0) must cost nothing, whatever the logits.
# Rules: no Python loops; do not call `ntm_minimal.tasks.copy` or `ntm_minimal.metrics`.

# %%
import math

from torch.nn import functional as F

from ntm_minimal.tasks import Batch

# %% tags=["exercise"]
def copy_batch(seq):
    """The copy-task batch built from ``seq`` ``[B, L, bits]`` -> ``Batch(x, y, mask)``.

    Returns:
        ``x`` ``[B, 2L+1, bits+1]``, ``y`` ``[B, 2L+1, bits]``, ``mask`` ``[B, 2L+1]``, of ``seq``'s dtype.

    Hint: start from zeros (``seq.new_zeros(...)``) and fill the blocks with slices.
    """
    # BEGIN SOLUTION
    b, length, bits = seq.shape
    t = 2 * length + 1
    x, y, mask = seq.new_zeros(b, t, bits + 1), seq.new_zeros(b, t, bits), seq.new_zeros(b, t)
    x[:, :length, :bits] = seq  # the vectors
    x[:, length, bits] = 1.0  # the delimiter, on its own channel
    y[:, length + 1:] = seq  # the answer, right after the delimiter
    mask[:, length + 1:] = 1.0  # only the answer is scored
    return Batch(x, y, mask)
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import tasks as task_checks

task_checks.check_copy_batch(copy_batch)

# %% tags=["exercise"]
def cost_bits(logits, y, mask):
    """Cost per sequence in bits: binary cross-entropy over the scored outputs, ``[B]``.

    Args:
        logits: ``[B, T, bits]``; y: ``[B, T, bits]`` of 0/1; mask: ``[B, T]`` (1 at scored steps).
    """
    # BEGIN SOLUTION
    nats = -(y * F.logsigmoid(logits) + (1 - y) * F.logsigmoid(-logits))  # log(1 - sigma(z)) = log sigma(-z)
    return (nats.sum(-1) * mask).sum(-1) / math.log(2)  # nats -> bits
    # END SOLUTION


# %% tags=["uses-exercise"]
task_checks.check_cost_bits(cost_bits)

# %% tags=["exercise"]
def bit_errors(logits, y, mask):
    """Wrong bits per sequence after thresholding (a bit is predicted 1 where ``logits > 0``), ``[B]``."""
    # BEGIN SOLUTION
    wrong = ((logits > 0) != (y > 0.5)).to(logits.dtype).sum(-1)  # [B, T] wrong bits per step
    return (wrong * mask).sum(-1)
    # END SOLUTION


# %% tags=["uses-exercise"]
task_checks.check_bit_errors(bit_errors)

# %% [markdown]
# ## See it work
#
# Your three functions on the shipped copy NTM: sequences of length 20 (the longest in training)
# and 60 (three times longer), built by your `copy_batch` from the same random bits, measured by
# your functions and by the package's. A model that guesses pays 1 bit per target bit, $8L$.

# %% tags=["uses-exercise"]
from ntm_minimal import metrics, pretrained

model = pretrained.load("copy")
gen = torch.Generator().manual_seed(8)
for length in (20, 60):
    batch = copy_batch(torch.randint(0, 2, (16, length, 8), generator=gen).float())
    with torch.no_grad():
        logits = model(batch.x)
    yours = cost_bits(logits, batch.y, batch.mask).mean().item(), bit_errors(logits, batch.y, batch.mask).mean().item()
    package = metrics.cost_bits(logits, batch).mean().item(), metrics.bit_errors(logits, batch).mean().item()
    print(f"L = {length}: your cost {yours[0]:.2f} bits, {yours[1]:.2f} bit errors per sequence | package: "
          f"{package[0]:.2f} bits, {package[1]:.2f} bit errors | guessing: {8 * length} bits")
