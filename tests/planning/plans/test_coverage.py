"""Coverage arithmetic: credit, marginal gains and losses, redundancy pruning, overlap."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from civicam.planning.coverage import (
    Demand,
    counts,
    credit,
    marginal_gains,
    marginal_losses,
    overlap,
    prune_redundant,
    redundancy_shares,
    site_credit,
)


def m(dense: list[list[int]]) -> sp.csc_array:
    return sp.csc_array(np.array(dense, dtype=np.int8))


def test_credit_follows_backup_coverage() -> None:
    # Row 0 wants 2 cameras and is seen by both; row 1 wants 2 and is seen by one.
    matrix = m([[1, 1], [1, 0], [0, 0]])
    demand = Demand(np.array([4.0, 6.0, 1.0]), np.array([2, 2, 1]))
    n = counts(matrix)
    assert n.tolist() == [2, 1, 0]
    assert credit(n, demand) == pytest.approx(4.0 + 3.0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda rows: st.tuples(
            st.lists(
                st.lists(st.integers(0, 1), min_size=5, max_size=5), min_size=rows, max_size=rows
            ),
            st.lists(st.floats(0.1, 10), min_size=rows, max_size=rows),
            st.lists(st.integers(1, 3), min_size=rows, max_size=rows),
            st.lists(st.integers(0, 2), min_size=rows, max_size=rows),
        )
    )
)
def test_gains_and_losses_match_recomputation(
    data: tuple[list[list[int]], list[float], list[int], list[int]],
) -> None:
    dense, weights, req, base = data
    matrix = m(dense)
    demand = Demand(np.array(weights), np.array(req, dtype=np.int64))
    base_n = np.array(base, dtype=np.int64)
    full = base_n + counts(matrix)
    losses = marginal_losses(matrix, full, demand)
    gains = marginal_gains(matrix, base_n, demand)
    for j in range(matrix.shape[1]):
        others = [k for k in range(matrix.shape[1]) if k != j]
        without = base_n + counts(matrix, np.array(others, dtype=np.int64))
        assert losses[j] == pytest.approx(credit(full, demand) - credit(without, demand))
        alone = base_n + counts(matrix, np.array([j], dtype=np.int64))
        assert gains[j] == pytest.approx(credit(alone, demand) - credit(base_n, demand))


def test_prune_drops_one_of_two_identical_cameras_not_both() -> None:
    matrix = m([[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    demand = Demand(np.ones(3), np.ones(3, dtype=np.int64))
    costs = np.array([900.0, 1500.0, 900.0])
    kept, removed = prune_redundant(matrix, np.zeros(3, np.int64), demand, 0.0, costs)
    # The dearer twin goes; the other becomes essential and stays.
    assert kept.tolist() == [0, 2]
    assert [r.column for r in removed] == [1]
    assert removed[0].loss == 0.0 and removed[0].share == 0.0


def test_prune_keeps_the_wanted_second_camera_of_a_backup_site() -> None:
    matrix = m([[1, 1]])
    demand = Demand(np.array([2.0]), np.array([2]))
    kept, removed = prune_redundant(matrix, np.zeros(1, np.int64), demand, 0.4, np.ones(2))
    assert kept.tolist() == [0, 1] and removed == []


def test_prune_threshold_is_a_share_of_own_credit() -> None:
    # Camera 1 sees rows 0-9, camera 0 sees rows 0-8: camera 0 adds nothing,
    # camera 1 alone adds row 9 (10% of what it sees).
    dense = [[1, 1]] * 9 + [[0, 1]]
    matrix = m(dense)
    demand = Demand(np.ones(10), np.ones(10, dtype=np.int64))
    base = np.zeros(10, np.int64)
    loss, own, share = redundancy_shares(matrix, base, demand)
    assert loss.tolist() == [0.0, 1.0] and own.tolist() == [9.0, 10.0]
    assert share[1] == pytest.approx(0.1)
    kept, removed = prune_redundant(matrix, base, demand, 0.05, np.ones(2))
    assert kept.tolist() == [1] and removed[0].column == 0
    # A base camera that sees row 9 makes camera 1 redundant too, once camera 0 is gone...
    with_base = np.zeros(10, np.int64)
    with_base[9] = 1
    kept2, removed2 = prune_redundant(matrix, with_base, demand, 0.05, np.ones(2))
    # ...but only one of the two may go: the last camera seeing rows 0-8 is essential.
    assert len(kept2) == 1 and len(removed2) == 1


def test_prune_rejects_a_bad_threshold() -> None:
    with pytest.raises(ValueError, match="threshold"):
        prune_redundant(
            m([[1]]),
            np.zeros(1, np.int64),
            Demand(np.ones(1), np.ones(1, np.int64)),
            2.0,
            np.ones(1),
        )


def test_overlap_adds_up_and_leaves_out_the_base() -> None:
    w = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    a = np.array([1, 1, 0, 1, 0], dtype=bool)
    b = np.array([0, 1, 1, 1, 0], dtype=bool)
    base = np.array([0, 0, 0, 1, 0], dtype=bool)  # row 3 is already seen
    ov = overlap([a, b], base, w)
    assert ov.seen.tolist() == [3.0, 6.0]
    assert ov.exclusive.tolist() == [1.0, 4.0]
    assert ov.pairwise[0, 1] == ov.pairwise[1, 0] == 2.0
    # Row 3 is seen by both plans but already by the base: it counts for neither.
    assert ov.all_plans == 2.0
    assert ov.union == 1.0 + 2.0 + 4.0
    assert ov.base == 8.0
    # Beyond the base, union = exclusives + the shared part.
    assert ov.exclusive.sum() + ov.pairwise[0, 1] == pytest.approx(ov.union)


def test_site_credit_per_site() -> None:
    demand = Demand(np.array([1.0, 2.0, 3.0]), np.array([1, 2, 1]))
    n = np.array([1, 1, 0])
    covered, total = site_credit(n, demand, np.array([0, 2, 3]), np.array([0, 1, 2]))
    assert covered.tolist() == [2.0, 0.0] and total.tolist() == [3.0, 3.0]
