"""``/api/holds``: footage held for a case outlives retention (supervisors and admins).

Creating and releasing go through ``civicam.export.holds``, which writes the audit
entries (``hold_create``, ``hold_release``) in the same transaction as the change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request

from civicam.console.deps import HoldsUser, camera_for, permitted_cameras
from civicam.console.schemas import HoldIn, HoldListOut, HoldOut, HoldReleaseIn
from civicam.console.state import state_of
from civicam.console.timeline import check_range
from civicam.export.holds import HoldDeniedError, create_hold, release
from civicam.store.index import HoldInfo, holds

router = APIRouter(prefix="/api/holds", tags=["holds"])

HoldId = Annotated[int, Path(ge=1, le=2**62)]
TEN_YEARS_S = 3650 * 86_400.0


def hold_out(h: HoldInfo) -> HoldOut:
    """A hold as the API shows it."""
    return HoldOut(
        id=h.id,
        camera_id=h.camera_id,
        start=h.start,
        end=h.end,
        reason=h.reason,
        created_by=h.created_by,
    )


@router.get("", response_model=HoldListOut)
def list_holds(request: Request, principal: HoldsUser) -> HoldListOut:
    """Holds in force on cameras within the user's assignment."""
    state = state_of(request)
    allowed = {c.id for c in permitted_cameras(state, principal)}
    return HoldListOut(items=[hold_out(h) for h in holds(state.db) if h.camera_id in allowed])


@router.post("", response_model=HoldOut, status_code=201)
def create(body: HoldIn, request: Request, principal: HoldsUser) -> HoldOut:
    """Hold a camera's time range for a case (audited)."""
    state = state_of(request)
    cam = camera_for(state, principal, body.camera_id)
    check_range(body.start, body.end, TEN_YEARS_S)
    try:
        hold_id = create_hold(
            state.db,
            camera=cam.id,
            start=body.start,
            end=body.end,
            reason=body.reason,
            actor=principal.username,
            case=body.case,
            role=principal.role,
            policy=state.cfg.privacy,
        )
    except HoldDeniedError:
        # export.holds has already written the access_denied entry.
        raise HTTPException(403, "not permitted") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return HoldOut(
        id=hold_id,
        camera_id=cam.id,
        start=body.start,
        end=body.end,
        reason=body.reason,
        created_by=principal.username,
    )


@router.post("/{hold_id}/release", response_model=HoldOut)
def release_route(
    hold_id: HoldId, body: HoldReleaseIn, request: Request, principal: HoldsUser
) -> HoldOut:
    """Release a hold: retention may delete its footage again (audited)."""
    state = state_of(request)
    found = [h for h in holds(state.db, include_released=True) if h.id == hold_id]
    if not found:
        raise HTTPException(404, "no such hold")
    camera_for(state, principal, found[0].camera_id)
    if found[0] not in holds(state.db):
        raise HTTPException(409, "hold already released")
    try:
        info = release(
            state.db,
            hold_id,
            reason=body.reason,
            actor=principal.username,
            role=principal.role,
            policy=state.cfg.privacy,
        )
    except HoldDeniedError:
        # export.holds has already written the access_denied entry.
        raise HTTPException(403, "not permitted") from None
    except KeyError:
        raise HTTPException(404, "no such hold") from None
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    return hold_out(info)
