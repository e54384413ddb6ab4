"""Brute-force references for small coverage problems."""

from __future__ import annotations

import itertools

import numpy as np

from civicam.planning.optimize import CoverageProblem


def brute_max(problem: CoverageProblem, budget: float | None, count: int | None) -> float:
    """Best covered weight over every subset of free columns within the limits."""
    free = [j for j in range(problem.n_cols) if not problem.fixed[j]]
    fixed = [int(j) for j in np.flatnonzero(problem.fixed)]
    best = problem.covered_weight(fixed) if fixed else 0.0
    for r in range(1, len(free) + 1):
        if count is not None and r > count:
            break
        for subset in itertools.combinations(free, r):
            if budget is not None and problem.costs[list(subset)].sum() > budget + 1e-9:
                continue
            best = max(best, problem.covered_weight(list(subset) + fixed))
    return best


def brute_min(problem: CoverageProblem, target: float) -> float:
    """Cheapest subset of free columns reaching ``target`` of the weight (inf if none)."""
    free = [j for j in range(problem.n_cols) if not problem.fixed[j]]
    fixed = [int(j) for j in np.flatnonzero(problem.fixed)]
    goal = target * problem.total_weight - 1e-9
    best = float("inf")
    for r in range(len(free) + 1):
        for subset in itertools.combinations(free, r):
            cost = float(problem.costs[list(subset)].sum())
            if cost >= best:
                continue
            if problem.covered_weight(list(subset) + fixed) >= goal:
                best = cost
    return best


def random_problem(
    rng: np.random.Generator,
    *,
    max_rows: int = 12,
    max_cols: int = 9,
    backup: bool = False,
    with_fixed: bool = False,
) -> CoverageProblem:
    m = int(rng.integers(2, max_rows + 1))
    n = int(rng.integers(2, max_cols + 1))
    a = (rng.random((m, n)) < rng.uniform(0.15, 0.5)).astype(np.int8)
    k = rng.integers(1, 3, m) if backup else None
    fixed = rng.random(n) < 0.2 if with_fixed else None
    return CoverageProblem.build(
        a,
        rng.integers(0, 10, m).astype(float),
        rng.integers(1, 6, n).astype(float),
        requirement=k,
        fixed=fixed,
    )
