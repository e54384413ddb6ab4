"""``civicam detect`` (a video file, offline) and ``civicam events`` (search the index)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicam.analysis.report import event_record, frame_record
from civicam.cli.progress import progress_bar
from civicam.cli.record import ConfigOpt, load_config, parse_time
from civicam.config.analysis import AnalysisConfig
from civicam.recording.service import open_store
from civicam.store.engine import DatabaseError
from civicam.store.events import MAX_PAGE, search_events


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="milliseconds")


def detect(
    video: Annotated[Path, typer.Argument(help="A video file (MP4, MKV, ...).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Site config whose analysis section to use (else defaults)."
        ),
    ] = None,
    camera: Annotated[
        str | None, typer.Option(help="Use this camera's zones and masks from the config.")
    ] = None,
    fps: Annotated[
        float | None, typer.Option(min=0.1, max=60, help="Analysis rate (default: config).")
    ] = None,
    snapshots: Annotated[
        Path | None, typer.Option(help="Write each event's redacted snapshot JPEG here.")
    ] = None,
) -> None:
    """Run motion + object-class detection on a video file and print frames and events."""
    # Imported here: `civicam events` (same module) should not load the video stack.
    from civicam.analysis.decode import DecodeError, file_frames
    from civicam.analysis.detectors import load_detector
    from civicam.analysis.service import AnalysisWorker, MemoryEventSink, camera_settings
    from civicam.privacy.masks import burn_masks

    cfg = AnalysisConfig()
    polygons: list[list[tuple[float, float]]] = []
    if config is not None:
        site = load_config(config)
        cfg = site.analysis
        if camera is not None:
            polygons = [list(p) for p in site.privacy.masks.get(camera, [])]
    if fps is not None:
        cfg = cfg.model_copy(update={"fps": fps})
    try:
        detector = load_detector(cfg.detection)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: detector: {exc}", err=True)
        raise typer.Exit(2) from None
    cam = camera_settings(cfg, camera) if camera else camera_settings(cfg, "file")
    sink = MemoryEventSink()
    worker = AnalysisWorker(
        cam, cfg, detector, sink, mask=partial(burn_masks, polygons=polygons) if polygons else None
    )
    frames: list[dict[str, object]] = []
    began = time.perf_counter()
    err = Console(stderr=True)
    try:
        with progress_bar(err, "analysing", enabled=not as_json) as advance:
            for t, frame in file_frames(video, cfg.fps, cfg.max_width):
                result = worker.process(t, frame)
                frames.append(frame_record(t, result.detections))
                advance(1)
    except DecodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    worker.flush()
    seconds = time.perf_counter() - began
    summary = [{**event_record(e), "zones": list(e.zones)} for e in sink.events]
    if snapshots is not None:
        snapshots.mkdir(parents=True, exist_ok=True)
        for i, (e, jpeg) in enumerate(zip(sink.events, sink.snapshots, strict=True), 1):
            if jpeg is not None:
                (snapshots / f"event-{i:04d}-{e.label}.jpg").write_bytes(jpeg)
    if as_json:
        typer.echo(json.dumps({"video": video.name, "frames": frames, "events": summary}))
        return
    out = Console()
    table = Table(title=f"{video.name}: {len(frames)} frames at {cfg.fps:g} fps, {seconds:.1f} s")
    for col in ("label", "start (s)", "end (s)", "peak score", "zones"):
        table.add_column(col)
    for ev in sink.events:
        table.add_row(
            ev.label,
            f"{ev.start:.1f}",
            f"{ev.end:.1f}",
            f"{ev.peak_score:.2f}",
            ", ".join(ev.zones),
        )
    out.print(table)


def events(
    config: ConfigOpt,
    camera: Annotated[
        list[str] | None, typer.Option("--camera", help="Camera id (repeatable).")
    ] = None,
    start: Annotated[str | None, typer.Option(help="ISO 8601 start (UTC if no zone).")] = None,
    end: Annotated[str | None, typer.Option(help="ISO 8601 end (UTC if no zone).")] = None,
    label: Annotated[str | None, typer.Option(help="Object class, e.g. person.")] = None,
    zone: Annotated[str | None, typer.Option(help="Zone name.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE, help="Most events listed.")] = 100,
    before: Annotated[
        int | None, typer.Option(help="Continue after this event id (paging).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search recorded events, newest first."""
    cfg = load_config(config)
    t0, t1 = parse_time(start), parse_time(end)
    try:
        db = open_store(cfg, register=False)
    except DatabaseError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        found = search_events(
            db,
            cameras=camera or None,
            start=t0,
            end=t1,
            label=label,
            zone=zone,
            limit=limit,
            before_id=before,
        )
    except (ValueError, KeyError) as exc:
        typer.echo(f"error: {exc.args[0] if exc.args else exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.close()
    if as_json:
        typer.echo(json.dumps({"events": [e.as_json() for e in found]}))
        return
    table = Table(title=f"{len(found)} events")
    for col in ("id", "camera", "label", "start (UTC)", "seconds", "score", "zones", "snapshot"):
        table.add_column(col)
    for e in found:
        table.add_row(
            str(e.id),
            e.camera_id,
            e.label,
            _iso(e.start),
            f"{e.end - e.start:.1f}",
            f"{e.peak_score:.2f}",
            ", ".join(e.zones),
            e.snapshot or "",
        )
    Console().print(table)
