"""``civicam record`` and ``civicam recordings``: run recording, list what was recorded."""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from civicam.config.loader import ConfigError, load_model
from civicam.config.recording import RecorderFileConfig, validate_camera_id
from civicam.recording.health import CameraHealth
from civicam.recording.service import open_store, recordings_json, run_recording
from civicam.store.engine import DatabaseError
from civicam.store.registry import get_camera

ConfigOpt = Annotated[
    Path, typer.Option("--config", "-c", help="Recording configuration YAML.", exists=False)
]


def load_config(path: Path) -> RecorderFileConfig:
    """Load the recording config or exit with its errors (file:line: problem)."""
    try:
        return load_model(path, RecorderFileConfig)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def health_table(health: list[CameraHealth]) -> Table:
    """A status table (never shows URLs or credentials)."""
    table = Table(title="Recording")
    for col in ("camera", "status", "fps", "kbit/s", "segments", "gaps", "last error"):
        table.add_column(col)
    for h in health:
        table.add_row(
            h.camera_id,
            h.status,
            f"{h.fps:.1f}",
            f"{h.bitrate_bps / 1000:.0f}",
            str(h.segments),
            str(h.gaps),
            h.last_error or "",
        )
    return table


def record(
    config: ConfigOpt,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: run until ^C).")
    ] = None,
) -> None:
    """Record every enabled camera until interrupted (SIGINT/SIGTERM)."""
    cfg = load_config(config)
    console = Console(stderr=True)
    stop = threading.Event()

    def _stop(_sig: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    if duration is not None:
        timer = threading.Timer(duration, stop.set)
        timer.daemon = True
        timer.start()
    try:
        report = run_recording(cfg, stop, on_status=lambda h: console.print(health_table(h)))
    except DatabaseError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    console.print(
        f"reconciled at start: {len(report.indexed)} indexed, {len(report.truncated)} "
        f"truncated, {len(report.quarantined)} quarantined, {len(report.missing)} missing",
        markup=False,
    )


def parse_time(value: str | None) -> float | None:
    """An ISO 8601 time as UTC seconds (UTC when no zone is given); None stays None."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def recordings(
    config: ConfigOpt,
    camera: Annotated[str, typer.Option("--camera", help="Camera id.")],
    start: Annotated[str | None, typer.Option(help="ISO 8601 start (UTC if no zone).")] = None,
    end: Annotated[str | None, typer.Option(help="ISO 8601 end (UTC if no zone).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Segments and gaps of a camera in a time range."""
    cfg = load_config(config)
    try:
        validate_camera_id(camera)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    t0, t1 = parse_time(start), parse_time(end)
    db = open_store(cfg, register=False)
    try:
        if get_camera(db, camera) is None:
            typer.echo(f"error: no camera {camera!r} in the registry", err=True)
            raise typer.Exit(1)
        data = recordings_json(db, camera, t0, t1)
    finally:
        db.close()
    if as_json:
        typer.echo(json.dumps(data, indent=2))
        return
    out = Console()
    table = Table(title=f"Recordings of {camera}")
    for col in ("start", "end", "bytes", "path"):
        table.add_column(col)
    for s in data["segments"]:
        table.add_row(s["start"], s["end"], str(s["bytes"]), s["path"])
    out.print(table)
    for g in data["gaps"]:
        out.print(f"gap {g['start']} .. {g['end']}: {g['reason']}", markup=False)
