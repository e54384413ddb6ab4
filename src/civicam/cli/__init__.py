"""The ``civicam`` command line: one Typer module per command group."""

from __future__ import annotations

import typer

from civicam.cli import bench, cameras, demo, plan, record

app = typer.Typer(
    name="civicam",
    help="Plan, run and answer for a city's camera network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(bench.app, name="bench")
app.add_typer(plan.app, name="plan")
app.command("demo")(demo.demo)
app.command("record")(record.record)
app.command("recordings")(record.recordings)
app.add_typer(cameras.app, name="cameras")


def main() -> None:
    """Entry point of the ``civicam`` executable."""
    app()
