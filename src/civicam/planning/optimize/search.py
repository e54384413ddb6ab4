"""Search state over a presolved problem: a chosen set with exact gains and losses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from civicam.planning.optimize import kernels
from civicam.planning.optimize.presolve import Reduced
from civicam.planning.optimize.problem import BoolArray, FloatArray, IntArray


@dataclass
class State:
    """A selection of reduced columns with its row counts, gains and losses."""

    red: Reduced
    in_set: BoolArray
    n: IntArray
    gain: FloatArray
    loss: FloatArray
    credit: float

    @classmethod
    def empty(cls, red: Reduced) -> State:
        n = np.zeros(red.n_rows, dtype=np.int64)
        gain, loss = kernels.gain_loss(red.cp, red.ci, red.u, red.k, n)
        return cls(red, np.zeros(red.n_cols, dtype=np.bool_), n, gain, loss, 0.0)

    @classmethod
    def of(cls, red: Reduced, in_set: BoolArray) -> State:
        chosen = np.flatnonzero(in_set)
        n = kernels.counts_from(red.cp, red.ci, chosen, red.n_rows)
        gain, loss = kernels.gain_loss(red.cp, red.ci, red.u, red.k, n)
        credit = float(np.dot(red.u, np.minimum(n, red.k)))
        return cls(red, in_set.copy(), n, gain, loss, credit)

    def copy(self) -> State:
        return State(
            self.red,
            self.in_set.copy(),
            self.n.copy(),
            self.gain.copy(),
            self.loss.copy(),
            self.credit,
        )

    def refresh(self) -> None:
        """Recompute gains and credit from scratch (float drift after many moves)."""
        self.gain, self.loss = kernels.gain_loss(
            self.red.cp, self.red.ci, self.red.u, self.red.k, self.n
        )
        self.credit = float(np.dot(self.red.u, np.minimum(self.n, self.red.k)))

    @property
    def cost(self) -> float:
        return float(self.red.cost[self.in_set].sum())

    @property
    def size(self) -> int:
        return int(self.in_set.sum())

    def add(self, j: int) -> None:
        r = self.red
        self.credit += kernels.add_column(
            j, r.cp, r.ci, r.rp, r.ri, r.u, r.k, self.n, self.gain, self.loss
        )
        self.in_set[j] = True

    def remove(self, j: int) -> None:
        r = self.red
        self.credit -= kernels.remove_column(
            j, r.cp, r.ci, r.rp, r.ri, r.u, r.k, self.n, self.gain, self.loss
        )
        self.in_set[j] = False

    # The kernels take the whole state as arrays; these wrappers keep the
    # argument lists in one place.

    def greedy_max(
        self, allowed: BoolArray, money: float, count: int, *, use_ratio: bool = True
    ) -> float:
        """Lazy greedy fill within ``money`` and ``count`` more columns (-1: no limit)."""
        r = self.red
        spent = float(
            kernels.greedy_max(
                r.cp,
                r.ci,
                r.rp,
                r.ri,
                r.u,
                r.k,
                self.n,
                self.gain,
                self.loss,
                r.cost,
                allowed,
                self.in_set,
                money,
                count,
                use_ratio,
            )
        )
        self.credit = float(np.dot(r.u, np.minimum(self.n, r.k)))
        return spent

    def greedy_cover(self, allowed: BoolArray, y: FloatArray, s: FloatArray, need: float) -> None:
        """Add columns by Lagrangian score until the credit reaches ``need``."""
        r = self.red
        self.credit = float(
            kernels.greedy_cover(
                r.cp,
                r.ci,
                r.rp,
                r.ri,
                r.u,
                r.k,
                self.n,
                self.gain,
                self.loss,
                r.cost,
                allowed,
                self.in_set,
                y,
                s,
                self.credit,
                need,
            )
        )

    def drop_redundant(self, removable: BoolArray, need: float) -> None:
        """Drop chosen columns, dearest first, while the credit stays at ``need``."""
        r = self.red
        self.credit = float(
            kernels.drop_redundant(
                r.cp,
                r.ci,
                r.rp,
                r.ri,
                r.u,
                r.k,
                self.n,
                self.gain,
                self.loss,
                r.cost,
                self.in_set,
                removable,
                self.credit,
                need,
            )
        )

    def cover_swaps(
        self, allowed: BoolArray, removable: BoolArray, need: float, rounds: int, pair_limit: int
    ) -> None:
        """Cost-reducing 1-for-1 and 2-for-1 moves that keep the credit at ``need``."""
        r = self.red
        partial = need < r.max_credit * (1 - 1e-9)
        self.credit = float(
            kernels.cover_swaps(
                r.cp,
                r.ci,
                r.rp,
                r.ri,
                r.u,
                r.k,
                self.n,
                self.gain,
                self.loss,
                r.cost,
                allowed,
                self.in_set,
                removable,
                self.credit,
                need,
                rounds,
                pair_limit,
                partial,
            )
        )

    def swap_search(
        self, allowed: BoolArray, removable: BoolArray, money_left: float, rounds: int
    ) -> None:
        """1-for-1 swaps that win credit within the money left."""
        r = self.red
        kernels.swap_search(
            r.cp,
            r.ci,
            r.rp,
            r.ri,
            r.u,
            r.k,
            self.n,
            self.gain,
            self.loss,
            r.cost,
            allowed,
            self.in_set,
            removable,
            money_left,
            rounds,
            2_000_000_000,
        )
