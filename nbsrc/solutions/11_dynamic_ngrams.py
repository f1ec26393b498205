# %% [markdown]
# # Exercise 11: the optimal N-gram estimator
#
# The yardstick of [chapter 11](../notebooks/11_dynamic_ngrams.ipynb): the best any model can do
# on dynamic 6-grams, knowing the $\text{Beta}(\frac12, \frac12)$ prior but not the sequence's table
# (paper, section 4.4). For every step $t \ge 5$ of a bit sequence, the context is the previous five
# bits $b_{t-5} \ldots b_{t-1}$; if that context was followed $N_1$ times by a 1 and $N_0$ times by a
# 0 at earlier steps, the posterior probability that $b_t = 1$ is
#
# $$ P(b_t = 1 \mid \text{context}, N_1, N_0) = \frac{N_1 + \tfrac12}{N_1 + N_0 + 1}, $$
#
# and $\frac12$ for $t < 5$ (no context yet). Write `optimal_predictions(bits)`: `bits` `[B, T]` of
# 0/1 values -> `[B, T]`, the probability for each step given only the bits *before* it.
# Rules: no Python loops (not over the steps either); do not call `ntm_minimal.tasks.ngrams`.

# %%
from torch.nn import functional as F

# %% tags=["exercise"]
def optimal_predictions(bits):
    """Bayes-optimal ``P(b_t = 1)`` for every step of ``bits`` ``[B, T]`` (6-grams, Beta(1/2, 1/2) prior).

    Hint: ``bits.long().unfold(1, 5, 1)`` gives every window of 5 bits; read each as a number
    ``0..31`` and one-hot it ``[B, T-5, 32]``. A cumulative sum over the steps, minus the step itself,
    counts each context's earlier occurrences; multiplied by the bit that followed, its earlier 1s.
    """
    # BEGIN SOLUTION
    b, t = bits.shape
    p = bits.new_full((b, t), 0.5)
    if t <= 5:  # no step has a full context yet
        return p
    windows = bits.long().unfold(1, 5, 1)[:, : t - 5]  # [B, T-5, 5]: the context of steps 5..T-1
    context = (windows * 2 ** torch.arange(4, -1, -1)).sum(-1)  # [B, T-5], 0..31
    seen = F.one_hot(context, 32).to(bits.dtype)  # [B, T-5, 32]
    ones = seen * bits[:, 5:, None]  # the same, where the bit that followed was a 1
    n_all = ((seen.cumsum(1) - seen) * seen).sum(-1)  # earlier steps with this context
    n_one = ((ones.cumsum(1) - ones) * seen).sum(-1)  # ... followed by a 1
    p[:, 5:] = (n_one + 0.5) / (n_all + 1.0)
    return p
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import tasks as task_checks

task_checks.check_optimal_predictions(optimal_predictions)

# %% [markdown]
# ## See it work
#
# Your estimator on 200 fresh sequences of 200 bits, next to a coin (always $\frac12$) and the
# shipped NTM and LSTM, each measured as the cost of the 195 scored bits per sequence. No model can
# beat your numbers by more than chance: they are the optimum.

# %% tags=["uses-exercise"]
from ntm_minimal import metrics, pretrained
from ntm_minimal.tasks.ngrams import NGramTask, batch_bits

batch = NGramTask().sample(200, torch.Generator().manual_seed(11))
p = optimal_predictions(batch_bits(batch).double())[:, 1:].clamp(1e-12, 1 - 1e-12)  # prediction of y[:, t]
costs = {"your optimum": metrics.cost_bits(torch.logit(p).float().unsqueeze(-1), batch).mean().item(),
         "a coin": metrics.cost_bits(torch.zeros_like(batch.y), batch).mean().item()}
with torch.no_grad():
    for name in ("ngrams", "ngrams_lstm"):
        costs[name] = metrics.cost_bits(pretrained.load(name)(batch.x), batch).mean().item()
print(" | ".join(f"{name}: {c:.2f}" for name, c in costs.items()), "bits per sequence")
