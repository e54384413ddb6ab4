"""Segment hashes enter the log when indexed; retention deletions record their policy."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from civicam.audit import actions
from civicam.audit.verify import verify_log
from civicam.config.recording import CameraConfig
from civicam.recording.retention import run_retention
from civicam.store.audit import AuditEntry
from civicam.store.engine import Database
from civicam.store.index import SegmentInfo, add_segment
from civicam.store.registry import upsert_cameras

DAY = 86_400.0


def _entries(db: Database, action: str) -> list[AuditEntry]:
    with db.read() as s:
        return list(
            s.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.idx)
            )
        )


def _camera(db: Database) -> None:
    upsert_cameras(
        db,
        [
            CameraConfig(
                id="c1", name="One", url="rtsp://h/x", purpose="Market safety", owner="City"
            )
        ],
    )


def test_indexing_a_segment_logs_its_hash_once(db: Database) -> None:
    _camera(db)
    seg = SegmentInfo("c1", 10.0, 20.0, "c1/a.mp4", 1234, "ab" * 32, 2)
    add_segment(db, seg)
    add_segment(db, seg)  # reconciliation re-indexing the same file adds nothing
    add_segment(db, SegmentInfo("c1", 10.0, 20.0, "c1/a.mp4", 1300, "cd" * 32, 2))
    rows = _entries(db, actions.SEGMENT_RECORDED)
    assert [json.loads(r.details)["sha256"] for r in rows] == ["ab" * 32, "cd" * 32]
    assert rows[0].actor == actions.SYSTEM_RECORDER and rows[0].camera == "c1"
    assert (rows[0].start_ts, rows[0].end_ts) == (10.0, 20.0)
    assert verify_log(db, None).ok


def test_retention_deletions_are_logged_with_their_policy(tmp_path: Path, db: Database) -> None:
    _camera(db)
    root = tmp_path / "store"
    now = 100 * DAY
    for i, start in enumerate((now - 40 * DAY, now - 100.0)):
        path = root / f"c1/{i}.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
        add_segment(db, SegmentInfo("c1", start, start + 10, f"c1/{i}.mp4", 10, f"{i:064x}", 1))
    plan = run_retention(root, db, {"c1": 30.0}, None, 0, now=now)
    assert [reason for _, reason in plan] == ["retention period"]
    rows = _entries(db, actions.RETENTION_DELETE)
    assert len(rows) == 1 and rows[0].actor == actions.SYSTEM_RETENTION
    details = json.loads(rows[0].details)
    assert details["policy"] == "retention period" and details["retention_days"] == 30.0
    assert details["sha256"] == f"{0:064x}" and details["path"] == "c1/0.mp4"
    assert not (root / "c1/0.mp4").exists() and (root / "c1/1.mp4").exists()
    assert verify_log(db, None).ok
