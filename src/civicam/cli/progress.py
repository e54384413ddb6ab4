"""Rich progress for long solves: a spinner that names the stage and elapsed time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from civicam.planning.optimize.options import ProgressFn


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
