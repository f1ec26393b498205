# %% [markdown]
# # Exercise 12: priority sort's targets and its errors per position
#
# Two parts of [chapter 12](../notebooks/12_priority_sort.ipynb).
#
# **Part 1, the targets.** Given $K$ vectors `vectors` `[B, K, bits]`, their priorities `priority`
# `[B, K]` (uniform in $[-1, 1]$) and a number of outputs $S \le K$, return the target answer
# `[B, S, bits]`: the $S$ vectors of highest priority, highest first.
#
# **Part 2, errors per output position.** The chapter asks *where* in its answer a model goes wrong.
# For logits, targets `y` `[B, T, bits]` and `mask` `[B, T]` of a sort batch (its last $S$ steps are
# scored), return `[S]`: at each scored position $s$ (0 = highest priority), the number of wrong bits
# (prediction $z > 0$ against target) averaged over the batch.
# Rules: no Python loops; do not call `ntm_minimal.tasks.priority_sort`.

# %% tags=["exercise"]
def sort_targets(vectors, priority, outputs):
    """The ``outputs`` highest-priority vectors, highest first: ``[B, K, bits]``, ``[B, K]`` -> ``[B, S, bits]``.

    Hint: ``argsort`` gives the order; ``gather`` along dim 1 picks vectors in that order.
    """
    # BEGIN SOLUTION
    order = priority.argsort(dim=1, descending=True)[:, :outputs]  # [B, S], highest first
    return vectors.gather(1, order.unsqueeze(-1).expand(-1, -1, vectors.shape[-1]))
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import tasks as task_checks

task_checks.check_sort_targets(sort_targets)

# %% tags=["exercise"]
def errors_per_position(logits, y, mask):
    """Mean number of wrong bits at each scored position ``[S]``, averaged over the batch."""
    # BEGIN SOLUTION
    scored = mask[0] > 0  # the same S steps in every sequence of a sort batch
    wrong = ((logits[:, scored] > 0) != (y[:, scored] > 0.5)).to(logits.dtype)  # [B, S, bits]
    return wrong.sum(-1).mean(0)
    # END SOLUTION


# %% tags=["uses-exercise"]
task_checks.check_errors_per_position(errors_per_position)

# %% [markdown]
# ## See it work
#
# The shipped priority-sort NTM and LSTM on 64 fresh sequences: your errors per position (out of 8
# bits; guessing gets 4 wrong). The LSTM's errors grow down the list; the NTM's stay low at every position.

# %% tags=["uses-exercise"]
from ntm_minimal import pretrained
from ntm_minimal.tables import show
from ntm_minimal.tasks.priority_sort import PrioritySortTask

batch, priority = PrioritySortTask().sample_with_priorities(64, torch.Generator().manual_seed(12))
print("targets built by your sort_targets equal the task's:",
      torch.equal(sort_targets(batch.x[:, :20, :8], priority, 16), batch.y[:, 21:]))
with torch.no_grad():
    errors = {name: errors_per_position(pretrained.load(name)(batch.x), batch.y, batch.mask).tolist()
              for name in ("priority_sort", "priority_sort_lstm")}
show(["output position", *errors], [[j, *(e[j] for e in errors.values())] for j in range(16)],
     formats={1: ".1f", 2: ".1f"}, caption="bit errors per sequence at each output position")
