"""Recording settings: storage, database, recorder behaviour and cameras.

A recording configuration file has four sections; only ``storage.root`` and
``cameras`` are needed, everything else has defaults::

    storage: {root: /srv/civicam}
    database: {url: sqlite:////srv/civicam/index.db}
    cameras:
      - {id: market-square-1, name: Market square, url: rtsp://10.0.0.5/main,
         purpose: Safety of the market square, owner: City of Example, public works}
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from civicam.config.analysis import AnalysisConfig
from civicam.config.audit import AuditConfig
from civicam.config.base import Section
from civicam.config.console import ConsoleConfig
from civicam.config.ids import CAMERA_ID_PATTERN as CAMERA_ID_PATTERN
from civicam.config.ids import validate_camera_id as validate_camera_id
from civicam.config.privacy import PrivacyConfig

ALLOWED_SCHEMES = ("rtsp", "rtsps", "http", "https", "file")


class StorageConfig(Section):
    """Where segments live and how much disk they may use."""

    root: Path = Field(description="Directory holding segments (and the default index database).")
    max_bytes: int | None = Field(
        None,
        ge=1_000_000,
        le=10**18,
        description="Global disk budget for segments in bytes; oldest unheld footage goes first.",
    )
    min_free_bytes: int = Field(
        1_000_000_000,
        ge=0,
        le=10**18,
        description="Free space to keep on the storage file system; retention deletes below it.",
    )
    retention_interval_s: float = Field(
        60.0, gt=0, le=86_400, description="How often retention runs while recording, in seconds."
    )


class DatabaseConfig(Section):
    """The camera registry and segment index."""

    url: str | None = Field(
        None,
        min_length=1,
        max_length=2048,
        description=(
            "SQLAlchemy URL (sqlite:///PATH or postgresql+psycopg://...). "
            "Default: SQLite in WAL mode at <storage.root>/index.db."
        ),
    )


class RecordingConfig(Section):
    """How the recorder segments, reconnects and watches streams."""

    segment_seconds: float = Field(
        10.0, ge=1, le=3600, description="Target segment length; segments start on keyframes."
    )
    fragment_seconds: float = Field(
        1.0, gt=0, le=1.0, description="Longest fMP4 fragment: the most a crash can lose."
    )
    reconnect_initial_s: float = Field(
        0.25, gt=0, le=60, description="First reconnect delay; doubles after each failure."
    )
    reconnect_max_s: float = Field(
        1.0, gt=0, le=300, description="Cap of the reconnect delay (capped exponential backoff)."
    )
    open_timeout_s: float = Field(
        10.0, gt=0, le=120, description="Longest wait for a stream to open."
    )
    stall_timeout_s: float = Field(
        5.0,
        gt=0,
        le=300,
        description="Connected but no video packet for this long: the stream is stalled.",
    )
    min_gap_seconds: float = Field(
        1.0, ge=0, le=60, description="Interruptions longer than this become gap rows."
    )
    rtsp_transport: Literal["auto", "tcp", "udp"] = Field(
        "auto", description="RTSP transport: 'auto' tries TCP, then UDP."
    )
    metrics_port: int | None = Field(
        None,
        ge=1,
        le=65_535,
        description="Serve Prometheus metrics on 127.0.0.1 at this port (off when unset).",
    )
    metrics_host: Literal["127.0.0.1", "::1"] = Field(
        "127.0.0.1", description="Address the metrics endpoint binds to (loopback only)."
    )


class CameraConfig(Section):
    """One camera of the registry."""

    id: str = Field(
        min_length=1, max_length=64, description="Unique slug: a-z, 0-9, '-', '_' (used in paths)."
    )
    name: str = Field(min_length=1, max_length=200, description="Human-readable name.")
    url: str = Field(
        min_length=1,
        max_length=2048,
        description=(
            "Main stream: rtsp://, rtsps://, http(s):// or file://. Credentials in the URL are "
            "moved to the credential store and never shown."
        ),
    )
    sub_url: str | None = Field(
        None, min_length=1, max_length=2048, description="Optional low-resolution sub stream."
    )
    purpose: str = Field(
        min_length=3, max_length=500, description="Stated purpose: why this camera exists."
    )
    owner: str = Field(
        min_length=2, max_length=200, description="Who answers for this camera (a body or office)."
    )
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude (WGS 84 degrees).")
    lon: float | None = Field(None, ge=-180, le=180, description="Longitude (WGS 84 degrees).")
    heading: float | None = Field(
        None, ge=0, lt=360, description="Viewing direction, degrees clockwise from north."
    )
    model: str | None = Field(None, max_length=200, description="Camera model name.")
    district: str | None = Field(None, max_length=200, description="District or area name.")
    retention_days: float = Field(
        30.0, gt=0, le=3650, description="Days footage is kept (unless held)."
    )
    enabled: bool = Field(True, description="Record this camera.")
    username: str | None = Field(
        None, max_length=200, description="Stream user name (stored apart from the URL)."
    )
    password: SecretStr | None = Field(
        None, description="Stream password (stored apart from the URL, never shown)."
    )

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        return validate_camera_id(value)

    @field_validator("url", "sub_url")
    @classmethod
    def _scheme_allowed(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme = value.split(":", 1)[0].lower() if ":" in value else ""
        if scheme not in ALLOWED_SCHEMES:
            raise ValueError(f"URL scheme must be one of {', '.join(ALLOWED_SCHEMES)}")
        return value


class RecorderFileConfig(Section):
    """A site configuration file: storage, database, recording, cameras, analysis, console,
    audit and privacy (``civicam record|run -c FILE``)."""

    storage: StorageConfig = Field(description="Where segments live.")
    database: DatabaseConfig = Field(
        default_factory=lambda: DatabaseConfig(), description="Registry and index database."
    )
    recording: RecordingConfig = Field(
        default_factory=lambda: RecordingConfig(), description="Recorder behaviour."
    )
    cameras: list[CameraConfig] = Field(
        default_factory=list, max_length=100_000, description="Cameras to register."
    )
    analysis: AnalysisConfig = Field(
        default_factory=lambda: AnalysisConfig(),
        description="Motion, object-class detection, zones and events.",
    )
    console: ConsoleConfig = Field(
        default_factory=lambda: ConsoleConfig(), description="The web console and its API."
    )
    audit: AuditConfig = Field(
        default_factory=lambda: AuditConfig(), description="The tamper-evident audit log."
    )
    privacy: PrivacyConfig = Field(
        default_factory=lambda: PrivacyConfig(),
        description="Privacy masks, person redaction and unmasking.",
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> RecorderFileConfig:
        seen: set[str] = set()
        for cam in self.cameras:
            if cam.id in seen:
                raise ValueError(f"camera id {cam.id!r} appears twice")
            seen.add(cam.id)
        return self

    def database_url(self) -> str:
        """The configured URL, or SQLite in the storage root."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.storage.root / 'index.db').resolve()}"
