"""Rich progress for long solves: a spinner that names the stage and elapsed time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

#: The optimizer's progress callback, ``(stage, elapsed seconds)``; spelled out here
#: so the CLI does not import the optimizer (Numba) just for a type.
ProgressFn = Callable[[str, float], None]

AdvanceFn = Callable[[int], None]


@contextmanager
def stage_progress(console: Console, title: str) -> Iterator[ProgressFn]:
    """Yield a callback for :class:`SolveOptions.progress` that updates a spinner line."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(title, stage="presolve", total=None)

        def update(stage: str, _elapsed: float) -> None:
            progress.update(task, stage=stage)

        yield update


@contextmanager
def progress_bar(console: Console, title: str, *, enabled: bool = True) -> Iterator[AdvanceFn]:
    """Yield ``advance(n)`` for a counting spinner (a no-op when not ``enabled``)."""
    if not enabled:
        yield lambda _n: None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed:.0f}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(title, total=None)

        def advance(n: int) -> None:
            progress.advance(task, n)

        yield advance
