"""Benchmark instance readers, checkers and the synthetic city generator."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from civicam.planning.instances import (
    InstanceError,
    check_cover,
    check_mclp,
    find_optima,
    known_optimum,
    load_optima,
    mclp_key,
    parse_mclp,
    parse_setcover,
    read_mclp,
    read_setcover,
    synthetic_city_instance,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "benchmarks"
requires_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} not present")

# 3 rows x 4 columns; row 1 = {1, 2}, row 2 = {3}, row 3 = {2, 3, 4} (1-based).
ROWWISE = "3 4\n1 2 3 4\n2 1 2\n1 3\n3 2 3 4\n"
EXPECTED = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 1, 1, 1]])
# The same instance column-wise, with a fractional cost: cost, count, rows.
COLUMNWISE = "3 4\n1 1 1\n2.5 2 1 3\n3 1 2\n4 1 3\n"


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


# ----------------------------------------------------------------- set cover


def test_rowwise_matrix_exact(tmp_path: Path) -> None:
    problem = read_setcover(_write(tmp_path, "tiny.txt", ROWWISE))
    assert problem.name == "tiny"
    assert problem.matrix.shape == (3, 4)
    np.testing.assert_array_equal(problem.matrix.toarray(), EXPECTED)
    np.testing.assert_array_equal(problem.costs, [1, 2, 3, 4])
    np.testing.assert_array_equal(problem.weights, [1, 1, 1])


def test_rowwise_ignores_line_layout(tmp_path: Path) -> None:
    # OR-Library wraps long lists over several lines; only token order matters.
    wrapped = "  3\n4 1\n2 3\n4 2 1\n2 1\n3 3 2\n3\n4"
    a = read_setcover(_write(tmp_path, "wrapped.txt", wrapped))
    np.testing.assert_array_equal(a.matrix.toarray(), EXPECTED)


def test_columnwise_detected_by_rail_prefix(tmp_path: Path) -> None:
    problem = read_setcover(_write(tmp_path, "rail_tiny.txt", COLUMNWISE))
    expected = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(problem.matrix.toarray(), expected)
    np.testing.assert_array_equal(problem.costs, [1, 2.5, 3, 4])


def test_format_argument_overrides_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "plain.txt", COLUMNWISE)
    data = parse_setcover(path, fmt="column")
    assert (data.n_rows, data.n_cols) == (3, 4)
    np.testing.assert_array_equal(data.costs, [1, 2.5, 3, 4])
    rail = _write(tmp_path, "rail_rowwise.txt", ROWWISE)
    np.testing.assert_array_equal(read_setcover(rail, fmt="row").matrix.toarray(), EXPECTED)


def test_raw_pairs_are_zero_based(tmp_path: Path) -> None:
    data = parse_setcover(_write(tmp_path, "tiny.txt", ROWWISE))
    assert sorted(zip(data.rows.tolist(), data.cols.tolist(), strict=True)) == [
        (0, 0),
        (0, 1),
        (1, 2),
        (2, 1),
        (2, 2),
        (2, 3),
    ]


MALFORMED_ROWWISE = [
    ("", "empty"),
    ("  \n\t\n", "empty"),
    ("3", "truncated header"),
    ("3 4\n1 2 x 4\n", "non-numeric token 'x' on line 2"),
    ("3 4\n1 2 3\n", "expected 4 column costs"),
    ("3 4\n1 2 3 4\n2 1 2\n1 3\n", "file ends before row 3 of 3"),
    ("3 4\n1 2 3 4\n2 1 2\n1 3\n3 2 3\n", "announces 3 entries"),
    (ROWWISE + "7\n", "left over"),
    ("3 4\n1 2 3 4\n2 1 5\n1 3\n3 2 3 4\n", "row 1 lists column 5, outside 1..4"),
    ("3 4\n1 2 3 4\n2 0 2\n1 3\n3 2 3 4\n", "row 1 lists column 0, outside"),
    ("3 4\n1 2 3 4\n2 1 1.5\n1 3\n3 2 3 4\n", "row 1 lists column 1.5, not a whole number"),
    ("3 4\n1 2 3 4\n2 1 99999999999999999999\n1 3\n3 2 3 4\n", "outside 1..4"),
    ("3 4\n1 -2 3 4\n2 1 2\n1 3\n3 2 3 4\n", "column 2 has negative cost -2"),
    ("3 4\n1 2 3 4\n-1 1 2\n1 3\n3 2 3 4\n", "row 1: entry count"),
    ("0 4\n1 2 3 4\n", "must be >= 1"),
    ("2.5 4\n", "whole number"),
    ("3 4\n1 2 3 4\n2 1 2\n0\n3 2 3 4\n", "row 2 is covered by no column"),
    ("3 4\n1 nan 3 4\n2 1 2\n1 3\n3 2 3 4\n", "not a finite number"),
    (b"3 4\n\xff\xfe 2 3 4\n", "not a plain-text"),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED_ROWWISE)
def test_malformed_rowwise(tmp_path: Path, text: str | bytes, message: str) -> None:
    path = _write(tmp_path, "broken.txt", text)
    with pytest.raises(InstanceError) as info:
        read_setcover(path)
    assert "broken.txt" in str(info.value)
    assert message in str(info.value)
    assert info.value.path == str(path)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 4\n1 1 1\n2.5 2 1 3\n3 1 2\n", "file ends before column 4 of 4"),
        ("3 4\n1 1 1\n2.5 2 1 3\n3 1 2\n4 2 3\n", "announces 2 entries"),
        ("3 4\n1 1 1\n2.5 2 1 4\n3 1 2\n4 1 3\n", "column 2 lists row 4, outside 1..3"),
        ("3 4\n1 1 1\n-2.5 2 1 3\n3 1 2\n4 1 3\n", "column 2 has negative cost"),
        ("3 4\n1 1 1\n2.5 2 1 3\n3 1 1\n4 1 3\n", "row 2 is covered by no column"),
    ],
)
def test_malformed_columnwise(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InstanceError, match=r"rail_broken\.txt") as info:
        read_setcover(_write(tmp_path, "rail_broken.txt", text))
    assert message in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InstanceError, match=r"nope\.txt: no such file"):
        read_setcover(tmp_path / "nope.txt")
    with pytest.raises(InstanceError, match="is a directory"):
        read_setcover(tmp_path)


def test_check_cover_accepts_full_cover(tmp_path: Path) -> None:
    data = parse_setcover(_write(tmp_path, "tiny.txt", ROWWISE))
    check = check_cover(data, np.array([0, 2]))
    assert check.feasible
    assert check.cost == 4.0
    assert check.uncovered_rows == 0
    # Repeats are bought once.
    assert check_cover(data, [0, 2, 2, 0]).cost == 4.0


def test_check_cover_detects_incomplete_cover(tmp_path: Path) -> None:
    data = parse_setcover(_write(tmp_path, "tiny.txt", ROWWISE))
    check = check_cover(data, np.array([0, 1]))  # row 2 needs column 3
    assert not check.feasible
    assert check.uncovered_rows == 1
    assert check.cost == 3.0
    empty = check_cover(data, np.array([], dtype=np.int64))
    assert not empty.feasible
    assert empty.uncovered_rows == 3


def test_check_cover_rejects_out_of_range(tmp_path: Path) -> None:
    data = parse_setcover(_write(tmp_path, "tiny.txt", ROWWISE))
    check = check_cover(data, np.array([0, 2, 4]))
    assert not check.feasible
    assert check.invalid_columns == 1
    assert check_cover(data, [-1, 0, 2]).invalid_columns == 1


def test_check_cover_is_independent_of_problem_matrix(tmp_path: Path) -> None:
    data = parse_setcover(_write(tmp_path, "tiny.txt", ROWWISE))
    problem = data.to_problem()
    rng = np.random.default_rng(3)
    for _ in range(50):
        chosen = np.flatnonzero(rng.random(4) < 0.5)
        check = check_cover(data, chosen)
        counts = problem.row_counts(chosen)
        assert check.feasible == bool(np.all(counts >= 1))
        assert check.cost == pytest.approx(problem.cost_of(chosen))


# ---------------------------------------------------------------------- MCLP

POINTS = "4\n0 0\n3 4\n10 0\n0 6\n"
DEMAND = "1\n2\n3\n4\n"


def test_mclp_matrix_exact(tmp_path: Path) -> None:
    problem = read_mclp(
        _write(tmp_path, "SJC4.txt", POINTS), _write(tmp_path, "demand-SJC4.dat", DEMAND), 5
    )
    # d(0,1) = 5 exactly: on the boundary, covered.
    expected = np.array([[1, 1, 0, 0], [1, 1, 0, 1], [0, 0, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_array_equal(problem.matrix.toarray(), expected)
    np.testing.assert_array_equal(problem.weights, [1, 2, 3, 4])
    np.testing.assert_array_equal(problem.costs, [1, 1, 1, 1])
    assert problem.name == "SJC4/5"


def test_check_mclp(tmp_path: Path) -> None:
    data = parse_mclp(
        _write(tmp_path, "SJC4.txt", POINTS), _write(tmp_path, "demand-SJC4.dat", DEMAND)
    )
    one = check_mclp(data, 5, [1], p=1)
    assert (one.covered, one.total, one.facilities, one.valid) == (7.0, 10.0, 1, True)
    assert not check_mclp(data, 5, [0, 2], p=1).valid
    assert not check_mclp(data, 5, [7], p=1).valid
    assert check_mclp(data, 5, [], p=1).covered == 0.0


def test_mclp_matrix_agrees_with_brute_force(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    # Integer grid coordinates give many pairs at exactly the radius.
    pts = rng.integers(0, 40, size=(150, 2)) * 3
    text = f"{len(pts)}\n" + "\n".join(f"{x} {y}" for x, y in pts)
    demand = "\n".join(str(v) for v in rng.integers(1, 50, len(pts)))
    data = parse_mclp(_write(tmp_path, "grid.txt", text), _write(tmp_path, "d.dat", demand))
    for radius in (15.0, 30.0):
        problem = data.to_problem(radius)
        for _ in range(20):
            chosen = rng.choice(len(pts), size=5, replace=False)
            check = check_mclp(data, radius, chosen, p=5)
            assert check.covered == pytest.approx(problem.covered_weight(chosen))


@pytest.mark.parametrize(
    ("points", "demand", "bad", "message"),
    [
        ("3\n0 0\n1 1\n", "1 2 3", "pts.txt", "truncated"),
        ("2\n0 0\n1 1\n2 2\n", "1 2", "pts.txt", "too many numbers"),
        ("2\n0 0\n1 q\n", "1 2", "pts.txt", "non-numeric token 'q'"),
        ("", "1 2", "pts.txt", "empty"),
        ("2\n0 0\n1 1\n", "1 2 3", "dem.dat", "holds 3 demands but pts.txt has 2"),
        ("2\n0 0\n1 1\n", "1 -2", "dem.dat", "negative demand"),
        ("2\n0 0\n1 1\n", "", "dem.dat", "empty"),
    ],
)
def test_malformed_mclp(tmp_path: Path, points: str, demand: str, bad: str, message: str) -> None:
    pts = _write(tmp_path, "pts.txt", points)
    dem = _write(tmp_path, "dem.dat", demand)
    with pytest.raises(InstanceError) as info:
        parse_mclp(pts, dem)
    assert info.value.path == str(tmp_path / bad)
    assert message in str(info.value)


def test_mclp_radius_must_be_positive(tmp_path: Path) -> None:
    data = parse_mclp(_write(tmp_path, "p.txt", POINTS), _write(tmp_path, "d.dat", DEMAND))
    for radius in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="radius"):
            data.to_problem(radius)


def test_mclp_key() -> None:
    assert mclp_key("SJC324", 800.0, 2) == "SJC324/800/2"
    assert mclp_key("SJC324", 812.5, 3) == "SJC324/812.5/3"


# -------------------------------------------------------------------- optima


def test_optima_lookup(tmp_path: Path) -> None:
    (tmp_path / "setcover").mkdir()
    inst = _write(tmp_path / "setcover", "tiny.txt", ROWWISE)
    assert find_optima(inst) is None
    optima_path = _write(
        tmp_path, "optima.json", json.dumps({"setcover": {"tiny": 4}, "mclp": {"x/5/1": 7}})
    )
    assert find_optima(inst) == optima_path.resolve()
    optima = load_optima(optima_path)
    assert known_optimum(optima, "setcover", "tiny") == 4.0
    assert known_optimum(optima, "setcover", "other") is None
    assert known_optimum(optima, "mclp", "x/5/1") == 7.0
    beside = _write(tmp_path / "setcover", "optima.json", "{}")
    assert find_optima(inst) == beside.resolve()


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "invalid JSON"), ("[1, 2]", "JSON object"), ('{"setcover": 3}', "'setcover'")],
)
def test_optima_malformed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InstanceError, match=r"optima\.json") as info:
        load_optima(_write(tmp_path, "optima.json", text))
    assert message in str(info.value)


# ----------------------------------------------------------------- synthetic


def test_synthetic_small_instance_shape_and_content() -> None:
    problem = synthetic_city_instance(n_cols=1000, n_rows=10_000, nnz_per_col=30, seed=4)
    assert problem.matrix.shape == (10_000, 1000)
    per_col = np.diff(problem.matrix.indptr)
    assert 25 <= per_col.mean() <= 35
    assert per_col.min() >= 1
    assert set(np.unique(problem.costs).tolist()) <= {1.0, 1.5, 2.5}
    assert np.all(problem.weights > 0)
    # Heavy sites: the top rows weigh far more than the median row.
    assert np.max(problem.weights) > 20 * np.median(problem.weights)
    assert np.all(np.bincount(problem.matrix.indices, minlength=10_000) >= 1)


def test_synthetic_is_deterministic_per_seed() -> None:
    a = synthetic_city_instance(n_cols=300, n_rows=3000, seed=7)
    b = synthetic_city_instance(n_cols=300, n_rows=3000, seed=7)
    c = synthetic_city_instance(n_cols=300, n_rows=3000, seed=8)
    assert (a.matrix != b.matrix).nnz == 0
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)


def test_synthetic_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        synthetic_city_instance(n_cols=0, n_rows=10)
    with pytest.raises(ValueError):
        synthetic_city_instance(n_cols=10, n_rows=1)


@pytest.mark.slow
def test_synthetic_full_size_is_fast_and_small() -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    problem = synthetic_city_instance()
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert problem.matrix.shape == (1_000_000, 100_000)
    assert 2_500_000 <= problem.matrix.nnz <= 3_500_000
    assert seconds < 10  # a few seconds on a laptop; slack for loaded CI machines
    assert peak < 1.5 * 2**30


# ---------------------------------------------------------------- real files


def _header(path: Path) -> tuple[int, int]:
    first = path.read_text().split(maxsplit=2)
    return int(first[0]), int(first[1])


@pytest.mark.shared
@requires_shared
def test_real_setcover_files_match_headers() -> None:
    files = sorted((SHARED / "setcover").glob("*.txt"))
    assert files
    for path in files:
        m, n = _header(path)
        problem = read_setcover(path)
        assert problem.matrix.shape == (m, n), path.name
        assert problem.name == path.stem


@pytest.mark.shared
@requires_shared
def test_real_largest_files_load_fast() -> None:
    for name in ("scpnrh1", "scpnrf1", "rail507"):
        t0 = time.perf_counter()
        problem = read_setcover(SHARED / "setcover" / f"{name}.txt")
        assert time.perf_counter() - t0 < 1.0, name
        assert problem.matrix.nnz > 0
    rail = parse_setcover(SHARED / "setcover" / "rail507.txt")
    assert (rail.n_rows, rail.n_cols) == (507, 63_009)
    assert set(np.unique(rail.costs).tolist()) <= {1.0, 2.0}


@pytest.mark.shared
@requires_shared
def test_real_mclp_and_optima() -> None:
    optima = load_optima(SHARED / "optima.json")
    assert known_optimum(optima, "setcover", "scp41") == 429
    for n in (324, 402, 500, 708, 818):
        data = parse_mclp(SHARED / "mclp" / f"SJC{n}.txt", SHARED / "mclp" / f"demand-SJC{n}.dat")
        assert data.points.shape == (n, 2)
        problem = data.to_problem(800)
        assert problem.matrix.shape == (n, n)
        assert problem.name == f"SJC{n}/800"
        # Whole-city coverage with every point open is all the demand.
        assert check_mclp(data, 800, np.arange(n), p=n).covered == data.demand.sum()
    assert known_optimum(optima, "mclp", "SJC324/800/2") is not None
