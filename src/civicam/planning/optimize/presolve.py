"""Presolve: shrink a coverage problem without changing its optimum.

- Fixed columns are taken out: the rows they cover lower their requirement, and
  the credit they earn becomes a constant.
- Rows no free column covers are dropped (their credit is unreachable); a
  row's requirement is capped at the number of columns that cover it.
- Identical rows with the same residual requirement merge (weights add).
- Columns that no longer cover anything are dropped; among columns with the
  same rows (all wanting one camera) only the cheapest stays; and a column is
  dropped when the cheapest columns of its rows, each earlier in (cost, index)
  order, together cost no more and cover at least as much (only without a
  camera-count limit, since that swap may use more cameras).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numba import njit
from numpy.typing import NDArray

from civicam.planning.optimize.problem import CoverageProblem, FloatArray, IntArray


@dataclass
class Reduced:
    """A presolved problem in the arrays the kernels use, and the way back."""

    cp: NDArray[np.int64]
    ci: NDArray[np.int32]
    rp: NDArray[np.int64]
    ri: NDArray[np.int32]
    u: FloatArray  # credit per camera of each kept row
    k: IntArray  # residual requirement of each kept row (>= 1)
    cost: FloatArray
    col_map: IntArray  # original index of each kept column
    fixed_cols: IntArray
    constant_credit: float  # earned by fixed columns alone
    unreachable_credit: float  # wanted by rows no free column can serve
    stats: dict[str, int]

    @property
    def n_rows(self) -> int:
        return int(self.u.shape[0])

    @property
    def n_cols(self) -> int:
        return int(self.cost.shape[0])

    @property
    def nnz(self) -> int:
        return int(self.ci.shape[0])

    @property
    def max_credit(self) -> float:
        """Credit of the reduced rows when every one of them is fully served."""
        return float(np.dot(self.u, self.k))

    def csc(self) -> sp.csc_array:
        data = np.ones(self.nnz, dtype=np.float64)
        return sp.csc_array((data, self.ci, self.cp), shape=(self.n_rows, self.n_cols))

    def to_original(self, reduced_cols: NDArray[np.integer]) -> IntArray:
        """Original column indices of a reduced selection, plus the fixed ones."""
        picked = self.col_map[np.asarray(reduced_cols, dtype=np.int64)]
        return np.unique(np.concatenate([self.fixed_cols, picked]).astype(np.int64))


def presolve(problem: CoverageProblem, *, cost_dominance: bool = True) -> Reduced:
    """Reduce ``problem``; see the module docstring for the rules."""
    a = problem.matrix
    fixed = problem.fixed
    fixed_cols = np.flatnonzero(fixed).astype(np.int64)
    base = problem.row_counts(fixed_cols) if fixed_cols.size else np.zeros(problem.n_rows, np.int64)
    k_full = problem.requirement
    unit = problem.unit_weights
    constant = float(np.sum(unit * np.minimum(base, k_full)))
    k_res = np.maximum(k_full - base, 0)

    free_cols = np.flatnonzero(~fixed)
    sub = a[:, free_cols] if fixed_cols.size else a
    degree = np.bincount(sub.indices, minlength=problem.n_rows)
    wanting = (k_res > 0) & (unit > 0)
    unreachable = float(np.sum(unit[wanting & (degree == 0)] * k_res[wanting & (degree == 0)]))
    # Beyond the rows' degree, extra requirement can never be met.
    unreachable += float(np.sum(unit[wanting] * np.maximum(k_res[wanting] - degree[wanting], 0)))
    keep_rows = np.flatnonzero(wanting & (degree > 0))
    k_kept = np.minimum(k_res[keep_rows], degree[keep_rows]).astype(np.int64)
    u_kept = unit[keep_rows].astype(np.float64)

    rows_csr = sp.csr_array(sub[keep_rows, :] if keep_rows.size < problem.n_rows else sub)
    rows_csr.sort_indices()
    stats = {
        "rows_in": problem.n_rows,
        "cols_in": problem.n_cols,
        "fixed_cols": int(fixed_cols.size),
        "rows_satisfied_or_unreachable": int(problem.n_rows - keep_rows.size),
    }

    # Merge identical rows with the same residual requirement.
    if rows_csr.shape[0] > 1:
        leader = _group_identical(
            rows_csr.indptr.astype(np.int64),
            rows_csr.indices,
            k_kept,
            rows_csr.shape[1],
            seed=12345,
        )
        uniq, inverse = np.unique(leader, return_inverse=True)
        if uniq.size < leader.size:
            u_kept = np.bincount(inverse, weights=u_kept * 1.0).astype(np.float64)
            k_kept = k_kept[uniq]
            rows_csr = sp.csr_array(rows_csr[uniq, :])
            rows_csr.sort_indices()
        stats["rows_merged"] = int(leader.size - uniq.size)

    csc = sp.csc_array(rows_csr)
    csc.sort_indices()
    col_cost = problem.costs[free_cols].astype(np.float64)
    col_ids = free_cols.astype(np.int64)
    col_deg = np.diff(csc.indptr)
    keep = col_deg > 0
    stats["cols_empty"] = int(np.sum(~keep))

    one_only = k_kept == 1
    if csc.shape[1] > 1 and csc.nnz:
        # Duplicate columns over rows that want one camera: keep the cheapest.
        col_all_one = _cols_all_rows(csc.indptr.astype(np.int64), csc.indices, one_only)
        order_key = np.lexsort((np.arange(col_cost.size), col_cost))
        rank = np.empty_like(order_key)
        rank[order_key] = np.arange(order_key.size)
        leader = _group_identical(
            csc.indptr.astype(np.int64),
            csc.indices,
            np.zeros(csc.shape[1], np.int64),
            csc.shape[0],
            seed=777,
            rank=rank,
        )
        dup = (leader != np.arange(leader.size)) & col_all_one & keep
        stats["cols_duplicate"] = int(np.sum(dup))
        keep &= ~dup
        if cost_dominance:
            dominated = _cost_dominated(
                csc.indptr.astype(np.int64),
                csc.indices,
                rows_csr.indptr.astype(np.int64),
                rows_csr.indices,
                col_cost,
                rank,
                keep,
                one_only,
            )
            stats["cols_dominated"] = int(np.sum(dominated))
            keep &= ~dominated

    kept = np.flatnonzero(keep)
    csc = sp.csc_array(csc[:, kept])
    csc.sort_indices()
    csr = sp.csr_array(csc)
    csr.sort_indices()
    # Rows can only lose columns here, never all of them: a dropped duplicate
    # or dominated column always leaves a kept column on each of its rows.
    stats["rows_out"] = int(csc.shape[0])
    stats["cols_out"] = int(kept.size)
    return Reduced(
        cp=csc.indptr.astype(np.int64),
        ci=csc.indices.astype(np.int32),
        rp=csr.indptr.astype(np.int64),
        ri=csr.indices.astype(np.int32),
        u=u_kept,
        k=k_kept,
        cost=col_cost[kept],
        col_map=col_ids[kept],
        fixed_cols=fixed_cols,
        constant_credit=constant,
        unreachable_credit=unreachable,
        stats=stats,
    )


def _group_identical(
    ptr: NDArray[np.int64],
    idx: NDArray[np.int32],
    tag: IntArray,
    width: int,
    *,
    seed: int,
    rank: NDArray[np.int64] | None = None,
) -> IntArray:
    """For each line (row of CSR / column of CSC), the index of an identical line chosen as leader.

    Lines are bucketed by two random 64-bit hashes and then compared exactly,
    so a hash collision can only cost a missed merge, never a wrong one. The
    leader is the line with the smallest ``rank`` (default: index).
    """
    count = ptr.shape[0] - 1
    rng = np.random.default_rng(seed)
    r1 = rng.integers(0, 2**63, size=width, dtype=np.int64).astype(np.uint64)
    r2 = rng.integers(0, 2**63, size=width, dtype=np.int64).astype(np.uint64)
    h1, h2 = _line_hashes(ptr, idx, r1, r2)
    if rank is None:
        rank = np.arange(count, dtype=np.int64)
    order = np.lexsort((rank, tag, h2, h1))
    return _verify_groups(ptr, idx, tag, h1, h2, order)


@njit(cache=True)
def _line_hashes(ptr: Any, idx: Any, r1: Any, r2: Any) -> tuple[Any, Any]:
    count = ptr.shape[0] - 1
    h1 = np.zeros(count, dtype=np.uint64)
    h2 = np.zeros(count, dtype=np.uint64)
    for t in range(count):
        a = np.uint64(0)
        b = np.uint64(ptr[t + 1] - ptr[t])
        for p in range(ptr[t], ptr[t + 1]):
            a += r1[idx[p]]
            b ^= r2[idx[p]]
        h1[t] = a
        h2[t] = b
    return h1, h2


@njit(cache=True)
def _verify_groups(ptr: Any, idx: Any, tag: Any, h1: Any, h2: Any, order: Any) -> Any:
    count = order.shape[0]
    leader = np.arange(count)
    lead = -1
    for pos in range(count):
        t = order[pos]
        if lead >= 0 and h1[t] == h1[lead] and h2[t] == h2[lead] and tag[t] == tag[lead]:
            same = (ptr[t + 1] - ptr[t]) == (ptr[lead + 1] - ptr[lead])
            if same:
                off = ptr[lead] - ptr[t]
                for p in range(ptr[t], ptr[t + 1]):
                    if idx[p] != idx[p + off]:
                        same = False
                        break
            if same:
                leader[t] = lead
                continue
        lead = t
    return leader


@njit(cache=True)
def _cols_all_rows(cp: Any, ci: Any, flag: Any) -> Any:
    m = cp.shape[0] - 1
    out = np.ones(m, dtype=np.bool_)
    for j in range(m):
        for p in range(cp[j], cp[j + 1]):
            if not flag[ci[p]]:
                out[j] = False
                break
    return out


@njit(cache=True)
def _cost_dominated(
    cp: Any, ci: Any, rp: Any, ri: Any, cost: Any, rank: Any, keep: Any, one_only: Any
) -> Any:
    n_rows = rp.shape[0] - 1
    m = cp.shape[0] - 1
    best = np.full(n_rows, -1, dtype=np.int64)
    for i in range(n_rows):
        for q in range(rp[i], rp[i + 1]):
            j = ri[q]
            if keep[j] and (best[i] < 0 or rank[j] < rank[best[i]]):
                best[i] = j
    out = np.zeros(m, dtype=np.bool_)
    for j in range(m):
        if not keep[j]:
            continue
        total = 0.0
        ok = True
        for p in range(cp[j], cp[j + 1]):
            i = ci[p]
            if not one_only[i] or best[i] == j or best[i] < 0:
                ok = False
                break
            total += cost[best[i]]
            if total > cost[j]:
                ok = False
                break
        if ok:
            out[j] = True
    return out
