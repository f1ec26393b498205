# %% [markdown]
# # Exercise 1: reading from memory
#
# Implement the read of [chapter 1](../notebooks/01_memory_read.ipynb) (Eq. 2):
#
# $$ \mathbf{r}_t \longleftarrow \sum_i w_t(i)\, \mathbf{M}_t(i). \tag{2} $$
#
# Replace the line `raise NotImplementedError(...)` with your code and run the cell after it: the
# check calls your function on random memories, several heads, a one-hot weighting and an all-zero
# memory, and compares every result with `ntm_minimal.memory.read`. If a case differs it tells you
# which one, with the expected and the actual values.
#
# Rules: no Python loops over the batch, the heads or the rows; one expression of tensor operations
# will do. Do not call `ntm_minimal.memory.read` itself.

# %% tags=["exercise"]
def read(memory, w):
    """Read from memory with a weighting (Eq. 2): ``r = sum_i w(i) M(i)``.

    Args:
        memory: ``[B, N, M]``, a batch of memories of N rows of width M.
        w: ``[B, N]`` for one head, or ``[B, H, N]`` for H heads; each weighting is non-negative
            and sums to 1 over the N rows.

    Returns:
        ``[B, M]`` for one head, ``[B, H, M]`` for H heads: the weighted sum of the rows.

    Hint: a matrix product ``[.., 1, N] @ [.., N, M]`` is a weighted sum of rows; ``torch.einsum``
    with ``...`` handles the optional head dimension in one line.
    """
    # BEGIN SOLUTION
    # "b...n,bnm->b...m": for every batch element and head, sum over rows n of w(n) * memory(n, :).
    return torch.einsum("b...n,bnm->b...m", w, memory)
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import ntm as checks

checks.check_read(read)

# %% [markdown]
# ## See it work
#
# With your `read`: a one-hot weighting returns its row exactly, and the uniform weighting returns
# the average row.

# %% tags=["uses-exercise"]
_ = torch.manual_seed(1)
mem = torch.randn(1, 5, 4)
one_hot = torch.tensor([[0.0, 0.0, 1.0, 0.0, 0.0]])
uniform = torch.full((1, 5), 0.2)
print("one-hot on row 2 reads row 2:", torch.allclose(read(mem, one_hot), mem[:, 2]))
print("uniform reads the mean row:  ", torch.allclose(read(mem, uniform), mem.mean(dim=1)))
print("two heads at once:", list(read(mem, torch.stack([one_hot, uniform], dim=1)).shape))
