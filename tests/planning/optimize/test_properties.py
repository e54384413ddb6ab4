"""Property tests: answers are feasible and bounds never cut off the optimum."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicam.planning.optimize import (
    CoverageProblem,
    InfeasibleError,
    SolveOptions,
    maximize_coverage,
    minimize_cost,
)

from .conftest import brute_max, brute_min


@st.composite
def problems(draw: st.DrawFn) -> CoverageProblem:
    m = draw(st.integers(1, 9))
    n = draw(st.integers(1, 7))
    cells = draw(st.lists(st.booleans(), min_size=m * n, max_size=m * n))
    weights = draw(st.lists(st.integers(0, 20), min_size=m, max_size=m))
    costs = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    k = draw(st.lists(st.integers(1, 3), min_size=m, max_size=m))
    fixed = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return CoverageProblem.build(
        np.array(cells, dtype=np.int8).reshape(m, n),
        np.array(weights, dtype=float),
        np.array(costs, dtype=float),
        requirement=np.array(k),
        fixed=np.array(fixed) & (np.arange(n) % 3 == 0),
    )


FAST = SolveOptions(time_limit_s=5, local_search_rounds=20)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.floats(0, 12), st.one_of(st.none(), st.integers(0, 4)))
def test_max_coverage_is_feasible_and_bounded(
    problem: CoverageProblem, budget: float, count: int | None
) -> None:
    sol = maximize_coverage(problem, budget=budget, max_columns=count, options=FAST)
    new = np.setdiff1d(sol.chosen, np.flatnonzero(problem.fixed))
    assert problem.costs[new].sum() <= budget + 1e-9
    assert count is None or new.size <= count
    assert np.all(np.isin(np.flatnonzero(problem.fixed), sol.chosen))
    assert sol.covered_weight == problem.covered_weight(sol.chosen)
    optimum = brute_max(problem, budget, count)
    assert sol.covered_weight <= optimum + 1e-9
    assert sol.bound >= optimum - 1e-6
    assert sol.gap >= 0.0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from([1.0, 0.9, 0.5, 0.0]))
def test_min_cost_is_feasible_and_bounded(problem: CoverageProblem, target: float) -> None:
    optimum = brute_min(problem, target)
    try:
        sol = minimize_cost(problem, target=target, options=FAST)
    except InfeasibleError:
        assert optimum == float("inf")
        return
    assert sol.covered_weight >= target * problem.total_weight - 1e-6
    new = np.setdiff1d(sol.chosen, np.flatnonzero(problem.fixed))
    assert sol.cost == problem.costs[new].sum()
    assert sol.cost >= optimum - 1e-9
    assert sol.bound <= optimum + 1e-6


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_same_seed_same_answer(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = (rng.random((40, 25)) < 0.15).astype(np.int8)
    problem = CoverageProblem.build(a, rng.integers(1, 9, 40), rng.integers(1, 4, 25))
    opts = SolveOptions(seed=seed, exact="never", local_search_rounds=30)
    first = maximize_coverage(problem, budget=6, options=opts)
    second = maximize_coverage(problem, budget=6, options=opts)
    assert np.array_equal(first.chosen, second.chosen)
