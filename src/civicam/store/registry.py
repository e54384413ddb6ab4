"""The camera registry: register, list and fetch cameras; credentials stay apart."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select

from civicam.config.recording import CameraConfig
from civicam.recording.urls import Credentials, split_credentials
from civicam.store.engine import Database
from civicam.store.models import Camera, CameraCredential


@dataclass(frozen=True)
class CameraRecord:
    """A camera as the rest of civicam sees it (no credentials)."""

    id: str
    name: str
    url: str
    sub_url: str | None
    purpose: str
    owner: str
    lat: float | None
    lon: float | None
    heading: float | None
    model: str | None
    district: str | None
    retention_days: float
    enabled: bool


def _record(row: Camera) -> CameraRecord:
    return CameraRecord(
        id=row.id,
        name=row.name,
        url=row.url,
        sub_url=row.sub_url,
        purpose=row.purpose,
        owner=row.owner,
        lat=row.lat,
        lon=row.lon,
        heading=row.heading,
        model=row.model,
        district=row.district,
        retention_days=row.retention_days,
        enabled=row.enabled,
    )


def upsert_cameras(db: Database, cameras: list[CameraConfig]) -> int:
    """Insert or update ``cameras``; credentials in URLs or fields go to their own table."""
    now = time.time()
    with db.write() as session:
        for cam in cameras:
            url, url_creds = split_credentials(cam.url)
            sub_url = split_credentials(cam.sub_url)[0] if cam.sub_url else None
            password = cam.password.get_secret_value() if cam.password else None
            creds = url_creds
            if cam.username or password:
                creds = Credentials(cam.username, password)
            row = session.get(Camera, cam.id) or Camera(id=cam.id)
            row.name, row.url, row.sub_url = cam.name, url, sub_url
            row.purpose, row.owner = cam.purpose, cam.owner
            row.lat, row.lon, row.heading = cam.lat, cam.lon, cam.heading
            row.model, row.district = cam.model, cam.district
            row.retention_days, row.enabled, row.updated_at = cam.retention_days, cam.enabled, now
            session.merge(row)
            session.flush()
            existing = session.get(CameraCredential, cam.id)
            if creds is not None:
                cred_row = existing or CameraCredential(camera_id=cam.id)
                cred_row.username, cred_row.password = creds.username, creds.password
                session.merge(cred_row)
            elif existing is not None:
                session.delete(existing)
    return len(cameras)


def list_cameras(db: Database, *, enabled_only: bool = False) -> list[CameraRecord]:
    """All cameras ordered by id."""
    with db.read() as session:
        stmt = select(Camera).order_by(Camera.id)
        if enabled_only:
            stmt = stmt.where(Camera.enabled.is_(True))
        return [_record(row) for row in session.scalars(stmt)]


def get_camera(db: Database, camera_id: str) -> CameraRecord | None:
    """One camera, or ``None``."""
    with db.read() as session:
        row = session.get(Camera, camera_id)
        return None if row is None else _record(row)


def get_credentials(db: Database, camera_id: str) -> Credentials | None:
    """The stream credentials of a camera (for the recorder only; never print them)."""
    with db.read() as session:
        row = session.get(CameraCredential, camera_id)
        return None if row is None else Credentials(row.username, row.password)
