"""Entry points of the optimizer: validate, presolve, solve, certify, map back."""

from __future__ import annotations

import math
import time

import numpy as np

from civicam.planning.optimize import maxcover, mincost
from civicam.planning.optimize.options import ProgressFn, SolveOptions
from civicam.planning.optimize.presolve import presolve
from civicam.planning.optimize.problem import (
    CoverageProblem,
    InfeasibleError,
    ProblemError,
    Solution,
    relative_gap,
)

__all__ = ["ProgressFn", "SolveOptions", "maximize_coverage", "minimize_cost"]


def maximize_coverage(
    problem: CoverageProblem,
    *,
    budget: float | None = None,
    max_columns: int | None = None,
    options: SolveOptions | None = None,
) -> Solution:
    """Choose new columns within ``budget`` and/or ``max_columns`` to maximise covered weight.

    Fixed columns are always chosen and count against neither limit. The
    answer's ``bound`` is a proven upper bound on the covered weight.
    """
    opts = options or SolveOptions()
    if budget is None and max_columns is None:
        raise ProblemError("maximum coverage needs a budget, a camera count, or both")
    if budget is not None and (not math.isfinite(budget) or budget < 0):
        raise ProblemError(f"budget must be a finite number >= 0, got {budget}")
    if max_columns is not None and max_columns < 0:
        raise ProblemError(f"camera count must be >= 0, got {max_columns}")
    t0 = time.perf_counter()
    red = presolve(problem, cost_dominance=max_columns is None)
    res = maxcover.solve(red, budget, max_columns, opts)
    chosen = red.to_original(np.flatnonzero(res.in_set))
    covered = problem.covered_weight(chosen)
    bound = min(red.constant_credit + res.bound, problem.total_weight - red.unreachable_credit)
    bound = max(bound, covered)
    gap = relative_gap(covered, bound, maximize=True)
    stats: dict[str, float | int | str] = {**red.stats, **res.stats}
    stats["new_columns"] = int(res.in_set.sum())
    return Solution(
        problem="max_coverage",
        chosen=chosen,
        cost=float(red.cost[res.in_set].sum()),
        fixed_cost=problem.cost_of(red.fixed_cols),
        covered_weight=covered,
        total_weight=problem.total_weight,
        bound=bound,
        gap=gap,
        status="optimal" if gap == 0.0 else "feasible",
        seconds=time.perf_counter() - t0,
        stats=stats,
    )


def minimize_cost(
    problem: CoverageProblem, *, target: float = 1.0, options: SolveOptions | None = None
) -> Solution:
    """Cheapest new columns whose covered weight reaches ``target`` x total weight.

    ``target=1.0`` is weighted set cover (every row served to its requirement).
    Raises :class:`InfeasibleError` when no choice of columns reaches it. The
    answer's ``bound`` is a proven lower bound on the cost.
    """
    opts = options or SolveOptions()
    if not (0.0 <= target <= 1.0) or math.isnan(target):
        raise ProblemError(f"coverage target must be a fraction in [0, 1], got {target}")
    t0 = time.perf_counter()
    red = presolve(problem)
    goal = target * problem.total_weight
    reachable = red.constant_credit + red.max_credit
    tol = 1e-9 * max(1.0, problem.total_weight)
    if goal > reachable + tol:
        raise InfeasibleError(
            f"coverage target {target:.4g} is unreachable: choosing every candidate covers "
            f"{reachable / problem.total_weight if problem.total_weight else 1.0:.4%} of the "
            f"weight ({red.stats['rows_satisfied_or_unreachable']} rows are out of reach or "
            "already served)"
        )
    need = max(0.0, goal - red.constant_credit)
    if need <= tol or red.n_rows == 0:
        res = mincost.MinResult(np.zeros(red.n_cols, np.bool_), 0.0, 0.0, True, {})
    else:
        res = mincost.solve(red, need, opts)
    chosen = red.to_original(np.flatnonzero(res.in_set))
    cost = float(red.cost[res.in_set].sum())
    bound = min(res.bound, cost)
    gap = relative_gap(cost, bound, maximize=False)
    stats: dict[str, float | int | str] = {**red.stats, **res.stats}
    stats["new_columns"] = int(res.in_set.sum())
    return Solution(
        problem="min_cost",
        chosen=chosen,
        cost=cost,
        fixed_cost=problem.cost_of(red.fixed_cols),
        covered_weight=problem.covered_weight(chosen),
        total_weight=problem.total_weight,
        bound=bound,
        gap=gap,
        status="optimal" if res.proven or gap == 0.0 else "feasible",
        seconds=time.perf_counter() - t0,
        stats=stats,
    )
