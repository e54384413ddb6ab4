"""Compiled inner loops of the optimizer.

Greedy and local search walk the sparse matrix row by row and column by
column with data-dependent control flow; NumPy cannot vectorise that without
materialising huge intermediates, so these loops are compiled with Numba.

State shared by all kernels, for a problem with rows ``i`` and columns ``j``:

- ``cp, ci``: CSC structure (rows of column j are ``ci[cp[j]:cp[j+1]]``);
- ``rp, ri``: CSR structure (columns of row i are ``ri[rp[i]:rp[i+1]]``);
- ``u``: credit per covering camera of row i (``weight / k``), ``k``: requirement;
- ``n``: how many chosen columns cover row i;
- ``gain[j] = sum(u[i] for i in col j if n[i] < k[i])``: credit won by adding j;
- ``loss[j] = sum(u[i] for i in col j if n[i] <= k[i])``: credit lost by removing j
  (meaningful for chosen j).
Both are kept exact under every add and remove, so moves are evaluated in O(1)
and updates cost only the rows whose saturation changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

_JIT: dict[str, Any] = {"cache": True, "nogil": True}


@njit(**_JIT)
def counts_from(cp: Any, ci: Any, chosen: Any, n_rows: int) -> Any:
    n = np.zeros(n_rows, dtype=np.int64)
    for j in chosen:
        for p in range(cp[j], cp[j + 1]):
            n[ci[p]] += 1
    return n


@njit(**_JIT)
def gain_loss(cp: Any, ci: Any, u: Any, k: Any, n: Any) -> tuple[Any, Any]:
    m = cp.shape[0] - 1
    gain = np.zeros(m, dtype=np.float64)
    loss = np.zeros(m, dtype=np.float64)
    for j in range(m):
        g = 0.0
        s = 0.0
        for p in range(cp[j], cp[j + 1]):
            i = ci[p]
            if n[i] < k[i]:
                g += u[i]
            if n[i] <= k[i]:
                s += u[i]
        gain[j] = g
        loss[j] = s
    return gain, loss


@njit(**_JIT)
def add_column(
    j: int, cp: Any, ci: Any, rp: Any, ri: Any, u: Any, k: Any, n: Any, gain: Any, loss: Any
) -> float:
    """Choose column j; returns the credit won."""
    won = 0.0
    for p in range(cp[j], cp[j + 1]):
        i = ci[p]
        x = n[i]
        n[i] = x + 1
        if x < k[i]:
            won += u[i]
        if x + 1 == k[i]:
            for q in range(rp[i], rp[i + 1]):
                gain[ri[q]] -= u[i]
        if x == k[i]:
            for q in range(rp[i], rp[i + 1]):
                loss[ri[q]] -= u[i]
    return won


@njit(**_JIT)
def remove_column(
    j: int, cp: Any, ci: Any, rp: Any, ri: Any, u: Any, k: Any, n: Any, gain: Any, loss: Any
) -> float:
    """Drop column j; returns the credit lost."""
    lost = 0.0
    for p in range(cp[j], cp[j + 1]):
        i = ci[p]
        x = n[i]
        n[i] = x - 1
        if x <= k[i]:
            lost += u[i]
        if x == k[i]:
            for q in range(rp[i], rp[i + 1]):
                gain[ri[q]] += u[i]
        if x - 1 == k[i]:
            for q in range(rp[i], rp[i + 1]):
                loss[ri[q]] += u[i]
    return lost


# A binary max-heap over (key, id) stored in two arrays; numba's heapq wants
# reflected lists of tuples, which are slow to build for 10^5 items.
@njit(**_JIT)
def _heap_push(keys: Any, ids: Any, size: int, key: float, ident: int) -> int:
    pos = size
    keys[pos] = key
    ids[pos] = ident
    while pos > 0:
        parent = (pos - 1) // 2
        if keys[parent] >= keys[pos]:
            break
        keys[parent], keys[pos] = keys[pos], keys[parent]
        ids[parent], ids[pos] = ids[pos], ids[parent]
        pos = parent
    return size + 1


@njit(**_JIT)
def _heap_pop(keys: Any, ids: Any, size: int) -> tuple[float, int, int]:
    top_key = keys[0]
    top_id = ids[0]
    size -= 1
    keys[0] = keys[size]
    ids[0] = ids[size]
    pos = 0
    while True:
        left = 2 * pos + 1
        if left >= size:
            break
        best = left
        if left + 1 < size and keys[left + 1] > keys[left]:
            best = left + 1
        if keys[pos] >= keys[best]:
            break
        keys[pos], keys[best] = keys[best], keys[pos]
        ids[pos], ids[best] = ids[best], ids[pos]
        pos = best
    return top_key, top_id, size


@njit(**_JIT)
def _ratio(g: float, c: float, use_ratio: bool) -> float:
    if not use_ratio:
        return g
    if c <= 0.0:
        return g * 1e30
    return g / c


@njit(**_JIT)
def greedy_max(
    cp: Any,
    ci: Any,
    rp: Any,
    ri: Any,
    u: Any,
    k: Any,
    n: Any,
    gain: Any,
    loss: Any,
    cost: Any,
    allowed: Any,
    in_set: Any,
    budget: float,
    max_count: int,
    use_ratio: bool,
) -> float:
    """Lazy greedy for maximum coverage; adds to ``in_set`` in place.

    ``budget`` is the money left and ``max_count`` the columns left (-1: no limit).
    Gains only fall as columns are added (coverage is submodular), so a stale
    heap key is an upper bound and the lazy evaluation is exact. Returns the
    money spent.
    """
    m = cost.shape[0]
    keys = np.empty(m, dtype=np.float64)
    ids = np.empty(m, dtype=np.int64)
    size = 0
    for j in range(m):
        if allowed[j] and not in_set[j] and gain[j] > 0.0 and cost[j] <= budget:
            size = _heap_push(keys, ids, size, _ratio(gain[j], cost[j], use_ratio), j)
    spent = 0.0
    picked = 0
    while size > 0 and (max_count < 0 or picked < max_count):
        _key, j, size = _heap_pop(keys, ids, size)
        if cost[j] > budget - spent + 1e-12:
            continue
        g = gain[j]
        if g <= 0.0:
            continue
        cur = _ratio(g, cost[j], use_ratio)
        if size > 0 and cur < keys[0] - 1e-15 * abs(keys[0]):
            size = _heap_push(keys, ids, size, cur, j)
            continue
        add_column(j, cp, ci, rp, ri, u, k, n, gain, loss)
        in_set[j] = True
        spent += cost[j]
        picked += 1
    return spent


@njit(**_JIT)
def swap_search(
    cp: Any,
    ci: Any,
    rp: Any,
    ri: Any,
    u: Any,
    k: Any,
    n: Any,
    gain: Any,
    loss: Any,
    cost: Any,
    allowed: Any,
    in_set: Any,
    removable: Any,
    budget_left: float,
    max_rounds: int,
) -> tuple[float, int]:
    """Best-improvement 1-for-1 swaps for maximum coverage.

    For each chosen, removable column ``a``, the credit of any outside column
    ``b`` after removing ``a`` is ``gain[b] + extra[b]``, where ``extra`` sums
    the rows of ``a`` that ``a``'s removal would leave wanting (``n == k``) and
    ``b`` covers. A swap is taken when it wins credit and fits the budget.
    Returns (money left, swaps made).
    """
    m = cost.shape[0]
    extra = np.zeros(m, dtype=np.float64)
    touched = np.empty(m, dtype=np.int64)
    swaps = 0
    for _round in range(max_rounds):
        improved = False
        chosen = np.flatnonzero(in_set & removable)
        # The best gain outside the set bounds what an outside column that
        # shares no row with ``a`` can bring; when it cannot beat ``a``'s loss
        # the full scan is skipped (most of the time, on large instances).
        top = _max_outside_gain(gain, in_set, allowed)
        snapshot = gain.copy()
        order = np.argsort(-snapshot)
        for a in chosen:
            if not in_set[a]:
                continue
            nt = _critical_extra(a, cp, ci, rp, ri, u, k, n, extra, touched)
            la = loss[a]
            limit = budget_left + cost[a] + 1e-9
            best_delta = 1e-9 * (1.0 + la)
            best_b = -1
            for t in range(nt):
                b = touched[t]
                if in_set[b] or not allowed[b] or cost[b] > limit:
                    continue
                delta = gain[b] + extra[b] - la
                if delta > best_delta or (
                    best_b >= 0 and delta == best_delta and cost[b] < cost[best_b]
                ):
                    best_delta = delta
                    best_b = b
            if top - la > best_delta:
                # Walk outside columns by their gain at the start of the pass
                # (a snapshot: re-sorting after every swap costs more than it
                # finds); score the first few valid ones on current gains.
                found = 0
                for t2 in range(m):
                    b = order[t2]
                    if snapshot[b] - la <= best_delta:
                        break
                    if in_set[b] or not allowed[b] or cost[b] > limit or extra[b] != 0.0:
                        continue
                    delta = gain[b] - la
                    if delta > best_delta:
                        best_delta = delta
                        best_b = b
                    found += 1
                    if found >= 4:
                        break
            for t in range(nt):
                extra[touched[t]] = 0.0
            if best_b >= 0:
                remove_column(a, cp, ci, rp, ri, u, k, n, gain, loss)
                in_set[a] = False
                add_column(best_b, cp, ci, rp, ri, u, k, n, gain, loss)
                in_set[best_b] = True
                budget_left += cost[a] - cost[best_b]
                swaps += 1
                improved = True
                top = _max_outside_gain(gain, in_set, allowed)
        if not improved:
            break
    return budget_left, swaps


@njit(**_JIT)
def _critical_extra(
    a: int, cp: Any, ci: Any, rp: Any, ri: Any, u: Any, k: Any, n: Any, extra: Any, touched: Any
) -> int:
    """Credit each column would win back on the rows ``a`` alone keeps served.

    After removing chosen column ``a``, a row with ``n == k`` wants one camera;
    every column covering it could supply that. Adds the credit to ``extra``
    and lists the columns touched in ``touched[:nt]`` (returns ``nt``); callers
    reset ``extra`` on exactly those afterwards.
    """
    nt = 0
    for p in range(cp[a], cp[a + 1]):
        i = ci[p]
        if n[i] == k[i]:
            for q in range(rp[i], rp[i + 1]):
                b = ri[q]
                if extra[b] == 0.0:
                    touched[nt] = b
                    nt += 1
                extra[b] += u[i]
    return nt


@njit(**_JIT)
def _max_outside_gain(gain: Any, in_set: Any, allowed: Any) -> float:
    top = 0.0
    for b in range(gain.shape[0]):
        if not in_set[b] and allowed[b] and gain[b] > top:
            top = gain[b]
    return top


@njit(**_JIT)
def greedy_cover(
    cp: Any,
    ci: Any,
    rp: Any,
    ri: Any,
    u: Any,
    k: Any,
    n: Any,
    gain: Any,
    loss: Any,
    cost: Any,
    allowed: Any,
    in_set: Any,
    y: Any,
    s: Any,
    credit: float,
    target: float,
) -> float:
    """Lazy greedy for a cover: add columns until credit reaches ``target``.

    Score of column j (lower is better), over the rows it would still help:
    ``r = cost - sum(y)``, ``mu = sum(s)``; ``r / mu`` when ``r > 0`` else
    ``r * mu`` (the Lagrangian score of Caprara, Fischetti and Toth). With
    ``y = 0`` and ``s = u`` it is plain cost per unit of credit. Scores only
    rise as rows fill, so lazy evaluation is exact. Returns the credit reached.
    """
    m = cost.shape[0]
    # Per-column sums of y and s over the rows still wanting cameras.
    gy = np.zeros(m, dtype=np.float64)
    gs = np.zeros(m, dtype=np.float64)
    for j in range(m):
        a = 0.0
        b = 0.0
        for p in range(cp[j], cp[j + 1]):
            i = ci[p]
            if n[i] < k[i]:
                a += y[i]
                b += s[i]
        gy[j] = a
        gs[j] = b
    keys = np.empty(m, dtype=np.float64)
    ids = np.empty(m, dtype=np.int64)
    size = 0
    for j in range(m):
        if allowed[j] and not in_set[j] and gain[j] > 0.0:
            size = _heap_push(keys, ids, size, -_cover_score(cost[j], gy[j], gs[j]), j)
    tol = 1e-9 * max(1.0, abs(target))
    while credit < target - tol and size > 0:
        _key, j, size = _heap_pop(keys, ids, size)
        if gain[j] <= 0.0:
            continue
        cur = -_cover_score(cost[j], gy[j], gs[j])
        if size > 0 and cur < keys[0] - 1e-12 * (1.0 + abs(keys[0])):
            size = _heap_push(keys, ids, size, cur, j)
            continue
        for p in range(cp[j], cp[j + 1]):
            i = ci[p]
            if n[i] + 1 == k[i]:
                for q in range(rp[i], rp[i + 1]):
                    jj = ri[q]
                    gy[jj] -= y[i]
                    gs[jj] -= s[i]
        credit += add_column(j, cp, ci, rp, ri, u, k, n, gain, loss)
        in_set[j] = True
    return credit


@njit(**_JIT)
def _cover_score(c: float, gy: float, gs: float) -> float:
    if gs <= 1e-15:
        return 1e300
    r = c - gy
    if r > 0.0:
        return r / gs
    return r * gs


@njit(**_JIT)
def drop_redundant(
    cp: Any,
    ci: Any,
    rp: Any,
    ri: Any,
    u: Any,
    k: Any,
    n: Any,
    gain: Any,
    loss: Any,
    cost: Any,
    in_set: Any,
    removable: Any,
    credit: float,
    target: float,
) -> float:
    """Remove chosen columns, dearest first, while the credit stays at ``target``."""
    chosen = np.flatnonzero(in_set & removable)
    order = chosen[np.argsort(-cost[chosen], kind="mergesort")]
    tol = 1e-9 * max(1.0, abs(target))
    for j in order:
        if cost[j] <= 0.0:
            continue
        if credit - loss[j] >= target - tol:
            credit -= remove_column(j, cp, ci, rp, ri, u, k, n, gain, loss)
            in_set[j] = False
    return credit


@njit(**_JIT)
def cover_swaps(
    cp: Any,
    ci: Any,
    rp: Any,
    ri: Any,
    u: Any,
    k: Any,
    n: Any,
    gain: Any,
    loss: Any,
    cost: Any,
    allowed: Any,
    in_set: Any,
    removable: Any,
    credit: float,
    target: float,
    max_rounds: int,
    pair_limit: int,
    scan_all: bool,
) -> float:
    """Cost-reducing moves for a cover that keep credit >= target.

    1-for-1: replace chosen ``a`` by a cheaper outside ``b``; 2-for-1: replace
    chosen ``a1, a2`` by one outside ``b`` cheaper than both together (tried
    when the chosen set has at most ``pair_limit`` columns). Redundant columns
    are dropped after every move. Returns the new credit.
    """
    m = cost.shape[0]
    extra = np.zeros(m, dtype=np.float64)
    touched = np.empty(m, dtype=np.int64)
    tol = 1e-9 * max(1.0, abs(target))
    for _round in range(max_rounds):
        improved = False
        chosen = np.flatnonzero(in_set & removable)
        order = chosen[np.argsort(-cost[chosen], kind="mergesort")]
        for a in order:
            if not in_set[a]:
                continue
            nt = _critical_extra(a, cp, ci, rp, ri, u, k, n, extra, touched)
            need = target - tol - (credit - loss[a])
            best_b = -1
            best_cost = cost[a] - 1e-9 * (1.0 + cost[a])
            if need <= 0.0:
                best_cost = -1.0  # a alone is redundant; drop_redundant handles it
            else:
                for t in range(nt):
                    b = touched[t]
                    if in_set[b] or not allowed[b]:
                        continue
                    if gain[b] + extra[b] >= need and cost[b] < best_cost:
                        best_cost = cost[b]
                        best_b = b
                # Outside columns that share no critical row with a can still
                # help with partial targets; scan them only then.
                if best_b < 0 and scan_all:
                    for b in range(m):
                        if in_set[b] or not allowed[b] or extra[b] != 0.0:
                            continue
                        if gain[b] >= need and cost[b] < best_cost:
                            best_cost = cost[b]
                            best_b = b
            for t in range(nt):
                extra[touched[t]] = 0.0
            if best_b >= 0:
                credit -= remove_column(a, cp, ci, rp, ri, u, k, n, gain, loss)
                in_set[a] = False
                credit += add_column(best_b, cp, ci, rp, ri, u, k, n, gain, loss)
                in_set[best_b] = True
                credit = drop_redundant(
                    cp, ci, rp, ri, u, k, n, gain, loss, cost, in_set, removable, credit, target
                )
                improved = True
        chosen = np.flatnonzero(in_set & removable)
        if chosen.shape[0] <= pair_limit:
            moved = _pair_swap(
                cp,
                ci,
                rp,
                ri,
                u,
                k,
                n,
                gain,
                loss,
                cost,
                allowed,
                in_set,
                removable,
                credit,
                target,
                extra,
                touched,
            )
            if moved >= 0.0:
                credit = moved
                credit = drop_redundant(
                    cp, ci, rp, ri, u, k, n, gain, loss, cost, in_set, removable, credit, target
                )
                improved = True
        if not improved:
            break
    return credit


@njit(**_JIT)
def _pair_swap(
    cp: Any,
    ci: Any,
    rp: Any,
    ri: Any,
    u: Any,
    k: Any,
    n: Any,
    gain: Any,
    loss: Any,
    cost: Any,
    allowed: Any,
    in_set: Any,
    removable: Any,
    credit: float,
    target: float,
    extra: Any,
    touched: Any,
) -> float:
    """One improving 2-for-1 move, or -1.0 when there is none."""
    tol = 1e-9 * max(1.0, abs(target))
    chosen = np.flatnonzero(in_set & removable)
    for x in range(chosen.shape[0]):
        a1 = chosen[x]
        lost1 = remove_column(a1, cp, ci, rp, ri, u, k, n, gain, loss)
        base = credit - lost1
        for y in range(x + 1, chosen.shape[0]):
            a2 = chosen[y]
            pair_cost = cost[a1] + cost[a2]
            nt = _critical_extra(a2, cp, ci, rp, ri, u, k, n, extra, touched)
            need = target - tol - (base - loss[a2])
            best_b = -1
            best_cost = pair_cost - 1e-9 * (1.0 + pair_cost)
            for t in range(nt):
                b = touched[t]
                if in_set[b] or not allowed[b] or b == a1:
                    continue
                if gain[b] + extra[b] >= need and cost[b] < best_cost:
                    best_cost = cost[b]
                    best_b = b
            for t in range(nt):
                extra[touched[t]] = 0.0
            if best_b >= 0:
                c2 = credit - lost1
                c2 -= remove_column(a2, cp, ci, rp, ri, u, k, n, gain, loss)
                in_set[a1] = False
                in_set[a2] = False
                c2 += add_column(best_b, cp, ci, rp, ri, u, k, n, gain, loss)
                in_set[best_b] = True
                return c2
        add_column(a1, cp, ci, rp, ri, u, k, n, gain, loss)
    return -1.0
