"""Search state over a presolved problem: a chosen set with exact gains and losses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

    def _arrays(self) -> tuple[Any, ...]:
        """The structure and state every kernel takes first, in kernel order."""
        r = self.red
        return (r.cp, r.ci, r.rp, r.ri, r.u, r.k, self.n, self.gain, self.loss)

    def add(self, j: int) -> None:
        self.credit += kernels.add_column(j, *self._arrays())
        self.in_set[j] = True

    def remove(self, j: int) -> None:
        self.credit -= kernels.remove_column(j, *self._arrays())
        self.in_set[j] = False

    def greedy_max(
        self, allowed: BoolArray, money: float, count: int, *, use_ratio: bool = True
    ) -> float:
        """Lazy greedy fill within ``money`` and ``count`` more columns (-1: no limit)."""
        spent = float(
            kernels.greedy_max(
                *self._arrays(), self.red.cost, allowed, self.in_set, money, count, use_ratio
            )
        )
        self.credit = float(np.dot(self.red.u, np.minimum(self.n, self.red.k)))
        return spent

    def greedy_cover(self, allowed: BoolArray, y: FloatArray, s: FloatArray, need: float) -> None:
        """Add columns by Lagrangian score until the credit reaches ``need``."""
        self.credit = float(
            kernels.greedy_cover(
                *self._arrays(), self.red.cost, allowed, self.in_set, y, s, self.credit, need
            )
        )

    def drop_redundant(self, removable: BoolArray, need: float) -> None:
        """Drop chosen columns, dearest first, while the credit stays at ``need``."""
        self.credit = float(
            kernels.drop_redundant(
                *self._arrays(), self.red.cost, self.in_set, removable, self.credit, need
            )
        )

    def cover_swaps(
        self, allowed: BoolArray, removable: BoolArray, need: float, rounds: int, pair_limit: int
    ) -> None:
        """Cost-reducing 1-for-1 and 2-for-1 moves that keep the credit at ``need``."""
        partial = need < self.red.max_credit * (1 - 1e-9)
        self.credit = float(
            kernels.cover_swaps(
                *self._arrays(),
                self.red.cost,
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
        kernels.swap_search(
            *self._arrays(), self.red.cost, allowed, self.in_set, removable, money_left, rounds
        )
        self.credit = float(np.dot(self.red.u, np.minimum(self.n, self.red.k)))
