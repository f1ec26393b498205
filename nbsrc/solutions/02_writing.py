# %% [markdown]
# # Exercise 2: erase, add and write
#
# Implement the write of [chapter 2](../notebooks/02_writing.ipynb): erase (Eq. 3), add (Eq. 4),
# then a whole write built from the two.
#
# $$ \tilde{\mathbf{M}}_t(i) \longleftarrow \mathbf{M}_{t-1}(i)\left[\mathbf{1} - w_t(i)\, \mathbf{e}_t\right] \tag{3} $$
#
# $$ \mathbf{M}_t(i) \longleftarrow \tilde{\mathbf{M}}_t(i) + w_t(i)\, \mathbf{a}_t \tag{4} $$
#
# Each function must work for one head (`w` `[B, N]`) and for several (`w` `[B, H, N]`). With
# several heads use the paper's rule: the erase factors of all heads **multiply**, and the adds of
# all heads **sum**. Replace each `raise NotImplementedError(...)` with your code and run the check
# below it. Rules: no Python loops over the batch, heads or rows; do not call `ntm_minimal.memory`.

# %% tags=["exercise"]
def erase(memory, w, e):
    """Erase (Eq. 3): ``M~(i) = M(i) * prod_h (1 - w_h(i) e_h)``, elementwise along the row.

    Args:
        memory: ``[B, N, M]``.
        w: ``[B, N]`` (one head) or ``[B, H, N]`` (H heads).
        e: ``[B, M]`` or ``[B, H, M]``, erase vectors with entries in ``[0, 1]``.

    Returns:
        ``[B, N, M]``, the erased memory.

    Hint: view one head as ``H = 1`` (``w.reshape(B, -1, N)``), build the outer products
    ``[B, H, N, 1] * [B, H, 1, M]``, and take ``.prod`` over the head dimension.
    """
    # BEGIN SOLUTION
    b, n, m = memory.shape
    w = w.reshape(b, -1, n)  # [B, H, N]; one head becomes H = 1
    e = e.reshape(b, -1, m)  # [B, H, M]
    keep = 1 - w.unsqueeze(-1) * e.unsqueeze(-2)  # [B, H, N, M], one factor per head
    return memory * keep.prod(dim=1)
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import ntm as checks

checks.check_erase(erase)

# %% tags=["exercise"]
def add(memory, w, a):
    """Add (Eq. 4): ``M(i) = M~(i) + sum_h w_h(i) a_h``.

    Args:
        memory: ``[B, N, M]``, usually the erased memory.
        w: ``[B, N]`` or ``[B, H, N]``.
        a: ``[B, M]`` or ``[B, H, M]``, add vectors.

    Returns:
        ``[B, N, M]``, the memory after the add.

    Hint: the sum over heads of the outer products ``w_h a_h^T`` is one matrix product.
    """
    # BEGIN SOLUTION
    b, n, m = memory.shape
    w = w.reshape(b, -1, n)  # [B, H, N]
    a = a.reshape(b, -1, m)  # [B, H, M]
    return memory + w.transpose(1, 2) @ a  # [B, N, H] @ [B, H, M] sums the heads' outer products
    # END SOLUTION


# %% tags=["uses-exercise"]
checks.check_add(add)

# %% tags=["exercise"]
def write(memory, w, e, a):
    """One write (Eq. 3 then Eq. 4): erase with ``e``, then add ``a``, both at weighting ``w``.

    Shapes as in ``erase`` and ``add``; returns the new memory ``[B, N, M]``. Use your two functions.
    """
    # BEGIN SOLUTION
    return add(erase(memory, w, e), w, a)
    # END SOLUTION


# %% tags=["uses-exercise"]
checks.check_write(write)

# %% [markdown]
# ## See it work
#
# A sharp weighting with an erase vector of ones overwrites a row, as in ordinary memory; and with
# two heads, swapping the heads leaves the result unchanged.

# %% tags=["uses-exercise"]
_ = torch.manual_seed(2)
mem = torch.randn(1, 5, 4)
one_hot = torch.tensor([[0.0, 1.0, 0.0, 0.0, 0.0]])
new_row = torch.tensor([[0.5, -0.5, 1.0, 2.0]])
print("row 1 overwritten:", torch.allclose(write(mem, one_hot, torch.ones(1, 4), new_row)[:, 1], new_row))
w2, e2, a2 = torch.softmax(torch.randn(1, 2, 5), dim=-1), torch.rand(1, 2, 4), torch.randn(1, 2, 4)
swapped = write(mem, w2.flip(1), e2.flip(1), a2.flip(1))
print("order of heads irrelevant:", torch.allclose(write(mem, w2, e2, a2), swapped))
