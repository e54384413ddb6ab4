"""Entry points of the optimizer (placeholder greedy; the full method lands next)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from civicam.planning.optimize.problem import CoverageProblem, Solution

ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class SolveOptions:
    """Search settings (mirrors :class:`civicam.config.OptimizerConfig`)."""

    time_limit_s: float = 60.0
    seed: int = 0
    exact: str = "auto"
    exact_max_nonzeros: int = 2_000_000
    local_search_rounds: int = 50
    lagrangian_iterations: int = 300
    threads: int = 1
    progress: ProgressFn | None = None


def maximize_coverage(
    problem: CoverageProblem,
    *,
    budget: float | None = None,
    max_columns: int | None = None,
    options: SolveOptions | None = None,
) -> Solution:
    """Pick columns within ``budget`` (cost of new columns) and/or ``max_columns``."""
    t0 = time.perf_counter()
    chosen = list(np.flatnonzero(problem.fixed))
    spent = 0.0
    for j in np.argsort(problem.costs):
        if budget is not None and spent + problem.costs[j] > budget:
            continue
        if max_columns is not None and len(chosen) - int(problem.fixed.sum()) >= max_columns:
            break
        if not problem.fixed[j]:
            chosen.append(int(j))
            spent += float(problem.costs[j])
    arr = np.array(sorted(chosen), dtype=np.int64)
    cw = problem.covered_weight(arr)
    return Solution(
        "max_coverage", arr, spent, problem.cost_of(np.flatnonzero(problem.fixed)), cw,
        problem.total_weight, problem.total_weight, 0.0, "feasible", time.perf_counter() - t0,
    )


def minimize_cost(
    problem: CoverageProblem, *, target: float = 1.0, options: SolveOptions | None = None
) -> Solution:
    """Cheapest set of new columns reaching ``target`` (fraction of total weight)."""
    t0 = time.perf_counter()
    arr = np.arange(problem.n_cols, dtype=np.int64)
    return Solution(
        "min_cost", arr, problem.cost_of(arr), 0.0, problem.covered_weight(arr),
        problem.total_weight, 0.0, 1.0, "feasible", time.perf_counter() - t0,
    )
