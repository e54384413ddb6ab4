"""The recorder on local files: segments, index, retention while recording, bad input."""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path

import pytest

from civicam.config.recording import RecordingConfig
from civicam.recording.recorder import CameraSpec, RecorderUnit
from civicam.recording.retention import run_retention
from civicam.recording.urls import Credentials
from civicam.store import Database
from civicam.store.index import add_hold, deletion_count, gaps, segments
from tests.recording.conftest import camera, register, wait_for
from tests.recording.helpers import check_index_matches_disk

FAST = RecordingConfig(
    segment_seconds=2,
    reconnect_initial_s=0.1,
    reconnect_max_s=0.5,
    open_timeout_s=3,
    stall_timeout_s=3,
)


def test_file_camera_records_contiguous_decodable_segments(
    tmp_path: Path, db: Database, bikes: Path
) -> None:
    url = f"file://{bikes}"
    register(db, camera("bikes", url))
    root = tmp_path / "store"
    unit = RecorderUnit([CameraSpec("bikes", url)], root, db, FAST)
    unit.start()
    try:
        assert wait_for(lambda: len(segments(db, "bikes")) >= 3, timeout=30)
        health = unit.status()[0]
        assert health.status == "online" and 20 < health.fps < 30 and health.bitrate_bps > 0
    finally:
        unit.stop()
    segs = segments(db, "bikes")
    assert check_index_matches_disk(root, db) == len(segs)
    for a, b in itertools.pairwise(segs):
        assert abs(b.start - a.end) < 0.05  # contiguous: no hidden gaps
        assert b.start - a.start >= 2 - 0.05
    assert all(s.keyframes >= 1 for s in segs)
    assert gaps(db, "bikes") == []
    assert abs(segs[0].start - time.time()) < 60


def test_disk_budget_deletes_oldest_unheld_keeps_held_and_recording_goes_on(
    tmp_path: Path, db: Database, bikes: Path
) -> None:
    url = f"file://{bikes}"
    register(db, camera("a", url), camera("b", url))
    root = tmp_path / "store"
    unit = RecorderUnit([CameraSpec("a", url), CameraSpec("b", url)], root, db, FAST)
    unit.start()
    try:
        assert wait_for(lambda: len(segments(db)) >= 8, timeout=40)
        first_a = segments(db, "a")[0]
        add_hold(db, "a", first_a.start, first_a.end, "incident 42", "supervisor")
        before = segments(db)
        total = sum(s.bytes for s in before)
        budget = max(1_000_000, total // 2)
        plan = run_retention(root, db, {"a": 30, "b": 30}, budget, 0)
        if total > budget:
            assert plan, "over budget but nothing deleted"
        deleted = {s.path for s, _ in plan}
        assert first_a.path not in deleted and (root / first_a.path).is_file()
        unheld = sorted((s for s in before if s.path != first_a.path), key=lambda s: s.end)
        assert [s.path for s, _ in plan] == [s.path for s in unheld[: len(plan)]]
        assert deletion_count(db) == len(plan)
        n_after = len(segments(db))
        assert wait_for(lambda: len(segments(db)) > n_after, timeout=20)  # still recording
        assert all(h.status == "online" for h in unit.status())
    finally:
        unit.stop()
    check_index_matches_disk(root, db)


def test_bad_inputs_fail_clearly_and_leave_other_cameras_alone(
    tmp_path: Path, db: Database, bikes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = f"file://{bikes}"
    bad = {
        "refused": ("rtsp://127.0.0.1:1/x", None),
        "no-file": ("file:///nonexistent/clip.mp4", None),
        "not-video": (f"file://{tmp_path / 'text.mp4'}", None),
        "malformed": ("rtsp://[::1/x", None),
        "scheme": ("gopher://127.0.0.1/x", None),
        "secret": ("rtsp://127.0.0.1:1/y", Credentials("admin", "s3cr3t-pw")),
    }
    (tmp_path / "text.mp4").write_text("this is not video")
    register(db, camera("good", good))
    specs = [CameraSpec("good", good)] + [CameraSpec(k, u, c) for k, (u, c) in bad.items()]
    unit = RecorderUnit(specs, tmp_path / "store", db, FAST)
    caplog.set_level(logging.DEBUG)
    unit.start()
    try:
        assert wait_for(lambda: len(segments(db, "good")) >= 2, timeout=30)
        status = {h.camera_id: h for h in unit.status()}
    finally:
        unit.stop()
    assert status["good"].status == "online"
    for cam_id in bad:
        assert status[cam_id].status == "offline", cam_id
        assert status[cam_id].last_error, cam_id
    assert "refused" in (status["refused"].last_error or "")
    assert "not found" in (status["no-file"].last_error or "")
    assert "scheme" in (status["scheme"].last_error or "")
    assert "malformed" in (status["malformed"].last_error or "")
    everything = repr(unit.status()) + caplog.text
    assert "s3cr3t-pw" not in everything
