"""The store on PostgreSQL: a throwaway cluster (Debian's PostgreSQL, run as the
``postgres`` user on a Unix socket in a temp folder) through the same code as SQLite.

Skips when the PostgreSQL server binaries or the psycopg driver are missing.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from civicam.audit.verify import verify_log
from civicam.config.recording import CameraConfig
from civicam.store import open_database
from civicam.store.engine import Database
from civicam.store.events import NewEvent, add_events, search_events
from civicam.store.index import GapInfo, SegmentInfo, add_gap, add_segment, gaps, segments
from civicam.store.models import Base
from civicam.store.registry import get_credentials, list_cameras, upsert_cameras
from tests.audit.test_log import append_concurrently


def _pg_bin() -> Path | None:
    for version in sorted(Path("/usr/lib/postgresql").glob("*"), reverse=True):
        if (version / "bin" / "initdb").is_file():
            return version / "bin"
    return None


def _can_run() -> str | None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg missing"
    if _pg_bin() is None:
        return "PostgreSQL server binaries missing (apt-get install postgresql)"
    if os.geteuid() != 0 and shutil.which("initdb") is None:
        return "needs root (to run the cluster as postgres) or initdb on PATH"
    return None


SKIP = _can_run()
pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


def _as_postgres(args: list[str]) -> list[str]:
    # initdb refuses to run as root; the cluster belongs to the postgres user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A running cluster; yields a SQLAlchemy URL of a fresh database in it."""
    bindir = _pg_bin()
    assert bindir is not None
    # Not under pytest's tmp folders: those are private to root, the cluster's owner
    # (postgres) must reach its directory.
    base = Path(tempfile.mkdtemp(prefix="civicam-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "civicam"]),
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        _as_postgres(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-k",
                str(sock),
                "-c",
                "listen_addresses=",
                "-c",
                "fsync=off",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"postgresql+psycopg://civicam@/postgres?host={sock}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                db = open_database(url, migrate=False)
                with db.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                db.close()
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture()
def pg(pg_url: str) -> Iterator[Database]:
    """A fresh, migrated database for each test (schema dropped afterwards)."""
    db = open_database(pg_url)
    try:
        yield db
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.close()


def _camera(cam_id: str) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "id": cam_id,
            "name": cam_id,
            "url": "rtsp://10.0.0.5/main",
            "username": "viewer",
            "password": "s3cret-stream",
            "purpose": "Safety of the square",
            "owner": "City",
        }
    )


def test_migrations_create_every_model_table(pg: Database) -> None:
    for module in ("events", "accounts", "audit", "privacy"):
        importlib.import_module(f"civicam.store.{module}")
    created = set(inspect(pg.engine).get_table_names()) - {"alembic_version"}
    assert created == set(Base.metadata.tables)


def test_registry_segments_and_gaps(pg: Database) -> None:
    upsert_cameras(pg, [_camera("square-1")])
    assert [c.id for c in list_cameras(pg)] == ["square-1"]
    creds = get_credentials(pg, "square-1")
    assert creds is not None and creds.password == "s3cret-stream"
    seg = SegmentInfo("square-1", 100.0, 110.0, "square-1/a.mp4", 1000, "ab" * 32, 1)
    add_segment(pg, seg)
    add_gap(pg, GapInfo("square-1", 110.0, 130.0, "offline"))
    assert segments(pg, "square-1", 105, 106) == [seg]
    assert [g.reason for g in gaps(pg, "square-1")] == ["offline"]


def test_event_search_pages_the_same_as_on_sqlite(pg: Database, tmp_path: Path) -> None:
    lite = open_database(f"sqlite:///{tmp_path / 'e.db'}")
    events = [
        NewEvent(
            f"cam-{i % 3}",
            "person" if i % 2 else "car",
            float(i),
            i + 5.0,
            0.8,
            ("door",) if i % 4 == 0 else (),
        )
        for i in range(120)
    ]
    add_events(pg, events)
    add_events(lite, events)
    for kwargs in (
        {},
        {"cameras": ["cam-1"]},
        {"label": "car", "start": 30.0, "end": 90.0},
        {"zone": "door"},
        {"cameras": ["cam-0", "cam-2"], "label": "person"},
    ):
        a = search_events(pg, limit=7, **kwargs)
        b = search_events(lite, limit=7, **kwargs)
        assert [(e.camera_id, e.start, e.label) for e in a] == [
            (e.camera_id, e.start, e.label) for e in b
        ], kwargs
        assert search_events(pg, limit=7, before_id=a[-1].id, **kwargs) != a
    lite.close()


def test_concurrent_audit_writers_get_dense_indexes(pg: Database, pg_url: str) -> None:
    # Separate engines: PostgreSQL itself must serialise the appends.
    dbs = [open_database(pg_url, migrate=False) for _ in range(4)]
    got = append_concurrently(dbs, 25)
    assert sorted(got) == list(range(100))
    report = verify_log(pg, None)
    assert report.ok and report.entries == 100
    for d in dbs:
        d.close()
