"""SQLAlchemy models of the camera registry, segment index, gaps, holds and deletions.

Times are stored as UTC POSIX seconds (double precision): range queries are plain
comparisons and behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every civicam table."""


class Camera(Base):
    """A registered camera; its URL never carries credentials."""

    __tablename__ = "cameras"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    sub_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    purpose: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    heading: Mapped[float | None] = mapped_column(Float, nullable=True)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    district: Mapped[str | None] = mapped_column(String(200), nullable=True)
    retention_days: Mapped[float] = mapped_column(Float, default=30.0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[float] = mapped_column(Float)


class CameraCredential(Base):
    """Stream credentials, kept apart from the camera row so listings never touch them."""

    __tablename__ = "camera_credentials"

    camera_id: Mapped[str] = mapped_column(
        ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True
    )
    username: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Segment(Base):
    """One closed fMP4 segment on disk."""

    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("camera_id", "path"),
        Index("ix_segments_camera_start", "camera_id", "start_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("cameras.id"))
    start_ts: Mapped[float] = mapped_column(Float)
    end_ts: Mapped[float] = mapped_column(Float)
    path: Mapped[str] = mapped_column(String(300))  # relative to the storage root
    bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    keyframes: Mapped[int] = mapped_column(Integer)
    # "ok", or "missing" when the file vanished from disk.
    status: Mapped[str] = mapped_column(String(16), default="ok")


class Gap(Base):
    """An interruption of a camera's record longer than the minimum gap."""

    __tablename__ = "gaps"
    __table_args__ = (Index("ix_gaps_camera_start", "camera_id", "start_ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("cameras.id"))
    start_ts: Mapped[float] = mapped_column(Float)
    end_ts: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(300))


class Hold(Base):
    """Footage of a camera and time range that retention must never delete."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(ForeignKey("cameras.id"))
    start_ts: Mapped[float] = mapped_column(Float)
    end_ts: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[float] = mapped_column(Float)


class Deletion(Base):
    """A record of every segment deleted (by retention or reconciliation)."""

    __tablename__ = "deletions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    start_ts: Mapped[float] = mapped_column(Float)
    end_ts: Mapped[float] = mapped_column(Float)
    bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(100))
    deleted_at: Mapped[float] = mapped_column(Float)
