"""The authorization matrix: every API route x every role x an assigned and an unassigned
camera, generated from ``app.routes`` so a new route without an entry here fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from civicam.audit import actions
from civicam.console.grants import Grant
from civicam.console.state import ConsoleState
from civicam.store.accounts import get_user
from civicam.store.index import add_hold, segments
from tests.console.conftest import ALLOWED, FORBIDDEN, PASSWORD, Site, audit_entries

ALL = frozenset({"admin", "supervisor", "operator", "auditor", "viewer"})
# The design, written out independently of civicam.console.roles.
MAY: dict[str, frozenset[str]] = {
    "any": ALL,
    "cameras": ALL,
    "live": frozenset({"admin", "supervisor", "operator", "viewer"}),
    "playback": frozenset({"admin", "supervisor", "operator"}),
    "events": frozenset({"admin", "supervisor", "operator"}),
    "export": frozenset({"admin", "supervisor"}),
    "holds": frozenset({"admin", "supervisor"}),
    "plans": frozenset({"admin", "supervisor", "operator", "auditor"}),
    "basemap": ALL,
    "users": frozenset({"admin"}),
    "audit": frozenset({"admin", "auditor"}),
    "unmask": frozenset({"admin", "supervisor"}),
}
SEES_EVERY_CAMERA = frozenset({"admin", "auditor"})


@dataclass(frozen=True)
class Req:
    """One request to make."""

    method: str
    url: str
    json: Any = None


@dataclass
class Ctx:
    """What request builders need."""

    site: Site
    state: ConsoleState
    user_ids: dict[str, int]

    def grant(self, role: str, camera: str, kind: str) -> str:
        now = self.state.clock()
        start, end = self.site.recorded
        if kind == "live":
            start, end = now, now + 600
        return self.state.signer.sign(
            Grant(self.user_ids[role], camera, kind, start - 1, end + 1, now + 600)  # type: ignore[arg-type]
        )

    def segment_name(self, camera: str) -> str:
        seg = segments(self.site.db, camera)[0]
        return seg.path.rsplit("/", 1)[-1].removesuffix(".mp4")

    def hold(self, camera: str) -> int:
        start, end = self.site.recorded
        return add_hold(self.site.db, camera, start, end, "matrix hold", "admin")

    def export_job(self, role: str, camera: str) -> int:
        start, end = self.site.recorded
        job = self.state.exports.submit(
            cameras=[camera],
            start=start,
            end=end,
            reason="matrix test",
            recipient=None,
            operator=role,
            role=role,
        )
        self.state.exports.wait(timeout=60)
        return job.id


Build = Callable[[Ctx, str, str], Req]


@dataclass(frozen=True)
class Spec:
    """A route's entry: the capability it needs, whether it is per camera, a request
    builder and the success status."""

    cap: str  # a key of MAY, or "public"
    per_camera: bool
    build: Build
    ok: int = 200


def _range(ctx: Ctx) -> dict[str, float]:
    return {"start": ctx.site.recorded[0], "end": ctx.site.recorded[1]}


def _segment_url(ctx: Ctx, role: str, camera: str, part: str) -> str:
    name = ctx.segment_name(camera)
    return f"/api/media/{camera}/segments/{name}/{part}?grant={ctx.grant(role, camera, 'playback')}"


def _q(ctx: Ctx) -> str:
    r = _range(ctx)
    return f"start={r['start']}&end={r['end']}"


MATRIX: dict[tuple[str, str], Spec] = {
    ("GET", "/api/openapi.json"): Spec(
        "public", False, lambda c, r, cam: Req("GET", "/api/openapi.json")
    ),
    ("POST", "/api/session/login"): Spec(
        "public",
        False,
        lambda c, r, cam: Req("POST", "/api/session/login", {"username": r, "password": PASSWORD}),
    ),
    ("POST", "/api/session/logout"): Spec(
        "any", False, lambda c, r, cam: Req("POST", "/api/session/logout"), 204
    ),
    ("GET", "/api/session/me"): Spec("any", False, lambda c, r, cam: Req("GET", "/api/session/me")),
    ("GET", "/api/cameras"): Spec("cameras", False, lambda c, r, cam: Req("GET", "/api/cameras")),
    ("GET", "/api/cameras/{camera_id}"): Spec(
        "cameras", True, lambda c, r, cam: Req("GET", f"/api/cameras/{cam}")
    ),
    ("GET", "/api/cameras/{camera_id}/timeline"): Spec(
        "cameras", True, lambda c, r, cam: Req("GET", f"/api/cameras/{cam}/timeline?{_q(c)}")
    ),
    ("POST", "/api/cameras/{camera_id}/playback"): Spec(
        "playback",
        True,
        lambda c, r, cam: Req(
            "POST", f"/api/cameras/{cam}/playback", {**_range(c), "reason": "matrix"}
        ),
    ),
    ("POST", "/api/cameras/{camera_id}/unmask"): Spec(
        "unmask",
        True,
        lambda c, r, cam: Req(
            "POST", f"/api/cameras/{cam}/unmask", {"reason": "matrix", "minutes": 1}
        ),
    ),
    ("POST", "/api/cameras/{camera_id}/unmask/end"): Spec(
        "playback", True, lambda c, r, cam: Req("POST", f"/api/cameras/{cam}/unmask/end")
    ),
    ("GET", "/api/cameras/{camera_id}/live"): Spec(
        "live", True, lambda c, r, cam: Req("GET", f"/api/cameras/{cam}/live")
    ),
    ("GET", "/api/media/{camera_id}/playback.m3u8"): Spec(
        "playback",
        True,
        lambda c, r, cam: Req(
            "GET", f"/api/media/{cam}/playback.m3u8?grant={c.grant(r, cam, 'playback')}"
        ),
    ),
    ("GET", "/api/media/{camera_id}/segments/{name}/init.mp4"): Spec(
        "playback",
        True,
        lambda c, r, cam: Req("GET", _segment_url(c, r, cam, "init.mp4")),
    ),
    ("GET", "/api/media/{camera_id}/segments/{name}/media.m4s"): Spec(
        "playback",
        True,
        lambda c, r, cam: Req("GET", _segment_url(c, r, cam, "media.m4s")),
    ),
    ("GET", "/api/media/{camera_id}/live.jpg"): Spec(
        "live",
        True,
        lambda c, r, cam: Req("GET", f"/api/media/{cam}/live.jpg?grant={c.grant(r, cam, 'live')}"),
    ),
    ("GET", "/api/media/{camera_id}/live.mjpeg"): Spec(
        "live",
        True,
        lambda c, r, cam: Req(
            "GET", f"/api/media/{cam}/live.mjpeg?max_frames=1&grant={c.grant(r, cam, 'live')}"
        ),
    ),
    ("GET", "/api/events"): Spec(
        "events", True, lambda c, r, cam: Req("GET", f"/api/events?camera={cam}")
    ),
    ("GET", "/api/events/{event_id}"): Spec(
        "events", True, lambda c, r, cam: Req("GET", f"/api/events/{c.site.event_ids[cam][0]}")
    ),
    ("GET", "/api/events/{event_id}/snapshot.jpg"): Spec(
        "events",
        True,
        lambda c, r, cam: Req("GET", f"/api/events/{c.site.event_ids[cam][0]}/snapshot.jpg"),
    ),
    ("POST", "/api/exports"): Spec(
        "export",
        True,
        lambda c, r, cam: Req(
            "POST",
            "/api/exports",
            {"camera_ids": [cam], **_range(c), "reason": "matrix test", "recipient": ""},
        ),
        202,
    ),
    ("GET", "/api/exports"): Spec("export", False, lambda c, r, cam: Req("GET", "/api/exports")),
    ("GET", "/api/exports/{job_id}"): Spec(
        "export", True, lambda c, r, cam: Req("GET", f"/api/exports/{c.export_job(r, cam)}")
    ),
    ("GET", "/api/exports/{job_id}/download"): Spec(
        "export",
        True,
        lambda c, r, cam: Req("GET", f"/api/exports/{c.export_job(r, cam)}/download"),
    ),
    ("GET", "/api/holds"): Spec("holds", False, lambda c, r, cam: Req("GET", "/api/holds")),
    ("POST", "/api/holds"): Spec(
        "holds",
        True,
        lambda c, r, cam: Req(
            "POST", "/api/holds", {"camera_id": cam, **_range(c), "reason": "case 7 hold"}
        ),
        201,
    ),
    ("POST", "/api/holds/{hold_id}/release"): Spec(
        "holds",
        True,
        lambda c, r, cam: Req(
            "POST", f"/api/holds/{c.hold(cam)}/release", {"reason": "case closed"}
        ),
    ),
    ("GET", "/api/audit/head"): Spec(
        "audit", False, lambda c, r, cam: Req("GET", "/api/audit/head")
    ),
    ("GET", "/api/audit/transparency.html"): Spec(
        "audit", False, lambda c, r, cam: Req("GET", "/api/audit/transparency.html?year=2026")
    ),
    ("GET", "/api/plans/latest"): Spec(
        "plans", False, lambda c, r, cam: Req("GET", "/api/plans/latest")
    ),
    ("GET", "/api/plans/city.geojson"): Spec(
        "basemap", False, lambda c, r, cam: Req("GET", "/api/plans/city.geojson")
    ),
    ("GET", "/api/plans/report.html"): Spec(
        "plans", False, lambda c, r, cam: Req("GET", "/api/plans/report.html")
    ),
    ("GET", "/api/users"): Spec(
        "users", False, lambda c, r, cam: Req("GET", "/api/users?sort=role")
    ),
    ("POST", "/api/users/{username}/disable"): Spec(
        "users", False, lambda c, r, cam: Req("POST", "/api/users/target/disable")
    ),
    ("POST", "/api/users/{username}/enable"): Spec(
        "users", False, lambda c, r, cam: Req("POST", "/api/users/target/enable")
    ),
    ("PUT", "/api/users/{username}/scope"): Spec(
        "users",
        False,
        lambda c, r, cam: Req(
            "PUT",
            "/api/users/target/scope",
            {"districts": ["north"], "cameras": [], "all_cameras": False},
        ),
    ),
}


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route under /api."""
    out: list[tuple[str, str]] = []
    for route in iter_route_contexts(app.routes):
        path = str(route.path or "")
        methods: set[str] = route.methods or set()
        if path.startswith("/api"):
            # A mount or other route kind under /api without methods would escape: refuse.
            assert methods, f"{path}: not a plain route"
            out.extend((m, path) for m in sorted(methods) if m != "HEAD")
    return out


def expected(spec: Spec, role: str | None, camera: str) -> int:
    """The designed status for a role (None: signed out) on a camera."""
    if spec.cap == "public":
        return spec.ok
    if role is None:
        return 401
    if role not in MAY[spec.cap]:
        return 403
    if spec.per_camera and camera == FORBIDDEN and role not in SEES_EVERY_CAMERA:
        return 403
    return spec.ok


def test_every_route_has_a_matrix_entry(app: FastAPI) -> None:
    routes = set(api_routes(app))
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"routes without an authorization matrix entry: {missing}"
    stale = sorted(MATRIX.keys() - routes)
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def test_authorization_matrix(app: FastAPI, site: Site, client: TestClient) -> None:
    state: ConsoleState = app.state.console
    ids = {}
    for name in ALL:
        user = get_user(site.db, name)
        assert user is not None
        ids[name] = user.id
    ctx = Ctx(site, state, ids)
    failures: list[str] = []
    checked = 0
    for key in api_routes(app):
        spec = MATRIX[key]
        cameras = (ALLOWED, FORBIDDEN) if spec.per_camera else (ALLOWED,)
        roles: list[str | None] = [None, *sorted(ALL)]
        for role in roles:
            for camera in cameras:
                req = spec.build(ctx, role or "admin", camera)
                headers = {} if role is None else {"Authorization": f"Bearer {site.tokens[role]}"}
                r = client.request(req.method, req.url, json=req.json, headers=headers)
                client.cookies.clear()  # the login route sets a session cookie
                want = expected(spec, role, camera)
                checked += 1
                if r.status_code != want:
                    failures.append(
                        f"{key[0]} {key[1]} role={role} camera={camera}: {r.status_code} != {want} "
                        f"{r.text[:120]}"
                    )
    assert not failures, "\n".join(failures)
    assert checked > 250


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_denials_are_audited(app: FastAPI, site: Site, client: TestClient, role: str) -> None:
    before = len(audit_entries(site.db, actions.ACCESS_DENIED))
    start, end = site.recorded
    r = client.post(
        f"/api/cameras/{ALLOWED}/playback",
        json={"start": start, "end": end, "reason": "curious"},
        headers={"Authorization": f"Bearer {site.tokens[role]}"},
    )
    assert r.status_code == 403
    denied = audit_entries(site.db, actions.ACCESS_DENIED)
    assert len(denied) == before + 1
    assert denied[-1].actor == role
    assert f'"role":"{role}"' in denied[-1].details


def test_every_page_needs_a_session(app: FastAPI, client: TestClient) -> None:
    """Routes outside /api (pages) send the signed-out to the login page; only the login
    page and static assets answer them."""
    open_paths = {"/login", "/static/{path:path}", "/static"}
    pages = [
        str(r.path)
        for r in iter_route_contexts(app.routes)
        if r.path and not str(r.path).startswith("/api") and str(r.path) not in open_paths
    ]
    for path in pages:
        url = path.replace("{camera_id}", ALLOWED)
        assert "{" not in url, f"{path}: add a sample value for its parameters"
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303, (path, r.status_code)
        assert r.headers["location"].startswith("/login"), path
