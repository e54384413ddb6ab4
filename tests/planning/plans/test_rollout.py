"""Phasing cameras over yearly budgets: budgets hold, money carries over, order pays off."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from civicam.planning.coverage import Demand, counts, credit
from civicam.planning.rollout import parse_budgets, running_costs, schedule


def m(dense: list[list[int]]) -> sp.csc_array:
    return sp.csc_array(np.array(dense, dtype=np.int8))


def test_sites_first_installs_site_cameras_before_bigger_street_gains() -> None:
    # Camera 0 sees a lot of street; camera 1 sees a little of a site.
    matrix = m([[1, 0], [1, 0], [1, 0], [0, 1]])
    demand = Demand(np.array([5.0, 5.0, 5.0, 2.0]), np.ones(4, dtype=np.int64))
    in_site = np.array([False, False, False, True])
    costs = np.array([1.0, 1.0])
    base = np.zeros(4, np.int64)
    first = schedule(matrix, base, demand, in_site, costs, [1.0, 1.0], "sites-first")
    assert first.phase.tolist() == [2, 1]
    plain = schedule(matrix, base, demand, in_site, costs, [1.0, 1.0], "coverage")
    assert plain.phase.tolist() == [1, 2]
    assert plain.coverage_years > first.coverage_years  # the price of putting sites first
    assert first.site_covered[1] == 2.0 and plain.site_covered[1] == 0.0


def test_money_carries_over_until_a_camera_fits() -> None:
    matrix = m([[1, 0], [0, 1]])
    demand = Demand(np.ones(2), np.ones(2, dtype=np.int64))
    roll = schedule(
        matrix, np.zeros(2, np.int64), demand, np.zeros(2, bool), np.array([3.0, 3.0]), [2, 2, 2]
    )
    # Year 1 buys nothing (2 < 3), year 2 has 4: one camera, year 3 has 1 + 2 = 3: the other.
    assert [len(y.cameras) for y in roll.years] == [0, 1, 1]
    assert [y.available for y in roll.years] == [2.0, 4.0, 3.0]
    assert roll.unspent == 0.0
    assert roll.covered.tolist() == [0.0, 0.0, 1.0, 2.0]


def test_total_cost_over_the_budgets_is_refused() -> None:
    with pytest.raises(ValueError, match="budgets total"):
        schedule(
            m([[1]]),
            np.zeros(1, np.int64),
            Demand(np.ones(1), np.ones(1, np.int64)),
            np.zeros(1, bool),
            np.array([5.0]),
            [2.0, 2.0],
        )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.integers(0, 1), min_size=n, max_size=n), min_size=6, max_size=6),
            st.lists(st.integers(0, 5), min_size=n, max_size=n),
            st.lists(st.integers(0, 6), min_size=1, max_size=4),
        )
    )
)
def test_every_camera_gets_a_year_and_cumulative_spend_fits(
    data: tuple[list[list[int]], list[int], list[int]],
) -> None:
    dense, cost_list, budget_list = data
    costs = np.array(cost_list, dtype=float)
    budgets = [float(b) for b in budget_list]
    budgets[-1] += max(0.0, costs.sum() - sum(budgets))  # make the total enough
    matrix = m(dense)
    demand = Demand(np.arange(1.0, 7.0), np.array([1, 2, 1, 1, 2, 1]))
    roll = schedule(matrix, np.zeros(6, np.int64), demand, np.zeros(6, bool), costs, budgets)
    assert set(roll.phase.tolist()) <= set(range(1, len(budgets) + 1))
    spent = np.cumsum([sum(costs[roll.phase == t]) for t in range(1, len(budgets) + 1)])
    assert np.all(spent <= np.cumsum(budgets) + 1e-9)
    assert np.all(np.diff(roll.covered) >= -1e-9)
    for t in range(len(budgets) + 1):
        n = counts(matrix, np.flatnonzero(roll.phase <= t))
        assert roll.covered[t] == pytest.approx(credit(n, demand))


def test_greedy_order_beats_the_worst_order_on_coverage_years() -> None:
    rng = np.random.default_rng(3)
    dense = (rng.random((30, 6)) < 0.3).astype(int).tolist()
    matrix = m(dense)
    demand = Demand(rng.random(30) * 5, np.ones(30, dtype=np.int64))
    costs = np.ones(6)
    roll = schedule(
        matrix, np.zeros(30, np.int64), demand, np.zeros(30, bool), costs, [2, 2, 2], "coverage"
    )

    def coverage_years(order: tuple[int, ...]) -> float:
        return sum(
            credit(counts(matrix, np.array(order[: 2 * t], dtype=np.int64)), demand)
            for t in (1, 2, 3)
        )

    best = max(coverage_years(o) for o in itertools.permutations(range(6)))
    worst = min(coverage_years(o) for o in itertools.permutations(range(6)))
    assert roll.coverage_years > worst
    assert roll.coverage_years >= 0.9 * best


def test_running_costs_start_the_year_after_installation() -> None:
    phase = np.array([1, 1, 2, 3])
    yearly = np.array([10.0, 20.0, 40.0, 80.0])
    assert running_costs(phase, yearly, 5.0, 3).tolist() == [5.0, 35.0, 75.0]


def test_parse_budgets() -> None:
    assert parse_budgets("10000", 4) == [10000.0] * 4
    assert parse_budgets("10_000, 20000,5000", None) == [10000.0, 20000.0, 5000.0]
    assert parse_budgets("7", None) == [7.0]
    with pytest.raises(ValueError, match="--years 2 but 3"):
        parse_budgets("1,2,3", 2)
    with pytest.raises(ValueError, match=">= 0"):
        parse_budgets("-5", 2)
    with pytest.raises(ValueError, match="numbers"):
        parse_budgets("ten", 2)
