"""Budgeted maximum coverage: greedy, local search, bounds and exact proof."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from civicam.planning.optimize import highs, kernels
from civicam.planning.optimize.bounds import lagrangian_bound, submodular_bound
from civicam.planning.optimize.options import SolveOptions
from civicam.planning.optimize.presolve import Reduced
from civicam.planning.optimize.problem import BoolArray, FloatArray
from civicam.planning.optimize.search import State

# LP relaxations up to this many nonzeros solve in about a second here.
LP_MAX_NONZEROS = 400_000
MIN_EXACT_SECONDS = 1.0


@dataclass
class MaxResult:
    in_set: BoolArray
    credit: float  # reduced credit (without the fixed columns' constant)
    bound: float  # upper bound on reduced credit
    stats: dict[str, float | int | str]


def solve(
    red: Reduced, budget: float | None, max_count: int | None, options: SolveOptions
) -> MaxResult:
    """Maximise reduced credit within ``budget`` (money) and ``max_count`` (columns)."""
    t0 = time.perf_counter()
    deadline = t0 + options.time_limit_s
    stats: dict[str, float | int | str] = {}
    allowed = np.ones(red.n_cols, dtype=np.bool_)
    if budget is not None:
        allowed &= red.cost <= budget + 1e-9
    if not allowed.any() or max_count == 0 or red.n_rows == 0:
        return MaxResult(np.zeros(red.n_cols, np.bool_), 0.0, 0.0, stats)
    money = float("inf") if budget is None else float(budget)
    count = -1 if max_count is None else int(max_count)
    uniform = bool(np.ptp(red.cost[allowed]) == 0)

    best = _greedy(red, allowed, money, count, use_ratio=True)
    if budget is not None and not uniform:
        by_gain = _greedy(red, allowed, money, count, use_ratio=False)
        if by_gain.credit > best.credit:
            best = by_gain
        # The best single column guards greedy's worst case under a budget.
        single = State.empty(red)
        j = int(np.argmax(np.where(allowed, single.gain, -1.0)))
        single.add(j)
        if single.credit > best.credit:
            single.greedy_max(
                allowed, money - red.cost[j], count - 1 if count >= 0 else -1, use_ratio=True
            )
            single.refresh()
            if single.credit > best.credit:
                best = single
    stats["greedy_credit"] = best.credit
    _progress(options, "greedy", t0)

    removable = np.ones(red.n_cols, dtype=np.bool_)
    _local_search(best, allowed, removable, money, count, options, deadline)
    stats["local_search_credit"] = best.credit
    bound = _cheap_bound(red, best, budget, max_count)

    # The LP relaxation bounds the answer and, rounded, seeds the search: on
    # many real instances it is nearly integral.
    if red.nnz <= LP_MAX_NONZEROS and time.perf_counter() < deadline:
        lp = highs.solve_max(
            red,
            budget=budget,
            max_count=max_count,
            integral=False,
            time_limit=deadline - time.perf_counter(),
            threads=options.threads,
        )
        if lp.bound is not None:
            bound = min(bound, lp.bound)
            stats["lp_bound"] = lp.bound
        if lp.x is not None:
            seeded = _round_lp(red, lp.x, allowed, money, count)
            _local_search(seeded, allowed, removable, money, count, options, deadline)
            if seeded.credit > best.credit:
                best = seeded
    elif time.perf_counter() < deadline:
        # At lam = u on rows the answer leaves wanting (0 elsewhere) the
        # Lagrangian equals the submodular bound; the subgradient descends from there.
        start = np.where(best.n < red.k, red.u, 0.0)
        lag = lagrangian_bound(
            red.csc(),
            red.u,
            red.k.astype(np.float64),
            red.cost,
            budget,
            max_count,
            best.credit,
            iterations=options.lagrangian_iterations,
            deadline=t0 + 0.6 * options.time_limit_s,
            start=start,
        )
        bound = min(bound, lag)
        stats["lagrangian_bound"] = lag
    _progress(options, "bound", t0)

    # Variable neighbourhood search: shake the best answer with ``depth``
    # random swaps (deeper after each failure), repair with local search, keep
    # what improves; every few rounds restart from a greedy on randomly
    # reweighted rows instead.
    rng = np.random.default_rng(options.seed)
    rounds = 0
    since_better = 0
    depth = 1
    search_end = t0 + 0.5 * options.time_limit_s
    while (
        since_better < options.local_search_rounds
        and time.perf_counter() < search_end
        and bound - best.credit > 1e-9 * max(1.0, bound)
    ):
        rounds += 1
        since_better += 1
        if rounds % 8 == 0 or best.size == 0:
            trial = _noisy_greedy(red, allowed, money, count, rng)
        else:
            trial = best.copy()
            _shake(trial, allowed, money, depth, rng)
            depth = depth + 1 if depth < min(5, max(1, best.size)) else 1
        _local_search(trial, allowed, removable, money, count, options, deadline)
        if trial.credit > best.credit + 1e-9 * max(1.0, best.credit):
            best = trial
            since_better = 0
            depth = 1
            bound = min(bound, _cheap_bound(red, best, budget, max_count))
    stats["search_rounds"] = rounds
    _progress(options, "local search", t0)

    gap_open = bound - best.credit > 1e-9 * max(1.0, bound)
    # HiGHS overshoots short limits (its root node is not interruptible), so
    # "auto" only starts branch and bound with a worthwhile time left.
    run_exact = options.exact == "always" or (
        options.exact == "auto"
        and red.nnz <= options.exact_max_nonzeros
        and deadline - time.perf_counter() >= MIN_EXACT_SECONDS
    )
    if gap_open and run_exact and options.exact != "never" and time.perf_counter() < deadline:
        mip = highs.solve_max(
            red,
            budget=budget,
            max_count=max_count,
            integral=True,
            time_limit=deadline - time.perf_counter(),
            threads=options.threads,
            incumbent=best.in_set,
        )
        stats["mip_status"] = mip.status
        if mip.x is not None and mip.objective is not None:
            cand = State.of(red, mip.x > 0.5)
            if cand.credit > best.credit + 1e-9 * max(1.0, best.credit) and _fits(
                cand, budget, max_count
            ):
                best = cand
        if mip.bound is not None:
            bound = min(bound, mip.bound)
    best.refresh()
    bound = max(bound, best.credit)
    _progress(options, "done", t0)
    return MaxResult(best.in_set, best.credit, bound, stats)


def _greedy(
    red: Reduced, allowed: BoolArray, money: float, count: int, *, use_ratio: bool
) -> State:
    st = State.empty(red)
    st.greedy_max(allowed, money, count, use_ratio=use_ratio)
    st.refresh()
    return st


def _shake(
    st: State, allowed: BoolArray, money: float, depth: int, rng: np.random.Generator
) -> None:
    """Replace ``depth`` random chosen columns by random affordable outside ones."""
    cost = st.red.cost
    for _ in range(depth):
        chosen = np.flatnonzero(st.in_set)
        if chosen.size == 0:
            return
        out = int(rng.choice(chosen))
        st.remove(out)
        left = money - st.cost
        pool = np.flatnonzero(allowed & ~st.in_set & (cost <= left + 1e-9))
        pool = pool[pool != out]
        if pool.size == 0:
            st.add(out)
            return
        st.add(int(rng.choice(pool)))


def _noisy_greedy(
    red: Reduced, allowed: BoolArray, money: float, count: int, rng: np.random.Generator
) -> State:
    """Greedy on row weights scaled by random factors, re-scored on the true weights."""
    noisy = red.u * rng.uniform(0.6, 1.4, size=red.u.size)
    n = np.zeros(red.n_rows, dtype=np.int64)
    gain, loss = kernels.gain_loss(red.cp, red.ci, noisy, red.k, n)
    in_set = np.zeros(red.n_cols, dtype=np.bool_)
    kernels.greedy_max(
        red.cp,
        red.ci,
        red.rp,
        red.ri,
        noisy,
        red.k,
        n,
        gain,
        loss,
        red.cost,
        allowed,
        in_set,
        money,
        count,
        True,
    )
    return State.of(red, in_set)


def _round_lp(red: Reduced, x: FloatArray, allowed: BoolArray, money: float, count: int) -> State:
    """Take columns in order of LP value while they fit, then fill greedily."""
    st = State.empty(red)
    spent = 0.0
    for j in np.argsort(-x, kind="stable"):
        if x[j] < 0.5 or (count >= 0 and st.size >= count):
            break
        if allowed[j] and spent + red.cost[j] <= money + 1e-9:
            st.add(int(j))
            spent += float(red.cost[j])
    st.greedy_max(allowed, money - spent, count - st.size if count >= 0 else -1, use_ratio=True)
    st.refresh()
    return st


def _local_search(
    st: State,
    allowed: BoolArray,
    removable: BoolArray,
    money: float,
    count: int,
    options: SolveOptions,
    deadline: float,
) -> None:
    """Swaps, then refill with what the budget left, until neither helps."""
    for _ in range(max(1, options.local_search_rounds)):
        before = st.credit
        left = money - st.cost
        st.swap_search(allowed, removable, left, options.local_search_rounds)
        left = money - st.cost
        st.greedy_max(allowed, left, count - st.size if count >= 0 else -1, use_ratio=True)
        st.refresh()
        if st.credit <= before + 1e-12 * max(1.0, before) or time.perf_counter() > deadline:
            break


def _cheap_bound(red: Reduced, st: State, budget: float | None, max_count: int | None) -> float:
    return min(
        submodular_bound(st.credit, st.gain, st.in_set, red.cost, budget, max_count),
        red.max_credit,
    )


def _fits(st: State, budget: float | None, max_count: int | None) -> bool:
    if budget is not None and st.cost > budget + 1e-6 * max(1.0, budget):
        return False
    return max_count is None or st.size <= max_count


def _progress(options: SolveOptions, stage: str, t0: float) -> None:
    if options.progress is not None:
        options.progress(stage, time.perf_counter() - t0)
