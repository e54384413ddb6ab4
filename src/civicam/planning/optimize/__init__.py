"""The coverage optimizer: pure logic over sparse matrices, no I/O."""

from civicam.planning.optimize.options import SolveOptions
from civicam.planning.optimize.problem import (
    CoverageProblem,
    InfeasibleError,
    ProblemError,
    Solution,
)
from civicam.planning.optimize.solver import maximize_coverage, minimize_cost

__all__ = [
    "CoverageProblem",
    "InfeasibleError",
    "ProblemError",
    "Solution",
    "SolveOptions",
    "maximize_coverage",
    "minimize_cost",
]
