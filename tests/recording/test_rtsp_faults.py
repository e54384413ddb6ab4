"""Fault tests against a real RTSP server (gst-rtsp-server on 127.0.0.1)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicam.config.recording import RecordingConfig
from civicam.recording.recorder import CameraSpec, RecorderUnit
from civicam.recording.urls import Credentials
from civicam.store import Database
from civicam.store.index import gaps, segments
from tests.recording.conftest import RtspServer, camera, free_port, register, requires_gst, wait_for
from tests.recording.helpers import check_index_matches_disk

CFG = RecordingConfig(
    segment_seconds=2,
    reconnect_initial_s=0.1,
    reconnect_max_s=0.5,
    open_timeout_s=3,
    stall_timeout_s=3,
)

pytestmark = requires_gst


def _outage(tmp_path: Path, db: Database, server: RtspServer, seconds: float) -> None:
    url = server.url("live")
    register(db, camera("live", url))
    root = tmp_path / "store"
    unit = RecorderUnit([CameraSpec("live", url)], root, db, CFG)
    unit.start()
    try:
        assert wait_for(lambda: len(segments(db, "live")) >= 1, timeout=30)
        down = server.stop()
        assert wait_for(lambda: unit.status()[0].status != "online", timeout=10)
        time.sleep(max(0.0, seconds - (time.time() - down)))
        up = server.start()
        assert wait_for(
            lambda: (unit.status()[0].last_packet_at or 0) > up, timeout=15, interval=0.02
        )
        resumed = unit.status()[0].last_packet_at or 0
        assert resumed - up <= 2.0, f"resumed {resumed - up:.2f} s after the stream returned"
        assert wait_for(lambda: len(gaps(db, "live")) >= 1, timeout=10)
    finally:
        unit.stop()
    (gap,) = gaps(db, "live")
    assert abs(gap.start - down) <= 1.0, f"gap starts {gap.start - down:+.2f} s from the outage"
    assert abs(gap.end - up) <= 1.0, f"gap ends {gap.end - up:+.2f} s from the stream's return"
    assert gap.reason.startswith(("offline", "stalled"))
    check_index_matches_disk(root, db)


def test_server_stopped_5s_leaves_a_matching_gap(
    tmp_path: Path, db: Database, rtsp_server: RtspServer
) -> None:
    _outage(tmp_path, db, rtsp_server, 5.0)


@pytest.mark.slow
def test_server_stopped_60s_leaves_a_matching_gap(
    tmp_path: Path, db: Database, rtsp_server: RtspServer
) -> None:
    _outage(tmp_path, db, rtsp_server, 60.0)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections on loopback and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", free_port()))
    sock.listen(16)
    sock.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()
    accepts = [0]

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            accepts[0] += 1
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        sock.close()


def test_silent_server_is_stalled_and_retried(
    tmp_path: Path, db: Database, silent_server: int
) -> None:
    url = f"rtsp://127.0.0.1:{silent_server}/live"
    cfg = CFG.model_copy(update={"open_timeout_s": 1.5, "stall_timeout_s": 1.5})
    unit = RecorderUnit([CameraSpec("silent", url)], tmp_path / "store", db, cfg)
    unit.start()
    try:
        assert wait_for(lambda: unit.status()[0].status == "stalled", timeout=20)
        assert wait_for(lambda: unit.status()[0].reconnects >= 2, timeout=20)
    finally:
        unit.stop()
    assert segments(db) == []


def test_wrong_credentials_and_audio_only_are_reported(
    tmp_path: Path, db: Database, bikes: Path
) -> None:
    server = RtspServer(free_port(), auth="viewer:right-pass")
    server.start()
    good, wrong = Credentials("viewer", "right-pass"), Credentials("viewer", "wrong-pass")
    specs = [
        CameraSpec("ok", server.url("live"), good),
        CameraSpec("wrong", server.url("live"), wrong),
        CameraSpec("audio", server.url("audio"), good),
    ]
    register(db, camera("ok", server.url("live")))
    unit = RecorderUnit(specs, tmp_path / "store", db, CFG)
    unit.start()
    try:
        assert wait_for(lambda: len(segments(db, "ok")) >= 1, timeout=30)
        assert wait_for(
            lambda: all(h.last_error for h in unit.status() if h.camera_id != "ok"), timeout=20
        )
        status = {h.camera_id: h for h in unit.status()}
    finally:
        unit.stop()
        server.stop()
    assert status["ok"].status == "online"
    assert "credentials" in (status["wrong"].last_error or "")
    assert "no video" in (status["audio"].last_error or "")
    assert "wrong-pass" not in repr(status) and "right-pass" not in repr(status)


def test_recording_real_footage_over_rtsp(
    tmp_path: Path, db: Database, rtsp_server: RtspServer
) -> None:
    url = rtsp_server.url("bikes")
    register(db, camera("bikes", url))
    root = tmp_path / "store"
    unit = RecorderUnit([CameraSpec("bikes", url)], root, db, CFG)
    unit.start()
    try:
        assert wait_for(lambda: len(segments(db, "bikes")) >= 2, timeout=30)
    finally:
        unit.stop()
    assert check_index_matches_disk(root, db) >= 2
