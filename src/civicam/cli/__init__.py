"""The ``civicam`` command line: one Typer module per command group."""

from __future__ import annotations

import typer

from civicam.cli import (
    analysis,
    audit,
    bench,
    cameras,
    demo,
    export,
    holds,
    plan,
    record,
    report,
    run,
    users,
)

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
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(report.app, name="report")
app.command("detect")(analysis.detect)
app.command("events")(analysis.events)
app.command("run")(run.run)
app.command("export")(export.export)
app.command("verify")(export.verify)
app.add_typer(holds.app, name="holds")


def main() -> None:
    """Entry point of the ``civicam`` executable."""
    app()
