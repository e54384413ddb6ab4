"""Upper bounds for maximum coverage that need no LP solver.

Both are valid for any instance size and are used where the LP relaxation
would be too large to solve within the time limit.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from civicam.planning.optimize.problem import BoolArray, FloatArray


def knapsack_value(
    values: FloatArray, costs: FloatArray, budget: float | None, max_count: int | None
) -> float:
    """Upper bound on the best total value of columns within budget and count.

    Each constraint is relaxed alone (fractional knapsack for the budget, the
    ``max_count`` largest values for the count) and the smaller result kept.
    """
    pos = values > 0
    vals = values[pos]
    cst = costs[pos]
    best = float(vals.sum())
    if max_count is not None and vals.size > max_count:
        top = np.partition(vals, vals.size - max_count)[vals.size - max_count :]
        best = min(best, float(top.sum()))
    if budget is not None:
        free = cst <= 0
        total = float(vals[free].sum())
        paid = ~free
        ratio = vals[paid] / cst[paid]
        order = np.argsort(-ratio, kind="stable")
        cum = np.cumsum(cst[paid][order])
        fits = int(np.searchsorted(cum, budget, side="right"))
        total += float(vals[paid][order][:fits].sum())
        if fits < order.size:
            left = budget - (float(cum[fits - 1]) if fits else 0.0)
            total += float(ratio[order[fits]] * max(left, 0.0))
        best = min(best, total)
    return best


def submodular_bound(
    credit: float,
    gain: FloatArray,
    in_set: BoolArray,
    cost: FloatArray,
    budget: float | None,
    max_count: int | None,
) -> float:
    """``f(OPT) <= f(S) + max sum of gains over a feasible set outside S``.

    Holds because coverage credit is monotone submodular: adding OPT's columns
    to S one by one never earns more than their gains measured at S.
    """
    outside = ~in_set
    return credit + knapsack_value(gain[outside], cost[outside], budget, max_count)


def lagrangian_bound(
    matrix: sp.csc_array,
    u: FloatArray,
    k: FloatArray,
    cost: FloatArray,
    budget: float | None,
    max_count: int | None,
    lower: float,
    *,
    iterations: int,
    deadline: float,
    start: FloatArray | None = None,
) -> float:
    """Subgradient on the relaxation of ``z_i <= sum_j a_ij x_j``.

    With multipliers ``0 <= lam <= u``: ``L(lam) = sum_i k_i (u_i - lam_i) +
    K(A^T lam)``, where ``K`` bounds the best column values within budget and
    count. Every ``L(lam)`` is a valid upper bound; the smallest one is kept.
    ``lower`` (the best known credit) sets the Polyak step.
    """
    lam = np.array(start if start is not None else u * 0.5, dtype=np.float64)
    at = sp.csr_array(matrix.T)
    best = float("inf")
    theta = 1.0
    stall = 0
    for _ in range(iterations):
        if time.perf_counter() > deadline:
            break
        values = at @ lam
        inner, chosen = _knapsack(values, cost, budget, max_count)
        value = float(np.dot(k, u - lam)) + inner
        if value < best and (best == float("inf") or value < best - 1e-9 * abs(best)):
            best = value
            stall = 0
        else:
            stall += 1
            if stall >= 10:
                theta *= 0.5
                stall = 0
                if theta < 1e-4:
                    break
        grad = matrix @ chosen.astype(np.float64) - k  # d L / d lam
        norm = float(np.dot(grad, grad))
        if norm <= 0:
            break
        step = theta * max(value - lower, 1e-9 * max(1.0, value)) / norm
        lam = np.clip(lam - step * grad, 0.0, u)
    return best


def _knapsack(
    values: FloatArray, costs: FloatArray, budget: float | None, max_count: int | None
) -> tuple[float, FloatArray]:
    """Upper bound on the best column-value knapsack and a fractional maximiser.

    Only one constraint can be honoured exactly by a greedy fill; with both,
    the fill stops at whichever binds first, and its value is capped by the
    bound of :func:`knapsack_value` so the result stays an upper bound.
    """
    x = _knapsack_support(values, costs, budget, max_count)
    if budget is not None and max_count is not None:
        return knapsack_value(values, costs, budget, max_count), x
    return float(np.dot(values, x)), x


def _knapsack_support(
    values: FloatArray, costs: FloatArray, budget: float | None, max_count: int | None
) -> FloatArray:
    """A fractional maximiser of the column-value knapsack (for the subgradient)."""
    x = np.zeros(values.size, dtype=np.float64)
    pos = np.flatnonzero(values > 0)
    if pos.size == 0:
        return x
    if budget is not None:
        ratio = values[pos] / np.maximum(costs[pos], 1e-12)
        order = pos[np.argsort(-ratio, kind="stable")]
        cum = np.cumsum(costs[order])
        fits = int(np.searchsorted(cum, budget, side="right"))
        if max_count is not None:
            fits = min(fits, max_count)
        x[order[:fits]] = 1.0
        if fits < order.size and (max_count is None or fits < max_count):
            left = budget - (float(cum[fits - 1]) if fits else 0.0)
            x[order[fits]] = min(1.0, max(left, 0.0) / max(costs[order[fits]], 1e-12))
    else:
        count = pos.size if max_count is None else min(max_count, pos.size)
        order = pos[np.argsort(-values[pos], kind="stable")]
        x[order[:count]] = 1.0
    return x
