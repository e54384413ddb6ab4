"""Fixtures: bundled footage, a real GStreamer RTSP server on 127.0.0.1, a database."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicam.config.recording import CameraConfig
from civicam.recording.footage import bikes_mp4
from civicam.store import Database, open_database
from civicam.store.registry import upsert_cameras

SYSTEM_PYTHON = Path("/usr/bin/python3")
SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gst_available() -> bool:
    if not SYSTEM_PYTHON.is_file():
        return False
    probe = subprocess.run(
        [
            str(SYSTEM_PYTHON),
            "-c",
            "import gi; gi.require_version('GstRtspServer', '1.0'); "
            "from gi.repository import GstRtspServer",
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


GST = _gst_available()
requires_gst = pytest.mark.skipif(
    not GST, reason="GStreamer RTSP server missing: run `make system-deps-recording` as root"
)


class RtspServer:
    """gst-rtsp-server in a subprocess (system Python), loopback only; restartable."""

    def __init__(self, port: int, *, file: Path | None = None, auth: str | None = None) -> None:
        self.port = port
        self.file = file
        self.auth = auth
        self.proc: subprocess.Popen[str] | None = None

    def url(self, mount: str = "live") -> str:
        return f"rtsp://127.0.0.1:{self.port}/{mount}"

    def start(self, timeout: float = 30.0) -> float:
        """Start and wait until it listens; returns the wall time it became ready."""
        args = [str(SYSTEM_PYTHON), str(SERVER_SCRIPT), "--port", str(self.port)]
        if self.file is not None:
            args += ["--file", str(self.file)]
        if self.auth is not None:
            args += ["--auth", self.auth]
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = self.proc.stdout.readline()
        if line.strip() != "READY":
            self.stop()
            raise RuntimeError(f"RTSP server did not start: {line!r}")
        # READY is printed after attach; make sure the port accepts connections.
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return time.time()
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("RTSP server did not accept connections")

    def stop(self) -> float:
        """Kill the server; returns the wall time it was gone."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            if self.proc.stdout is not None:
                self.proc.stdout.close()
            if self.proc.stderr is not None:
                self.proc.stderr.close()
            self.proc = None
        return time.time()


@pytest.fixture
def rtsp_server() -> Iterator[RtspServer]:
    """A running RTSP server serving /live, /bikes and /audio."""
    if not GST:
        pytest.skip("GStreamer RTSP server missing: run `make system-deps-recording` as root")
    server = RtspServer(free_port(), file=bikes_mp4())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bikes() -> Path:
    """The bundled 10 s H.264 street scene."""
    return bikes_mp4()


def camera(cam_id: str, url: str, **extra: object) -> CameraConfig:
    """A camera config with a purpose and owner."""
    return CameraConfig.model_validate(
        {"id": cam_id, "name": cam_id, "url": url, "purpose": "test camera", "owner": "tests"}
        | extra
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated SQLite database."""
    database = open_database(f"sqlite:///{tmp_path / 'index.db'}")
    try:
        yield database
    finally:
        database.close()


def register(db: Database, *cams: CameraConfig) -> None:
    """Put cameras into the registry."""
    upsert_cameras(db, list(cams))


def wait_for(predicate: object, timeout: float, interval: float = 0.1) -> bool:
    """Poll ``predicate()`` until true or ``timeout`` seconds pass."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
