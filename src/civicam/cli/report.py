"""``civicam report``: reports for the public."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from civicam.audit.keys import SigningKeyError, load_signing_key, public_key_bytes
from civicam.audit.report import gather, render_html
from civicam.cli.record import ConfigOpt, load_config
from civicam.recording.service import open_store
from civicam.store.engine import DatabaseError
from civicam.store.files import write_atomically

app = typer.Typer(help="Reports for the public.", no_args_is_help=True)


@app.command()
def transparency(
    config: ConfigOpt,
    year: Annotated[int, typer.Option(min=1970, max=9998, help="Calendar year (UTC).")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")],
) -> None:
    """The annual transparency report: cameras, use of footage and the log's signed head."""
    cfg = load_config(config)
    public = None
    try:
        public = public_key_bytes(load_signing_key(cfg.audit))
    except SigningKeyError:
        public = None  # no key yet: the report says no head covers the period
    try:
        db = open_store(cfg, register=False)
    except DatabaseError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        data = gather(db, year, public)
    finally:
        db.close()
    html = render_html(data, generated_at=time.time())
    write_atomically(out, html)
    typer.echo(
        f"wrote {out}: {data.entry_count} log entries, {data.camera_count} cameras, "
        f"{data.hours_total:.1f} hours recorded"
    )
