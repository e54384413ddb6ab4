"""The coverage optimizer: pure logic over sparse matrices, no I/O."""

from civicam.planning.optimize.problem import (
    CoverageProblem,
    InfeasibleError,
    ProblemError,
    Solution,
)
from civicam.planning.optimize.solver import SolveOptions, maximize_coverage, minimize_cost

__all__ = [
    "CoverageProblem",
    "InfeasibleError",
    "ProblemError",
    "SolveOptions",
    "Solution",
    "maximize_coverage",
    "minimize_cost",
]
