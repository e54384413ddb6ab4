"""What the console API does: sessions, cameras, timeline, playback, live view, events,
exports, holds, users and plans, each with its audit trail."""

from __future__ import annotations

import io
import json
import re
import socket
import threading
import time
import zipfile
from pathlib import Path

import av
import cv2
import httpx
import numpy as np
from fastapi.testclient import TestClient

from civicam.audit import actions
from civicam.console.app import create_app, make_server
from civicam.console.hls import fmp4_layout
from civicam.export.verify import verify_package
from civicam.store.index import segments
from civicam.store.privacy import create_export, get_export
from tests.console.conftest import ALLOWED, FORBIDDEN, PASSWORD, Site, audit_entries, bearer


def test_login_me_logout_are_audited(fresh_site: Site, fresh_client: TestClient) -> None:
    r = fresh_client.post("/api/session/login", json={"username": "operator", "password": PASSWORD})
    assert r.status_code == 200
    me = r.json()
    assert me["role"] == "operator" and me["districts"] == ["north"]
    assert "playback" in me["capabilities"] and "export" not in me["capabilities"]
    assert me["playback_reason_required"] is True
    assert fresh_client.get("/api/session/me").json()["csrf_token"] == me["csrf_token"]
    r = fresh_client.post("/api/session/logout", headers={"X-CSRF-Token": me["csrf_token"]})
    assert r.status_code == 204
    assert fresh_client.get("/api/session/me").status_code == 401
    r = fresh_client.post("/api/session/login", json={"username": "operator", "password": "nope"})
    assert r.status_code == 401
    trail = [(e.action, e.actor) for e in audit_entries(fresh_site.db)]
    assert trail[-3:] == [
        (actions.LOGIN, "operator"),
        (actions.LOGOUT, "operator"),
        (actions.LOGIN_FAILED, "operator"),
    ]
    login_entry = audit_entries(fresh_site.db, actions.LOGIN)[-1]
    assert json.loads(login_entry.details)["role"] == "operator"


def test_token_requests_need_no_csrf_and_bad_tokens_fail(client: TestClient, site: Site) -> None:
    assert (
        client.get("/api/session/me", headers=bearer(site, "viewer")).json()["csrf_token"] is None
    )
    for header in ("Bearer cvc_wrong", "Bearer ", "Basic abc", site.tokens["admin"]):
        assert client.get("/api/session/me", headers={"Authorization": header}).status_code == 401


def test_cameras_are_limited_to_the_assignment(client: TestClient, site: Site) -> None:
    ids = {
        c["id"] for c in client.get("/api/cameras", headers=bearer(site, "viewer")).json()["items"]
    }
    assert ids == {ALLOWED, "xss-cam"}
    ids = {
        c["id"] for c in client.get("/api/cameras", headers=bearer(site, "auditor")).json()["items"]
    }
    assert ids == {ALLOWED, FORBIDDEN, "xss-cam"}
    cam = client.get(f"/api/cameras/{ALLOWED}", headers=bearer(site, "viewer")).json()
    assert cam["status"] == "offline" and cam["last_segment_end"] is not None
    assert "url" not in cam


def test_timeline(client: TestClient, site: Site) -> None:
    start, end = site.recorded
    params = {"start": start - 100, "end": end + 100}
    body = client.get(
        f"/api/cameras/{ALLOWED}/timeline", params=params, headers=bearer(site, "operator")
    ).json()
    assert len(body["recordings"]) == 1
    assert abs(body["recordings"][0]["start"] - start) < 1e-6
    assert body["segments"] == len(segments(site.db, ALLOWED))
    assert body["gaps"][0]["reason"] == "camera offline"
    assert {e["label"] for e in body["events"]} == {"car", "bicycle"}
    assert body["next_cursor"] is None
    auditor = client.get(
        f"/api/cameras/{ALLOWED}/timeline", params=params, headers=bearer(site, "auditor")
    ).json()
    assert auditor["events"] == [] and auditor["segments"] == body["segments"]


def test_playback_plays_every_segment_and_is_audited(client: TestClient, site: Site) -> None:
    start, end = site.recorded
    headers = bearer(site, "operator")
    r = client.post(
        f"/api/cameras/{ALLOWED}/playback",
        json={"start": start, "end": end, "reason": "incident 2026-17"},
        headers=headers,
    )
    assert r.status_code == 200
    body = r.json()
    entry = audit_entries(site.db, actions.PLAYBACK)[-1]
    assert (entry.actor, entry.camera, entry.reason) == ("operator", ALLOWED, "incident 2026-17")
    assert (entry.start_ts, entry.end_ts) == (start, end)
    assert json.loads(entry.details)["role"] == "operator"
    playlist = client.get(body["url"], headers=headers)
    assert playlist.headers["content-type"].startswith("application/vnd.apple.mpegurl")
    text = playlist.text
    assert text.startswith("#EXTM3U") and text.rstrip().endswith("#EXT-X-ENDLIST")
    inits = re.findall(r'#EXT-X-MAP:URI="([^"]+)"', text)
    media = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(inits) == len(media) == body["segments"] == len(segments(site.db, ALLOWED))
    assert text.count("#EXT-X-DISCONTINUITY") == len(media) - 1
    base = body["url"].split("playback.m3u8")[0]
    frames = 0
    for init_uri, media_uri in zip(inits, media, strict=True):
        init = client.get(base + init_uri, headers=headers)
        part = client.get(base + media_uri, headers=headers)
        assert init.status_code == part.status_code == 200
        assert init.content[4:8] == b"ftyp" and part.content[4:8] == b"moof"
        with av.open(io.BytesIO(init.content + part.content), "r") as c:
            frames += sum(1 for _ in c.decode(video=0))
    assert frames >= 240  # ~10 s at 25 fps


def test_playback_reason(client: TestClient, site: Site) -> None:
    start, end = site.recorded
    for reason in (None, "", "  ", "x"):
        r = client.post(
            f"/api/cameras/{ALLOWED}/playback",
            json={"start": start, "end": end, "reason": reason},
            headers=bearer(site, "operator"),
        )
        assert r.status_code == 422
    cfg = site.cfg.model_copy(deep=True)
    cfg.console.playback_reason_required = False
    with TestClient(create_app(cfg, site.db)) as other:
        r = other.post(
            f"/api/cameras/{ALLOWED}/playback",
            json={"start": start, "end": end},
            headers=bearer(site, "operator"),
        )
        assert r.status_code == 200
    r = client.post(
        f"/api/cameras/{ALLOWED}/playback",
        json={"start": start - 5000, "end": start - 4000, "reason": "before recording"},
        headers=bearer(site, "operator"),
    )
    assert r.status_code == 404


def test_fmp4_layout_of_a_truncated_file(site: Site) -> None:
    seg = segments(site.db, ALLOWED)[0]
    data = (site.root / seg.path).read_bytes()
    whole = fmp4_layout(io.BytesIO(data), len(data))
    assert whole is not None and 0 < whole.init_end < whole.media_end <= len(data)
    cut = fmp4_layout(io.BytesIO(data[: whole.media_end - 10]), whole.media_end - 10)
    assert cut is None or cut.media_end < whole.media_end
    assert fmp4_layout(io.BytesIO(data[: whole.init_end]), whole.init_end) is None


def test_live_view(client: TestClient, site: Site) -> None:
    headers = bearer(site, "viewer")
    r = client.get(f"/api/cameras/{ALLOWED}/live", headers=headers)
    assert r.status_code == 200
    live = r.json()
    entry = audit_entries(site.db, actions.LIVE_VIEW)[-1]
    assert (entry.actor, entry.camera) == ("viewer", ALLOWED)
    jpeg = client.get(live["snapshot_url"], headers=headers)
    assert jpeg.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(jpeg.content, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    assert image.shape == (272, 640, 3)
    stream = client.get(live["url"] + "&max_frames=2", headers=headers)
    assert stream.headers["content-type"].startswith("multipart/x-mixed-replace")
    assert stream.content.count(b"--frame\r\nContent-Type: image/jpeg") == 2


def test_live_view_burns_in_privacy_masks(site: Site) -> None:
    cfg = site.cfg.model_copy(deep=True)
    cfg.privacy.masks = {ALLOWED: [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]]}
    with TestClient(create_app(cfg, site.db)) as client:
        headers = bearer(site, "viewer")
        live = client.get(f"/api/cameras/{ALLOWED}/live", headers=headers).json()
        jpeg = client.get(live["snapshot_url"], headers=headers).content
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    assert float(image.mean()) < 3.0


def test_event_search_pages_and_filters(client: TestClient, site: Site) -> None:
    headers = bearer(site, "operator")
    first = client.get("/api/events", params={"limit": 1}, headers=headers).json()
    assert len(first["items"]) == 1 and first["next_cursor"] is not None
    second = client.get(
        "/api/events", params={"limit": 1, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    everything = client.get("/api/events", headers=headers).json()["items"]
    assert {e["camera_id"] for e in everything} == {ALLOWED}  # south-1 is not assigned
    cars = client.get("/api/events", params={"label": "car"}, headers=headers).json()["items"]
    assert [e["label"] for e in cars] == ["car"]
    path = client.get("/api/events", params={"zone": "path"}, headers=headers).json()["items"]
    assert [e["zone"] for e in path] == ["path"]
    ev = cars[0]
    assert ev["thumbnail_url"] == f"/api/events/{ev['id']}/snapshot.jpg"
    snap = client.get(ev["thumbnail_url"], headers=headers)
    assert snap.headers["content-type"] == "image/jpeg"
    assert client.get("/api/events", params={"cursor": 10**9}, headers=headers).status_code == 422
    assert (
        client.get("/api/events", params={"start": 10, "end": 5}, headers=headers).status_code
        == 422
    )


def test_export_request_build_and_download(client: TestClient, site: Site, tmp_path: Path) -> None:
    headers = bearer(site, "supervisor")
    start, end = site.recorded
    r = client.post(
        "/api/exports",
        json={
            "camera_ids": [ALLOWED],
            "start": start,
            "end": end,
            "reason": "police request 44",
            "recipient": "Example police, case 44",
        },
        headers=headers,
    )
    assert r.status_code == 202
    job = r.json()
    assert job["status"] in ("queued", "running", "ready")
    client.app.state.console.exports.wait(timeout=120)  # type: ignore[attr-defined]
    job = client.get(f"/api/exports/{job['id']}", headers=headers).json()
    assert job["status"] == "ready", job
    assert any(
        j["id"] == job["id"] for j in client.get("/api/exports", headers=headers).json()["items"]
    )
    # Another supervisor-level user's export is not listed for an operator-level peer.
    other = client.get("/api/exports", headers=bearer(site, "admin")).json()["items"]
    assert any(j["id"] == job["id"] for j in other)
    zipped = client.get(job["download_url"], headers=headers)
    assert zipped.headers["content-type"] == "application/zip"
    package = tmp_path / "export.zip"
    package.write_bytes(zipped.content)
    assert verify_package(package).ok
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        video = zf.read(f"video/{ALLOWED}.mp4")
    assert manifest["reason"] == "police request 44"
    assert manifest["recipient"] == "Example police, case 44"
    assert (manifest["operator"], manifest["role"]) == ("supervisor", "supervisor")
    with av.open(io.BytesIO(video), "r") as c:
        assert sum(1 for _ in c.decode(video=0)) >= 240
    requested = audit_entries(site.db, actions.EXPORT)[-1]
    assert requested.reason == "police request 44"
    assert "Example police" in requested.details
    downloaded = audit_entries(site.db, actions.EXPORT_DOWNLOAD)[-1]
    assert downloaded.actor == "supervisor"
    assert json.loads(downloaded.details)["export"] == job["id"]


def test_export_of_a_range_without_recordings_fails_cleanly(client: TestClient, site: Site) -> None:
    headers = bearer(site, "admin")
    start = site.recorded[0] - 50_000
    r = client.post(
        "/api/exports",
        json={
            "camera_ids": [ALLOWED],
            "start": start,
            "end": start + 60,
            "reason": "nothing there",
        },
        headers=headers,
    )
    client.app.state.console.exports.wait(timeout=60)  # type: ignore[attr-defined]
    job = client.get(f"/api/exports/{r.json()['id']}", headers=headers).json()
    assert job["status"] == "failed" and "no footage" in job["error"]
    assert client.get(f"/api/exports/{job['id']}/download", headers=headers).status_code == 409


def test_holds(client: TestClient, site: Site) -> None:
    start, end = site.recorded
    r = client.post(
        "/api/holds",
        json={"camera_id": ALLOWED, "start": start, "end": end, "reason": "case 9 evidence"},
        headers=bearer(site, "supervisor"),
    )
    assert r.status_code == 201
    hold = r.json()
    listed = client.get("/api/holds", headers=bearer(site, "supervisor")).json()["items"]
    assert hold in listed
    entry = audit_entries(site.db, actions.HOLD_CREATE)[-1]
    assert (entry.camera, entry.reason) == (ALLOWED, "case 9 evidence")
    url = f"/api/holds/{hold['id']}/release"
    r = client.post(url, json={"reason": "case closed"}, headers=bearer(site, "supervisor"))
    assert r.status_code == 200
    assert (
        client.post(url, json={"reason": "again"}, headers=bearer(site, "admin")).status_code == 409
    )
    listed = client.get("/api/holds", headers=bearer(site, "supervisor")).json()["items"]
    assert hold not in listed
    released = audit_entries(site.db, actions.HOLD_RELEASE)[-1]
    assert (released.actor, released.reason) == ("supervisor", "case closed")


def test_scope_changes_take_effect_and_are_audited(
    fresh_site: Site, fresh_client: TestClient
) -> None:
    op = bearer(fresh_site, "operator")
    assert fresh_client.get(f"/api/cameras/{FORBIDDEN}", headers=op).status_code == 403
    r = fresh_client.put(
        "/api/users/operator/scope",
        json={"districts": ["north"], "cameras": [FORBIDDEN], "all_cameras": False},
        headers=bearer(fresh_site, "admin"),
    )
    assert r.status_code == 200 and r.json()["cameras"] == [FORBIDDEN]
    assert fresh_client.get(f"/api/cameras/{FORBIDDEN}", headers=op).status_code == 200
    entry = audit_entries(fresh_site.db, actions.PERMISSION_CHANGE)[-1]
    assert entry.actor == "admin" and FORBIDDEN in entry.details
    r = fresh_client.post("/api/users/admin/disable", headers=bearer(fresh_site, "admin"))
    assert r.status_code == 409


def test_plans(client: TestClient, site: Site, tmp_path: Path) -> None:
    latest = client.get("/api/plans/latest", headers=bearer(site, "operator")).json()
    assert latest["name"] == "2026-plan" and latest["report_url"] == "/api/plans/report.html"
    assert latest["plan"]["features"][0]["properties"]["id"] == "p1"
    report = client.get("/api/plans/report.html", headers=bearer(site, "auditor"))
    assert "sandbox" in report.headers["content-security-policy"]
    city = client.get("/api/plans/city.geojson", headers=bearer(site, "viewer"))
    assert city.json()["type"] == "FeatureCollection"
    cfg = site.cfg.model_copy(deep=True)
    cfg.console.plan_dir = tmp_path / "none"
    with TestClient(create_app(cfg, site.db)) as other:
        assert other.get("/api/plans/latest", headers=bearer(site, "admin")).status_code == 404


def test_openapi_is_served_and_docs_are_off(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/cameras/{camera_id}/timeline" in spec["paths"]
    assert client.get("/docs").status_code == 404
    assert client.get("/api/docs").status_code == 404


def _first_segment_frames(client: TestClient, site: Site, role: str) -> list[float]:
    start, end = site.recorded
    headers = bearer(site, role)
    body = client.post(
        f"/api/cameras/{ALLOWED}/playback",
        json={"start": start, "end": end, "reason": "mask check"},
        headers=headers,
    ).json()
    text = client.get(body["url"], headers=headers).text
    init = re.findall(r'#EXT-X-MAP:URI="([^"]+)"', text)[0]
    media = next(line for line in text.splitlines() if line and not line.startswith("#"))
    base = body["url"].split("playback.m3u8")[0]
    data = client.get(base + init, headers=headers).content
    data += client.get(base + media, headers=headers).content
    with av.open(io.BytesIO(data), "r") as c:
        return [float(f.to_ndarray(format="gray").mean()) for f in c.decode(video=0)]


def test_playback_burns_in_privacy_masks_unless_unmasked(fresh_site: Site) -> None:
    cfg = fresh_site.cfg.model_copy(deep=True)
    cfg.privacy.masks = {ALLOWED: [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]]}
    with TestClient(create_app(cfg, fresh_site.db)) as client:
        plain = _first_segment_frames(client, fresh_site, "operator")
        assert plain and max(plain) < 20  # every frame masked (re-encoded)
        sup = bearer(fresh_site, "supervisor")
        cam = client.get(f"/api/cameras/{ALLOWED}", headers=sup).json()
        assert cam["masked"] is True and cam["unmasked_until"] is None
        body = {"reason": "case 12 review", "minutes": 10}
        op = bearer(fresh_site, "operator")
        r = client.post(f"/api/cameras/{ALLOWED}/unmask", json=body, headers=op)
        assert r.status_code == 403  # operators do not hold the unmask privilege
        r = client.post(f"/api/cameras/{ALLOWED}/unmask", json=body, headers=sup)
        assert r.status_code == 200
        cam = client.get(f"/api/cameras/{ALLOWED}", headers=sup).json()
        assert cam["unmasked_until"] == r.json()["expires_at"]
        raw = _first_segment_frames(client, fresh_site, "supervisor")
        assert len(raw) == len(plain) and min(raw) > 40
        entry = audit_entries(fresh_site.db, actions.UNMASK)[-1]
        assert (entry.actor, entry.camera, entry.reason) == (
            "supervisor",
            ALLOWED,
            "case 12 review",
        )
        ended = client.post(f"/api/cameras/{ALLOWED}/unmask/end", headers=sup).json()
        assert ended["ended"] == 1
        masked_again = _first_segment_frames(client, fresh_site, "supervisor")
        assert max(masked_again) < 20


def test_auditors_read_the_log_head_and_the_transparency_report(
    client: TestClient, site: Site
) -> None:
    headers = bearer(site, "auditor")
    client.get(f"/api/cameras/{ALLOWED}/live", headers=bearer(site, "viewer"))  # one entry
    head = client.get("/api/audit/head", headers=headers).json()
    assert head["size"] >= 1
    year = time.gmtime(site.recorded[0]).tm_year
    r = client.get("/api/audit/transparency.html", params={"year": year}, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"].startswith("sandbox;")
    assert "live" in r.text.lower()


def test_exports_left_running_by_a_stopped_console_are_failed_on_start(
    fresh_site: Site,
) -> None:
    start, end = fresh_site.recorded
    job = create_export(
        fresh_site.db,
        cameras=[ALLOWED],
        start=start,
        end=end,
        reason="left over",
        recipient=None,
        operator="supervisor",
        redacted=True,
    )
    create_app(fresh_site.cfg, fresh_site.db)
    after = get_export(fresh_site.db, job.id)
    assert after is not None and after.status == "failed" and "interrupted" in (after.error or "")


def test_make_server_serves_over_http(site: Site) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = make_server(site.cfg, site.db, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        r = httpx.get(f"http://127.0.0.1:{port}/api/session/me", timeout=10)
        assert r.status_code == 401
        assert "server" not in r.headers
        assert "default-src 'self'" in r.headers["content-security-policy"]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
