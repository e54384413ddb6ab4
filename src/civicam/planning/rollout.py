"""Phasing a network's new cameras over yearly budgets (pure logic, no I/O).

The cameras to install are decided first (the best network the whole budget
buys); this module decides *when* each is installed. Year by year, the budget
of the year plus anything carried over buys cameras greedily by value per
cost, so coverage rises as early as the money allows (coverage-years, the sum
of covered weight after each year, is what the order aims at). With
``sites-first`` a camera that adds site coverage always goes before one that
adds none, and among them the best site weight per cost goes first. Money a
year cannot spend (nothing left fits) carries over to the next.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from civicam.planning.coverage import Demand, counts, credit, marginal_gains

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Order = Literal["sites-first", "coverage"]

_FREE = 1e18  # ratio multiplier for cameras that cost nothing: they go first


@dataclass(frozen=True)
class Year:
    """One year of a rollout: money in, cameras bought, money carried on."""

    year: int
    budget: float
    available: float  # this year's budget plus what earlier years carried over
    capital: float  # spent on the cameras installed this year
    cameras: IntArray  # columns installed this year, in installation order

    @property
    def carried_out(self) -> float:
        """Unspent money handed to the next year (or left at the end)."""
        return self.available - self.capital


@dataclass(frozen=True)
class Rollout:
    """The phase of every camera and the coverage it brings year by year."""

    phase: IntArray  # per column: the year (1..N) it is installed in
    years: tuple[Year, ...]
    covered: FloatArray  # covered weight after year t (t = 0 is the base network)
    site_covered: FloatArray  # the same for demand inside sites

    @property
    def coverage_years(self) -> float:
        """Sum of covered weight after each year: what an early rollout maximises."""
        return float(self.covered[1:].sum())

    @property
    def unspent(self) -> float:
        return self.years[-1].carried_out if self.years else 0.0


def check_budgets(budgets: list[float] | FloatArray) -> FloatArray:
    """Yearly budgets as an array; ValueError unless 1..50 finite amounts >= 0."""
    b = np.asarray(budgets, dtype=np.float64).ravel()
    if b.size == 0 or b.size > 50:
        raise ValueError(f"a rollout needs 1 to 50 yearly budgets, got {b.size}")
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError(f"yearly budgets must be finite amounts >= 0, got {b.tolist()}")
    return b


def schedule(
    matrix: sp.csc_array,
    base: IntArray,
    demand: Demand,
    in_site: BoolArray,
    costs: FloatArray,
    budgets: list[float] | FloatArray,
    order: Order = "sites-first",
) -> Rollout:
    """Give each column of ``matrix`` (a camera to install) a year.

    ``base`` counts the cameras already there (phase 0) on each row;
    ``in_site`` marks the rows inside a site. The total cost must fit the
    total budget; each camera must fit the money available by the last year.
    """
    b = check_budgets(budgets)
    c = np.asarray(costs, dtype=np.float64)
    n_cols = matrix.shape[1]
    if c.shape != (n_cols,) or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError("costs must be one finite amount >= 0 per camera")
    tol = 1e-9 * max(1.0, float(b.sum()))
    if c.sum() > b.sum() + tol:
        raise ValueError(
            f"the cameras cost {c.sum():,.2f} in all but the yearly budgets total {b.sum():,.2f}"
        )
    site_demand = Demand(demand.weight * in_site, demand.requirement)
    n = base.astype(np.int64).copy()
    left = np.ones(n_cols, dtype=np.bool_)
    phase = np.zeros(n_cols, dtype=np.int64)
    covered = [credit(n, demand)]
    site_covered = [credit(n, site_demand)]
    years: list[Year] = []
    carry = 0.0
    for t, budget in enumerate(b, start=1):
        available = carry + float(budget)
        spent = 0.0
        bought: list[int] = []
        while True:
            cand = np.flatnonzero(left & (c <= available - spent + tol))
            if cand.size == 0:
                break
            sub = matrix[:, cand]
            gain = _per_cost(marginal_gains(sub, n, demand), c[cand])
            site_gain = _per_cost(marginal_gains(sub, n, site_demand), c[cand])
            # lexsort: last key is primary; ties go to the earlier column.
            keys = (cand, -gain, -site_gain) if order == "sites-first" else (cand, -gain)
            j = int(cand[np.lexsort(keys)[0]])
            left[j] = False
            phase[j] = t
            spent += float(c[j])
            bought.append(j)
            n += counts(matrix[:, [j]])
        years.append(Year(t, float(budget), available, spent, np.array(bought, dtype=np.int64)))
        covered.append(credit(n, demand))
        site_covered.append(credit(n, site_demand))
        carry = available - spent
    if left.any():  # cannot happen when costs fit the total; kept as a guard
        raise ValueError(f"{int(left.sum())} cameras did not fit the yearly budgets")
    return Rollout(phase, tuple(years), np.array(covered), np.array(site_covered))


def _per_cost(gain: FloatArray, cost: FloatArray) -> FloatArray:
    return np.where(cost > 0, gain / np.where(cost > 0, cost, 1.0), gain * _FREE)


def running_costs(
    phase: IntArray, yearly: FloatArray, base_yearly: float, n_years: int
) -> FloatArray:
    """Running cost paid in each year 1..N: cameras installed in earlier years (and
    the base network). A camera's running cost starts the year after it goes up."""
    out = np.empty(n_years, dtype=np.float64)
    for t in range(1, n_years + 1):
        out[t - 1] = base_yearly + float(yearly[(phase >= 1) & (phase < t)].sum())
    return out


def parse_budgets(text: str, years: int | None) -> list[float]:
    """``"B"`` or ``"B1,B2,..."``: yearly budgets; one value is repeated over ``years``.

    Raises ValueError with the reason (the CLI shows it as a usage error).
    """
    parts = [p.strip().replace("_", "") for p in text.split(",")]
    try:
        values = [float(p) for p in parts if p]
    except ValueError as exc:
        raise ValueError(f"budgets must be numbers separated by commas, got {text!r}") from exc
    if not values or any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError(f"budgets must be numbers >= 0, got {text!r}")
    if len(values) == 1:
        count = years if years is not None else 1
        return values * count
    if years is not None and years != len(values):
        raise ValueError(f"--years {years} but {len(values)} yearly budgets were given")
    return values
