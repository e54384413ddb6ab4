"""Bad input gets a clear error, never a stack trace from deep inside."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from civicam.planning.optimize import (
    CoverageProblem,
    InfeasibleError,
    ProblemError,
    maximize_coverage,
    minimize_cost,
)


def test_empty_matrix_is_rejected() -> None:
    with pytest.raises(ProblemError, match="empty"):
        CoverageProblem.build(sp.csc_array((0, 5)))
    with pytest.raises(ProblemError, match="empty"):
        CoverageProblem.build(np.zeros((3, 0)))


def test_negative_costs_and_weights_are_rejected() -> None:
    with pytest.raises(ProblemError, match=r"column 1 has -2"):
        CoverageProblem.build(np.eye(2), costs=[1.0, -2.0])
    with pytest.raises(ProblemError, match=r"row 0 has -1"):
        CoverageProblem.build(np.eye(2), weights=[-1.0, 1.0])


def test_shapes_and_values_are_checked() -> None:
    with pytest.raises(ProblemError, match="2 entries"):
        CoverageProblem.build(np.eye(2), costs=[1.0, 2.0, 3.0])
    with pytest.raises(ProblemError, match="finite"):
        CoverageProblem.build(np.eye(2), weights=[np.nan, 1.0])
    with pytest.raises(ProblemError, match="0 or 1"):
        CoverageProblem.build(np.array([[1.0, -1.0]]))
    with pytest.raises(ProblemError, match="requirement must be >= 1"):
        CoverageProblem.build(np.eye(2), requirement=[0, 1])
    with pytest.raises(ProblemError, match="out of range"):
        CoverageProblem.build(np.eye(2), fixed=[5])
    with pytest.raises(ProblemError, match="2-D"):
        CoverageProblem.build(np.ones(3))


def test_infeasible_target_names_what_is_reachable() -> None:
    a = np.array([[1, 0], [0, 1], [0, 0]])
    problem = CoverageProblem.build(a, weights=[1.0, 1.0, 2.0])
    with pytest.raises(InfeasibleError, match=r"50\.0000%"):
        minimize_cost(problem, target=1.0)
    assert minimize_cost(problem, target=0.5).cost == 2.0


def test_backup_requirement_beyond_candidates_is_infeasible() -> None:
    problem = CoverageProblem.build(np.ones((1, 2)), requirement=[3])
    with pytest.raises(InfeasibleError):
        minimize_cost(problem, target=1.0)


def test_bad_limits_are_rejected() -> None:
    problem = CoverageProblem.build(np.eye(3))
    with pytest.raises(ProblemError, match="needs a budget"):
        maximize_coverage(problem)
    with pytest.raises(ProblemError, match="budget"):
        maximize_coverage(problem, budget=-1)
    with pytest.raises(ProblemError, match="budget"):
        maximize_coverage(problem, budget=float("inf"))
    with pytest.raises(ProblemError, match="fraction"):
        minimize_cost(problem, target=1.5)


def test_budget_below_cheapest_camera_keeps_fixed_only() -> None:
    problem = CoverageProblem.build(np.eye(3), costs=[5.0, 5.0, 5.0], fixed=[0])
    sol = maximize_coverage(problem, budget=1.0)
    assert sol.chosen.tolist() == [0]
    assert sol.covered_weight == 1.0
    assert sol.status == "optimal"
