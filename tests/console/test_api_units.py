"""The console's pure pieces: spans, ranges, grants, playlists, camera assignment."""

from __future__ import annotations

import pytest

from civicam.console.grants import Grant, GrantError, GrantSigner
from civicam.console.hls import PlaylistItem, vod_playlist
from civicam.console.roles import may_see_camera, validate_role
from civicam.console.timeline import RangeError, check_range, merge_spans
from civicam.store.accounts import UserRecord
from civicam.store.registry import CameraRecord


def test_merge_spans() -> None:
    spans = [(10.0, 20.0), (0.0, 10.0), (20.5, 30.0), (35.0, 40.0), (36.0, 38.0)]
    assert merge_spans(spans, 1.0) == [(0.0, 30.0), (35.0, 40.0)]
    assert merge_spans(spans, 0.0) == [(0.0, 20.0), (20.5, 30.0), (35.0, 40.0)]
    assert merge_spans([], 1.0) == []


def test_check_range() -> None:
    check_range(0.0, 10.0, 10.0)
    for start, end in ((5.0, 5.0), (6.0, 5.0), (0.0, 10.5)):
        with pytest.raises(RangeError):
            check_range(start, end, 10.0)


def test_grants() -> None:
    signer = GrantSigner(b"k" * 32)
    token = signer.sign(Grant(7, "cam-1", "playback", 10.0, 20.0, 100.0))
    got = signer.check(token, user_id=7, camera_id="cam-1", kind="playback", now=50.0)
    assert (got.start, got.end) == (10.0, 20.0)
    bad = [
        dict(user_id=8, camera_id="cam-1", kind="playback", now=50.0),
        dict(user_id=7, camera_id="cam-2", kind="playback", now=50.0),
        dict(user_id=7, camera_id="cam-1", kind="live", now=50.0),
        dict(user_id=7, camera_id="cam-1", kind="playback", now=100.0),
    ]
    for kwargs in bad:
        with pytest.raises(GrantError):
            signer.check(token, **kwargs)  # type: ignore[arg-type]
    body, mac = token.split(".")
    for forged in (body + "." + mac[::-1], body[:-2] + "." + mac, "x", "", "a.b.c"):
        with pytest.raises(GrantError):
            signer.check(forged, user_id=7, camera_id="cam-1", kind="playback", now=50.0)
    with pytest.raises(GrantError):
        GrantSigner(b"o" * 32).check(token, user_id=7, camera_id="cam-1", kind="playback", now=50.0)


def test_vod_playlist() -> None:
    items = [PlaylistItem("a", 0.0, 9.6), PlaylistItem("b", 12.0, 22.0)]
    text = vod_playlist(items, lambda i: f"{i.name}/init", lambda i: f"{i.name}/media")
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U" and lines[-1] == "#EXT-X-ENDLIST"
    assert "#EXT-X-TARGETDURATION:10" in lines
    assert lines.count("#EXT-X-DISCONTINUITY") == 1
    assert '#EXT-X-MAP:URI="b/init"' in lines
    assert "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:12.000Z" in lines
    assert lines.index("#EXTINF:9.600,") + 1 == lines.index("a/media")


def _user(role: str, **kw: object) -> UserRecord:
    base: dict[str, object] = dict(
        id=1,
        username="u",
        role=role,
        disabled=False,
        all_cameras=False,
        districts=(),
        cameras=(),
        created_at=0.0,
        updated_at=0.0,
    )
    base.update(kw)
    return UserRecord(**base)  # type: ignore[arg-type]


def _camera(camera_id: str, district: str | None) -> CameraRecord:
    return CameraRecord(
        camera_id, "n", "rtsp://x", None, "p", "o", None, None, None, None, district, 30.0, True
    )


def test_camera_assignment() -> None:
    north, south, nowhere = _camera("n1", "north"), _camera("s1", "south"), _camera("x", None)
    op = _user("operator", districts=("north",), cameras=("s1",))
    assert may_see_camera(op, north) and may_see_camera(op, south)
    assert not may_see_camera(op, nowhere)
    assert not may_see_camera(_user("viewer"), north)
    assert may_see_camera(_user("viewer", all_cameras=True), nowhere)
    assert may_see_camera(_user("auditor"), nowhere) and may_see_camera(_user("admin"), south)
    assert not may_see_camera(_user("admin", disabled=True), south)
    assert validate_role("supervisor") == "supervisor"
    with pytest.raises(ValueError):
        validate_role("root")
