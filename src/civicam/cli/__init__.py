"""The ``civicam`` command line: one Typer module per command group.

The executable (:func:`main`) imports only the module of the command being run:
``civicam --help`` and ``civicam events`` need not load the video, web and
optimizer stacks. ``civicam.cli.app`` (built by :mod:`civicam.cli.full`) holds
every command as one Typer app, fully imported, for tests.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer

from civicam.cli.commands import COMMANDS, CommandSpec

if TYPE_CHECKING:
    app: typer.Typer

HELP = "Plan, run and answer for a city's camera network."


def _listed_only() -> None:
    """Stand-in for a command that is listed but not loaded (never runs)."""
    raise typer.Exit(2)


def app_for(args: Sequence[str]) -> typer.Typer:
    """A Typer app holding the command ``args`` name (others listed, not imported)."""
    app = typer.Typer(
        name="civicam",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.callback()
    def _root() -> None:
        # A callback keeps the app a group even with one real command in it.
        pass

    name = next((a for a in args if not a.startswith("-")), None)
    wanted: CommandSpec | None = next((s for s in COMMANDS if s.name == name), None)
    for spec in COMMANDS:
        if spec is not wanted:
            app.command(spec.name, help=spec.summary)(_listed_only)
            continue
        target = getattr(importlib.import_module(spec.module), spec.attribute)
        if spec.kind == "group":
            app.add_typer(target, name=spec.name)
        else:
            app.command(spec.name)(target)
    return app


def main() -> None:
    """Entry point of the ``civicam`` executable."""
    app_for(sys.argv[1:])(prog_name="civicam")


def __getattr__(name: str) -> Any:
    # ``from civicam.cli import app`` (tests) builds the fully imported Typer app.
    if name == "app":
        return importlib.import_module("civicam.cli.full").app
    raise AttributeError(name)
