"""Backup coverage, fixed cameras and presolve behave as documented."""

from __future__ import annotations

import numpy as np
import pytest

from civicam.planning.optimize import CoverageProblem, maximize_coverage, minimize_cost
from civicam.planning.optimize.presolve import presolve


def test_backup_credit_grows_per_camera_up_to_k() -> None:
    problem = CoverageProblem.build(np.ones((1, 3)), weights=[6.0], requirement=[2])
    assert problem.covered_weight([0]) == 3.0
    assert problem.covered_weight([0, 1]) == 6.0
    assert problem.covered_weight([0, 1, 2]) == 6.0
    assert minimize_cost(problem).chosen.size == 2


def test_fixed_columns_are_kept_and_free_of_charge() -> None:
    a = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    problem = CoverageProblem.build(a, weights=[5, 1, 1], costs=[9, 1, 1], fixed=[0])
    sol = maximize_coverage(problem, budget=1)
    assert 0 in sol.chosen and sol.cost == 1.0 and sol.fixed_cost == 9.0
    assert sol.covered_weight == 6.0
    cover = minimize_cost(problem)
    assert cover.cost == 2.0 and 0 in cover.chosen


def test_presolve_merges_rows_and_drops_dominated_columns() -> None:
    a = np.array([[1, 1, 0, 1], [1, 1, 0, 1], [0, 0, 1, 1]])
    problem = CoverageProblem.build(a, weights=[1, 2, 4], costs=[1, 1, 1, 5])
    red = presolve(problem)
    assert red.n_rows == 2  # rows 0 and 1 merge
    assert sorted(red.u.tolist()) == [3.0, 4.0]
    kept = set(red.col_map.tolist())
    assert 1 not in kept  # duplicate of column 0
    assert 3 not in kept  # columns 0 and 2 cover the same for less


def test_count_limit_keeps_costly_columns_that_cover_more() -> None:
    # Column 2 is dominated by cost (0 and 1 together cost the same) but with a
    # one-camera limit it is the only way to cover both rows.
    a = np.array([[1, 0, 1], [0, 1, 1]])
    problem = CoverageProblem.build(a, costs=[1, 1, 2])
    sol = maximize_coverage(problem, max_columns=1)
    assert sol.chosen.tolist() == [2]
    assert sol.covered_weight == pytest.approx(2.0)
