"""The full ``civicam`` Typer app, every command imported (tests and introspection)."""

from __future__ import annotations

import importlib

import typer

from civicam.cli import HELP
from civicam.cli.commands import COMMANDS


def build_app() -> typer.Typer:
    """A Typer app with every command of :data:`COMMANDS` registered."""
    app = typer.Typer(
        name="civicam",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for spec in COMMANDS:
        target = getattr(importlib.import_module(spec.module), spec.attribute)
        if spec.kind == "group":
            app.add_typer(target, name=spec.name)
        else:
            app.command(spec.name)(target)
    return app


app = build_app()
