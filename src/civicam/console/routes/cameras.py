"""``/api/cameras``: cameras with status, and a camera's recordings timeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from civicam.config.ids import CAMERA_ID_PATTERN
from civicam.console.deps import CamerasUser, Principal, camera_for, permitted_cameras
from civicam.console.roles import Cap, has_cap
from civicam.console.schemas import (
    CameraListOut,
    CameraOut,
    CameraStatus,
    GapOut,
    SpanOut,
    TimelineEventOut,
    TimelineOut,
)
from civicam.console.state import ConsoleState, state_of
from civicam.console.timeline import RangeError, check_range, merge_spans
from civicam.privacy.unmask import expires_at as unmask_expiry
from civicam.recording.service import read_health
from civicam.store.events import MAX_PAGE, search_events
from civicam.store.index import gaps, last_segment_end, segment_spans
from civicam.store.registry import CameraRecord

router = APIRouter(prefix="/api/cameras", tags=["cameras"])

CameraPath = Annotated[str, Path(pattern=CAMERA_ID_PATTERN, max_length=64)]
TimeQuery = Annotated[float, Query(ge=0, le=253_402_300_799, allow_inf_nan=False)]

_STATUS: dict[str, CameraStatus] = {
    "online": "recording",
    "starting": "degraded",
    "stalled": "degraded",
    "offline": "offline",
    "stopped": "offline",
}


def camera_out(
    state: ConsoleState, principal: Principal, cam: CameraRecord, health: dict[str, Any] | None
) -> CameraOut:
    """A camera as the API shows it."""
    status: CameraStatus = "disabled"
    if cam.enabled:
        status = _STATUS.get(str(health.get("status")), "offline") if health else "offline"
    return CameraOut(
        id=cam.id,
        name=cam.name,
        purpose=cam.purpose,
        owner=cam.owner,
        district=cam.district,
        model=cam.model,
        lat=cam.lat,
        lon=cam.lon,
        heading=cam.heading,
        enabled=cam.enabled,
        retention_days=cam.retention_days,
        status=status,
        masked=bool(state.cfg.privacy.masks.get(cam.id)),
        unmasked_until=unmask_expiry(state.db, principal.username, cam.id, at=state.clock()),
        last_segment_end=last_segment_end(state.db, cam.id),
        last_packet_at=_num(health, "last_packet_at"),
        fps=_num(health, "fps"),
        bitrate_bps=_num(health, "bitrate_bps"),
    )


def _num(health: dict[str, Any] | None, key: str) -> float | None:
    value = None if health is None else health.get(key)
    return float(value) if isinstance(value, int | float) else None


@router.get("", response_model=CameraListOut)
def list_cameras_route(request: Request, principal: CamerasUser) -> CameraListOut:
    """Cameras within the user's assignment, with recording status."""
    state = state_of(request)
    health = read_health(state.root)
    return CameraListOut(
        items=[
            camera_out(state, principal, c, health.get(c.id))
            for c in permitted_cameras(state, principal)
        ]
    )


@router.get("/{camera_id}", response_model=CameraOut)
def get_camera_route(camera_id: CameraPath, request: Request, principal: CamerasUser) -> CameraOut:
    """One camera with its status."""
    state = state_of(request)
    cam = camera_for(state, principal, camera_id)
    return camera_out(state, principal, cam, read_health(state.root).get(cam.id))


@router.get("/{camera_id}/timeline", response_model=TimelineOut)
def timeline(
    camera_id: CameraPath,
    start: TimeQuery,
    end: TimeQuery,
    request: Request,
    principal: CamerasUser,
    cursor: Annotated[
        float | None,
        Query(ge=0, le=253_402_300_799, allow_inf_nan=False, description="next_cursor of a page"),
    ] = None,
) -> TimelineOut:
    """Recordings, gaps and (with the events capability) events in ``[start, end]``.

    A response covers at most ``console.timeline_page_s``; ``next_cursor`` continues.
    """
    state = state_of(request)
    cam = camera_for(state, principal, camera_id)
    check_range(start, end, state.cfg.console.max_range_s)
    page_start = start if cursor is None else cursor
    if not start <= page_start < end:
        raise RangeError("cursor must lie within [start, end)")
    page_end = min(end, page_start + state.cfg.console.timeline_page_s)
    segs = segment_spans(state.db, cam.id, page_start, page_end)
    spans = merge_spans([(a, b) for a, b, _ in segs], state.cfg.recording.min_gap_seconds)
    events: list[TimelineEventOut] = []
    truncated = False
    if has_cap(principal.user, Cap.EVENTS):
        found = search_events(
            state.db, cameras=[cam.id], start=page_start, end=page_end, limit=MAX_PAGE
        )
        truncated = len(found) >= MAX_PAGE
        events = [
            TimelineEventOut(id=e.id, start=e.start, end=e.end, label=e.label, zones=list(e.zones))
            for e in found
        ]
    return TimelineOut(
        camera_id=cam.id,
        start=start,
        end=end,
        page_end=page_end,
        recordings=[SpanOut(start=a, end=b) for a, b in spans],
        segments=len(segs),
        gaps=[
            GapOut(start=g.start, end=g.end, reason=g.reason)
            for g in gaps(state.db, cam.id, page_start, page_end)
        ],
        events=events,
        events_truncated=truncated,
        next_cursor=page_end if page_end < end else None,
    )
