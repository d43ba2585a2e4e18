"""L1-optimal camera paths (Grundmann, Kwatra, Essa: "Auto-directed video stabilization with robust L1 optimal camera
paths", CVPR 2011), one linear program solved with HiGHS (scipy):

    minimise  sum_t follow_t * max(0, |p_t - c_t| - deadzone) + sum_k w_k * sum |k-th differences of p|
    subject to lo_t <= p_t <= hi_t  and  |p_t+1 - p_t| <= vmax.

L1 costs make the path hold still, move at constant speed or ease between the two, with no jitter. Shared by
stabilisation (hard bounds: the correction may not exceed the crop margin) and smart reframe (ai/reframe/path.py:
follow the subject, a dead zone and a speed limit).
"""
from __future__ import annotations

import numpy as np


def l1_path(c, follow, lo, hi, weights=(1.0, 10.0, 30.0), deadzone: float = 0.0,
            vmax: float | None = None) -> np.ndarray:
    """The path p (same length as c); follow, lo and hi are numbers or per-frame arrays."""
    from scipy.optimize import linprog
    from scipy.sparse import bmat, csr_matrix, diags, eye

    c = np.asarray(c, np.float64)
    n = len(c)
    lo = np.broadcast_to(np.asarray(lo, np.float64), (n,))
    hi = np.maximum(np.broadcast_to(np.asarray(hi, np.float64), (n,)), lo)
    if n < 2:
        return np.clip(c, lo, hi)
    d = [diags([-1.0, 1.0], [0, 1], shape=(n - 1, n))]
    while len(d) < len(weights) and d[-1].shape[0] >= 2:
        m = d[-1].shape[0]
        d.append(diags([-1.0, 1.0], [0, 1], shape=(m - 1, m)) @ d[-1])
    sizes = [x.shape[0] for x in d]
    # variables: p (n), e (n: distance beyond the dead zone), a_k (|k-th differences|)
    ident = eye(n)
    none = [None] * len(d)
    rows = [[ident, -ident] + none, [-ident, -ident] + none]
    rhs = [c + deadzone, -c + deadzone]
    for k, dk in enumerate(d):
        ak = list(none)
        ak[k] = -eye(sizes[k])
        rows += [[dk, None] + ak, [-dk, None] + ak]
        rhs += [np.zeros(sizes[k]), np.zeros(sizes[k])]
    if vmax is not None:
        rows += [[d[0], None] + none, [-d[0], None] + none]
        rhs += [np.full(sizes[0], vmax), np.full(sizes[0], vmax)]
    cost = np.concatenate([np.zeros(n), np.broadcast_to(np.maximum(np.asarray(follow, np.float64), 0.0), (n,))] +
                          [np.full(s, w) for s, w in zip(sizes, weights)])
    bounds = list(zip(lo, hi)) + [(0, None)] * (n + sum(sizes))
    res = linprog(cost, A_ub=csr_matrix(bmat(rows, format="csr")), b_ub=np.concatenate(rhs), bounds=bounds,
                  method="highs")
    if res.status != 0:  # infeasible bounds (cannot happen when lo <= hi and vmax allows them): stay in bounds
        return np.clip(c, lo, hi)
    return res.x[:n]
