"""An independent float64 NumPy oracle for the DNC's memory-management equations (Graves et al.,
Nature 2016, Methods) and for Csordás & Schmidhuber's (2019) masked lookup and link sharpness.

Written plainly from the Methods' formulas with explicit loops over batch, heads and rows, sharing
no code with :mod:`ntm_minimal`. Shapes follow the package: ``[B, N]`` write-side vectors,
``[B, R, N]`` read weightings, ``[B, R, 1]`` / ``[B, 1]`` scalars, ``[B, N, N]`` links.
"""

from __future__ import annotations

import numpy as np

#: The package's floor on usages before the allocation's product (``equations.ALLOC_EPS``),
#: repeated here on purpose so the oracle does not import the code under test.
ALLOC_EPS = 1e-6


def _f64(*xs):
    return [np.asarray(x, dtype=np.float64) for x in xs]


def retention(free_gates, w_read_prev):
    """ψ[n] = Π_i (1 - f_i w_i[n])."""
    f, w = _f64(free_gates, w_read_prev)
    b, r, n = w.shape
    psi = np.ones((b, n))
    for bi in range(b):
        for i in range(r):
            for k in range(n):
                psi[bi, k] *= 1 - f[bi, i, 0] * w[bi, i, k]
    return psi


def usage(u_prev, w_write_prev, psi):
    """u[n] = (u_prev[n] + w[n] - u_prev[n] w[n]) ψ[n]."""
    u, w, p = _f64(u_prev, w_write_prev, psi)
    out = np.zeros_like(u)
    for bi in range(u.shape[0]):
        for k in range(u.shape[1]):
            out[bi, k] = (u[bi, k] + w[bi, k] - u[bi, k] * w[bi, k]) * p[bi, k]
    return out


def allocation(u, eps=ALLOC_EPS):
    """a[φ[j]] = (1 - u[φ[j]]) Π_{i<j} u[φ[i]], φ the rows by ascending (clamped) usage, ties by row."""
    (u,) = _f64(u)
    a = np.zeros_like(u)
    for bi in range(u.shape[0]):
        clamped = [eps + (1 - eps) * float(x) for x in u[bi]]
        order = sorted(range(len(clamped)), key=lambda k: (clamped[k], k))
        before = 1.0
        for k in order:
            a[bi, k] = (1 - clamped[k]) * before
            before *= clamped[k]
    return a


def write_weighting(alloc, w_content, g_alloc, g_write):
    a, c, ga, gw = _f64(alloc, w_content, g_alloc, g_write)
    out = np.zeros_like(a)
    for bi in range(a.shape[0]):
        for k in range(a.shape[1]):
            out[bi, k] = gw[bi, 0] * (ga[bi, 0] * a[bi, k] + (1 - ga[bi, 0]) * c[bi, k])
    return out


def precedence(p_prev, w_write):
    p, w = _f64(p_prev, w_write)
    out = np.zeros_like(p)
    for bi in range(p.shape[0]):
        total = sum(w[bi])
        for k in range(p.shape[1]):
            out[bi, k] = (1 - total) * p[bi, k] + w[bi, k]
    return out


def link(link_prev, p_prev, w_write):
    """L[i, j] = (1 - w[i] - w[j]) L_prev[i, j] + w[i] p_prev[j] off the diagonal, 0 on it."""
    L, p, w = _f64(link_prev, p_prev, w_write)
    b, n = p.shape
    out = np.zeros((b, n, n))
    for bi in range(b):
        for i in range(n):
            for j in range(n):
                if i != j:
                    out[bi, i, j] = (1 - w[bi, i] - w[bi, j]) * L[bi, i, j] + w[bi, i] * p[bi, j]
    return out


def directional_weightings(link_t, w_read_prev):
    """forward[h, i] = Σ_j L[i, j] w[h, j]; backward[h, j] = Σ_i L[i, j] w[h, i]."""
    L, w = _f64(link_t, w_read_prev)
    b, r, n = w.shape
    fwd, bwd = np.zeros((b, r, n)), np.zeros((b, r, n))
    for bi in range(b):
        for h in range(r):
            for i in range(n):
                for j in range(n):
                    fwd[bi, h, i] += L[bi, i, j] * w[bi, h, j]
                    bwd[bi, h, j] += L[bi, i, j] * w[bi, h, i]
    return fwd, bwd


def read_weighting(backward, content, forward, modes):
    bw, c, fw, pi = _f64(backward, content, forward, modes)
    out = np.zeros_like(c)
    for idx in np.ndindex(*c.shape):
        b, h, _ = idx
        out[idx] = pi[b, h, 0] * bw[idx] + pi[b, h, 1] * c[idx] + pi[b, h, 2] * fw[idx]
    return out


# ---------------------------------------------------------------- Csordás & Schmidhuber (2019)

#: The package's ε values, repeated so the oracle does not import the code under test.
COSINE_EPS, SHARPNESS_EPS = 1e-10, 1e-6


def masked_lookup_oracle(key, beta, memory, mask):
    """softmax_i(β cos(k ∘ m, M[i] ∘ m)) for keys [B, H, W], loops over batch, heads and rows."""
    k, b_, mem, m = (np.asarray(t, dtype=np.float64) for t in (key, beta, memory, mask))
    bsz, heads, _ = k.shape
    out = np.zeros((bsz, heads, mem.shape[1]))
    for b in range(bsz):
        for h in range(heads):
            km = k[b, h] * m[b, h]
            scores = []
            for i in range(mem.shape[1]):
                row = mem[b, i] * m[b, h]
                norms = np.sqrt(km @ km + COSINE_EPS) * np.sqrt(row @ row + COSINE_EPS)  # smoothed norms
                scores.append(b_[b, h, 0] * km @ row / norms)
            e = np.exp(np.array(scores) - max(scores))
            out[b, h] = e / e.sum()
    return out


def sharpen_oracle(d, s):
    """((d + ε) / max(d + ε))^s, normalised, one head at a time."""
    d, s = np.asarray(d, dtype=np.float64), np.asarray(s, dtype=np.float64)
    out = np.zeros_like(d)
    for b in range(d.shape[0]):
        for r in range(d.shape[1]):
            x = ((d[b, r] + SHARPNESS_EPS) / (d[b, r] + SHARPNESS_EPS).max()) ** s[b, r, 0]
            out[b, r] = x / x.sum()
    return out
