"""Search settings of one solve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from civicam.config.optimizer import OptimizerConfig

ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class SolveOptions:
    """Settings of one solve (the runtime twin of :class:`OptimizerConfig`).

    ``progress`` is called with a stage name and the seconds elapsed.
    """

    time_limit_s: float = 60.0
    seed: int = 0
    exact: Literal["auto", "always", "never"] = "auto"
    exact_max_nonzeros: int = 300_000
    local_search_rounds: int = 1000
    lagrangian_iterations: int = 300
    threads: int = 1
    progress: ProgressFn | None = None

    @classmethod
    def from_config(
        cls, config: OptimizerConfig, progress: ProgressFn | None = None
    ) -> SolveOptions:
        return cls(
            time_limit_s=config.time_limit_s,
            seed=config.seed,
            exact=config.exact,
            exact_max_nonzeros=config.exact_max_nonzeros,
            local_search_rounds=config.local_search_rounds,
            lagrangian_iterations=config.lagrangian_iterations,
            threads=config.threads,
            progress=progress,
        )
