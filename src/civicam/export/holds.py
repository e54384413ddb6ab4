"""Holds: footage kept for a case past its retention, and their release, both logged.

Retention never deletes a segment that overlaps a hold in force
(:func:`civicam.recording.retention.is_held`); a released hold stops protecting its
footage, which then ages out under the camera's normal retention. The hold and its
audit entry commit in one transaction.
"""

from __future__ import annotations

import math

from civicam.audit import actions
from civicam.audit.log import record, record_in
from civicam.config.privacy import PrivacyConfig
from civicam.store.engine import Database
from civicam.store.index import HoldInfo, add_hold_in, release_hold_in
from civicam.store.registry import get_camera

MAX_REASON = 500


class HoldDeniedError(PermissionError):
    """The role may not create or release holds."""


def _check_role(
    db: Database, policy: PrivacyConfig, actor: str, role: str | None, what: str, camera: str | None
) -> None:
    if role is None or policy.may_hold(role):
        return
    record(
        db,
        actor=actor,
        action=actions.ACCESS_DENIED,
        camera=camera,
        details={"role": role, "attempted": what},
    )
    raise HoldDeniedError(f"role {role!r} may not {what.replace('_', ' ')}s")


def _reason(text: str) -> str:
    value = text.strip()
    if len(value) < 3:
        raise ValueError("a hold needs a reason")
    if len(value) > MAX_REASON:
        raise ValueError(f"reason is longer than {MAX_REASON} characters")
    return value


def create_hold(
    db: Database,
    *,
    camera: str,
    start: float,
    end: float,
    reason: str,
    actor: str,
    case: str | None = None,
    role: str | None = None,
    policy: PrivacyConfig | None = None,
) -> int:
    """Hold ``camera``'s footage in [start, end] for a case; returns the hold id.

    ``role`` (when the caller knows it, as the console does) must be in
    ``privacy.hold_roles``; a refusal is logged as ``access_denied``.
    """
    policy = policy or PrivacyConfig()
    if get_camera(db, camera) is None:
        raise ValueError(f"unknown camera {camera!r}")
    _check_role(db, policy, actor, role, actions.HOLD_CREATE, camera)
    text = _reason(reason)
    if not (math.isfinite(start) and math.isfinite(end)) or end <= start:
        raise ValueError("a hold must end after it starts")
    if not actor.strip():
        raise ValueError("a hold needs who creates it")
    details: dict[str, object] = {"case": case.strip() if case else None}
    if role is not None:
        details["role"] = role
    with db.write() as session:
        hold_id = add_hold_in(session, camera, start, end, text, actor, case=case)
        details["hold"] = hold_id
        record_in(
            session,
            actor=actor,
            action=actions.HOLD_CREATE,
            camera=camera,
            start=start,
            end=end,
            reason=text,
            details=details,
        )
    return hold_id


def release(
    db: Database,
    hold_id: int,
    *,
    reason: str,
    actor: str,
    role: str | None = None,
    policy: PrivacyConfig | None = None,
) -> HoldInfo:
    """Release a hold (logged as ``hold_release``); ``KeyError`` when there is none."""
    policy = policy or PrivacyConfig()
    _check_role(db, policy, actor, role, actions.HOLD_RELEASE, None)
    text = _reason(reason)
    details: dict[str, object] = {"hold": hold_id}
    if role is not None:
        details["role"] = role
    with db.write() as session:
        info = release_hold_in(session, hold_id, actor, text)
        record_in(
            session,
            actor=actor,
            action=actions.HOLD_RELEASE,
            camera=info.camera_id,
            start=info.start,
            end=info.end,
            reason=text,
            details=details,
        )
    return info
