"""Minimum-cost cover: LP duals guide greedy and local search; HiGHS proves.

For a full cover the LP relaxation's duals ``y`` give each column a reduced
cost ``d_j = c_j - sum_{i in j} y_i`` and a bound ``LB = sum_i k_i y_i +
sum_j min(0, d_j)``; any cover using column j costs at least ``LB + d_j``
(when ``d_j > 0``). So once a cover of cost ``UB`` is known, every column with
``LB + d_j > UB - step`` (``step`` = the smallest possible improvement) can be
left out of the search for a better one, and the exact solver only sees what
is left: usually a small fraction of the instance.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from civicam.planning.optimize import highs
from civicam.planning.optimize.options import SolveOptions
from civicam.planning.optimize.presolve import Reduced
from civicam.planning.optimize.problem import BoolArray, FloatArray
from civicam.planning.optimize.search import State

LP_MAX_NONZEROS = 3_000_000
# Destroy-and-repair rounds are cheap and improvements come late on hard
# covers, so the search tolerates more stale rounds than maximum coverage.
COVER_STALE_FACTOR = 5


@dataclass
class MinResult:
    in_set: BoolArray
    cost: float
    bound: float
    proven: bool
    stats: dict[str, float | int | str]


def solve(red: Reduced, need: float, options: SolveOptions) -> MinResult:
    """Cheapest selection of reduced columns whose credit reaches ``need``."""
    t0 = time.perf_counter()
    deadline = t0 + options.time_limit_s
    stats: dict[str, float | int | str] = {}
    full = need >= red.max_credit - 1e-9 * max(1.0, red.max_credit)
    need = min(need, red.max_credit)
    integer_costs = bool(np.all(red.cost == np.round(red.cost)))
    allowed = np.ones(red.n_cols, dtype=np.bool_)
    removable = np.ones(red.n_cols, dtype=np.bool_)

    # Bound and duals.
    y = np.zeros(red.n_rows, dtype=np.float64)
    bound = _knapsack_lower_bound(red, need)
    if red.nnz <= LP_MAX_NONZEROS:
        lp = highs.solve_cover(
            red,
            target=None if full else need,
            integral=False,
            time_limit=max(0.05, 0.5 * (deadline - time.perf_counter())),
            threads=options.threads,
        )
        if lp.bound is not None:
            bound = max(bound, lp.bound)
            stats["lp_bound"] = lp.bound
        if lp.row_duals is not None:
            # One dual per demand row (a partial cover's extra target row is
            # dropped): the Lagrangian price of serving that row.
            y = np.maximum(lp.row_duals[: red.n_rows], 0.0)
    elif full:
        y, lag = _subgradient(red, options, deadline)
        bound = max(bound, lag)
        stats["lagrangian_bound"] = lag
    if integer_costs:
        bound = float(np.ceil(bound - 1e-6))
    _progress(options, "bound", t0)

    # Primal: greedy under several pricings, each polished by local search.
    ones = np.ones(red.n_rows, dtype=np.float64)
    s_weight = ones if full else red.u
    best = _cover(red, allowed, removable, np.zeros_like(y), red.u, need, options)
    if y.any():
        guided = _cover(red, allowed, removable, y, s_weight, need, options)
        if guided.cost < best.cost:
            best = guided
    if full and red.nnz <= LP_MAX_NONZEROS and time.perf_counter() < deadline:
        dive = highs.lp_dive(
            red,
            time_limit=max(0.05, 0.2 * (deadline - time.perf_counter())),
            threads=options.threads,
        )
        if dive is not None:
            polished = _polish(State.of(red, dive), allowed, removable, need, options)
            stats["dive_cost"] = polished.cost
            if polished.cost < best.cost:
                best = polished
    rng = np.random.default_rng(options.seed)
    # Large instances far from their bound gain more from the core search (branch and
    # bound on the LP's best columns) than from more destroy-and-repair rounds.
    ils_share = 0.7
    if full and red.nnz > CORE_FIRST_NONZEROS and best.cost - bound > 0.02 * best.cost:
        ils_share = 0.45
    stats["search_share"] = ils_share
    best, runs = _iterated_search(
        red,
        best,
        y,
        s_weight,
        need,
        bound,
        integer_costs,
        options,
        t0 + ils_share * options.time_limit_s,
        rng,
    )
    stats["search_rounds"] = runs
    stats["heuristic_cost"] = best.cost
    _progress(options, "heuristic", t0)

    proven = best.cost <= bound + 1e-9 * max(1.0, bound) or (
        integer_costs and best.cost - bound < 1.0 - 1e-9
    )
    run_exact = options.exact == "always" or options.exact == "auto"
    if not proven and run_exact and time.perf_counter() < deadline:
        proven, best, bound = _exact(
            red, best, bound, y, full, need, integer_costs, options, deadline, stats
        )
    if proven:
        bound = best.cost
    _progress(options, "done", t0)
    return MinResult(best.in_set, best.cost, min(bound, best.cost), proven, stats)


#: Seconds kept back from HiGHS's branch and bound: it checks its clock between nodes
#: and on large problems stops up to a few tenths of a second late.
MIP_TIME_MARGIN = 0.3
#: Above this many nonzeros, an instance far from its bound hands time to the core
#: search sooner.
CORE_FIRST_NONZEROS = 100_000


def _step(cost: float, integer_costs: bool) -> float:
    return 1.0 if integer_costs else 1e-6 * max(1.0, abs(cost))


@dataclass
class _Cover:
    in_set: BoolArray
    cost: float


def _cover(
    red: Reduced,
    allowed: BoolArray,
    removable: BoolArray,
    y: FloatArray,
    s: FloatArray,
    need: float,
    options: SolveOptions,
) -> _Cover:
    st = State.empty(red)
    st.greedy_cover(allowed, y, s, need)
    return _polish(st, allowed, removable, need, options)


def _iterated_search(
    red: Reduced,
    start: _Cover,
    y: FloatArray,
    s: FloatArray,
    need: float,
    bound: float,
    integer_costs: bool,
    options: SolveOptions,
    end: float,
    rng: np.random.Generator,
) -> tuple[_Cover, int]:
    """Destroy and repair: drop a cluster of chosen columns, re-cover with a
    randomly perturbed Lagrangian greedy, polish; accept ties to roam plateaus."""
    allowed = np.ones(red.n_cols, dtype=np.bool_)
    removable = allowed
    current = State.of(red, start.in_set)
    best = start
    rounds = 0
    since_better = 0
    # A longer time limit buys a more patient search on a larger instance: on
    # hard covers the last gains come tens of thousands of rounds in (scpnrg1:
    # ~80k rounds, 40 s), while small ones are better left to the exact solver.
    patience = max(COVER_STALE_FACTOR, min(options.time_limit_s, red.nnz / 500))
    stale_limit = int(options.local_search_rounds * patience)
    while (
        since_better < stale_limit
        and time.perf_counter() < end
        and best.cost > bound + _step(best.cost, integer_costs) / 2
    ):
        rounds += 1
        since_better += 1
        trial = current.copy()
        chosen = np.flatnonzero(trial.in_set)
        if chosen.size == 0:
            break
        size = int(rng.integers(1, max(2, chosen.size // 6) + 1))
        seed_col = int(rng.choice(chosen))
        # Columns sharing rows with the seed first: repairing one region at
        # a time lets the greedy rebuild it differently.
        rows = red.ci[red.cp[seed_col] : red.cp[seed_col + 1]]
        near = np.unique(np.concatenate([red.ri[red.rp[i] : red.rp[i + 1]] for i in rows]))
        near = near[trial.in_set[near]]
        pool = near if near.size >= size else chosen
        drop = rng.choice(pool, size=min(size, pool.size), replace=False)
        for j in drop:
            trial.remove(int(j))
        noise = rng.uniform(0.85, 1.15, size=red.n_rows)
        # Every other round the dropped columns may not come straight back,
        # which forces the repair to try something new.
        repair_allowed = allowed
        if rounds % 2 == 0:
            repair_allowed = allowed.copy()
            repair_allowed[drop] = False
        trial.greedy_cover(repair_allowed, y * noise, s * noise, need)
        trial.drop_redundant(removable, need)
        trial.cover_swaps(allowed, removable, need, 5, 0)
        if trial.credit < need - 1e-6 * max(1.0, need):
            continue
        if trial.cost <= current.cost + 1e-9:
            current = trial
        if trial.cost < best.cost - 1e-9:
            best = _Cover(trial.in_set.copy(), trial.cost)
            since_better = 0
    return best, rounds


def _polish(
    st: State, allowed: BoolArray, removable: BoolArray, need: float, options: SolveOptions
) -> _Cover:
    """Drop redundant columns, then cost-reducing swaps (2-for-1 on smaller instances)."""
    st.drop_redundant(removable, need)
    pair_limit = 400 if st.red.n_cols <= 20_000 else 0
    st.cover_swaps(allowed, removable, need, max(1, options.local_search_rounds), pair_limit)
    return _Cover(st.in_set, st.cost)


def _exact(
    red: Reduced,
    best: _Cover,
    bound: float,
    y: FloatArray,
    full: bool,
    need: float,
    integer_costs: bool,
    options: SolveOptions,
    deadline: float,
    stats: dict[str, float | int | str],
) -> tuple[bool, _Cover, float]:
    """Search for a cover cheaper than ``best`` among the columns that could be in one."""
    step = _step(best.cost, integer_costs)
    cutoff = best.cost - step / 2 if integer_costs else best.cost - step
    columns: BoolArray | None = None
    if full and y.any():
        a = red.csc()
        d = red.cost - (a.T @ y)
        lb_y = float(np.dot(red.k, y) + np.minimum(d, 0.0).sum())
        columns = lb_y + np.maximum(d, 0.0) <= cutoff + 1e-9
        stats["columns_after_fixing"] = int(columns.sum())
        kept_nnz = int(np.diff(red.cp)[columns].sum())
    else:
        kept_nnz = red.nnz
    if full and y.any() and (best.cost - bound) > 0.01 * best.cost:
        # A proof is far off: first let HiGHS look for better covers on a core.
        core_end = time.perf_counter() + 0.5 * (deadline - time.perf_counter())
        best = _core_search(red, best, y, options, core_end, stats)
        step = _step(best.cost, integer_costs)
        cutoff = best.cost - step / 2 if integer_costs else best.cost - step
        if columns is not None:
            a = red.csc()
            d = red.cost - (a.T @ y)
            lb_y = float(np.dot(red.k, y) + np.minimum(d, 0.0).sum())
            columns = lb_y + np.maximum(d, 0.0) <= cutoff + 1e-9
            kept_nnz = int(np.diff(red.cp)[columns].sum())
    if options.exact == "auto" and kept_nnz > options.exact_max_nonzeros:
        stats["exact"] = "core: reduced problem too large to prove"
        if full and y.any():
            # A second round on a core twice as wide: the first one is often solved to
            # optimality with time to spare, and a wider core holds better covers.
            best = _core_search(red, best, y, options, deadline, stats, per_row=10, growth=4)
        return False, best, bound
    incumbent = best.in_set if columns is None or not np.any(best.in_set & ~columns) else None
    mip = highs.solve_cover(
        red,
        target=None if full else need,
        integral=True,
        time_limit=max(0.05, deadline - time.perf_counter() - MIP_TIME_MARGIN),
        threads=options.threads,
        columns=columns,
        incumbent=incumbent,
        cutoff=cutoff if incumbent is None else None,
    )
    stats["mip_status"] = mip.status
    stats["mip_seconds"] = mip.seconds
    if mip.x is not None and mip.objective is not None and mip.objective < best.cost - 1e-9:
        chosen = mip.x > 0.5
        st = State.of(red, chosen)
        if st.credit >= need - 1e-6 * max(1.0, need):
            best = _Cover(chosen, float(red.cost[chosen].sum()))
    if mip.status in ("infeasible", "cutoff"):
        # Nothing cheaper than the incumbent exists: it is optimal.
        return True, best, best.cost
    if mip.status == "optimal":
        return True, best, best.cost
    if mip.bound is not None:
        reduced_bound = float(np.ceil(mip.bound - 1e-6)) if integer_costs else mip.bound
        # Covers outside the kept columns cost at least the cutoff.
        bound = max(bound, min(reduced_bound, best.cost if integer_costs else cutoff))
    return False, best, bound


def _core_search(
    red: Reduced,
    best: _Cover,
    y: FloatArray,
    options: SolveOptions,
    deadline: float,
    stats: dict[str, float | int | str],
    *,
    per_row: int = 5,
    growth: int = 2,
) -> _Cover:
    """Branch and bound on a core: the columns the LP prices best, plus the incumbent.

    Too large to prove, the instance is still searched well by HiGHS on a small
    core (the idea of Caprara, Fischetti and Toth's core problem): for each row
    the few columns of least reduced cost, then the cheapest columns overall
    while the core has at most ``growth`` times the nonzeros of those (and never more
    than ``exact_max_nonzeros``). A cover of the core is a cover of the whole, so
    nothing found here can be infeasible.
    """
    d = red.cost - (red.csc().T @ y)
    core = best.in_set.copy()
    rank = np.argsort(d, kind="stable")
    position = np.empty_like(rank)
    position[rank] = np.arange(rank.size)
    # For each row, its columns ordered by reduced cost: take the first few.
    col_rank = position[red.ri]
    order = np.lexsort((col_rank, np.repeat(np.arange(red.n_rows), np.diff(red.rp))))
    sorted_cols = red.ri[order]
    starts = red.rp[:-1]
    take = np.minimum(np.diff(red.rp), per_row)
    idx = np.concatenate([np.arange(s0, s0 + t) for s0, t in zip(starts, take, strict=True)])
    core[sorted_cols[idx]] = True
    deg = np.diff(red.cp)
    budget_nnz = min(options.exact_max_nonzeros, growth * int(deg[core].sum()))
    cum = np.cumsum(np.where(core[rank], 0, deg[rank]))
    core[rank[(cum + deg[core].sum()) <= budget_nnz]] = True
    stats["core_columns"] = int(core.sum())
    left = deadline - time.perf_counter()
    if left < 1.0 or core.all():
        return best
    mip = highs.solve_cover(
        red,
        target=None,
        integral=True,
        time_limit=max(0.05, left - MIP_TIME_MARGIN),
        threads=options.threads,
        columns=core,
        incumbent=best.in_set,
    )
    stats["core_status"] = mip.status
    if mip.x is not None and mip.objective is not None and mip.objective < best.cost - 1e-9:
        chosen = mip.x > 0.5
        st = State.of(red, chosen)
        if st.credit >= red.max_credit - 1e-6 * max(1.0, red.max_credit):
            return _Cover(chosen, float(red.cost[chosen].sum()))
    return best


def _knapsack_lower_bound(red: Reduced, need: float) -> float:
    """Cheapest fractional purchase of credit: each column buys at most its first-pick gain."""
    if need <= 0:
        return 0.0
    value = sp.csc_array((red.u[red.ci], red.ci, red.cp), shape=(red.n_rows, red.n_cols)).sum(
        axis=0
    )
    value = np.asarray(value, dtype=np.float64).ravel()
    pos = value > 0
    ratio = red.cost[pos] / value[pos]
    order = np.argsort(ratio, kind="stable")
    cum = np.cumsum(value[pos][order])
    idx = int(np.searchsorted(cum, need, side="left"))
    if idx >= order.size:
        return float(red.cost[pos].sum())
    before = float(cum[idx - 1]) if idx else 0.0
    spent = float(red.cost[pos][order][:idx].sum())
    return spent + (need - before) * float(ratio[order[idx]])


def _subgradient(red: Reduced, options: SolveOptions, deadline: float) -> tuple[FloatArray, float]:
    """Lagrangian bound of a full cover (rows' cover constraints relaxed)."""
    a = red.csc()
    at = sp.csr_array(a.T)
    k = red.k.astype(np.float64)
    y = np.zeros(red.n_rows)
    # Start from each row's cheapest cost per row covered.
    per_row = red.cost / np.maximum(np.diff(red.cp), 1)
    y = np.full(red.n_rows, np.inf)
    np.minimum.at(y, red.ci, np.repeat(per_row, np.diff(red.cp)))
    y[~np.isfinite(y)] = 0.0
    best_y = y.copy()
    best = -np.inf
    theta = 2.0
    ub = float(red.cost.sum())
    stall = 0
    for _ in range(max(1, options.lagrangian_iterations)):
        if time.perf_counter() > deadline:
            break
        d = red.cost - at @ y
        x = (d < 0).astype(np.float64)
        value = float(np.dot(k, y) + d[d < 0].sum())
        if value > best + 1e-9 * max(1.0, abs(best)):
            best = value
            best_y = y.copy()
            stall = 0
        else:
            stall += 1
            if stall >= 20:
                theta /= 2
                stall = 0
        grad = k - a @ x
        norm = float(np.dot(grad, grad))
        if norm == 0 or theta < 1e-4:
            break
        y = np.maximum(y + theta * (1.05 * ub - value) / norm * grad, 0.0)
    return best_y, float(best)


def _progress(options: SolveOptions, stage: str, t0: float) -> None:
    if options.progress is not None:
        options.progress(stage, time.perf_counter() - t0)
