"""Signed media grants: the URLs of a playback or live view carry a short-lived HMAC.

A playlist is requested once (and audited once); the segment URLs inside it carry a grant
naming the user, camera, kind and time range, so fetching video without the audited
request fails, and a grant is useless to anyone but the user it was issued to.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Literal

GrantKind = Literal["playback", "live"]


class GrantError(ValueError):
    """A grant that is malformed, forged, expired or not for this request."""


@dataclass(frozen=True)
class Grant:
    """What a grant allows: ``user_id`` may fetch ``kind`` media of ``camera_id`` in
    ``[start, end]`` until ``expires``."""

    user_id: int
    camera_id: str
    kind: GrantKind
    start: float
    end: float
    expires: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class GrantSigner:
    """Signs and checks grants with a per-process random key (restarts void old URLs)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def sign(self, grant: Grant) -> str:
        """The grant as a URL-safe string."""
        payload = json.dumps(
            [grant.user_id, grant.camera_id, grant.kind, grant.start, grant.end, grant.expires],
            separators=(",", ":"),
        ).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def check(
        self, token: str, *, user_id: int, camera_id: str, kind: GrantKind, now: float
    ) -> Grant:
        """The grant in ``token`` if it is genuine, unexpired and for this user, camera and
        kind; otherwise :class:`GrantError`."""
        try:
            body, mac = token.split(".", 1)
            payload = _unb64(body)
            given = _unb64(mac)
        except (ValueError, UnicodeEncodeError) as exc:
            raise GrantError("malformed grant") from exc
        if not hmac.compare_digest(self._mac(payload), given):
            raise GrantError("grant signature does not match")
        try:
            uid, cam, grant_kind, start, end, expires = json.loads(payload)
            grant = Grant(int(uid), str(cam), grant_kind, float(start), float(end), float(expires))
        except (ValueError, TypeError) as exc:
            raise GrantError("malformed grant") from exc
        if grant.expires <= now:
            raise GrantError("grant expired")
        if grant.user_id != user_id or grant.camera_id != camera_id or grant.kind != kind:
            raise GrantError("grant is for another user, camera or kind")
        return grant
