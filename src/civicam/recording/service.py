"""Recording as a service: config to database, reconciliation, the unit, retention, health."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from prometheus_client import start_http_server

from civicam.config.recording import RecorderFileConfig
from civicam.recording.health import CameraHealth, make_registry
from civicam.recording.reconcile import ReconcileReport, reconcile
from civicam.recording.recorder import CameraSpec, PacketTap, RecorderUnit
from civicam.recording.retention import run_event_retention, run_retention
from civicam.store.engine import Database, open_database
from civicam.store.index import gaps, segments
from civicam.store.registry import get_credentials, list_cameras, upsert_cameras

log = logging.getLogger(__name__)
HEALTH_FILE = "_health.json"
HEALTH_FRESH_S = 15.0


def open_store(cfg: RecorderFileConfig, *, register: bool = True) -> Database:
    """Open (and migrate) the database; register the config's cameras."""
    cfg.storage.root.mkdir(parents=True, exist_ok=True)
    db = open_database(cfg.database_url())
    if register and cfg.cameras:
        upsert_cameras(db, cfg.cameras)
    return db


class Companion(Protocol):
    """Work that runs beside the recorders and may take their packets (analysis)."""

    def taps(self) -> dict[str, PacketTap]:
        """Per camera, a tap receiving every recorded packet."""
        ...

    def start(self) -> None:
        """Start (after the recorders)."""
        ...

    def stop(self) -> None:
        """Stop (after the recorders)."""
        ...


def build_unit(
    cfg: RecorderFileConfig, db: Database, taps: Mapping[str, PacketTap] | None = None
) -> RecorderUnit:
    """A recorder unit for every enabled camera of the registry."""
    specs = [
        CameraSpec(cam.id, cam.url, get_credentials(db, cam.id))
        for cam in list_cameras(db, enabled_only=True)
    ]
    return RecorderUnit(specs, cfg.storage.root, db, cfg.recording, taps=taps)


def health_path(root: Path) -> Path:
    """Where the running recorder publishes health for ``cameras list``."""
    return root / HEALTH_FILE


def write_health(root: Path, health: list[CameraHealth]) -> None:
    """Publish health atomically (write then rename)."""
    path = health_path(root)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"written_at": time.time(), "cameras": [asdict(h) for h in health]}),
        encoding="utf-8",
    )
    tmp.replace(path)


def read_health(root: Path) -> dict[str, dict[str, Any]]:
    """Health published by a running recorder, if fresh; else empty."""
    try:
        data = json.loads(health_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if time.time() - float(data.get("written_at", 0)) > HEALTH_FRESH_S:
        return {}
    return {str(c["camera_id"]): c for c in data.get("cameras", [])}


def retention_once(cfg: RecorderFileConfig, db: Database) -> int:
    """Run retention once (segments, then events and their snapshots past their
    camera's retention); returns how many segments were deleted."""
    days = {c.id: c.retention_days for c in list_cameras(db)}
    plan = run_retention(
        cfg.storage.root, db, days, cfg.storage.max_bytes, cfg.storage.min_free_bytes
    )
    run_event_retention(cfg.storage.root, db, days)
    return len(plan)


def run_recording(
    cfg: RecorderFileConfig,
    stop: threading.Event,
    *,
    on_status: Callable[[list[CameraHealth]], None] | None = None,
    status_interval: float = 5.0,
    companion: Callable[[Database], Companion] | None = None,
    db: Database | None = None,
) -> ReconcileReport:
    """Reconcile, record every enabled camera until ``stop`` is set, then stop cleanly.

    ``companion`` builds work that runs beside the recorders (analysis) from the
    open database; ``db`` reuses an open database (else one is opened and closed).
    """
    own_db = db is None
    db = db if db is not None else open_store(cfg)
    try:
        known = {c.id for c in list_cameras(db)}
        report = reconcile(cfg.storage.root, db, known)
        extra = companion(db) if companion is not None else None
        unit = build_unit(cfg, db, extra.taps() if extra is not None else None)
        if cfg.recording.metrics_port is not None:
            start_http_server(
                cfg.recording.metrics_port,
                addr=cfg.recording.metrics_host,
                registry=make_registry(unit.status),
            )
        unit.start()
        if extra is not None:
            extra.start()
        next_retention = time.monotonic()
        try:
            while not stop.is_set():
                if time.monotonic() >= next_retention:
                    try:
                        retention_once(cfg, db)
                    except OSError:
                        log.exception("retention failed; recording continues")
                    next_retention = time.monotonic() + cfg.storage.retention_interval_s
                health = unit.status()
                write_health(cfg.storage.root, health)
                if on_status is not None:
                    on_status(health)
                stop.wait(status_interval)
        finally:
            unit.stop()
            if extra is not None:
                extra.stop()
            write_health(cfg.storage.root, unit.status())
        return report
    finally:
        if own_db:
            db.close()


def recordings_json(
    db: Database, camera_id: str, start: float | None, end: float | None
) -> dict[str, Any]:
    """``{"segments": [...], "gaps": [...]}`` of a camera, times as ISO 8601 UTC."""
    from datetime import UTC, datetime

    def iso(t: float) -> str:
        return datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="milliseconds")

    return {
        "segments": [
            {
                "start": iso(s.start),
                "end": iso(s.end),
                "path": s.path,
                "bytes": s.bytes,
                "sha256": s.sha256,
            }
            for s in segments(db, camera_id, start, end)
        ],
        "gaps": [
            {"start": iso(g.start), "end": iso(g.end), "reason": g.reason}
            for g in gaps(db, camera_id, start, end)
        ],
    }
