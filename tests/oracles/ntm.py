"""An independent float64 NumPy oracle for Eq. 2-9 of Graves, Wayne & Danihelka (2014).

Written plainly from the paper's formulas, with explicit loops over batch, heads and memory rows,
and sharing no code with :mod:`ntm_minimal`. Every function takes NumPy arrays (any float dtype,
converted to float64) and returns float64 arrays.

Shapes follow the package: memory ``[B, N, M]``; a weighting is ``[B, N]`` (one head) or
``[B, *H, N]`` (any head dims); per-head vectors ``[B, *H, M]``; per-head scalars ``[B, *H, 1]``;
shift distributions ``[B, *H, 2k+1]``. Head dims are handled by ``np.ndindex`` over the leading
dimensions, so a single code path covers ``[B, N]`` and ``[B, H1, H2, N]`` alike.
"""

from __future__ import annotations

import math

import numpy as np

#: The package documents this ε of the smoothed norms ``sqrt(|x|² + ε)`` of Eq. 6
#: (``addressing.COSINE_EPS``); repeated here on purpose so the oracle does not import the code under test.
COSINE_EPS = 1e-10


def _f64(*xs):
    return [np.asarray(x, dtype=np.float64) for x in xs]


def _heads(lead: tuple[int, ...]):
    """Yield ``(b, idx)`` for every head, ``idx`` indexing ``[B, *H]``."""
    for idx in np.ndindex(*lead):
        yield idx[0], idx


# ------------------------------------------------------------------------- memory, Eq. 2-4


def read(memory, w):
    """Eq. 2: ``r = sum_i w(i) M(i)``, one read vector per head."""
    memory, w = _f64(memory, w)
    _, n, m = memory.shape
    r = np.zeros(w.shape[:-1] + (m,))
    for b, idx in _heads(w.shape[:-1]):
        for i in range(n):
            for j in range(m):
                r[idx + (j,)] += w[idx + (i,)] * memory[b, i, j]
    return r


def erase(memory, w, e):
    """Eq. 3: ``M~(i) = M(i) [1 - w(i) e]``; with several heads every head's factor multiplies."""
    memory, w, e = _f64(memory, w, e)
    _, n, m = memory.shape
    out = memory.copy()
    for b, idx in _heads(w.shape[:-1]):
        for i in range(n):
            for j in range(m):
                out[b, i, j] *= 1.0 - w[idx + (i,)] * e[idx + (j,)]
    return out


def add(memory, w, a):
    """Eq. 4: ``M(i) = M~(i) + w(i) a``; with several heads the adds sum."""
    memory, w, a = _f64(memory, w, a)
    _, n, m = memory.shape
    out = memory.copy()
    for b, idx in _heads(w.shape[:-1]):
        for i in range(n):
            for j in range(m):
                out[b, i, j] += w[idx + (i,)] * a[idx + (j,)]
    return out


def write(memory, w, e, a):
    """The paper's multi-head write (section 3.2): all erases first (they multiply), then all adds."""
    return add(erase(memory, w, e), w, a)


# --------------------------------------------------------------------- addressing, Eq. 5-9


def cosine_similarity(key, memory):
    """Eq. 6: ``K[u, v] = u.v / (||u|| ||v||)``, each norm smoothed to ``sqrt(||x||² + COSINE_EPS)``."""
    key, memory = _f64(key, memory)
    _, n, m = memory.shape
    out = np.zeros(key.shape[:-1] + (n,))
    for b, idx in _heads(key.shape[:-1]):
        u = key[idx]
        for i in range(n):
            v = memory[b, i]
            dot = sum(u[j] * v[j] for j in range(m))
            norm_u = math.sqrt(sum(u[j] * u[j] for j in range(m)) + COSINE_EPS)
            norm_v = math.sqrt(sum(v[j] * v[j] for j in range(m)) + COSINE_EPS)
            out[idx + (i,)] = dot / (norm_u * norm_v)
    return out


def content_weighting(key, beta, memory):
    """Eq. 5: ``w^c(i) = exp(beta K[k, M(i)]) / sum_j exp(beta K[k, M(j)])``.

    The largest exponent is subtracted from every exponent first; that changes no value (it
    cancels between numerator and denominator) but keeps ``exp`` finite for large β.
    """
    (beta,) = _f64(beta)
    sim = cosine_similarity(key, memory)
    out = np.zeros_like(sim)
    n = sim.shape[-1]
    for _, idx in _heads(sim.shape[:-1]):
        z = [beta[idx + (0,)] * sim[idx + (i,)] for i in range(n)]
        top = max(z)
        ex = [math.exp(zi - top) for zi in z]
        total = sum(ex)
        for i in range(n):
            out[idx + (i,)] = ex[i] / total
    return out


def interpolate(w_content, w_prev, g):
    """Eq. 7: ``w^g = g w^c + (1 - g) w_{t-1}``."""
    w_content, w_prev, g = _f64(w_content, w_prev, g)
    out = np.zeros_like(w_content)
    n = w_content.shape[-1]
    for idx in np.ndindex(*w_content.shape[:-1]):
        gate = g[idx + (0,)]
        for i in range(n):
            out[idx + (i,)] = gate * w_content[idx + (i,)] + (1.0 - gate) * w_prev[idx + (i,)]
    return out


def shift(w, s):
    """Eq. 8: ``w~(i) = sum_j w(j) s(i - j)``, indices modulo ``N``.

    ``s[..., j]`` is the weight of offset ``o = j - k`` (``k = (len(s) - 1) / 2``), so the circular
    kernel over ``N`` positions has ``s(o mod N) = s[..., o + k]``.
    """
    w, s = _f64(w, s)
    n = w.shape[-1]
    k = (s.shape[-1] - 1) // 2
    out = np.zeros_like(w)
    for idx in np.ndindex(*w.shape[:-1]):
        kernel = [0.0] * n
        for o in range(-k, k + 1):
            kernel[o % n] += s[idx + (o + k,)]
        for i in range(n):
            out[idx + (i,)] = sum(w[idx + (j,)] * kernel[(i - j) % n] for j in range(n))
    return out


def sharpen(w, gamma):
    """Eq. 9: ``w(i) = w~(i)^gamma / sum_j w~(j)^gamma``."""
    w, gamma = _f64(w, gamma)
    out = np.zeros_like(w)
    n = w.shape[-1]
    for idx in np.ndindex(*w.shape[:-1]):
        powered = [w[idx + (i,)] ** gamma[idx + (0,)] for i in range(n)]
        total = sum(powered)
        for i in range(n):
            out[idx + (i,)] = powered[i] / total
    return out


def address(key, beta, g, s, gamma, w_prev, memory):
    """Fig. 2: content (Eq. 5) -> interpolation (Eq. 7) -> shift (Eq. 8) -> sharpening (Eq. 9)."""
    content = content_weighting(key, beta, memory)
    gated = interpolate(content, w_prev, g)
    shifted = shift(gated, s)
    return content, gated, shifted, sharpen(shifted, gamma)
