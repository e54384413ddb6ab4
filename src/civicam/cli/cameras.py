"""``civicam cameras``: import cameras into the registry and list them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicam.cli.record import ConfigOpt, load_config
from civicam.config.loader import ConfigError
from civicam.config.recording import CameraConfig
from civicam.recording.importers import cameras_from_csv, cameras_from_plan
from civicam.recording.service import open_store, read_health
from civicam.recording.urls import StreamUrlError
from civicam.store.index import last_segment_end
from civicam.store.registry import list_cameras, upsert_cameras

app = typer.Typer(help="The camera registry: import and list cameras.", no_args_is_help=True)


@app.command("import")
def import_cameras(
    config: ConfigOpt,
    source: Annotated[Path, typer.Argument(help="A .csv file or a plan's plan.geojson.")],
    url_template: Annotated[
        str | None, typer.Option(help="For plans: stream URL, '{id}' is replaced.")
    ] = None,
    purpose: Annotated[str | None, typer.Option(help="For plans: stated purpose.")] = None,
    owner: Annotated[str | None, typer.Option(help="For plans: who answers for them.")] = None,
    id_prefix: Annotated[str, typer.Option(help="For plans: prefix of camera ids.")] = "",
) -> None:
    """Register cameras from CSV (columns = camera fields) or from a plan."""
    cfg = load_config(config)
    try:
        cams: list[CameraConfig]
        if source.suffix.lower() in (".geojson", ".json"):
            if not (url_template and purpose and owner):
                typer.echo("error: a plan needs --url-template, --purpose and --owner", err=True)
                raise typer.Exit(2)
            cams = cameras_from_plan(
                source,
                url_template=url_template,
                purpose=purpose,
                owner=owner,
                id_prefix=id_prefix,
            )
        elif source.suffix.lower() == ".csv":
            cams = cameras_from_csv(source)
        else:
            typer.echo("error: expected a .csv or .geojson file", err=True)
            raise typer.Exit(2)
        db = open_store(cfg)
        try:
            count = upsert_cameras(db, cams)
        finally:
            db.close()
    except (ConfigError, StreamUrlError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    Console().print(f"imported {count} cameras", markup=False)


@app.command("list")
def list_command(config: ConfigOpt) -> None:
    """Cameras with purpose, owner and live status (never credentials)."""
    cfg = load_config(config)
    db = open_store(cfg)
    try:
        cams = list_cameras(db)
        ends = {c.id: last_segment_end(db, c.id) for c in cams}
    finally:
        db.close()
    health = read_health(cfg.storage.root)
    table = Table(title="Cameras")
    for col in ("id", "name", "enabled", "status", "last segment end", "purpose", "owner", "url"):
        table.add_column(col)
    from datetime import UTC, datetime

    for c in cams:
        status = str(health[c.id]["status"]) if c.id in health else "not recording"
        end = ends[c.id]
        when = (
            "" if end is None else datetime.fromtimestamp(end, tz=UTC).isoformat(timespec="seconds")
        )
        table.add_row(
            c.id, c.name, "yes" if c.enabled else "no", status, when, c.purpose, c.owner, c.url
        )
    Console().print(table)
