# %% [markdown]
# # Exercise 10: the associative recall task's data
#
# Build a batch of [chapter 10](../notebooks/10_associative_recall.ipynb)'s task. Given the items
# `items` `[B, K, L, bits]` (each item is $L$ vectors) and the index `query` `[B]` of the item shown
# as the query ($0 \le q \le K-2$), return `Batch(x, y, mask)` with $T = (K+2)(L+1)$ steps,
# `x` `[B, T, bits+2]`, `y` `[B, T, bits]`:
#
# | steps | input $x_t$ |
# |---|---|
# | $k(L+1)$, $k = 0 \ldots K-1$ | item delimiter: channel `bits` = 1 |
# | $k(L+1)+1 \ldots k(L+1)+L$ | the $L$ vectors of item $k$ |
# | $Q = K(L+1)$ | query delimiter: channel `bits+1` = 1 |
# | $Q+1 \ldots Q+L$ | the query: a copy of item $q$ |
# | $Q+L+1$ | query delimiter again |
# | $Q+L+2 \ldots Q+2L+1$ | zeros: the model answers here |
#
# The target at the last $L$ steps is item $q+1$, the item that came after the query (mask 1 there).
# Rules: no Python loops (not over the items either); do not call `ntm_minimal.tasks.associative_recall`.

# %%
from ntm_minimal.tasks import Batch

# %% tags=["exercise"]
def recall_batch(items, query):
    """The associative-recall batch of ``items`` ``[B, K, L, bits]`` and ``query`` ``[B]`` -> ``Batch``.

    Hint: an item with its delimiter is a block ``[L+1, bits+2]``; build all K blocks at once
    ``[B, K, L+1, bits+2]`` (``torch.cat`` on the step and channel dims), then ``reshape`` them into
    ``K(L+1)`` steps. ``items[torch.arange(B), query]`` picks each sequence's query item.
    """
    # BEGIN SOLUTION
    b, k, length, bits = items.shape
    rows = torch.arange(b)
    blocks = torch.cat([items, items.new_zeros(b, k, length, 2)], dim=-1)  # vectors, two empty channels
    delimiter = items.new_zeros(b, k, 1, bits + 2)
    delimiter[..., bits] = 1.0
    listed = torch.cat([delimiter, blocks], dim=2).reshape(b, k * (length + 1), bits + 2)
    query_delimiter = items.new_zeros(b, 1, bits + 2)
    query_delimiter[..., bits + 1] = 1.0
    shown = torch.cat([items[rows, query], items.new_zeros(b, length, 2)], dim=-1)
    answer_steps = items.new_zeros(b, length, bits + 2)
    x = torch.cat([listed, query_delimiter, shown, query_delimiter, answer_steps], dim=1)
    y, mask = items.new_zeros(b, x.shape[1], bits), items.new_zeros(b, x.shape[1])
    y[:, -length:] = items[rows, query + 1]  # the item after the query
    mask[:, -length:] = 1.0
    return Batch(x, y, mask)
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import tasks as task_checks

task_checks.check_recall_batch(recall_batch)

# %% [markdown]
# ## See it work
#
# The shipped associative-recall NTM and LSTM on batches built by your function, with 6 items (the
# most in training) and 12: bit errors per sequence (18 target bits; guessing gets 9 wrong).

# %% tags=["uses-exercise"]
from ntm_minimal import metrics, pretrained

models = {name: pretrained.load(name) for name in ("associative_recall", "associative_recall_lstm")}
gen = torch.Generator().manual_seed(10)
for k in (6, 12):
    items = torch.randint(0, 2, (32, k, 3, 6), generator=gen).float()
    batch = recall_batch(items, (torch.rand(32, generator=gen) * (k - 1)).long())
    with torch.no_grad():
        errors = {name: metrics.bit_errors(m(batch.x), batch).mean().item() for name, m in models.items()}
    print(f"K = {k:2d} items: " + ", ".join(f"{name} {e:.2f}" for name, e in errors.items()) + " bit errors")
