"""The HTML shells the browser loads, without a browser: login redirects, which role may
open which page, escaping, security headers and the static file handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from civicam.console.pages import CSP, STATIC_DIR, render, safe_next, static_path
from civicam.console.roles import ROLES
from tests.console.conftest import ALLOWED, login

PAGES = ["/map", "/cameras", f"/cameras/{ALLOWED}", "/events", "/exports", "/planner"]
# Which pages each role may open (the API decides per camera; pages by capability).
ALLOWED_PAGES: dict[str, set[str]] = {
    "admin": set(PAGES),
    "supervisor": set(PAGES),
    "operator": {"/map", "/cameras", f"/cameras/{ALLOWED}", "/events", "/planner"},
    "auditor": {"/map", f"/cameras/{ALLOWED}", "/planner"},
    "viewer": {"/map", "/cameras", f"/cameras/{ALLOWED}"},
}


def _nav(html: str) -> list[str]:
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("path", ["/", *PAGES])
def test_pages_send_strangers_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    expected = "/login" if path == "/" else "/login?next=" + path.replace("/", "%2F")
    assert r.headers["location"] == expected


def test_login_returns_only_to_same_site_paths(client: TestClient) -> None:
    for given, kept in [
        ("/events", "/events"),
        ("//evil.example/x", "/map"),
        ("https://evil.example/", "/map"),
        ("/\\evil.example", "/map"),
        ("/login?next=/x", "/map"),
    ]:
        r = client.get("/login", params={"next": given})
        assert r.status_code == 200
        assert f'data-next="{kept}"' in r.text


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_pages_it_may_open(client: TestClient, role: str) -> None:
    login(client, role)
    for path in PAGES:
        r = client.get(path, follow_redirects=False)
        if path in ALLOWED_PAGES[role]:
            assert r.status_code == 200, (role, path)
            assert f'<span class="user" id="user-name">{role}</span>' in r.text
            assert f'id="user-role">{role}</span>' in r.text
            assert set(_nav(r.text)) - {"/map"} <= ALLOWED_PAGES[role]
        else:
            assert r.status_code == 403, (role, path)
            assert "Not permitted" in r.text
    # Signed in, the login page and the front door move straight on.
    assert client.get("/login", follow_redirects=False).headers["location"] == "/map"
    assert client.get("/", follow_redirects=False).headers["location"] == "/map"


def test_camera_page_tells_the_script_what_the_role_may_do(client: TestClient) -> None:
    login(client, "viewer")
    html = client.get(f"/cameras/{ALLOWED}").text
    assert 'data-can-playback="false"' in html and 'data-can-live="true"' in html
    assert 'id="timeline"' not in html  # no timeline or reason dialog without playback
    login(client, "operator")  # a new login replaces the session
    html = client.get(f"/cameras/{ALLOWED}").text
    assert 'data-can-playback="true"' in html and 'data-reason-required="true"' in html


def test_pages_carry_csrf_token_and_strict_headers(client: TestClient) -> None:
    csrf = login(client, "operator")
    r = client.get("/map")
    assert f'<meta name="csrf-token" content="{csrf}">' in r.text
    assert r.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    # Nothing is loaded from another origin, and there is no inline script.
    assert not re.search(r'(src|href)="(https?:)?//', r.text)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text)


@pytest.mark.parametrize(
    "path", ["/cameras/%3Cimg%20src=x%20onerror=alert(1)%3E", "/cameras/UPPER", "/cameras/a..b"]
)
def test_camera_page_refuses_ids_that_are_not_slugs(client: TestClient, path: str) -> None:
    login(client, "admin")
    r = client.get(path)
    assert r.status_code == 404
    assert "No such camera" in r.text and "<img" not in r.text


def test_templates_escape_what_they_are_given() -> None:
    r = render(
        "error.html",
        page="error",
        title="<b>t</b>",
        user=None,
        heading="<img src=x onerror=alert(1)>",
        message='"><script>alert(1)</script>',
    )
    html = bytes(r.body).decode()
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&#34;&gt;&lt;script&gt;" in html


def test_static_files_are_served_with_their_types(client: TestClient) -> None:
    r = client.get("/static/js/api.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/js/missing.js").status_code == 404
    assert client.get("/static/js").status_code == 404  # a directory


@pytest.mark.parametrize(
    "path",
    [
        "%2e%2e/pages.py",
        "js/%2e%2e/%2e%2e/app.py",
        "..%2fpages.py",
        "%2fetc%2fpasswd",
        "js/..%5c..%5capp.py",
        "../templates/base.html",
    ],
)
def test_static_handler_never_leaves_its_directory(client: TestClient, path: str) -> None:
    r = client.get(f"/static/{path}")
    assert r.status_code == 404
    assert "civicam" not in r.text.lower() or r.headers["content-type"].startswith(
        "application/json"
    )


@pytest.mark.parametrize(
    "path",
    ["../pages.py", "js/../../app.py", "/etc/passwd", "..\\app.py", "", "x\x00.js", "."],
)
def test_static_path_refuses(path: str) -> None:
    with pytest.raises(HTTPException) as err:
        static_path(path)
    assert err.value.status_code == 404


def test_static_path_finds_our_files() -> None:
    assert static_path("js/api.js") == STATIC_DIR / "js" / "api.js"
    assert static_path("js/../app.css") == STATIC_DIR / "app.css"  # canonical, still inside


def test_every_template_script_and_style_exists() -> None:
    """Each asset a template names is in the package (vendor files once built)."""
    templates = Path(STATIC_DIR.parent / "templates")
    named = set()
    for t in templates.glob("*.html"):
        named |= set(re.findall(r"static\('([^']+)'\)", t.read_text(encoding="utf-8")))
    assert {"app.css", "js/layout.js", "js/camera-page.js", "vendor/hls.min.js"} <= named
    for name in named:
        if name.startswith("vendor/") and not (STATIC_DIR / "vendor").is_dir():
            continue  # make console-assets not run here
        assert (STATIC_DIR / name).is_file(), name


def test_safe_next() -> None:
    assert safe_next(None) == "/map"
    assert safe_next("/cameras/north-1?t=5") == "/cameras/north-1?t=5"
    for bad in ["", "map", "//x", "/\\x", "/login", "/x\n", "/" + "a" * 3000]:
        assert safe_next(bad) == "/map"
