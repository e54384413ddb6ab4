"""Coverage arithmetic over a set of cameras (pure logic, no I/O).

A demand row with weight ``w`` that wants ``k`` cameras earns ``w / k`` from
each camera that sees it, up to ``k`` of them (the optimizer's backup-coverage
credit). Everything here works on a 0/1 sparse matrix of demand rows by
cameras plus ``base`` counts: how many cameras outside the matrix (an existing
network) already see each row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Demand:
    """Row weights and requirements: what a camera's credit is measured in."""

    weight: FloatArray
    requirement: IntArray

    @property
    def unit(self) -> FloatArray:
        """Credit of one camera on each row: ``weight / k``."""
        return self.weight / self.requirement

    @property
    def total(self) -> float:
        return float(self.weight.sum())


def counts(matrix: sp.csc_array, columns: IntArray | None = None) -> IntArray:
    """How many of ``columns`` (all when None) see each row."""
    sub = matrix if columns is None else matrix[:, np.asarray(columns, dtype=np.int64)]
    return np.bincount(sub.indices, minlength=matrix.shape[0]).astype(np.int64)


def row_credit(n: IntArray, demand: Demand) -> FloatArray:
    """Credit earned on each row by ``n`` cameras."""
    return demand.unit * np.minimum(n, demand.requirement)


def credit(n: IntArray, demand: Demand) -> float:
    """Total credit (covered weight) of row counts ``n``."""
    return float(row_credit(n, demand).sum())


def _column_sums(matrix: sp.csc_array, values: FloatArray) -> FloatArray:
    """Sum of ``values`` over the rows of each column."""
    if matrix.shape[1] == 0:
        return np.zeros(0)
    return np.asarray(matrix.T @ values, dtype=np.float64)


def standalone(matrix: sp.csc_array, demand: Demand) -> FloatArray:
    """Credit each camera earns on its own (no other camera anywhere)."""
    return _column_sums(matrix, demand.unit)


def marginal_gains(matrix: sp.csc_array, n: IntArray, demand: Demand) -> FloatArray:
    """Credit each column would add to a network whose row counts are ``n``."""
    return _column_sums(matrix, demand.unit * (n < demand.requirement))


def marginal_losses(matrix: sp.csc_array, n: IntArray, demand: Demand) -> FloatArray:
    """Credit lost by removing each column from a network with row counts ``n``.

    Every column must be part of that network (counted in ``n``). Removing one
    of ``n`` cameras from a row loses ``w / k`` exactly when ``n <= k``.
    """
    return _column_sums(matrix, demand.unit * ((n >= 1) & (n <= demand.requirement)))


@dataclass(frozen=True)
class Removal:
    """A camera dropped as redundant: what removing it cost at that moment."""

    column: int
    loss: float
    own: float

    @property
    def share(self) -> float:
        """Loss as a fraction of the camera's own credit (0 for a camera that sees nothing)."""
        return self.loss / self.own if self.own > 0 else 0.0


def redundancy_shares(
    matrix: sp.csc_array, base: IntArray, demand: Demand
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(loss, own, share) of each column within the network base + all columns.

    ``share`` is the loss over the camera's own credit: near 0 means the
    others already see what it sees.
    """
    n = base + counts(matrix)
    loss = marginal_losses(matrix, n, demand)
    own = standalone(matrix, demand)
    share = np.divide(loss, own, out=np.zeros_like(loss), where=own > 0)
    return loss, own, share


def prune_redundant(
    matrix: sp.csc_array,
    base: IntArray,
    demand: Demand,
    threshold: float,
    costs: FloatArray,
) -> tuple[IntArray, list[Removal]]:
    """Drop, one at a time, the camera whose removal loses the smallest share of its
    own credit, while that share is at most ``threshold``.

    One at a time because redundancy is relative: of two identical cameras
    each is redundant given the other, but only one may go. Ties go to the
    dearer camera (it saves more), then to the later column. Returns the kept
    columns (ascending) and the removals in order.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"redundancy threshold must be within 0..1, got {threshold}")
    keep = np.ones(matrix.shape[1], dtype=np.bool_)
    n = base + counts(matrix)
    own = standalone(matrix, demand)
    removed: list[Removal] = []
    while keep.any():
        cols = np.flatnonzero(keep)
        loss = marginal_losses(matrix[:, cols], n, demand)
        share = np.divide(loss, own[cols], out=np.zeros_like(loss), where=own[cols] > 0)
        # lexsort: last key is primary; smallest share, then highest cost, then latest column.
        order = np.lexsort((-cols, -costs[cols], share))
        best = int(order[0])
        if share[best] > threshold + 1e-12:
            break
        j = int(cols[best])
        keep[j] = False
        n = n - counts(matrix[:, [j]])
        removed.append(Removal(j, float(loss[best]), float(own[j])))
    return np.flatnonzero(keep).astype(np.int64), removed


@dataclass(frozen=True)
class Overlap:
    """Who sees what among several plans: weights of rows seen, beyond a base network."""

    seen: FloatArray  # per plan: weight of rows it sees (and the base does not)
    exclusive: FloatArray  # per plan: weight only it sees
    pairwise: FloatArray  # [p, q]: weight both p and q see (diagonal = seen)
    all_plans: float  # weight every plan sees
    union: float  # weight at least one plan sees
    base: float  # weight the base network already sees


def overlap(seen_by: list[BoolArray], base_seen: BoolArray, weight: FloatArray) -> Overlap:
    """Venn figures of ``seen_by`` (one row mask per plan), rows the base sees left out.

    Weights are full row weights: a row counts once it is seen at all, so the
    figures add up (``union`` = sum of exclusives + shared parts).
    """
    if not seen_by:
        raise ValueError("overlap needs at least one plan")
    masks = np.array([m & ~base_seen for m in seen_by], dtype=np.float64)  # plans x rows
    w = masks * weight
    seen = w.sum(axis=1)
    n_seeing = masks.sum(axis=0)
    exclusive = (w * (n_seeing == 1)).sum(axis=1)
    pairwise = np.asarray(masks @ (masks * weight).T, dtype=np.float64)
    every = float(weight[n_seeing == len(seen_by)].sum())
    return Overlap(
        seen=seen,
        exclusive=exclusive,
        pairwise=pairwise,
        all_plans=every,
        union=float(weight[n_seeing > 0].sum()),
        base=float(weight[base_seen].sum()),
    )


def site_credit(
    n: IntArray, demand: Demand, site_ptr: IntArray, site_rows: IntArray
) -> tuple[FloatArray, FloatArray]:
    """(covered, total) weight of each site, sites given as CSR rows."""
    rc = row_credit(n, demand)
    n_sites = len(site_ptr) - 1
    covered = np.array(
        [rc[site_rows[site_ptr[s] : site_ptr[s + 1]]].sum() for s in range(n_sites)],
        dtype=np.float64,
    )
    total = np.array(
        [demand.weight[site_rows[site_ptr[s] : site_ptr[s + 1]]].sum() for s in range(n_sites)],
        dtype=np.float64,
    )
    return covered, total
