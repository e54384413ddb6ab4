"""``/api/events``: search events, one event, its redacted snapshot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse

from civicam.audit import actions
from civicam.config.ids import CAMERA_ID_PATTERN
from civicam.console.audit import record_audit
from civicam.console.deps import EventsUser, Principal, camera_for, permitted_cameras
from civicam.console.files import contained_file
from civicam.console.schemas import EventOut, EventPageOut
from civicam.console.state import ConsoleState, state_of
from civicam.console.timeline import RangeError
from civicam.recording.paths import snapshot_path
from civicam.store.events import EventRecord, get_event, search_events

router = APIRouter(prefix="/api/events", tags=["events"])

EventId = Annotated[int, Path(ge=1, le=2**62)]
TimeQuery = Annotated[float | None, Query(ge=0, le=253_402_300_799, allow_inf_nan=False)]


def event_out(ev: EventRecord) -> EventOut:
    """An event as the API shows it."""
    return EventOut(
        id=ev.id,
        camera_id=ev.camera_id,
        label=ev.label,
        zones=list(ev.zones),
        zone=ev.zones[0] if ev.zones else None,
        start=ev.start,
        end=ev.end,
        score=round(ev.peak_score, 4),
        thumbnail_url=f"/api/events/{ev.id}/snapshot.jpg" if ev.snapshot else None,
    )


@router.get("", response_model=EventPageOut)
def search(
    request: Request,
    principal: EventsUser,
    camera: Annotated[
        list[Annotated[str, Query(pattern=CAMERA_ID_PATTERN, max_length=64)]] | None,
        Query(max_length=256, description="Camera ids (repeat); default: all permitted."),
    ] = None,
    start: TimeQuery = None,
    end: TimeQuery = None,
    label: Annotated[str | None, Query(pattern=r"^[\w .-]{1,64}$")] = None,
    zone: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[int | None, Query(ge=1, le=2**62, description="next_cursor")] = None,
) -> EventPageOut:
    """Events touching ``[start, end]`` on permitted cameras, newest first, one page."""
    state = state_of(request)
    if start is not None and end is not None and end < start:
        raise RangeError("end must not precede start")
    if camera:
        cameras = [camera_for(state, principal, c).id for c in dict.fromkeys(camera)]
    else:
        cameras = [c.id for c in permitted_cameras(state, principal)]
    try:
        found = search_events(
            state.db,
            cameras=cameras,
            start=start,
            end=end,
            label=label,
            zone=zone,
            limit=limit,
            before_id=cursor,
        )
    except KeyError:
        raise HTTPException(422, "unknown cursor") from None
    return EventPageOut(
        items=[event_out(e) for e in found],
        next_cursor=found[-1].id if len(found) == limit else None,
    )


def _event_for(state: ConsoleState, principal: Principal, event_id: int) -> EventRecord:
    ev = get_event(state.db, event_id)
    if ev is None:
        raise HTTPException(404, "no such event")
    camera_for(state, principal, ev.camera_id)
    return ev


@router.get("/{event_id}", response_model=EventOut)
def get_one(event_id: EventId, request: Request, principal: EventsUser) -> EventOut:
    """One event (audited as an event view)."""
    state = state_of(request)
    ev = _event_for(state, principal, event_id)
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.EVENT_VIEW,
        role=principal.role,
        at=state.clock(),
        camera=ev.camera_id,
        start=ev.start,
        end=ev.end,
        details={"event": ev.id},
    )
    return event_out(ev)


@router.get(
    "/{event_id}/snapshot.jpg",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def snapshot(event_id: EventId, request: Request, principal: EventsUser) -> FileResponse:
    """The event's redacted snapshot (a JPEG written by analysis)."""
    state = state_of(request)
    ev = _event_for(state, principal, event_id)
    if ev.snapshot is None:
        raise HTTPException(404, "this event has no snapshot")
    try:
        path = contained_file(state.root, snapshot_path(state.root, ev.camera_id, ev.id))
    except (FileNotFoundError, ValueError):
        raise HTTPException(404, "snapshot not found") from None
    return FileResponse(
        path, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"}
    )
