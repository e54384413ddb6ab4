"""The optimizer matches exhaustive search on small random instances."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest

from civicam.planning.optimize import (
    InfeasibleError,
    SolveOptions,
    maximize_coverage,
    minimize_cost,
)

from .conftest import brute_max, brute_min, random_problem

SEEDS = range(60)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("exact", ["auto", "never"])
def test_max_coverage_matches_brute_force(seed: int, exact: Literal["auto", "never"]) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, backup=seed % 2 == 1, with_fixed=seed % 3 == 0)
    budget = float(rng.integers(1, 10))
    count = int(rng.integers(1, 4)) if seed % 4 == 0 else None
    sol = maximize_coverage(
        problem, budget=budget, max_columns=count, options=SolveOptions(exact=exact)
    )
    best = brute_max(problem, budget, count)
    assert sol.covered_weight == pytest.approx(best, abs=1e-6)
    assert sol.bound >= best - 1e-6
    assert sol.cost <= budget + 1e-9
    if count is not None:
        assert sol.new_columns <= count
    assert set(np.flatnonzero(problem.fixed)) <= set(sol.chosen.tolist())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("target", [1.0, 0.8, 0.5])
def test_min_cost_matches_brute_force(seed: int, target: float) -> None:
    rng = np.random.default_rng(1000 + seed)
    problem = random_problem(rng, backup=seed % 2 == 1, with_fixed=seed % 3 == 0)
    best = brute_min(problem, target)
    if best == float("inf"):
        with pytest.raises(InfeasibleError):
            minimize_cost(problem, target=target)
        return
    sol = minimize_cost(problem, target=target)
    assert sol.cost == pytest.approx(best, abs=1e-6)
    assert sol.bound <= best + 1e-6
    assert sol.covered_weight >= target * problem.total_weight - 1e-6
    assert sol.status == "optimal"
