"""Request and response bodies of the console API (JSON only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from civicam.config.ids import CAMERA_ID_PATTERN

#: UTC POSIX seconds, 1970 to the end of year 9999.
Timestamp = Annotated[float, Field(ge=0, le=253_402_300_799, allow_inf_nan=False)]
CameraId = Annotated[str, StringConstraints(pattern=CAMERA_ID_PATTERN, max_length=64)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
CameraStatus = Literal["recording", "degraded", "offline", "disabled"]
ExportStatus = Literal["queued", "running", "ready", "failed"]


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """Every error: a message (or a list of validation problems), never a stack trace."""

    detail: str | list[dict[str, Any]]


class LoginIn(Body):
    """User name and password."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=4096)


class MeOut(BaseModel):
    """The signed-in user."""

    username: str
    name: str
    role: str
    capabilities: list[str]
    all_cameras: bool
    districts: list[str]
    cameras: list[str]
    csrf_token: str | None = Field(
        None, description="Send as X-CSRF-Token on every state change (cookie sessions only)."
    )
    playback_reason_required: bool
    unmasked: bool = Field(False, description="True while an unmask grant is active.")


class CameraOut(BaseModel):
    """A camera with its recording status (never its stream URL or credentials)."""

    id: str
    name: str
    purpose: str
    owner: str
    district: str | None
    model: str | None
    lat: float | None
    lon: float | None
    heading: float | None
    enabled: bool
    retention_days: float
    status: CameraStatus
    masked: bool = Field(description="The camera has privacy masks.")
    unmasked_until: float | None = Field(
        description="When the caller's unmask grant for this camera ends (None: masked)."
    )
    last_segment_end: float | None
    last_packet_at: float | None
    fps: float | None
    bitrate_bps: float | None


class CameraListOut(BaseModel):
    """Cameras the user may see."""

    items: list[CameraOut]


class SpanOut(BaseModel):
    """A recorded stretch (consecutive segments merged)."""

    start: float
    end: float


class GapOut(BaseModel):
    """An interruption of the record."""

    start: float
    end: float
    reason: str


class TimelineEventOut(BaseModel):
    """An event on the timeline."""

    id: int
    start: float
    end: float
    label: str
    zones: list[str]


class TimelineOut(BaseModel):
    """Recordings, gaps and events of one camera in ``[start, page_end]``; when the asked
    range is longer than a page, ``next_cursor`` is where the next page starts."""

    camera_id: str
    start: float
    end: float
    page_end: float
    recordings: list[SpanOut]
    segments: int
    gaps: list[GapOut]
    events: list[TimelineEventOut]
    events_truncated: bool
    next_cursor: float | None


class EventOut(BaseModel):
    """A detected event (object classes only)."""

    id: int
    camera_id: str
    label: str
    zones: list[str]
    zone: str | None
    start: float
    end: float
    score: float
    thumbnail_url: str | None = Field(None, description="The redacted snapshot, if any.")


class EventPageOut(BaseModel):
    """One page of events, newest first; pass ``next_cursor`` as ``cursor`` for more."""

    items: list[EventOut]
    next_cursor: int | None


class PlaybackIn(Body):
    """A recorded range to play and why."""

    start: Timestamp
    end: Timestamp
    reason: str | None = Field(None, max_length=2000)


class PlaybackOut(BaseModel):
    """An HLS playlist URL for the range (valid until ``expires_at``)."""

    url: str
    start: float
    end: float
    segments: int
    expires_at: float


class LiveOut(BaseModel):
    """Live view URLs: an MJPEG stream and a single latest frame."""

    kind: Literal["mjpeg"]
    url: str
    snapshot_url: str
    latency_s: float = Field(description="Typical delay behind real time, in seconds.")
    expires_at: float


class ExportIn(Body):
    """An export request."""

    camera_ids: list[CameraId] = Field(min_length=1, max_length=16)
    start: Timestamp
    end: Timestamp
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
    recipient: str = Field("", max_length=200)


class ExportOut(BaseModel):
    """An export job."""

    id: int
    status: ExportStatus
    camera_ids: list[str]
    start: float
    end: float
    reason: str
    recipient: str
    requested_by: str
    created_at: float
    finished_at: float | None
    bytes: int | None
    sha256: str | None
    download_url: str | None
    error: str | None
    progress: float = Field(description="0..1 while running.")
    redacted: bool = Field(description="People are blurred in the package.")


class ExportListOut(BaseModel):
    """Export jobs the user may see."""

    items: list[ExportOut]


class HoldIn(Body):
    """A hold to create."""

    camera_id: CameraId
    start: Timestamp
    end: Timestamp
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
    case: str | None = Field(None, max_length=200, description="Case reference.")


class HoldReleaseIn(Body):
    """Why a hold ends."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class HoldOut(BaseModel):
    """A hold: footage that outlives retention."""

    id: int
    camera_id: str
    start: float
    end: float
    reason: str
    created_by: str


class HoldListOut(BaseModel):
    """Holds on cameras the user may see."""

    items: list[HoldOut]


class UserOut(BaseModel):
    """A console user (never a password hash)."""

    username: str
    role: str
    disabled: bool
    all_cameras: bool
    districts: list[str]
    cameras: list[str]
    created_at: float
    updated_at: float


class UserListOut(BaseModel):
    """Console users."""

    items: list[UserOut]


class ScopeIn(Body):
    """Which districts and cameras a user works in."""

    districts: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=1000
    )
    cameras: list[CameraId] = Field(default_factory=list, max_length=10_000)
    all_cameras: bool = False


class PlanOut(BaseModel):
    """The latest plan: its cameras (GeoJSON) and summary."""

    name: str
    created: float
    plan: dict[str, Any]
    summary: dict[str, Any]
    report_url: str | None


class SignedHeadOut(BaseModel):
    """A signed tree head of the audit log (hashes and signature in hex)."""

    tree_size: int
    root_hash: str
    timestamp_ms: int
    signature: str
    key_id: str


class AuditHeadOut(BaseModel):
    """The audit log's size and latest signed head (none before the first signing)."""

    size: int
    head: SignedHeadOut | None


class UnmaskIn(Body):
    """Why, and for how long, to see a camera without privacy masks."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]
    minutes: float = Field(gt=0, le=1440, allow_inf_nan=False)


class UnmaskOut(BaseModel):
    """An unmask grant in force."""

    camera_id: str
    expires_at: float


class UnmaskEndOut(BaseModel):
    """How many of one's grants on the camera ended."""

    camera_id: str
    ended: int
