"""``civicam plan``: turn a city into a camera plan (built by the city-model work)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Plan where cameras go.", no_args_is_help=True)
