"""Roles, what each may do, and which cameras a user may see (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Literal, get_args

from civicam.store.accounts import UserRecord
from civicam.store.registry import CameraRecord

Role = Literal["admin", "supervisor", "operator", "auditor", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)


class Cap(StrEnum):
    """A capability a route requires."""

    CAMERAS = "cameras"  # camera metadata, status and the recordings timeline
    LIVE = "live"
    PLAYBACK = "playback"
    EVENTS = "events"  # event search, details and (redacted) snapshots
    EXPORT = "export"
    HOLDS = "holds"
    PLANS = "plans"  # plan report and plan map
    BASEMAP = "basemap"  # the city's buildings and streets (no cameras)
    AUDIT = "audit"
    USERS = "users"


ROLE_CAPS: Mapping[str, frozenset[Cap]] = {
    "admin": frozenset(Cap),
    "supervisor": frozenset(
        {
            Cap.CAMERAS,
            Cap.LIVE,
            Cap.PLAYBACK,
            Cap.EVENTS,
            Cap.EXPORT,
            Cap.HOLDS,
            Cap.PLANS,
            Cap.BASEMAP,
        }
    ),
    "operator": frozenset(
        {Cap.CAMERAS, Cap.LIVE, Cap.PLAYBACK, Cap.EVENTS, Cap.PLANS, Cap.BASEMAP}
    ),
    "auditor": frozenset({Cap.CAMERAS, Cap.AUDIT, Cap.PLANS, Cap.BASEMAP}),
    "viewer": frozenset({Cap.CAMERAS, Cap.LIVE, Cap.BASEMAP}),
}

# Admins and auditors answer for the whole network; everyone else works within the
# districts and cameras assigned to them.
UNSCOPED_ROLES: frozenset[str] = frozenset({"admin", "auditor"})


def validate_role(role: str) -> Role:
    """``role`` if it is one of :data:`ROLES`, else ``ValueError``."""
    for known in ROLES:
        if role == known:
            return known
    raise ValueError(f"role must be one of {', '.join(ROLES)}")


def has_cap(user: UserRecord, cap: Cap) -> bool:
    """Whether the user's role grants ``cap`` (disabled users have none)."""
    return not user.disabled and cap in ROLE_CAPS.get(user.role, frozenset())


def may_see_camera(user: UserRecord, camera: CameraRecord) -> bool:
    """Whether the camera is within the user's assigned districts and cameras."""
    if user.disabled:
        return False
    if user.role in UNSCOPED_ROLES or user.all_cameras:
        return True
    if camera.id in user.cameras:
        return True
    return camera.district is not None and camera.district in user.districts
