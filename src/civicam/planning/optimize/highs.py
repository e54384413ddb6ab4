"""HiGHS models of the reduced problem: LP relaxations for bounds, MIPs for proof.

Both problems share one formulation. Columns: ``x_j`` (camera j chosen) and,
where credit can be partial, ``z_i`` in ``[0, k_i]`` (cameras credited to row
i); rows ``sum_j a_ij x_j - z_i >= 0``. Full covers skip ``z`` and ask
``sum_j a_ij x_j >= k_i`` directly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from civicam.planning.optimize.presolve import Reduced
from civicam.planning.optimize.problem import BoolArray, FloatArray

_INF = highspy.kHighsInf


@dataclass
class HighsResult:
    status: str
    objective: float | None  # best primal objective found (None: none)
    bound: float | None  # dual bound (LP value for LPs)
    x: FloatArray | None  # values of the x columns
    row_duals: FloatArray | None  # duals of the per-row constraints (LPs only)
    seconds: float


def _new_highs(time_limit: float, threads: int) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", 0)
    return h


def _pass(
    h: highspy.Highs,
    *,
    col_cost: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    row_lower: FloatArray,
    row_upper: FloatArray,
    start: NDArray[np.int64],
    index: NDArray[np.int32],
    value: FloatArray,
    integer_cols: int,
    maximize: bool,
) -> None:
    lp = highspy.HighsLp()
    lp.num_col_ = int(col_cost.size)
    lp.num_row_ = int(row_lower.size)
    lp.col_cost_ = col_cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = int(col_cost.size)
    lp.a_matrix_.num_row_ = int(row_lower.size)
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    if integer_cols:
        kinds = [highspy.HighsVarType.kInteger] * integer_cols + [
            highspy.HighsVarType.kContinuous
        ] * (int(col_cost.size) - integer_cols)
        lp.integrality_ = kinds
    h.passModel(lp)


def _z_block(
    n_rows: int, extra_rows: list[FloatArray]
) -> tuple[NDArray[np.int64], NDArray[np.int32], FloatArray]:
    """Colwise entries of the z columns: -1 on its own row, then extra rows' coefficients."""
    per = 1 + len(extra_rows)
    start = np.arange(n_rows + 1, dtype=np.int64) * per
    index = np.empty(n_rows * per, dtype=np.int32)
    value = np.empty(n_rows * per, dtype=np.float64)
    index[0::per] = np.arange(n_rows, dtype=np.int32)
    value[0::per] = -1.0
    for t, coef in enumerate(extra_rows, start=1):
        index[t::per] = n_rows + t - 1
        value[t::per] = coef
    return start, index, value


def _x_block(
    red: Reduced, extra_rows: list[FloatArray]
) -> tuple[NDArray[np.int64], NDArray[np.int32], FloatArray]:
    """Colwise entries of the x columns: 1 on each covered row, then extra rows."""
    if not extra_rows:
        return red.cp.copy(), red.ci.copy(), np.ones(red.nnz, dtype=np.float64)
    deg = np.diff(red.cp)
    per = deg + len(extra_rows)
    start = np.concatenate([[0], np.cumsum(per)]).astype(np.int64)
    index = np.empty(int(start[-1]), dtype=np.int32)
    value = np.ones(int(start[-1]), dtype=np.float64)
    # Position of each original nonzero in the widened layout.
    shift = np.repeat(start[:-1] - red.cp[:-1], deg)
    index[np.arange(red.nnz) + shift] = red.ci
    for t, coef in enumerate(extra_rows):
        pos = start[1:] - len(extra_rows) + t
        index[pos] = red.n_rows + t
        value[pos] = coef
    return start, index, value


def _stack(
    a: tuple[NDArray[np.int64], NDArray[np.int32], FloatArray],
    b: tuple[NDArray[np.int64], NDArray[np.int32], FloatArray],
) -> tuple[NDArray[np.int64], NDArray[np.int32], FloatArray]:
    sa, ia, va = a
    sb, ib, vb = b
    return (
        np.concatenate([sa, sb[1:] + sa[-1]]),
        np.concatenate([ia, ib]),
        np.concatenate([va, vb]),
    )


def solve_cover(
    red: Reduced,
    *,
    target: float | None,
    integral: bool,
    time_limit: float,
    threads: int = 1,
    columns: BoolArray | None = None,
    incumbent: BoolArray | None = None,
    cutoff: float | None = None,
) -> HighsResult:
    """Min-cost model: full cover (``target`` None) or credit ``>= target``.

    ``columns`` restricts the model to a subset of columns (the others fixed to
    0, used after reduced-cost fixing); ``cutoff`` asks only for solutions
    costing at most that much.
    """
    t0 = time.perf_counter()
    h = _new_highs(time_limit, threads)
    n, m = red.n_cols, red.n_rows
    upper = np.ones(n, dtype=np.float64)
    if columns is not None:
        upper[~columns] = 0.0
    if target is None:
        start, index, value = red.cp, red.ci, np.ones(red.nnz, dtype=np.float64)
        _pass(
            h,
            col_cost=red.cost.copy(),
            col_lower=np.zeros(n),
            col_upper=upper,
            row_lower=red.k.astype(np.float64),
            row_upper=np.full(m, _INF),
            start=start,
            index=index,
            value=value,
            integer_cols=n if integral else 0,
            maximize=False,
        )
    else:
        xb = _x_block(red, [])
        zb = _z_block(m, [red.u])
        start, index, value = _stack(xb, zb)
        _pass(
            h,
            col_cost=np.concatenate([red.cost, np.zeros(m)]),
            col_lower=np.zeros(n + m),
            col_upper=np.concatenate([upper, red.k.astype(np.float64)]),
            row_lower=np.concatenate([np.zeros(m), [target]]),
            row_upper=np.full(m + 1, _INF),
            start=start,
            index=index,
            value=value,
            integer_cols=n if integral else 0,
            maximize=False,
        )
    if cutoff is not None and integral:
        h.setOptionValue("objective_bound", float(cutoff))
    if incumbent is not None and integral:
        _warm_start(h, red, incumbent, with_z=target is not None)
    return _run(h, n, m, t0, integral)


def solve_max(
    red: Reduced,
    *,
    budget: float | None,
    max_count: int | None,
    integral: bool,
    time_limit: float,
    threads: int = 1,
    incumbent: BoolArray | None = None,
) -> HighsResult:
    """Max-coverage model with a budget row and/or a count row."""
    t0 = time.perf_counter()
    h = _new_highs(time_limit, threads)
    n, m = red.n_cols, red.n_rows
    extra: list[FloatArray] = []
    row_upper_extra: list[float] = []
    if budget is not None:
        extra.append(red.cost.astype(np.float64))
        row_upper_extra.append(float(budget))
    if max_count is not None:
        extra.append(np.ones(n, dtype=np.float64))
        row_upper_extra.append(float(max_count))
    xb = _x_block(red, extra)
    zb = _z_block(m, [])
    start, index, value = _stack(xb, zb)
    _pass(
        h,
        col_cost=np.concatenate([np.zeros(n), red.u]),
        col_lower=np.zeros(n + m),
        col_upper=np.concatenate([np.ones(n), red.k.astype(np.float64)]),
        row_lower=np.concatenate([np.zeros(m), np.full(len(extra), -_INF)]),
        row_upper=np.concatenate([np.full(m, _INF), row_upper_extra]),
        start=start,
        index=index,
        value=value,
        integer_cols=n if integral else 0,
        maximize=True,
    )
    if incumbent is not None and integral:
        _warm_start(h, red, incumbent, with_z=True)
    return _run(h, n, m, t0, integral)


def _warm_start(h: highspy.Highs, red: Reduced, chosen: BoolArray, *, with_z: bool) -> None:
    x = chosen.astype(np.float64)
    values = x
    if with_z:
        counts = np.bincount(red.ci[np.repeat(chosen, np.diff(red.cp))], minlength=red.n_rows)
        values = np.concatenate([x, np.minimum(counts, red.k).astype(np.float64)])
    sol = highspy.HighsSolution()
    sol.col_value = list(values)
    sol.value_valid = True
    h.setSolution(sol)


def _run(h: highspy.Highs, n: int, m: int, t0: float, integral: bool) -> HighsResult:
    h.run()
    status = h.getModelStatus()
    name = h.modelStatusToString(status)
    info = h.getInfo()
    sol = h.getSolution()
    has_primal = bool(info.primal_solution_status == 2)  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_primal else None
    x = np.asarray(sol.col_value[:n], dtype=np.float64) if has_primal else None
    bound: float | None
    if integral:
        bound = float(info.mip_dual_bound)
        if not math.isfinite(bound):
            bound = None
        if status == highspy.HighsModelStatus.kOptimal and objective is not None:
            bound = objective
        duals = None
    else:
        bound = objective if status == highspy.HighsModelStatus.kOptimal else None
        duals = (
            np.asarray(sol.row_dual[:m], dtype=np.float64)
            if status == highspy.HighsModelStatus.kOptimal
            else None
        )
    if status == highspy.HighsModelStatus.kInfeasible:
        name = "infeasible"
    elif status == highspy.HighsModelStatus.kOptimal:
        name = "optimal"
    elif status == highspy.HighsModelStatus.kTimeLimit:
        name = "time_limit"
    elif status == highspy.HighsModelStatus.kObjectiveBound:
        name = "cutoff"
    return HighsResult(name, objective, bound, x, duals, time.perf_counter() - t0)


def lp_dive(red: Reduced, *, time_limit: float, threads: int = 1) -> BoolArray | None:
    """A full cover found by diving on the LP relaxation.

    Solve the LP, fix every column at 1 in its solution plus the largest
    fractional one, re-solve (warm, from the last basis), and repeat until the
    fixed columns cover every row. None when the time runs out first.
    """
    t_end = time.perf_counter() + time_limit
    h = _new_highs(time_limit, threads)
    n, m = red.n_cols, red.n_rows
    _pass(
        h,
        col_cost=red.cost.copy(),
        col_lower=np.zeros(n),
        col_upper=np.ones(n),
        row_lower=red.k.astype(np.float64),
        row_upper=np.full(m, _INF),
        start=red.cp,
        index=red.ci,
        value=np.ones(red.nnz, dtype=np.float64),
        integer_cols=0,
        maximize=False,
    )
    fixed = np.zeros(n, dtype=np.bool_)
    while time.perf_counter() < t_end:
        h.setOptionValue("time_limit", float(max(t_end - time.perf_counter(), 0.01)))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        ones = (x > 1.0 - 1e-6) & ~fixed
        frac = np.flatnonzero((x > 1e-6) & (x <= 1.0 - 1e-6) & ~fixed)
        if frac.size == 0:
            return (x > 0.5) | fixed
        pick = np.flatnonzero(ones)
        if frac.size:
            pick = np.append(pick, frac[np.argmax(x[frac])])
        fixed[pick] = True
        h.changeColsBounds(
            int(pick.size), pick.astype(np.int32), np.ones(pick.size), np.ones(pick.size)
        )
    return None
