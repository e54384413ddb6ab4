"""Unmasking: a privileged role, a reason, a time limit, and an audit entry.

Only roles listed in ``privacy.unmask_roles`` (by default ``admin`` and
``supervisor``) may unmask. A grant covers one user and one camera for at most
``privacy.unmask_max_minutes``; every grant, revocation and refusal is written to
the audit log in the same transaction as the grant itself.
"""

from __future__ import annotations

import time

from civicam.audit import actions
from civicam.audit.log import record, record_in
from civicam.config.privacy import PrivacyConfig
from civicam.store.engine import Database
from civicam.store.privacy import GrantInfo, active_grants, add_grant_in, revoke_grants_in
from civicam.store.registry import get_camera

MIN_REASON = 3
MAX_REASON = 500


class UnmaskDeniedError(PermissionError):
    """The role does not hold the unmask privilege."""


def grant(
    db: Database,
    user: str,
    role: str,
    camera: str,
    reason: str,
    minutes: float,
    *,
    policy: PrivacyConfig | None = None,
    now: float | None = None,
) -> GrantInfo:
    """Let ``user`` see ``camera`` unmasked for ``minutes``; logged as ``unmask``.

    Raises :class:`UnmaskDeniedError` (and logs ``access_denied``) for a role without the
    privilege; ``ValueError`` for a missing reason, a duration out of bounds or an
    unknown camera. Nothing is stored when it raises.
    """
    policy = policy or PrivacyConfig()
    at = time.time() if now is None else now
    if not user.strip():
        raise ValueError("unmask needs the user's name")
    if not policy.may_unmask(role):
        record(
            db,
            actor=user,
            action=actions.ACCESS_DENIED,
            camera=camera if get_camera(db, camera) else None,
            reason=reason.strip()[:MAX_REASON] or None,
            details={"role": role, "attempted": actions.UNMASK},
            at=at,
        )
        raise UnmaskDeniedError(
            f"role {role!r} may not unmask (allowed: {', '.join(policy.unmask_roles)})"
        )
    text = reason.strip()
    if len(text) < MIN_REASON:
        raise ValueError("unmask needs a reason")
    if len(text) > MAX_REASON:
        raise ValueError(f"unmask reason is longer than {MAX_REASON} characters")
    if not 0 < minutes <= policy.unmask_max_minutes:
        raise ValueError(
            f"unmask lasts more than 0 and at most {policy.unmask_max_minutes:g} minutes"
        )
    if get_camera(db, camera) is None:
        raise ValueError(f"unknown camera {camera!r}")
    expires = at + minutes * 60.0
    with db.write() as session:
        info = add_grant_in(
            session,
            user=user,
            role=role,
            camera_id=camera,
            reason=text,
            granted_at=at,
            expires_at=expires,
        )
        record_in(
            session,
            actor=user,
            action=actions.UNMASK,
            camera=camera,
            start=at,
            end=expires,
            reason=text,
            details={"role": role, "minutes": minutes, "grant": info.id},
            at=at,
        )
    return info


def is_unmasked(db: Database, user: str, camera: str, at: float | None = None) -> bool:
    """Whether ``user`` holds a grant for ``camera`` in force at ``at`` (default: now)."""
    return bool(active_grants(db, user, camera, time.time() if at is None else at))


def expires_at(db: Database, user: str, camera: str, at: float | None = None) -> float | None:
    """When ``user``'s unmasking of ``camera`` ends, or None when it is masked."""
    found = active_grants(db, user, camera, time.time() if at is None else at)
    return max((g.expires_at for g in found), default=None)


def revoke(db: Database, user: str, camera: str, *, by: str, now: float | None = None) -> int:
    """End ``user``'s grants on ``camera`` early (logged); returns how many ended."""
    at = time.time() if now is None else now
    with db.write() as session:
        ended = revoke_grants_in(session, user, camera, at)
        if ended:
            record_in(
                session,
                actor=by,
                action=actions.UNMASK,
                camera=camera,
                end=at,
                reason="unmask ended early",
                details={"revoked_for": user, "grants": ended},
                at=at,
            )
    return ended
