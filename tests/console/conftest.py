"""Fixtures for console tests: a small site with real recorded segments, events, a
plan, users of every role, and the app.

``site`` is built once per session (read-mostly tests); ``fresh_site`` once per test
(tests that change users, throttle logins or move the clock).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from civicam.config.recording import CameraConfig, RecorderFileConfig
from civicam.console.accounts import create_token, create_user
from civicam.console.app import create_app
from civicam.console.roles import ROLES
from civicam.recording.footage import bikes_mp4
from civicam.recording.paths import segment_path, segment_relpath, snapshot_path, snapshot_relpath
from civicam.recording.writer import SegmentWriter
from civicam.store.audit import AuditEntry
from civicam.store.engine import Database, open_database
from civicam.store.events import NewEvent, add_events, set_snapshot
from civicam.store.index import GapInfo, SegmentInfo, add_gap, add_segment
from civicam.store.registry import upsert_cameras

ALLOWED = "north-1"  # in district "north", assigned to every scoped user
FORBIDDEN = "south-1"  # in district "south", assigned to nobody but admins/auditors
XSS_NAME = "<img src=x onerror=alert(1)>\u202e Ääkkönen \U0001f4f7"
STREAM_PASSWORD = "str3am-Pa55word-never-shown"
PASSWORD = "correct horse battery staple"  # every test user's password


class Clock:
    """A settable clock for the app (sessions, throttling, grants)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Site:
    """A console site on disk."""

    cfg: RecorderFileConfig
    db: Database
    root: Path
    clock: Clock
    tokens: dict[str, str]
    recorded: tuple[float, float]
    event_ids: dict[str, list[int]]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passwords(self) -> dict[str, str]:
        """User name -> password (one per role; user names are the role names)."""
        return {role: PASSWORD for role in ROLES}


def write_segments(root: Path, camera_id: str, start: float) -> list[SegmentInfo]:
    """Cut the bundled 10 s clip at its keyframes into real fMP4 segments starting at
    ``start`` (UTC seconds), the way the recorder writes them."""
    out: list[SegmentInfo] = []
    with av.open(str(bikes_mp4())) as src:
        stream = src.streams.video[0]
        tb = float(stream.time_base or 0)
        writer: SegmentWriter | None = None
        seg_t0 = 0.0
        last_t = 0.0

        def close() -> None:
            assert writer is not None
            size, digest = writer.close()
            wall0 = start + seg_t0
            out.append(
                SegmentInfo(
                    camera_id,
                    wall0,
                    start + last_t,
                    segment_relpath(camera_id, wall0),
                    size,
                    digest,
                    writer.keyframes,
                )
            )

        for packet in src.demux(stream):
            if packet.pts is None or packet.dts is None or packet.size == 0:
                continue
            t = packet.pts * tb
            if packet.is_keyframe and (writer is None or t - seg_t0 >= 1.0):
                if writer is not None:
                    last_t = t
                    close()
                seg_t0 = t
                writer = SegmentWriter(segment_path(root, camera_id, start + t), stream, 1.0)
            assert writer is not None
            writer.write(packet)
            last_t = max(last_t, t + float((packet.duration or 0) * tb))
        if writer is not None:
            close()
    return out


def _write_plan(directory: Path) -> None:
    directory.mkdir(parents=True)
    point = {"type": "Point", "coordinates": [24.94, 60.17]}
    (directory / "plan.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": point, "properties": {"id": "p1", "phase": 1}}
                ],
            }
        ),
        encoding="utf-8",
    )
    (directory / "city.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": point, "properties": {"kind": "site"}}
                ],
            }
        ),
        encoding="utf-8",
    )
    (directory / "summary.json").write_text(json.dumps({"cameras": 1}), encoding="utf-8")
    (directory / "report.html").write_text("<!doctype html><p>plan report</p>", encoding="utf-8")


def build_site(base: Path) -> Site:
    """A site under ``base``: three cameras, recorded segments, gaps, events, a plan, one
    user per role (user name = role) with password :data:`PASSWORD` and an API token."""
    root = base / "storage"
    plan_dir = base / "plans" / "2026-plan"
    _write_plan(plan_dir)
    cameras = [
        CameraConfig(
            id=ALLOWED,
            name="North square",
            url=f"rtsp://camuser:{STREAM_PASSWORD}@10.0.0.5/main",
            purpose="Safety of the north square",
            owner="City of Example, public works",
            lat=60.17,
            lon=24.94,
            heading=90.0,
            district="north",
        ),
        CameraConfig(
            id=FORBIDDEN,
            name="South gate",
            url="rtsp://10.0.0.6/main",
            username="gateuser",
            password=SecretStr(STREAM_PASSWORD),
            purpose="Safety of the south gate",
            owner="City of Example, public works",
            lat=60.16,
            lon=24.93,
            district="south",
        ),
        CameraConfig(
            id="xss-cam",
            name=XSS_NAME,
            url="rtsp://10.0.0.7/main",
            purpose="Escaping check <script>alert(1)</script>",
            owner="City of <b>Example</b>",
            district="north",
        ),
    ]
    cfg = RecorderFileConfig.model_validate(
        {
            "storage": {"root": str(root)},
            "cameras": [c.model_dump(mode="python") for c in cameras],
            "console": {"plan_dir": str(plan_dir.parent)},
            "audit": {"key_dir": str(base / "keys")},
            # Exports in tests are remuxed; redaction has its own tests (civicam.export).
            "privacy": {"redact_persons": False},
        }
    )
    root.mkdir(parents=True)
    db = open_database(cfg.database_url())
    upsert_cameras(db, cameras)
    now = time.time()
    start = now - 120.0
    recorded = (start, start)
    for cam in (ALLOWED, FORBIDDEN):
        segs = write_segments(root, cam, start)
        for seg in segs:
            add_segment(db, seg)
        recorded = (segs[0].start, segs[-1].end)
        add_gap(db, GapInfo(cam, start - 60.0, start, "camera offline"))
    event_ids: dict[str, list[int]] = {}
    jpeg = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
    for cam in (ALLOWED, FORBIDDEN):
        ids = add_events(
            db,
            [
                NewEvent(cam, "car", start + 1.0, start + 3.0, 0.9, ("road",)),
                NewEvent(cam, "bicycle", start + 4.0, start + 6.0, 0.8, ("path",)),
            ],
        )
        for event_id in ids:
            path = snapshot_path(root, cam, event_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(jpeg)
            set_snapshot(db, event_id, snapshot_relpath(cam, event_id))
        event_ids[cam] = ids
    tokens: dict[str, str] = {}
    for role in ROLES:
        scoped = role not in ("admin", "auditor")
        create_user(db, role, role, PASSWORD, districts=["north"] if scoped else [])
        tokens[role] = create_token(db, role, "tests")[1]
    # A user the user-management routes act on (never signs in).
    create_user(db, "target", "viewer", PASSWORD, districts=["north"])
    return Site(cfg, db, root, Clock(now), tokens, recorded, event_ids)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One shared site for tests that only read (or add harmless rows)."""
    s = build_site(tmp_path_factory.mktemp("console-site"))
    yield s
    s.db.close()


@pytest.fixture
def fresh_site(tmp_path: Path) -> Iterator[Site]:
    """A site of one's own (users, throttling, clock)."""
    s = build_site(tmp_path)
    yield s
    s.db.close()


@pytest.fixture(scope="session")
def app(site: Site) -> FastAPI:
    """The console app of the shared site (real clock)."""
    return create_app(site.cfg, site.db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A fresh client (no cookies) of the shared app."""
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def fresh_app(fresh_site: Site) -> FastAPI:
    """The console app of ``fresh_site``, on its settable clock."""
    return create_app(fresh_site.cfg, fresh_site.db, clock=fresh_site.clock)


@pytest.fixture
def fresh_client(fresh_app: FastAPI) -> Iterator[TestClient]:
    """A client of ``fresh_app``."""
    with TestClient(fresh_app, base_url="http://testserver") as c:
        yield c


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in with a cookie session; returns the CSRF token."""
    r = client.post("/api/session/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    token = r.json()["csrf_token"]
    assert isinstance(token, str)
    return token


def bearer(site: Site, role: str) -> dict[str, str]:
    """Authorization header of the role's API token."""
    return {"Authorization": f"Bearer {site.tokens[role]}"}


def audit_entries(db: Database, action: str | None = None) -> list[AuditEntry]:
    """Audit rows, oldest first (optionally of one action)."""
    stmt = select(AuditEntry).order_by(AuditEntry.idx)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    with db.read() as session:
        return list(session.scalars(stmt))
