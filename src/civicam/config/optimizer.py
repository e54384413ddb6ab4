"""Optimizer settings."""

from typing import Literal

from pydantic import Field

from civicam.config.base import Section


class OptimizerConfig(Section):
    """How the coverage optimizer searches and certifies."""

    time_limit_s: float = Field(
        60.0, gt=0, le=86_400, description="Wall-clock limit for one solve, in seconds."
    )
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Seed for randomised steps.")
    exact: Literal["auto", "always", "never"] = Field(
        "auto",
        description=(
            "HiGHS branch-and-bound use: 'auto' certifies when the reduced problem is small, "
            "'always' runs it to the time limit, 'never' keeps to heuristics and bounds."
        ),
    )
    exact_max_nonzeros: int = Field(
        300_000,
        ge=0,
        le=10**9,
        description="In 'auto' mode, largest reduced matrix (nonzeros) handed to HiGHS.",
    )
    local_search_rounds: int = Field(
        1000,
        ge=0,
        le=1_000_000,
        description="Search rounds (perturbations, restarts) without improvement before stopping.",
    )
    lagrangian_iterations: int = Field(
        300, ge=0, le=1_000_000, description="Subgradient iterations for the Lagrangian bound."
    )
    threads: int = Field(1, ge=1, le=256, description="Threads HiGHS may use.")
