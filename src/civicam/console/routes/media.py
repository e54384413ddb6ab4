"""Playback (HLS over recorded segments) and live view (MJPEG of the newest frames).

Starting a playback or a live view is one audited request that returns URLs carrying a
signed grant; the playlist, segment and frame routes check the grant *and* the user's
role and camera assignment on every request.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from civicam.audit import actions
from civicam.config.ids import CAMERA_ID_PATTERN
from civicam.console.audit import record_audit
from civicam.console.deps import LiveUser, PlaybackUser, Principal, camera_for, deny
from civicam.console.files import contained_file
from civicam.console.grants import Grant, GrantError, GrantKind
from civicam.console.hls import PlaylistItem, fmp4_layout, vod_playlist
from civicam.console.live import encode_jpeg, latest_frame, newest_segment_on_disk
from civicam.console.schemas import LiveOut, PlaybackIn, PlaybackOut
from civicam.console.state import ConsoleState, state_of
from civicam.console.timeline import check_range
from civicam.export.video import VideoError
from civicam.privacy.masks import MaskCache
from civicam.privacy.unmask import is_unmasked
from civicam.recording.paths import segment_relpath
from civicam.store.index import SegmentInfo, last_segment_end, segment_spans, segments

router = APIRouter(tags=["media"])

CameraPath = Annotated[str, Path(pattern=CAMERA_ID_PATTERN, max_length=64)]
SegmentName = Annotated[str, Path(pattern=r"^\d{8}T\d{6}\.\d{3}Z$", max_length=24)]
GrantQuery = Annotated[str, Query(min_length=1, max_length=1000)]
LIVE_INTERVAL_S = 1.0
LIVE_LATENCY_S = 1.5


def _grant(
    state: ConsoleState,
    principal: Principal,
    camera_id: str,
    kind: GrantKind,
    token: str,
) -> Grant:
    camera_for(state, principal, camera_id)
    try:
        return state.signer.check(
            token, user_id=principal.user.id, camera_id=camera_id, kind=kind, now=state.clock()
        )
    except GrantError:
        raise deny(state, principal, f"{kind} grant", camera_id) from None


def _name(seg: SegmentInfo) -> str:
    return seg.path.rsplit("/", 1)[-1].removesuffix(".mp4")


@router.post("/api/cameras/{camera_id}/playback", response_model=PlaybackOut)
def start_playback(
    camera_id: CameraPath,
    body: PlaybackIn,
    request: Request,
    principal: PlaybackUser,
) -> PlaybackOut:
    """Start playing ``[start, end]`` (audited with the reason); returns an HLS URL."""
    state = state_of(request)
    cam = camera_for(state, principal, camera_id)
    check_range(body.start, body.end, state.cfg.console.max_range_s)
    reason = (body.reason or "").strip()
    if state.cfg.console.playback_reason_required and len(reason) < 3:
        raise HTTPException(422, "playback needs a reason (at least 3 characters)")
    segs = segments(state.db, cam.id, body.start, body.end)
    if not segs:
        raise HTTPException(404, "nothing recorded in this range")
    now = state.clock()
    expires = now + state.cfg.console.grant_ttl_s
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.PLAYBACK,
        role=principal.role,
        at=now,
        camera=cam.id,
        start=body.start,
        end=body.end,
        reason=reason or None,
        details={"segments": len(segs)},
    )
    token = state.signer.sign(
        Grant(principal.user.id, cam.id, "playback", body.start, body.end, expires)
    )
    return PlaybackOut(
        url=f"/api/media/{cam.id}/playback.m3u8?grant={quote(token)}",
        start=segs[0].start,
        end=segs[-1].end,
        segments=len(segs),
        expires_at=expires,
    )


@router.get(
    "/api/media/{camera_id}/playback.m3u8",
    response_class=Response,
    responses={200: {"content": {"application/vnd.apple.mpegurl": {}}}},
)
def playlist(
    camera_id: CameraPath,
    grant: GrantQuery,
    request: Request,
    principal: PlaybackUser,
) -> Response:
    """The VOD playlist of a granted playback."""
    state = state_of(request)
    g = _grant(state, principal, camera_id, "playback", grant)
    items = [
        PlaylistItem(path.rsplit("/", 1)[-1].removesuffix(".mp4"), a, b)
        for a, b, path in segment_spans(state.db, camera_id, g.start, g.end)
    ]
    q = quote(grant)
    text = vod_playlist(
        items,
        lambda i: f"segments/{i.name}/init.mp4?grant={q}",
        lambda i: f"segments/{i.name}/media.m4s?grant={q}",
    )
    return Response(
        text,
        media_type="application/vnd.apple.mpegurl",
        headers={"Cache-Control": "private, no-store"},
    )


def _segment_bytes(
    state: ConsoleState, principal: Principal, camera_id: str, name: str, grant: str, part: str
) -> Response:
    g = _grant(state, principal, camera_id, "playback", grant)
    try:
        when = datetime.strptime(name[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        start = when.timestamp() + int(name[16:19]) / 1000
        relpath = segment_relpath(camera_id, start)
    except ValueError:
        raise HTTPException(404, "no such segment") from None
    if not relpath.endswith(f"/{name}.mp4"):
        raise HTTPException(404, "no such segment")
    found = [
        s for s in segments(state.db, camera_id, start - 0.001, start + 0.001) if s.path == relpath
    ]
    if not found:
        raise HTTPException(404, "no such segment")
    seg = found[0]
    if not (seg.start < g.end and g.start < seg.end):
        raise deny(state, principal, "segment outside the granted range", camera_id)
    try:
        path = contained_file(state.root, state.root / relpath)
        polygons = state.cfg.privacy.masks.get(camera_id, [])
        if polygons and not is_unmasked(state.db, principal.username, camera_id, at=state.clock()):
            whole = state.masked.get(camera_id, relpath, path, (seg.start, seg.end), polygons)
        else:
            whole = path.read_bytes()
    except FileNotFoundError:
        raise HTTPException(404, "segment file missing") from None
    except VideoError:
        raise HTTPException(404, "segment not playable") from None
    layout = fmp4_layout(io.BytesIO(whole), len(whole))
    if layout is None:
        raise HTTPException(404, "segment not playable")
    lo, hi = (0, layout.init_end) if part == "init" else (layout.init_end, layout.media_end)
    data = whole[lo:hi]
    return Response(
        data, media_type="video/mp4", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.get(
    "/api/media/{camera_id}/segments/{name}/init.mp4",
    response_class=Response,
    responses={200: {"content": {"video/mp4": {}}}},
)
def segment_init(
    camera_id: CameraPath,
    name: SegmentName,
    grant: GrantQuery,
    request: Request,
    principal: PlaybackUser,
) -> Response:
    """A segment's initialisation (``ftyp moov``)."""
    return _segment_bytes(state_of(request), principal, camera_id, name, grant, "init")


@router.get(
    "/api/media/{camera_id}/segments/{name}/media.m4s",
    response_class=Response,
    responses={200: {"content": {"video/mp4": {}}}},
)
def segment_media(
    camera_id: CameraPath,
    name: SegmentName,
    grant: GrantQuery,
    request: Request,
    principal: PlaybackUser,
) -> Response:
    """A segment's fragments (``moof mdat`` pairs)."""
    return _segment_bytes(state_of(request), principal, camera_id, name, grant, "media")


@router.get("/api/cameras/{camera_id}/live", response_model=LiveOut)
def start_live(camera_id: CameraPath, request: Request, principal: LiveUser) -> LiveOut:
    """Start a live view (audited); returns MJPEG and single-frame URLs."""
    state = state_of(request)
    cam = camera_for(state, principal, camera_id)
    now = state.clock()
    expires = now + state.cfg.console.grant_ttl_s
    record_audit(
        state.db,
        actor=principal.username,
        action=actions.LIVE_VIEW,
        role=principal.role,
        at=now,
        camera=cam.id,
        start=now,
    )
    token = quote(
        state.signer.sign(Grant(principal.user.id, cam.id, "live", now, expires, expires))
    )
    return LiveOut(
        kind="mjpeg",
        url=f"/api/media/{cam.id}/live.mjpeg?grant={token}",
        snapshot_url=f"/api/media/{cam.id}/live.jpg?grant={token}",
        latency_s=LIVE_LATENCY_S,
        expires_at=expires,
    )


def _live_jpeg(state: ConsoleState, principal: Principal, camera_id: str) -> bytes | None:
    now = state.clock()
    polygons = state.cfg.privacy.masks.get(camera_id, [])
    masked = bool(polygons) and not is_unmasked(state.db, principal.username, camera_id, at=now)
    cached = state.frames.get(camera_id, masked, now)
    if cached is not None:
        return cached
    path = newest_segment_on_disk(state.root, camera_id, now)
    if path is None:
        end = last_segment_end(state.db, camera_id)
        recent = [] if end is None else segments(state.db, camera_id, end - 0.001, None)
        if not recent:
            return None
        path = state.root / recent[-1].path
    try:
        path = contained_file(state.root, path)
    except FileNotFoundError:
        return None
    image = latest_frame(path)
    if image is None:
        return None
    if masked:
        image = MaskCache(polygons).apply(image)
    data = encode_jpeg(image)
    state.frames.put(camera_id, masked, now, data)
    return data


@router.get(
    "/api/media/{camera_id}/live.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def live_jpeg(
    camera_id: CameraPath,
    grant: GrantQuery,
    request: Request,
    principal: LiveUser,
) -> Response:
    """The newest frame (privacy masks burned in)."""
    state = state_of(request)
    _grant(state, principal, camera_id, "live", grant)
    data = _live_jpeg(state, principal, camera_id)
    if data is None:
        raise HTTPException(404, "no frame yet")
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get(
    "/api/media/{camera_id}/live.mjpeg",
    response_class=StreamingResponse,
    responses={200: {"content": {"multipart/x-mixed-replace": {}}}},
)
def live_mjpeg(
    camera_id: CameraPath,
    grant: GrantQuery,
    request: Request,
    principal: LiveUser,
    max_frames: Annotated[int, Query(ge=1, le=100_000)] = 3600,
) -> StreamingResponse:
    """An MJPEG stream of the newest frames, about one a second, until the grant expires."""
    state = state_of(request)
    g = _grant(state, principal, camera_id, "live", grant)

    async def frames() -> AsyncIterator[bytes]:
        for n in range(max_frames):
            if state.clock() >= g.expires or await request.is_disconnected():
                return
            data = await run_in_threadpool(_live_jpeg, state, principal, camera_id)
            if data is not None:
                yield (
                    b"--frame\r\nContent-Type: image/jpeg\r\n"
                    + f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                    + b"\r\n"
                )
            if n + 1 < max_frames:
                await asyncio.sleep(LIVE_INTERVAL_S)

    return StreamingResponse(
        frames(),
        media_type="multipart/x-mixed-replace; boundary=frame",
        headers={"Cache-Control": "no-store"},
    )
