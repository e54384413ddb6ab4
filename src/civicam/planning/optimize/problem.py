"""The weighted coverage problem and its solution, as plain data.

Rows are demand (places to see, each with a weight and an optional requirement
``k``: the row wants ``k`` distinct cameras and earns ``weight * min(n, k) / k``
when ``n`` chosen cameras see it). Columns are candidate cameras with costs; a
column may be fixed as already chosen (an installed camera).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


class ProblemError(ValueError):
    """An input that cannot form a valid coverage problem (the message says why)."""


class InfeasibleError(ProblemError):
    """The requested target cannot be reached by any choice of columns."""


@dataclass(frozen=True)
class CoverageProblem:
    """A weighted coverage instance.

    ``matrix`` is a rows-by-columns 0/1 sparse matrix: entry (i, j) is set when
    column j covers row i. Construct with :meth:`build` to get validation and
    canonical storage (CSC, int8 data, sorted indices).
    """

    matrix: sp.csc_array
    weights: FloatArray
    costs: FloatArray
    requirement: IntArray
    fixed: BoolArray
    name: str = "problem"

    @classmethod
    def build(
        cls,
        matrix: sp.sparray | sp.spmatrix | NDArray[np.generic],
        weights: NDArray[np.floating] | NDArray[np.integer] | list[float] | None = None,
        costs: NDArray[np.floating] | NDArray[np.integer] | list[float] | None = None,
        *,
        requirement: NDArray[np.integer] | list[int] | None = None,
        fixed: NDArray[np.bool_] | NDArray[np.integer] | list[bool] | list[int] | None = None,
        name: str = "problem",
    ) -> CoverageProblem:
        """Validate inputs and return a problem in canonical form.

        ``weights`` default to 1, ``costs`` to 1, ``requirement`` to 1. ``fixed``
        is either a boolean mask over columns or an array of column indices.
        Raises :class:`ProblemError` with a precise message on bad input.
        """
        if sp.issparse(matrix):
            a = sp.csc_array(matrix)
        else:
            dense = np.asarray(matrix)
            if dense.ndim != 2:
                raise ProblemError(f"coverage matrix must be 2-D, got {dense.ndim}-D")
            a = sp.csc_array(dense)
        n_rows, n_cols = a.shape
        if n_rows == 0 or n_cols == 0:
            raise ProblemError(
                f"coverage matrix is empty ({n_rows} rows x {n_cols} columns); "
                "a problem needs at least one demand row and one candidate column"
            )
        a.sum_duplicates()
        if a.nnz and (not np.all(np.isfinite(a.data)) or np.any(a.data < 0)):
            raise ProblemError("coverage matrix entries must be 0 or 1")
        a.eliminate_zeros()
        a.data = np.ones(a.nnz, dtype=np.int8)
        a.sort_indices()
        a.indices = a.indices.astype(np.int32, copy=False)
        a.indptr = a.indptr.astype(np.int64, copy=False)

        w = _vector(weights, n_rows, "weights", default=1.0)
        c = _vector(costs, n_cols, "costs", default=1.0)
        if np.any(w < 0):
            bad = int(np.flatnonzero(w < 0)[0])
            raise ProblemError(f"row weights must be >= 0 (row {bad} has {w[bad]})")
        if np.any(c < 0):
            bad = int(np.flatnonzero(c < 0)[0])
            raise ProblemError(f"column costs must be >= 0 (column {bad} has {c[bad]})")

        if requirement is None:
            k = np.ones(n_rows, dtype=np.int64)
        else:
            k_raw = np.asarray(requirement)
            if k_raw.shape != (n_rows,):
                raise ProblemError(
                    f"requirement must have one entry per row ({n_rows}), got shape {k_raw.shape}"
                )
            if not np.issubdtype(k_raw.dtype, np.integer):
                raise ProblemError("requirement must be integers (cameras wanted per row)")
            k = k_raw.astype(np.int64)
            if np.any(k < 1):
                bad = int(np.flatnonzero(k < 1)[0])
                raise ProblemError(f"requirement must be >= 1 (row {bad} has {k[bad]})")

        fixed_mask = np.zeros(n_cols, dtype=np.bool_)
        if fixed is not None:
            f_raw = np.asarray(fixed)
            if f_raw.dtype == np.bool_:
                if f_raw.shape != (n_cols,):
                    raise ProblemError(
                        f"fixed mask must have one entry per column ({n_cols}), "
                        f"got shape {f_raw.shape}"
                    )
                fixed_mask = f_raw.copy()
            else:
                if f_raw.size and (f_raw.min() < 0 or f_raw.max() >= n_cols):
                    raise ProblemError(f"fixed column index out of range 0..{n_cols - 1}")
                fixed_mask[f_raw.astype(np.int64)] = True
        return cls(a, w, c, k, fixed_mask, name)

    @property
    def n_rows(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def n_cols(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())

    @property
    def unit_weights(self) -> FloatArray:
        """Credit per covering camera: ``weight / k``."""
        return self.weights / self.requirement

    def covered_weight(self, columns: NDArray[np.integer] | list[int]) -> float:
        """Weight credited when ``columns`` (plus nothing else) are chosen."""
        cols = np.unique(np.asarray(columns, dtype=np.int64))
        if cols.size == 0:
            return 0.0
        counts = self.row_counts(cols)
        return float(np.sum(self.unit_weights * np.minimum(counts, self.requirement)))

    def row_counts(self, columns: NDArray[np.integer]) -> IntArray:
        """How many of ``columns`` (distinct) cover each row."""
        cols = np.unique(np.asarray(columns, dtype=np.int64))
        counts = np.zeros(self.n_rows, dtype=np.int64)
        if cols.size:
            sub = self.matrix[:, cols]
            counts += np.bincount(sub.indices, minlength=self.n_rows).astype(np.int64)
        return counts

    def cost_of(self, columns: NDArray[np.integer] | list[int]) -> float:
        cols = np.unique(np.asarray(columns, dtype=np.int64))
        return float(self.costs[cols].sum()) if cols.size else 0.0


def _vector(
    values: NDArray[np.floating] | NDArray[np.integer] | list[float] | None,
    n: int,
    what: str,
    *,
    default: float,
) -> FloatArray:
    if values is None:
        return np.full(n, default, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if v.shape != (n,):
        raise ProblemError(f"{what} must have {n} entries, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ProblemError(f"{what} must be finite numbers")
    return v


Status = Literal["optimal", "feasible"]


@dataclass(frozen=True)
class Solution:
    """An answer with its certificate.

    ``chosen`` includes fixed columns. ``cost`` counts only the columns chosen
    beyond the fixed ones (what must be bought); ``fixed_cost`` the rest.
    ``bound`` is an upper bound on covered weight (maximisation) or a lower
    bound on cost (minimisation); ``gap`` is the relative distance of the
    answer to that bound (0 means proven optimal).
    """

    problem: Literal["max_coverage", "min_cost"]
    chosen: IntArray
    cost: float
    fixed_cost: float
    covered_weight: float
    total_weight: float
    bound: float
    gap: float
    status: Status
    seconds: float
    stats: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def coverage_fraction(self) -> float:
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 1.0

    @property
    def new_columns(self) -> int:
        return int(self.stats.get("new_columns", len(self.chosen)))


def relative_gap(primal: float, bound: float, *, maximize: bool) -> float:
    """Relative gap between an objective value and its bound, clipped at 0."""
    diff = (bound - primal) if maximize else (primal - bound)
    if diff <= 1e-9 * max(1.0, abs(primal)):
        return 0.0
    denom = max(abs(bound) if maximize else abs(primal), 1e-12)
    return float(diff / denom)
