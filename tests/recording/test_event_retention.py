"""Event retention: events and their snapshots go with their camera's retention,
except inside holds; each run is one audit entry per camera."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from civicam.audit.actions import RETENTION_DELETE
from civicam.audit.verify import verify_log
from civicam.config.recording import CameraConfig
from civicam.recording import retention
from civicam.recording.paths import snapshot_path, snapshot_relpath
from civicam.recording.retention import run_event_retention
from civicam.store import open_database
from civicam.store.audit import AuditEntry
from civicam.store.events import NewEvent, add_events, search_events, set_snapshot
from civicam.store.index import add_hold
from civicam.store.registry import upsert_cameras

DAY = 86_400.0
NOW = 1_800_000_000.0


def _camera(cam_id: str, days: float) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "id": cam_id,
            "name": cam_id,
            "url": "rtsp://10.0.0.1/x",
            "purpose": "Square safety",
            "owner": "City",
            "retention_days": days,
        }
    )


@pytest.mark.parametrize("batch", [1, 10_000])
def test_old_events_and_snapshots_go_held_and_recent_ones_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(retention, "EVENT_BATCH", batch)
    db = open_database(f"sqlite:///{tmp_path / 'i.db'}")
    upsert_cameras(db, [_camera("gate", 1), _camera("yard", 30)])
    old = NOW - 10 * DAY
    ids = add_events(
        db,
        [
            NewEvent("gate", "person", old, old + 5, 0.9),
            NewEvent("gate", "person", old + 100, old + 110, 0.9),  # held below
            NewEvent("gate", "car", old + 200, old + 230, 0.8),
            NewEvent("gate", "person", NOW - 3600, NOW - 3500, 0.9),  # within a day
            NewEvent("yard", "person", old, old + 5, 0.9),  # yard keeps 30 days
        ],
    )
    for event_id, cam in zip(ids, ["gate", "gate", "gate", "gate", "yard"], strict=True):
        path = snapshot_path(tmp_path, cam, event_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xd8 redacted jpeg")
        set_snapshot(db, event_id, snapshot_relpath(cam, event_id))
    add_hold(db, "gate", old + 90, old + 120, "case 7", "supervisor")

    deleted = run_event_retention(tmp_path, db, {"gate": 1, "yard": 30}, now=NOW)

    assert deleted == {"gate": 2}
    left = sorted(e.id for e in search_events(db))
    assert left == sorted([ids[1], ids[3], ids[4]])
    for i, event_id in enumerate(ids):
        cam = "yard" if i == 4 else "gate"
        assert snapshot_path(tmp_path, cam, event_id).exists() == (event_id in left)
    with db.read() as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == RETENTION_DELETE))
        )
    assert len(entries) == 1 and entries[0].camera == "gate"
    details = json.loads(entries[0].details)
    assert details["kind"] == "events" and details["events"] == 2 and details["snapshots"] == 2
    assert entries[0].start_ts == old and entries[0].end_ts == old + 230
    assert verify_log(db, None).ok
    # A second run finds nothing more and logs nothing.
    assert run_event_retention(tmp_path, db, {"gate": 1, "yard": 30}, now=NOW) == {}
    db.close()
