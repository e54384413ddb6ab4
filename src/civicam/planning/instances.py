"""Benchmark instances: OR-Library set cover, São José dos Campos MCLP, synthetic cities.

Readers keep the raw data (``SetCoverData``, ``MclpData``) next to the
:class:`CoverageProblem` built from it, so that answers can be re-checked
against the file itself rather than against the optimizer's own matrix.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from civicam.planning.optimize import CoverageProblem, ProblemError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
SetCoverFormat = Literal["auto", "row", "column"]


class InstanceError(ValueError):
    """A benchmark file that cannot be read; the message names the file and the problem."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


# --------------------------------------------------------------------------- tokens


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InstanceError(path, "no such file") from None
    except IsADirectoryError:
        raise InstanceError(path, "is a directory, not an instance file") from None
    except OSError as exc:
        raise InstanceError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InstanceError(
            path, f"is not a plain-text instance (non-ASCII byte at offset {exc.start})"
        ) from None


def _numbers(path: Path) -> FloatArray:
    """All whitespace-separated numbers of ``path`` as float64, or an InstanceError."""
    text = _read_text(path)
    # np.fromstring turns a whitespace-only string into [-1.0]; reject emptiness first.
    if not text.strip():
        raise InstanceError(path, "file is empty")
    # Older NumPy only warns (and truncates) on unparsable data; make that an error too.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            # The integer parse is ~7x faster; files with fractional costs fall back.
            ints = np.fromstring(text, dtype=np.int64, sep=" ")
            # It saturates on overflow instead of failing; such files take the float path.
            if ints.size and int(ints.min()) > -(2**53) and int(ints.max()) < 2**53:
                return ints.astype(np.float64)
        except (ValueError, DeprecationWarning):
            pass
        try:
            values = np.fromstring(text, dtype=np.float64, sep=" ")
        except (ValueError, DeprecationWarning):
            raise InstanceError(path, _first_bad_token(text)) from None
    if not np.all(np.isfinite(values)):
        k = int(np.flatnonzero(~np.isfinite(values))[0])
        raise InstanceError(path, f"token #{k + 1} is not a finite number ({values[k]})")
    return values


def _first_bad_token(text: str) -> str:
    """Describe the first token that is not a number (only on the error path, so slow is fine)."""
    for line_no, line in enumerate(text.splitlines(), start=1):
        for token in line.split():
            try:
                float(token)
            except ValueError:
                return f"non-numeric token {token[:40]!r} on line {line_no}"
    return "cannot be parsed as whitespace-separated numbers"


def _as_int(path: Path, value: float, what: str) -> int:
    if value != math.floor(value):
        raise InstanceError(path, f"{what} must be a whole number, got {value:g}")
    return int(value)


def _header(path: Path, tok: FloatArray, names: tuple[str, ...]) -> list[int]:
    if tok.size < len(names):
        raise InstanceError(path, f"truncated header: expected {' and '.join(names)}")
    out = []
    for k, name in enumerate(names):
        v = _as_int(path, float(tok[k]), f"header value {name}")
        if v < 1:
            raise InstanceError(path, f"header value {name} must be >= 1, got {v}")
        out.append(v)
    return out


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenation of ``range(s, s + l)`` for each pair, without a Python loop."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


# ----------------------------------------------------------------------- set cover


@dataclass(frozen=True)
class SetCoverData:
    """A set-cover file as parsed: 0-based (row, column) incidence pairs and column costs."""

    name: str
    path: Path
    n_rows: int
    n_cols: int
    costs: FloatArray
    rows: IntArray
    cols: IntArray

    def to_problem(self) -> CoverageProblem:
        """The instance as a :class:`CoverageProblem` (unit row weights)."""
        matrix = sp.csc_array(
            (np.ones(self.rows.size, dtype=np.int8), (self.rows, self.cols)),
            shape=(self.n_rows, self.n_cols),
        )
        try:
            return CoverageProblem.build(matrix, weights=None, costs=self.costs, name=self.name)
        except ProblemError as exc:
            raise InstanceError(self.path, str(exc)) from None


def _record_layout(
    path: Path, tok: FloatArray, start: int, n_records: int, head: int, what: str
) -> tuple[IntArray, IntArray]:
    """Start and entry count of each variable-length record.

    A record is ``head`` leading numbers (the last of which is the entry count)
    followed by that many entries. Each start depends on all earlier counts, so
    this walk is sequential; it touches one number per record, not per entry.
    """
    size = tok.size
    values = tok.tolist()
    starts = [0] * n_records
    counts = [0] * n_records
    pos = start
    for r in range(n_records):
        if pos + head > size:
            raise InstanceError(
                path, f"truncated: file ends before {what} {r + 1} of {n_records} starts"
            )
        k = values[pos + head - 1]
        if k < 0 or k != math.floor(k):
            raise InstanceError(path, f"{what} {r + 1}: entry count must be a whole number >= 0")
        starts[r] = pos + head
        counts[r] = int(k)
        pos += head + int(k)
        if pos > size:
            raise InstanceError(
                path,
                f"truncated: {what} {r + 1} of {n_records} announces {int(k)} entries "
                f"but the file ends after {size - (pos - int(k))}",
            )
    if pos != size:
        raise InstanceError(
            path,
            f"{size - pos} numbers left over after the last {what}; "
            "the counts do not match the header",
        )
    return np.asarray(starts, dtype=np.int64), np.asarray(counts, dtype=np.int64)


def _entries(
    path: Path,
    tok: FloatArray,
    starts: IntArray,
    counts: IntArray,
    limit: int,
    what: str,
    entry: str,
) -> IntArray:
    """0-based entries of all records, each checked to be a whole number in 1..limit."""
    raw = tok[_ranges(starts, counts)]
    # Judge in float before casting: a huge value would wrap around in int64.
    bad = (raw != np.floor(raw)) | (raw < 1) | (raw > limit)
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        record = int(np.searchsorted(np.cumsum(counts), k, side="right"))
        why = "not a whole number" if raw[k] != math.floor(raw[k]) else f"outside 1..{limit}"
        raise InstanceError(path, f"{what} {record + 1} lists {entry} {raw[k]:g}, {why}")
    return raw.astype(np.int64) - 1


def _check_costs(path: Path, costs: FloatArray) -> None:
    if np.any(costs < 0):
        j = int(np.flatnonzero(costs < 0)[0])
        raise InstanceError(path, f"column {j + 1} has negative cost {costs[j]:g}")


def parse_setcover(path: str | Path, fmt: SetCoverFormat = "auto") -> SetCoverData:
    """Parse an OR-Library set-cover file.

    ``fmt="row"`` is the scp layout (m n, n costs, then per row a count and
    1-based columns); ``"column"`` the rail layout (m n, then per column its
    cost, a count and 1-based rows). ``"auto"`` picks ``column`` for names
    starting with ``rail``. Raises :class:`InstanceError` on malformed input,
    including rows that no column covers (no cover would exist).
    """
    p = Path(path)
    if fmt == "auto":
        fmt = "column" if p.name.lower().startswith("rail") else "row"
    tok = _numbers(p)
    m, n = _header(p, tok, ("m (rows)", "n (columns)"))
    if fmt == "row":
        if tok.size < 2 + n:
            raise InstanceError(p, f"truncated: expected {n} column costs after the header")
        costs = tok[2 : 2 + n].copy()
        _check_costs(p, costs)
        starts, counts = _record_layout(p, tok, 2 + n, m, 1, "row")
        cols = _entries(p, tok, starts, counts, n, "row", "column")
        rows = np.repeat(np.arange(m, dtype=np.int64), counts)
    elif fmt == "column":
        starts, counts = _record_layout(p, tok, 2, n, 2, "column")
        costs = tok[starts - 2].copy()
        _check_costs(p, costs)
        rows = _entries(p, tok, starts, counts, m, "column", "row")
        cols = np.repeat(np.arange(n, dtype=np.int64), counts)
    else:
        raise ValueError(f"unknown set-cover format {fmt!r} (use 'auto', 'row' or 'column')")
    hit = np.bincount(rows, minlength=m)
    if np.any(hit == 0):
        i = int(np.flatnonzero(hit == 0)[0])
        raise InstanceError(p, f"row {i + 1} is covered by no column, so no cover exists")
    return SetCoverData(p.stem, p, m, n, costs, rows, cols)


def read_setcover(path: str | Path, fmt: SetCoverFormat = "auto") -> CoverageProblem:
    """Read an OR-Library set-cover file straight into a :class:`CoverageProblem`."""
    return parse_setcover(path, fmt).to_problem()


@dataclass(frozen=True)
class CoverCheck:
    """Outcome of re-checking a set-cover answer against the file's data."""

    feasible: bool
    cost: float
    uncovered_rows: int
    invalid_columns: int


def check_cover(data: SetCoverData, chosen: NDArray[np.integer] | list[int]) -> CoverCheck:
    """Re-check ``chosen`` (0-based columns) on the raw incidence pairs of ``data``.

    Independent of :class:`CoverageProblem`: every row must appear with some
    chosen column, and the cost is summed from the file's costs (each column
    once). Out-of-range indices make the answer infeasible.
    """
    c = np.asarray(chosen).ravel()
    if c.size and not np.issubdtype(c.dtype, np.integer):
        return CoverCheck(False, math.nan, data.n_rows, int(c.size))
    c = c.astype(np.int64)
    valid = (c >= 0) & (c < data.n_cols)
    picked = np.zeros(data.n_cols, dtype=np.bool_)
    picked[c[valid]] = True
    covered = np.zeros(data.n_rows, dtype=np.bool_)
    covered[data.rows[picked[data.cols]]] = True
    uncovered = int(data.n_rows - np.count_nonzero(covered))
    invalid = int(np.count_nonzero(~valid))
    return CoverCheck(
        uncovered == 0 and invalid == 0, float(data.costs[picked].sum()), uncovered, invalid
    )


# ---------------------------------------------------------------------------- MCLP


@dataclass(frozen=True)
class MclpData:
    """São José dos Campos points (metres) with their demands."""

    name: str
    points: FloatArray
    demand: FloatArray

    @property
    def n(self) -> int:
        return int(self.points.shape[0])

    def to_problem(self, radius: float) -> CoverageProblem:
        """Rows and columns are the points; column j covers row i within ``radius``."""
        r = _radius(radius)
        tree = cKDTree(self.points)
        # Pad the search, then decide with the same squared-distance test as mclp_covered,
        # so a pair exactly at distance S is judged identically by both.
        pairs = tree.query_pairs(r * (1 + 1e-9) + 1e-9, output_type="ndarray").astype(np.int64)
        d = self.points[pairs[:, 0]] - self.points[pairs[:, 1]]
        pairs = pairs[(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]) <= r * r]
        diag = np.arange(self.n, dtype=np.int64)
        rows = np.concatenate([diag, pairs[:, 0], pairs[:, 1]])
        cols = np.concatenate([diag, pairs[:, 1], pairs[:, 0]])
        matrix = sp.csc_array(
            (np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(self.n, self.n)
        )
        return CoverageProblem.build(
            matrix, weights=self.demand, costs=None, name=f"{self.name}/{format_radius(r)}"
        )


def _radius(radius: float) -> float:
    r = float(radius)
    if not math.isfinite(r) or r <= 0:
        raise ValueError(f"radius must be a positive distance in metres, got {radius}")
    return r


def format_radius(radius: float) -> str:
    """``800.0`` -> ``"800"``, as in the optima keys."""
    return f"{radius:g}"


def parse_mclp(points_path: str | Path, demand_path: str | Path) -> MclpData:
    """Read ``SJCn.txt`` (n, then n lines ``x y``) and ``demand-SJCn.dat`` (n demands)."""
    pp, dp = Path(points_path), Path(demand_path)
    tok = _numbers(pp)
    (n,) = _header(pp, tok, ("n (points)",))
    if tok.size != 1 + 2 * n:
        what = "truncated" if tok.size < 1 + 2 * n else "too many numbers"
        raise InstanceError(
            pp, f"{what}: header says {n} points (x y pairs) but the file holds {tok.size - 1}"
        )
    points = tok[1:].reshape(n, 2).copy()
    demand = _numbers(dp)
    if demand.size != n:
        raise InstanceError(
            dp, f"holds {demand.size} demands but {pp.name} has {n} points; counts must match"
        )
    if np.any(demand < 0):
        i = int(np.flatnonzero(demand < 0)[0])
        raise InstanceError(dp, f"point {i + 1} has negative demand {demand[i]:g}")
    return MclpData(pp.stem, points, demand)


def read_mclp(points_path: str | Path, demand_path: str | Path, radius: float) -> CoverageProblem:
    """Read an SJC instance as a :class:`CoverageProblem` for covering radius ``radius``."""
    return parse_mclp(points_path, demand_path).to_problem(radius)


@dataclass(frozen=True)
class MclpCheck:
    """Outcome of re-checking an MCLP answer from the raw coordinates."""

    covered: float
    total: float
    facilities: int
    valid: bool


def check_mclp(
    data: MclpData, radius: float, chosen: NDArray[np.integer] | list[int], p: int
) -> MclpCheck:
    """Demand within ``radius`` of some chosen point, computed from coordinates directly.

    ``valid`` is false when an index is out of range or more than ``p``
    distinct facilities are used.
    """
    r = _radius(radius)
    c = np.unique(np.asarray(chosen, dtype=np.int64).ravel())
    ok = (c >= 0) & (c < data.n)
    facilities = data.points[c[ok]]
    covered = np.zeros(data.n, dtype=np.bool_)
    # One facility at a time keeps memory at O(n) for any p.
    for f in facilities:
        d = data.points - f
        covered |= (d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]) <= r * r
    return MclpCheck(
        float(data.demand[covered].sum()),
        float(data.demand.sum()),
        int(c.size),
        bool(np.all(ok)) and int(c.size) <= p,
    )


def mclp_key(name: str, radius: float, p: int) -> str:
    """Key of an MCLP case in optima.json, e.g. ``SJC324/800/2``."""
    return f"{name}/{format_radius(radius)}/{p}"


# -------------------------------------------------------------------------- optima


def load_optima(path: str | Path) -> dict[str, Any]:
    """Load ``optima.json`` (keys ``setcover``, ``mclp``, ``highs_300s``)."""
    p = Path(path)
    text = _read_text(p)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError(p, f"invalid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise InstanceError(p, "expected a JSON object at the top level")
    for section in ("setcover", "mclp", "highs_300s"):
        if section in data and not isinstance(data[section], dict):
            raise InstanceError(p, f"section {section!r} must be a JSON object")
    return data


def find_optima(instance_path: str | Path) -> Path | None:
    """``optima.json`` next to the instance file or in its parent directory, if any."""
    folder = Path(instance_path).resolve().parent
    for candidate in (folder / "optima.json", folder.parent / "optima.json"):
        if candidate.is_file():
            return candidate
    return None


def known_optimum(optima: dict[str, Any], section: str, key: str) -> float | None:
    """The optimum recorded under ``optima[section][key]``, if it is a number."""
    value = optima.get(section, {}).get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


# ----------------------------------------------------------------------- synthetic

_MODEL_COST = np.array([1.0, 1.5, 2.5])
_MODEL_SHARE = np.array([0.6, 0.3, 0.1])
# Dearer models see further; the mix averages ~1.0 so nnz_per_col stays the mean.
_MODEL_REACH = np.array([0.85, 1.15, 1.6])
_BLOCK_POINTS = 40  # demand points between two intersections along a street


def synthetic_city_instance(
    n_cols: int = 100_000, n_rows: int = 1_000_000, nnz_per_col: int = 30, seed: int = 0
) -> CoverageProblem:
    """A city-shaped coverage instance on a square street grid.

    Rows are demand points along ``2*S`` streets (S each way), numbered street by
    street. Columns are cameras on evenly spaced poles; each sees a contiguous
    stretch of its own street and, near an intersection, a stretch of the
    crossing street: about ``nnz_per_col`` rows in all. Weights are lognormal
    plus a few heavy "site" clusters; costs come from three camera models
    (1.0, 1.5, 2.5). With the defaults every row is seen by some camera.
    """
    if n_rows < 2 or n_cols < 1 or nnz_per_col < 1:
        raise ValueError("need n_rows >= 2, n_cols >= 1 and nnz_per_col >= 1")
    rng = np.random.default_rng(seed)
    s_each = max(1, round(math.sqrt(n_rows / (2 * _BLOCK_POINTS))))
    bounds = np.rint(np.linspace(0, n_rows, 2 * s_each + 1)).astype(np.int64)
    length = np.diff(bounds)

    # Poles evenly along each street (as candidate sites are in practice), with jitter;
    # spacing per street, so that street ends are no further from a pole than half a gap.
    per_street = np.rint(np.linspace(0, n_cols, 2 * s_each + 1)).astype(np.int64)
    street = np.searchsorted(per_street, np.arange(n_cols), side="right") - 1
    s0, slen = bounds[street], length[street]
    rank = np.arange(n_cols) - per_street[street]
    gap = slen / np.diff(per_street)[street]
    pos = s0 + (rank + 0.5 + rng.uniform(-0.1, 0.1, n_cols)) * gap

    model = rng.choice(3, size=n_cols, p=_MODEL_SHARE)
    costs = _MODEL_COST[model]
    reach = nnz_per_col * _MODEL_REACH[model] * rng.uniform(0.75, 1.25, n_cols)

    # Nearest intersection, in points along the camera's own street.
    frac = (pos - s0) / slen * s_each - 0.5
    cross_at = np.clip(np.rint(frac), 0, s_each - 1).astype(np.int64)
    near = np.abs(frac - cross_at) * slen / s_each <= 0.25 * reach
    cross_len = np.where(near, np.maximum(1, np.rint(0.25 * reach)), 0).astype(np.int64)
    along_len = np.minimum(slen, np.maximum(1, np.rint(reach).astype(np.int64) - cross_len))
    # A camera at a street end looks down the street: shift its stretch inwards, don't cut it.
    a0 = np.clip(np.rint(pos - along_len / 2).astype(np.int64), s0, s0 + slen - along_len)
    a1 = a0 + along_len

    # Horizontal street u crosses vertical street t at fraction (u + 0.5) / S of t, and back.
    horizontal = street < s_each
    other = np.where(horizontal, s_each + cross_at, cross_at)
    own = np.where(horizontal, street, street - s_each)
    centre = bounds[other] + (own + 0.5) / s_each * length[other]
    cross_len = np.minimum(cross_len, length[other])
    c0 = np.clip(
        np.rint(centre - cross_len / 2).astype(np.int64),
        bounds[other],
        bounds[other + 1] - cross_len,
    )
    c1 = c0 + cross_len

    seg_start = np.stack([a0, c0], axis=1).ravel()
    seg_len = np.stack([np.maximum(a1 - a0, 0), np.maximum(c1 - c0, 0)], axis=1).ravel()
    indices = _ranges(seg_start, seg_len).astype(np.int32)
    indptr = np.zeros(n_cols + 1, dtype=np.int64)
    np.cumsum(seg_len.reshape(n_cols, 2).sum(axis=1), out=indptr[1:])
    matrix = sp.csc_array(
        (np.ones(indices.size, dtype=np.int8), indices, indptr), shape=(n_rows, n_cols)
    )

    weights = rng.lognormal(0.0, 0.75, n_rows)
    # Heavy sites (stations, schools, squares): clusters of rows worth 20-200x a typical row.
    n_sites = max(1, n_rows // 4000)
    centre_row = rng.integers(0, n_rows, n_sites)
    half = rng.integers(3, 40, n_sites)
    lo = np.maximum(0, centre_row - half)
    hi = np.minimum(n_rows, centre_row + half + 1)
    site_rows = _ranges(lo, hi - lo)
    site_value = np.repeat(rng.uniform(20.0, 200.0, n_sites), hi - lo)
    weights += np.bincount(site_rows, weights=site_value, minlength=n_rows)

    return CoverageProblem.build(
        matrix, weights=weights, costs=costs, name=f"synthetic-{n_rows}x{n_cols}-s{seed}"
    )
