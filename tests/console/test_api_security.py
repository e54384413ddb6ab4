"""The security suite over the API: CSRF, cookies, throttling, path traversal, SQL
injection, stored XSS, secrets, bad ranges and unknown ids."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI
from fastapi.testclient import TestClient

from civicam.audit import actions
from civicam.audit.keys import load_or_create_signing_key
from civicam.console.accounts import create_user
from civicam.console.app import create_app
from civicam.console.deps import SESSION_COOKIE
from civicam.console.state import ConsoleState
from civicam.store.accounts import get_user, list_users
from civicam.store.events import count_events
from civicam.store.index import segments
from tests.console.conftest import (
    ALLOWED,
    FORBIDDEN,
    PASSWORD,
    STREAM_PASSWORD,
    XSS_NAME,
    Site,
    audit_entries,
    bearer,
    login,
)
from tests.console.test_api_authz import MATRIX, Ctx, api_routes

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _ctx(app: FastAPI, site: Site) -> Ctx:
    ids = {}
    for role in ("admin", "supervisor", "operator", "auditor", "viewer"):
        user = get_user(site.db, role)
        assert user is not None
        ids[role] = user.id
    return Ctx(site, app.state.console, ids)


def test_every_state_change_needs_the_csrf_token(app: FastAPI, site: Site) -> None:
    ctx = _ctx(app, site)
    unsafe = [k for k in api_routes(app) if k[0] in UNSAFE and k[1] != "/api/session/login"]
    assert len(unsafe) >= 6
    with TestClient(app) as client:
        csrf = login(client, "admin")
        for key in unsafe:
            req = MATRIX[key].build(ctx, "admin", ALLOWED)
            for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}):
                r = client.request(req.method, req.url, json=req.json, headers=headers)
                assert r.status_code == 403, (key, headers, r.text)
                assert r.json() == {"detail": "missing or wrong CSRF token"}
        # Still signed in (logout without the token did nothing), and the token works.
        assert client.get("/api/session/me").status_code == 200
        req = MATRIX[("POST", "/api/holds")].build(ctx, "admin", ALLOWED)
        r = client.post(req.url, json=req.json, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201
        assert client.post("/api/session/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert client.get("/api/session/me").status_code == 401


def test_a_csrf_token_of_another_session_is_refused(app: FastAPI) -> None:
    with TestClient(app) as a, TestClient(app) as b:
        login(a, "admin")
        other = login(b, "admin")
        r = a.post("/api/users/target/enable", headers={"X-CSRF-Token": other})
        assert r.status_code == 403


def test_cross_origin_state_changes_are_refused(client: TestClient) -> None:
    r = client.post(
        "/api/session/login",
        json={"username": "admin", "password": PASSWORD},
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    r = client.post(
        "/api/session/login",
        json={"username": "admin", "password": PASSWORD},
        headers={"Origin": "http://testserver"},
    )
    assert r.status_code == 200


def test_session_cookie_flags(app: FastAPI) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(app, base_url=base) as client:
            r = client.post("/api/session/login", json={"username": "viewer", "password": PASSWORD})
            assert r.status_code == 200
            cookie = r.headers["set-cookie"].lower()
            assert "httponly" in cookie
            assert "samesite=strict" in cookie
            assert "path=/" in cookie
            assert ("secure" in cookie.split(";")[-1] or "; secure" in cookie) is secure
            if secure:
                assert "strict-transport-security" in r.headers


def test_sessions_expire(fresh_site: Site, fresh_client: TestClient) -> None:
    login(fresh_client, "operator")
    assert fresh_client.get("/api/session/me").status_code == 200
    fresh_site.clock.now += fresh_site.cfg.console.session_ttl_s + 1
    assert fresh_client.get("/api/session/me").status_code == 401


def test_login_throttled_per_user_name(fresh_site: Site, fresh_client: TestClient) -> None:
    limit = fresh_site.cfg.console.login_max_failures_per_user
    for _ in range(limit):
        r = fresh_client.post(
            "/api/session/login", json={"username": "operator", "password": "wrong"}
        )
        assert r.status_code == 401
    r = fresh_client.post("/api/session/login", json={"username": "operator", "password": PASSWORD})
    assert r.status_code == 429
    assert "retry-after" in r.headers
    # Another user from the same address is not locked out by this user's failures.
    assert (
        fresh_client.post(
            "/api/session/login", json={"username": "viewer", "password": PASSWORD}
        ).status_code
        == 200
    )
    failed = audit_entries(fresh_site.db, actions.LOGIN_FAILED)
    assert len(failed) == limit + 1
    assert '"throttled":true' in failed[-1].details
    fresh_site.clock.now += fresh_site.cfg.console.login_window_s + 1
    assert (
        fresh_client.post(
            "/api/session/login", json={"username": "operator", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_login_throttled_per_address(fresh_site: Site, fresh_client: TestClient) -> None:
    fresh_site.cfg.console.login_max_failures_per_address = 6
    limit = 6
    for n in range(limit):
        r = fresh_client.post("/api/session/login", json={"username": f"guess{n}", "password": "x"})
        assert r.status_code == 401
    r = fresh_client.post("/api/session/login", json={"username": "admin", "password": PASSWORD})
    assert r.status_code == 429


def test_disabled_users_lose_sessions_and_tokens(
    fresh_site: Site, fresh_client: TestClient
) -> None:
    with TestClient(fresh_client.app) as victim:
        login(victim, "operator")
        assert victim.get("/api/cameras").status_code == 200
        csrf = login(fresh_client, "admin")
        r = fresh_client.post("/api/users/operator/disable", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200 and r.json()["disabled"] is True
        assert victim.get("/api/cameras").status_code == 401
        assert (
            fresh_client.get("/api/cameras", headers=bearer(fresh_site, "operator")).status_code
            == 401
        )
        r = victim.post("/api/session/login", json={"username": "operator", "password": PASSWORD})
        assert r.status_code == 401
    changes = audit_entries(fresh_site.db, actions.USER_CHANGE)
    assert changes[-1].actor == "admin"


TRAVERSALS = [
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "..\\..\\etc\\passwd",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "....//....//etc/passwd",
]

FILE_ROUTES = [
    "/api/media/{camera_id}/segments/{name}/init.mp4?grant=x",
    "/api/media/{camera_id}/segments/{name}/media.m4s?grant=x",
    "/api/media/{camera_id}/live.jpg?grant=x",
    "/api/events/{event_id}/snapshot.jpg",
    "/api/exports/{job_id}/download",
    "/api/plans/{name}",
    "/static/{path}",
]


@pytest.mark.parametrize("payload", TRAVERSALS)
@pytest.mark.parametrize("template", FILE_ROUTES)
def test_path_traversal(client: TestClient, site: Site, template: str, payload: str) -> None:
    fields = {
        "camera_id": ALLOWED,
        "name": "20260101T000000.000Z",
        "event_id": "1",
        "job_id": "1",
    }
    params = [p.split("}")[0] for p in template.split("{")[1:]]
    for param in params:
        values = {**fields, "name": fields["name"], "path": "app.css"}
        values[param] = payload
        url = template.format(**values)
        r = client.get(url, headers=bearer(site, "admin"))
        assert r.status_code in (400, 403, 404, 422), (url, r.status_code)
        assert b"root:" not in r.content
        assert b"Traceback" not in r.content


def test_symlinks_out_of_the_storage_root_are_not_served(
    fresh_site: Site, fresh_app: FastAPI, tmp_path: Path
) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("outside the root")
    seg = segments(fresh_site.db, ALLOWED)[0]
    target = fresh_site.root / seg.path
    target.unlink()
    target.symlink_to(secret)
    report = fresh_site.cfg.console.plan_dir
    assert report is not None
    (report / "2026-plan" / "report.html").unlink()
    (report / "2026-plan" / "report.html").symlink_to(secret)
    with TestClient(fresh_app) as client:
        start, end = fresh_site.recorded
        r = client.post(
            f"/api/cameras/{ALLOWED}/playback",
            json={"start": start, "end": end, "reason": "symlink check"},
            headers=bearer(fresh_site, "admin"),
        )
        assert r.status_code == 200
        name = seg.path.rsplit("/", 1)[-1].removesuffix(".mp4")
        grant = r.json()["url"].split("grant=")[1]
        r = client.get(
            f"/api/media/{ALLOWED}/segments/{name}/init.mp4?grant={grant}",
            headers=bearer(fresh_site, "admin"),
        )
        assert r.status_code == 404
        r = client.get("/api/plans/report.html", headers=bearer(fresh_site, "admin"))
        assert r.status_code == 404
        assert b"outside the root" not in r.content


INJECTIONS = [
    "' OR '1'='1",
    "north-1' OR 1=1 --",
    "1; DROP TABLE console_users; --",
    '" OR ""="',
    "') UNION SELECT password_hash FROM console_users --",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_through_filters_and_sort(
    client: TestClient, site: Site, payload: str
) -> None:
    users_before = len(list_users(site.db))
    events_before = count_events(site.db)
    headers = bearer(site, "admin")
    checks = [
        ("/api/events", {"label": payload}),
        ("/api/events", {"zone": payload}),
        ("/api/events", {"camera": payload}),
        ("/api/events", {"cursor": payload}),
        ("/api/events", {"start": payload}),
        ("/api/events", {"limit": payload}),
        ("/api/users", {"sort": payload}),
        (f"/api/cameras/{ALLOWED}/timeline", {"start": payload, "end": "1"}),
        (f"/api/cameras/{ALLOWED}/timeline", {"start": "0", "end": "1", "cursor": payload}),
    ]
    for path, params in checks:
        r = client.get(path, params=params, headers=headers)
        assert r.status_code in (200, 422), (path, params, r.status_code)
        if r.status_code == 200:
            assert r.json()["items"] == [], (path, params)  # matched as a plain value
        assert b"password_hash" not in r.content and b"$argon2" not in r.content
    assert client.get(f"/api/cameras/{payload}", headers=headers).status_code in (404, 422)
    assert len(list_users(site.db)) == users_before
    assert count_events(site.db) == events_before


def test_sort_fields_are_allowlisted(client: TestClient, site: Site) -> None:
    headers = bearer(site, "admin")
    for sort in ("username", "role", "created", "updated"):
        assert client.get("/api/users", params={"sort": sort}, headers=headers).status_code == 200
    for sort in ("password_hash", "id desc", "username; --", "1"):
        assert client.get("/api/users", params={"sort": sort}, headers=headers).status_code == 422


def test_stored_xss_comes_back_as_json_data_only(client: TestClient, site: Site) -> None:
    r = client.get("/api/cameras", headers=bearer(site, "operator"))
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"
    names = {c["id"]: c["name"] for c in r.json()["items"]}
    assert names["xss-cam"] == XSS_NAME  # data, unchanged; pages escape it when rendering
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "http" not in csp and "unsafe-inline" not in csp


def test_html_user_names_are_refused(site: Site) -> None:
    for name in ("<script>alert(1)</script>", "a b", "x" * 65, "", "name\x00", "ä" * 65):
        with pytest.raises(ValueError):
            create_user(site.db, name, "viewer", PASSWORD)


def test_errors_do_not_reflect_input(client: TestClient, site: Site) -> None:
    payload = "<script>alert(1)</script>"
    for url in (f"/api/cameras/{payload}", f"/api/{payload}", f"/api/events?label={payload}"):
        r = client.get(url, headers=bearer(site, "admin"))
        assert r.status_code in (404, 422)
        assert r.headers["content-type"] == "application/json"
        assert b"<script>" not in r.content
    long_password = "p" * 5000
    r = client.post("/api/session/login", json={"username": "admin", "password": long_password})
    assert r.status_code == 422
    assert long_password.encode() not in r.content


def test_secrets_never_appear_in_responses_or_logs(
    app: FastAPI, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    key = load_or_create_signing_key(site.cfg.audit)
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    secrets = [STREAM_PASSWORD, raw.hex(), base64.b64encode(raw).decode(), *site.tokens.values()]
    ctx = _ctx(app, site)
    seen: list[bytes] = []
    caplog.set_level(logging.DEBUG)
    with TestClient(app) as client:
        r = client.post("/api/session/login", json={"username": "admin", "password": PASSWORD})
        session_id = client.cookies[SESSION_COOKIE]
        csrf = r.json()["csrf_token"]
        seen.append(r.content)
        for key_ in api_routes(app):
            if key_[1] == "/api/session/login" or key_[1].endswith("/logout"):
                continue
            for role in ("admin", "operator"):
                req = MATRIX[key_].build(ctx, role, ALLOWED)
                for headers in (bearer(site, role), {"X-CSRF-Token": csrf}):
                    resp = client.request(req.method, req.url, json=req.json, headers=headers)
                    seen.append(resp.content)
                    seen.append(str(dict(resp.headers)).encode())
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in [*secrets, session_id]:
        for blob in seen:
            assert secret.encode() not in blob, "a secret leaked into a response"
        assert secret not in logged, "a secret leaked into a log line"
    # Stored hashes are not secrets to hand out either.
    assert all(b"$argon2" not in blob for blob in seen)


def test_invalid_ranges(client: TestClient, site: Site) -> None:
    headers = bearer(site, "admin")
    url = f"/api/cameras/{ALLOWED}/timeline"
    for params in (
        {"start": "100", "end": "50"},
        {"start": "100", "end": "100"},
        {"start": "0", "end": str(40 * 86400)},
        {"start": "nan", "end": "10"},
        {"start": "-5", "end": "10"},
        {"start": "inf", "end": "10"},
        {"start": "1e300", "end": "1e301"},
        {"start": "0"},
    ):
        r = client.get(url, params=params, headers=headers)
        assert r.status_code == 422, params
    r = client.post(
        f"/api/cameras/{ALLOWED}/playback",
        json={"start": 100, "end": 50, "reason": "backwards"},
        headers=headers,
    )
    assert r.status_code == 422


def test_huge_ranges_are_paged(client: TestClient, site: Site) -> None:
    headers = bearer(site, "admin")
    end = site.recorded[1] + 1
    start = end - 10 * 86400
    cursor: float | None = None
    pages = 0
    segments_seen = 0
    while True:
        params = {"start": start, "end": end} | ({} if cursor is None else {"cursor": cursor})
        r = client.get(f"/api/cameras/{ALLOWED}/timeline", params=params, headers=headers)
        assert r.status_code == 200
        body = r.json()
        assert body["page_end"] - (cursor or start) <= site.cfg.console.timeline_page_s
        segments_seen += body["segments"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 10
    assert segments_seen == len(segments(site.db, ALLOWED))


def test_unknown_ids_are_404_without_traces(client: TestClient, site: Site) -> None:
    headers = bearer(site, "admin")
    for method, url in (
        ("GET", "/api/cameras/no-such-camera"),
        ("GET", "/api/cameras/no-such-camera/timeline?start=0&end=10"),
        ("GET", "/api/events/999999"),
        ("GET", "/api/events/999999/snapshot.jpg"),
        ("GET", "/api/exports/999999"),
        ("GET", "/api/exports/999999/download"),
        ("POST", "/api/users/nobody/disable"),
        ("GET", "/api/no/such/route"),
    ):
        r = client.request(method, url, headers=headers)
        assert r.status_code == 404, url
        assert r.headers["content-type"] == "application/json"
        assert set(r.json()) == {"detail"}
        assert b"Traceback" not in r.content and b'File "' not in r.content


def test_internal_errors_say_nothing(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(site.cfg, site.db)

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail /srv/path")

    monkeypatch.setattr("civicam.console.routes.cameras.read_health", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/cameras", headers=bearer(site, "admin"))
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error"}


def test_grants_are_bound_to_user_camera_and_time(
    app: FastAPI, site: Site, client: TestClient
) -> None:
    start, end = site.recorded
    r = client.post(
        f"/api/cameras/{ALLOWED}/playback",
        json={"start": start, "end": end, "reason": "grant binding"},
        headers=bearer(site, "operator"),
    )
    url = r.json()["url"]
    assert client.get(url, headers=bearer(site, "operator")).status_code == 200
    # Another user with the same rights cannot use it, nor can it open another camera.
    assert client.get(url, headers=bearer(site, "supervisor")).status_code == 403
    assert (
        client.get(url.replace(ALLOWED, FORBIDDEN), headers=bearer(site, "admin")).status_code
        == 403
    )
    assert (
        client.get(url.replace(ALLOWED, "xss-cam"), headers=bearer(site, "operator")).status_code
        == 403
    )
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert client.get(tampered, headers=bearer(site, "operator")).status_code == 403
    state: ConsoleState = app.state.console
    real = state.clock
    state.clock = lambda: real() + site.cfg.console.grant_ttl_s + 1
    try:
        assert client.get(url, headers=bearer(site, "operator")).status_code == 403
    finally:
        state.clock = real


def test_sql_injection_through_every_query_parameter(app: FastAPI, site: Site) -> None:
    """Generated from the OpenAPI document: each query parameter of each GET route in
    turn carries each payload; nothing breaks, leaks or changes."""
    spec = app.openapi()
    ctx = _ctx(app, site)
    users_before = len(list_users(site.db))
    events_before = count_events(site.db)
    tried = 0
    with TestClient(app) as client:
        for method, path in api_routes(app):
            if method != "GET":
                continue
            params = [
                p["name"]
                for p in spec["paths"].get(path, {}).get("get", {}).get("parameters", [])
                if p["in"] == "query"
            ]
            base = MATRIX[(method, path)].build(ctx, "admin", ALLOWED).url
            url, _, query = base.partition("?")
            given = dict(pair.split("=", 1) for pair in query.split("&") if pair)
            for name in params:
                for payload in INJECTIONS:
                    r = client.get(
                        url, params={**given, name: payload}, headers=bearer(site, "admin")
                    )
                    tried += 1
                    assert r.status_code < 500, (path, name, payload)
                    assert b"$argon2" not in r.content and b"password_hash" not in r.content
    assert tried >= 60
    assert len(list_users(site.db)) == users_before
    assert count_events(site.db) == events_before
