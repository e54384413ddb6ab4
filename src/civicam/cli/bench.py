"""``civicam bench``: score the optimizer on public instances."""

from __future__ import annotations

import typer

app = typer.Typer(help="Benchmark the optimizer on public instances.", no_args_is_help=True)
