# %% [markdown]
# # Exercise 14: allocation and the temporal link
#
# Implement the two mechanisms that [chapter 14](../notebooks/14_dnc.ipynb) adds to the NTM's
# memory: the DNC's **allocation weighting**, which points the write head at free rows, and the
# **temporal link matrix**, which records the order in which rows were written (Graves et al.
# 2016, Methods, "Dynamic memory allocation" and "Temporal memory linkage").
#
# **Allocation** (eq. 1). Given the usage $u_t \in [0, 1]^N$ of every row, the free list
# $\phi_t$ orders the rows by ascending usage ($\phi_t[1]$ is the least used row; among equal
# usages, the lower index first). Then
#
# $$ a_t[\phi_t[j]] = \big(1 - u_t[\phi_t[j]]\big) \prod_{i=1}^{j-1} u_t[\phi_t[i]]. $$
#
# The product runs over the rows *before* $j$ in the free list, not including $j$ itself.
#
# **Link.** With the write weighting $w^w_t$ and the precedence of the *previous* step
# $p_{t-1}$ (how much each row was the last one written),
#
# $$ L_t[i, j] = \big(1 - w^w_t[i] - w^w_t[j]\big)\, L_{t-1}[i, j] + w^w_t[i]\, p_{t-1}[j], \qquad L_t[i, i] = 0. $$
#
# $L_t[i, j]$ is the degree to which row $i$ was written right after row $j$.
#
# Rules: tensor operations only, no Python loops (the check rejects `for`, `while` and
# comprehensions); do not call `ntm_minimal.dnc`. Both functions take a batch first: `u` is
# `[B, N]`, `L_prev` is `[B, N, N]`.

# %% tags=["exercise"]
def allocation(u):
    """Allocation weighting (Methods, eq. 1): ``u`` ``[B, N]`` (usages in [0, 1]) -> ``a`` ``[B, N]``.

    Hint: ``torch.sort(u, dim=-1, stable=True)`` gives the free list (the sorted usages and their
    rows). The product over the rows *before* each position is an exclusive cumulative product:
    ``torch.cumprod`` of the sorted usages shifted right by one, with a 1 in front. Then put every
    value back at its row with ``Tensor.scatter``.
    """
    # BEGIN SOLUTION
    sorted_u, rows = torch.sort(u, dim=-1, stable=True)  # the free list: least used row first
    ones = torch.ones_like(sorted_u[:, :1])
    before = torch.cumprod(torch.cat([ones, sorted_u[:, :-1]], dim=-1), dim=-1)  # prod_{i<j}, not i<=j
    return torch.zeros_like(u).scatter(-1, rows, (1 - sorted_u) * before)  # back from free-list order to rows
    # END SOLUTION


# %% tags=["uses-exercise"]
from ntm_minimal.course import dnc as dnc_checks

dnc_checks.check_allocation(allocation)

# %% tags=["exercise"]
def link(L_prev, p_prev, w_write):
    """Temporal link update (Methods): ``L_prev`` ``[B, N, N]``, ``p_prev``, ``w_write`` ``[B, N]``
    -> ``L`` ``[B, N, N]`` with ``L[b, i, j]`` = how much row ``i`` was written right after row ``j``.

    Hint: ``w_write[:, :, None]`` is ``w[i]`` along the rows of the matrix, ``w_write[:, None, :]``
    is ``w[j]`` along its columns; ``torch.eye(N)`` helps to zero the diagonal.
    """
    # BEGIN SOLUTION
    w_i, w_j = w_write[:, :, None], w_write[:, None, :]
    updated = (1 - w_i - w_j) * L_prev + w_i * p_prev[:, None, :]  # new row i follows old precedence j
    return updated * (1 - torch.eye(w_write.shape[-1], dtype=w_write.dtype))  # a row never follows itself
    # END SOLUTION


# %% tags=["uses-exercise"]
dnc_checks.check_link(link)

# %% [markdown]
# ## See it work
#
# A fresh memory of 5 rows and a write head that always writes by allocation ($g^a = g^w = 1$):
# each write fills the first free row, so the usage rises one row at a time (here the usage update
# is simplified to $u \leftarrow u + (1 - u) \circ w^w$, with nothing freed), the precedence points at
# the row just written, and the link matrix records the chain $0 \to 1 \to 2 \to 3$. Multiplying it
# with a read weighting on row 1 moves the read forward to row 2 ($L w$), and backward to row 0
# ($L^\top w$).

# %% tags=["uses-exercise"]
n = 5
u, p, L = torch.zeros(1, n), torch.zeros(1, n), torch.zeros(1, n, n)
for step in range(4):  # time steps: each write needs the usage the last one left
    w = allocation(u)
    L = link(L, p, w)
    p = (1 - w.sum(-1, keepdim=True)) * p + w
    u = u + (1 - u) * w
    print(f"write {step}: row {int(w.argmax())}, usage {u[0].tolist()}")
print("link matrix (row i written after column j):")
print(L[0])
read = torch.tensor([[0.0, 1, 0, 0, 0]])
print("forward from row 1:", (L[0] @ read[0]).tolist(), "| backward from row 1:", (L[0].T @ read[0]).tolist())
