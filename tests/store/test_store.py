"""The store: migrations, registry, credentials kept apart, minimal config form."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from civicam.config.loader import ConfigError, load_model
from civicam.config.recording import CameraConfig, RecorderFileConfig
from civicam.store import open_database
from civicam.store.engine import MIGRATIONS, DatabaseError
from civicam.store.index import (
    GapInfo,
    SegmentInfo,
    add_gap,
    add_hold,
    add_segment,
    gaps,
    last_segment_end,
    segments,
)
from civicam.store.models import Base
from civicam.store.registry import get_credentials, list_cameras, upsert_cameras


def test_minimal_config_form_loads(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        f"storage: {{root: {tmp_path / 's'}}}\n"
        f"database: {{url: 'sqlite:///{tmp_path / 'x.db'}'}}\n"
        "cameras: [{id: c1, name: One, url: 'rtsp://127.0.0.1/x', purpose: Square, owner: City}]\n"
    )
    cfg = load_model(path, RecorderFileConfig)
    assert cfg.cameras[0].retention_days == 30 and cfg.recording.segment_seconds == 10
    assert cfg.database_url() == f"sqlite:///{tmp_path / 'x.db'}"


def test_camera_without_purpose_is_rejected_with_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "storage: {root: /tmp/x}\ncameras:\n  - {id: c1, name: One, url: 'rtsp://h/x'}\n"
    )
    with pytest.raises(ConfigError, match=r"c\.yaml:3:\d+: cameras\.0\.purpose: Field required"):
        load_model(path, RecorderFileConfig)


def test_migrations_create_tables_and_sqlite_uses_wal(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'a.db'}")
    tables = set(inspect(db.engine).get_table_names())
    assert {"cameras", "camera_credentials", "segments", "gaps", "holds", "deletions"} <= tables
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    script = ScriptDirectory.from_config(_alembic_config())
    assert version == script.get_current_head()
    db.close()
    open_database(f"sqlite:///{tmp_path / 'a.db'}").close()  # re-running is a no-op


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def test_migrations_match_the_models(tmp_path: Path) -> None:
    # Every model module's tables and columns exist as the migrations create them.
    for module in ("events", "accounts", "audit", "privacy"):
        importlib.import_module(f"civicam.store.{module}")
    db = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    inspector = inspect(db.engine)
    created = set(inspector.get_table_names()) - {"alembic_version"}
    assert created == set(Base.metadata.tables)
    for name, table in Base.metadata.tables.items():
        columns = {c["name"] for c in inspector.get_columns(name)}
        assert columns == {c.name for c in table.columns}, name
    db.close()


def test_unsupported_backend_is_refused() -> None:
    with pytest.raises(DatabaseError):
        open_database("mysql://127.0.0.1/x", migrate=False)


def test_credentials_are_stored_apart_and_never_listed(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'a.db'}")
    upsert_cameras(
        db,
        [
            CameraConfig(
                id="c1",
                name="One",
                url="rtsp://admin:hunter2@127.0.0.1/x",
                purpose="Square",
                owner="City",
            )
        ],
    )
    cams = list_cameras(db)
    assert cams[0].url == "rtsp://127.0.0.1/x"
    assert "hunter2" not in repr(cams)
    creds = get_credentials(db, "c1")
    assert creds is not None and creds.password == "hunter2"
    with db.engine.connect() as conn:
        assert "hunter2" not in str(conn.execute(text("SELECT * FROM cameras")).all())
    db.close()


def test_index_queries_by_camera_and_time(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'a.db'}")
    upsert_cameras(
        db, [CameraConfig(id="c1", name="One", url="file:///x.mp4", purpose="Square", owner="City")]
    )
    for i in range(3):
        add_segment(db, SegmentInfo("c1", 10.0 * i, 10.0 * i + 10, f"p{i}", 5, "a" * 64, 1))
    add_gap(db, GapInfo("c1", 30.0, 35.0, "offline: connection refused"))
    assert [s.path for s in segments(db, "c1", 12, 25)] == ["p1", "p2"]
    assert last_segment_end(db, "c1") == 30.0
    assert gaps(db, "c1")[0].reason.startswith("offline")
    with pytest.raises(ValueError):
        add_hold(db, "c1", 5, 1, "backwards", "x")
    db.close()
