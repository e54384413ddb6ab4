"""The audit vocabulary: every security-relevant act has one of these action names.

Callers that know the acting user's role pass it as ``details={"role": ...}``; the
transparency report groups playbacks and exports by it.
"""

from __future__ import annotations

from typing import Final

LOGIN: Final = "login"
LOGIN_FAILED: Final = "login_failed"
LOGOUT: Final = "logout"
LIVE_VIEW: Final = "live_view"
PLAYBACK: Final = "playback"
EXPORT: Final = "export"
EXPORT_DOWNLOAD: Final = "export_download"
UNMASK: Final = "unmask"
HOLD_CREATE: Final = "hold_create"
HOLD_RELEASE: Final = "hold_release"
RETENTION_DELETE: Final = "retention_delete"
SEGMENT_RECORDED: Final = "segment_recorded"
CAMERA_CHANGE: Final = "camera_change"
USER_CHANGE: Final = "user_change"
PERMISSION_CHANGE: Final = "permission_change"
CONFIG_CHANGE: Final = "config_change"
ACCESS_DENIED: Final = "access_denied"
EVENT_VIEW: Final = "event_view"

ACTIONS: Final[frozenset[str]] = frozenset(
    {
        LOGIN,
        LOGIN_FAILED,
        LOGOUT,
        LIVE_VIEW,
        PLAYBACK,
        EXPORT,
        EXPORT_DOWNLOAD,
        UNMASK,
        HOLD_CREATE,
        HOLD_RELEASE,
        RETENTION_DELETE,
        SEGMENT_RECORDED,
        CAMERA_CHANGE,
        USER_CHANGE,
        PERMISSION_CHANGE,
        CONFIG_CHANGE,
        ACCESS_DENIED,
        EVENT_VIEW,
    }
)

# Actors that are the system itself rather than a person.
SYSTEM_RECORDER: Final = "system:recorder"
SYSTEM_RETENTION: Final = "system:retention"
