"""The console in a real headless browser: Debian's chromium driven by Playwright.

The real app runs under uvicorn on a free loopback port in a thread, over a site with
real recorded fMP4 segments, events and users (tests/console/conftest.py). A supervisor
logs in, finds the cameras on the map, opens one, plays a recorded range (the video
advances), steps to an event, searches events, exports a range and logs out; the time
from the click to the first decoded frame is printed. Hostile and unicode camera names
must render as text on every page. Screenshots are kept in pytest's tmp directory (path
printed) and copied to build/test-artifacts/console/.

Skips when chromium or Playwright is missing on a developer machine; under CI
(``CI=true``, where ``make test`` installs chromium) a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from civicam.config.recording import CameraConfig
from civicam.console.app import create_app
from civicam.store.registry import upsert_cameras
from tests.console.conftest import ALLOWED, FORBIDDEN, PASSWORD, XSS_NAME, Site, build_site

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
# More hostile names, on the map this time (xss-cam of the site has no position).
MAP_XSS_NAME = '"><svg onload=alert(2)><script>alert(3)</script>'
LONG_NAME = "Ω≈ç√ 北口 " + "ü" * 150 + " שלום \u202e end"
HOSTILE = {"xss-map": MAP_XSS_NAME, "long-name": LONG_NAME}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveConsole:
    """The console served over HTTP for the browser."""

    url: str
    site: Site
    shots: Path
    saved: list[Path] = field(default_factory=list)

    def shot(self, page: Any, name: str) -> None:
        """Save a screenshot of the page."""
        path = self.shots / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        self.saved.append(path)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (make system-deps-report installs it)")
    vendor = REPO / "src/civicam/console/static/vendor/hls.min.js"
    if not vendor.is_file():
        _unavailable("console assets are not built (make console-assets)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    base = tmp_path_factory.mktemp("browser-site")
    site = build_site(base)
    upsert_cameras(
        site.db,
        [
            CameraConfig(
                id=cam_id,
                name=name,
                url="rtsp://10.0.0.9/main",
                purpose=f"Escaping check {name}",
                owner="<i>owner</i>",
                lat=60.1705 + 0.0005 * n,
                lon=24.9395 + 0.0012 * n,
                district="north",
            )
            for n, (cam_id, name) in enumerate(HOSTILE.items())
        ],
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(site.cfg, site.db),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="console-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the console did not start")
        time.sleep(0.05)
    shots = base / "screenshots"
    shots.mkdir()
    console = LiveConsole(f"http://127.0.0.1:{port}", site, shots)
    yield console
    server.should_exit = True
    thread.join(timeout=15)
    site.db.close()
    print(f"\nconsole screenshots: {shots}")
    keep = REPO / "build" / "test-artifacts" / "console"
    keep.mkdir(parents=True, exist_ok=True)
    for path in console.saved:
        shutil.copy(path, keep / path.name)


@dataclass
class Watch:
    """What a page did that it should not: script errors, dialogs, foreign requests."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _watch(page: Any, origin: str) -> Watch:
    """Record dialogs, script errors and requests to other origins of ``page``.

    Predicates passed to ``wait_for_function`` are arrow functions: a bare expression
    would be eval'd in the page, which the console's CSP (rightly) refuses.
    """
    w = Watch()

    def on_dialog(d: Any) -> None:
        w.dialogs.append(d.message)
        d.dismiss()

    def on_request(r: Any) -> None:
        if not r.url.startswith((origin, "data:", "blob:")):
            w.foreign.append(r.url)

    page.on("dialog", on_dialog)
    page.on("request", on_request)

    def on_console(m: Any) -> None:
        # A failed load is logged twice: here without its URL, and as a response below.
        if m.type == "error" and not m.text.startswith("Failed to load resource"):
            w.errors.append(m.text)

    page.on("console", on_console)
    page.on(
        "response",
        lambda r: w.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda e: w.errors.append(str(e)))
    return w


def _ready(page: Any, key: str, timeout: float = 15_000) -> None:
    page.wait_for_function(
        f"() => window.civicamConsole && window.civicamConsole.ready[{key!r}] !== undefined",
        timeout=timeout,
    )
    assert page.evaluate(f"window.civicamConsole.ready[{key!r}]") is True


def _log_in(page: Any, url: str, username: str, target: str = "/map") -> None:
    page.goto(url + target)
    page.wait_for_url("**/login?next=*")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"**{target}")


def _utc_input(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))


def test_supervisor_journey(browser: Any, live: LiveConsole) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    w = _watch(page, live.url)

    # Log in: any page sends a stranger to the login form first.
    _log_in(page, live.url, "supervisor")
    assert page.locator("#user-name").inner_text() == "supervisor"
    assert page.locator("#user-role").text_content() == "supervisor"
    assert page.locator("#unmasked-banner").is_hidden()

    # The map: the supervisor's cameras (district north) and nobody else's.
    _ready(page, "map")
    assert page.locator(f'path.cam-marker[data-camera="{ALLOWED}"]').count() == 1
    assert page.locator(f'path.cam-marker[data-camera="{FORBIDDEN}"]').count() == 0
    assert page.evaluate("window.civicamConsole.map.cameras") == 1 + len(HOSTILE)
    status = page.locator(f'path.cam-marker[data-camera="{ALLOWED}"]').get_attribute("data-status")
    assert status in ("recording", "degraded", "offline", "disabled")
    live.shot(page, "1-map")

    # Click the camera on the map: its page.
    page.locator(f'path.cam-marker[data-camera="{ALLOWED}"]').click()
    page.wait_for_url(f"**/cameras/{ALLOWED}")
    _ready(page, "camera")
    _ready(page, "timeline")
    assert page.locator("#cam-title").inner_text() == "North square"
    counts = page.evaluate("window.civicamConsole.camera.timeline")
    assert counts["recordings"] >= 1 and counts["gaps"] >= 1 and counts["events"] == 2
    assert page.locator("#timeline rect.ev").count() == 2

    # Click the recording on the timeline, give a reason, and the video plays.
    page.locator("#timeline rect.rec").first.click()
    page.locator("#reason-dialog").wait_for(state="visible")
    page.fill("#reason-input", "browser test: incident 42")
    page.click("#reason-ok")
    page.wait_for_function(
        "() => document.getElementById('playback').currentTime > 1.5", timeout=30_000
    )
    first_frame_ms = page.evaluate("window.civicamConsole.metrics.clickToFirstFrameMs")
    assert isinstance(first_frame_ms, int | float) and first_frame_ms > 0
    print(f"\nclick to first video frame: {first_frame_ms:.0f} ms")
    assert "incident 42" in page.locator("#playback-label").inner_text()

    # Zoom to ten minutes around the playing position: the 10 s recording gets wide.
    loads = page.evaluate("window.civicamConsole.camera.loads")
    page.select_option("#span", "600")
    page.wait_for_function(f"() => window.civicamConsole.camera.loads > {loads}")
    box = page.locator("#timeline rect.rec").first.bounding_box()
    assert box is not None and box["width"] > 10  # under a pixel in the 24-hour view
    live.shot(page, "2-camera-playback")

    # Step to the next event: it is highlighted and played (no second reason asked).
    plays = len(page.evaluate("window.civicamConsole.camera.plays"))
    page.click("#event-next")
    page.wait_for_function(
        f"() => window.civicamConsole.camera.plays.length > {plays}", timeout=10_000
    )
    assert page.locator("#timeline rect.ev.current").count() == 1
    assert page.locator("#reason-dialog").is_hidden()
    page.wait_for_function(
        "() => document.getElementById('playback').currentTime > 0.5", timeout=30_000
    )

    # Events: search, redacted thumbnails, a link into playback.
    page.click('nav a[href="/events"]')
    _ready(page, "events")
    rows = page.locator("#ev-results tbody tr")
    assert rows.count() == 2  # north-1's two events; south-1's are not the supervisor's
    searches = page.evaluate("window.civicamConsole.searches")
    page.fill("#ev-label", "bicycle")
    page.click("#ev-submit")
    page.wait_for_function(f"() => window.civicamConsole.searches > {searches}")
    assert rows.count() == 1 and "bicycle" in rows.first.inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#ev-results img.thumb')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    href = rows.first.locator("a.open").get_attribute("href")
    assert href is not None and href.startswith(f"/cameras/{ALLOWED}?t=")
    live.shot(page, "3-events")
    # Open it: the camera page plays from just before the event (after a reason).
    rows.first.locator("a.open").click()
    page.wait_for_url(f"**/cameras/{ALLOWED}?t=*")
    page.locator("#reason-dialog").wait_for(state="visible")
    page.fill("#reason-input", "browser test: event review")
    page.click("#reason-ok")
    page.wait_for_function(
        "() => document.getElementById('playback').currentTime > 0.5", timeout=30_000
    )

    # Exports: a range of the recording, a reason, a recipient; ready, then downloadable.
    page.goto(live.url + "/exports")
    _ready(page, "exports")
    start, end = live.site.recorded
    page.check(f'#ex-cameras input[value="{ALLOWED}"]')
    page.fill("#ex-reason", "browser test: request from the police, case 7")
    page.fill("#ex-recipient", "Police department")
    # A range that ends before it starts is refused in the page; nothing is requested.
    page.fill("#ex-start", _utc_input(end))
    page.fill("#ex-end", _utc_input(start))
    page.click("#ex-submit")
    assert "end is after its start" in page.locator("#ex-error").inner_text()
    assert page.locator("#ex-list tbody tr").count() == 0
    page.fill("#ex-start", _utc_input(start))
    page.fill("#ex-end", _utc_input(end + 1))
    page.click("#ex-submit")
    page.wait_for_selector("#ex-list tbody tr[data-export]", timeout=10_000)
    page.wait_for_selector('#ex-list tbody tr[data-status="ready"]', timeout=60_000)
    link = page.locator("#ex-list a.download").first
    download_href = link.get_attribute("href")
    assert download_href is not None
    got = context.request.get(live.url + download_href)
    assert got.status == 200 and len(got.body()) > 1000
    live.shot(page, "4-exports")

    # Log out: back at the login page, and pages need a login again.
    page.click("#logout")
    page.wait_for_url("**/login")
    page.goto(live.url + "/cameras")
    page.wait_for_url("**/login?next=*")
    live.shot(page, "5-logged-out")

    assert w.dialogs == []
    assert w.foreign == [], "the console must load nothing from other origins"
    assert w.errors == []
    assert w.failed == []
    context.close()


def test_hostile_names_render_as_text(browser: Any, live: LiveConsole) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    w = _watch(page, live.url)
    _log_in(page, live.url, "admin")
    _ready(page, "map")
    names = [XSS_NAME, MAP_XSS_NAME, LONG_NAME]
    injected = (
        'document.querySelectorAll(\'img[src="x"], svg[onload], script:not([src]),'
        " [onerror], [onload]').length"
    )

    # Map: markers with hostile names; their tooltips and the side list show the text.
    assert page.locator('path.cam-marker[data-camera="xss-map"]').count() == 1
    page.locator('path.cam-marker[data-camera="xss-map"]').hover()
    page.wait_for_selector(".leaflet-tooltip")
    assert MAP_XSS_NAME in page.locator(".leaflet-tooltip").inner_text()
    for name in names:
        assert page.locator("#cam-list").get_by_text(name, exact=True).count() == 1
    assert page.evaluate(injected) == 0
    live.shot(page, "6-xss-map")

    # Cameras grid.
    page.goto(live.url + "/cameras")
    _ready(page, "cameras")
    for name in names:
        assert page.locator("#grid h3").get_by_text(name, exact=True).count() == 1
    assert page.evaluate(injected) == 0
    # An overlong name wraps inside its card instead of widening the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    live.shot(page, "7-xss-cameras")

    # Each hostile camera's own page.
    for cam_id, name in (("xss-cam", XSS_NAME), *HOSTILE.items()):
        page.goto(f"{live.url}/cameras/{cam_id}")
        _ready(page, "camera")
        assert page.locator("#cam-title").inner_text() == name
        assert page.title().startswith(name[:20])
        assert page.evaluate(injected) == 0

    # Events (camera chooser), exports (camera checkboxes), planner.
    page.goto(live.url + "/events")
    _ready(page, "events")
    options = page.locator("#ev-camera option").all_inner_texts()
    assert all(name in options for name in names)
    page.goto(live.url + "/exports")
    _ready(page, "exports")
    labels = page.locator("#ex-cameras label").all_inner_texts()
    assert all(any(name in label for label in labels) for name in names)
    page.goto(live.url + "/planner")
    _ready(page, "planner")
    assert page.evaluate(injected) == 0
    # The plan's report is shown in a sandboxed frame (the fixture's report is one line).
    assert page.frame_locator("#report").locator("p").inner_text() == "plan report"
    assert page.locator(".plan-cam").count() == 1
    live.shot(page, "8-planner")

    # A hostile path segment is refused by the page itself, escaped in the answer.
    page.goto(live.url + "/cameras/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert page.locator("h1").inner_text() == "No such camera"
    assert page.evaluate(injected) == 0

    assert w.dialogs == [], f"a dialog fired: {w.dialogs}"
    assert w.foreign == []
    assert w.errors == []
    # The only failures: live frames of cameras that never recorded anything, and the
    # refused path segment above.
    no_footage = ("xss-cam", *HOSTILE)
    for failure in w.failed:
        status, url = failure.split(" ", 1)
        path = url.removeprefix(live.url).split("?", 1)[0]
        expected = path in {f"/api/media/{c}/live.jpg" for c in no_footage}
        assert status == "404" and (expected or path.startswith("/cameras/%3C")), failure
    context.close()


def test_timeline_arithmetic(browser: Any, live: LiveConsole) -> None:
    """The timeline's pure functions, run as the page runs them (ES module import)."""
    page = browser.new_page()
    page.goto(live.url + "/login")  # any page of the origin; the module needs no session
    got = page.evaluate(
        """async () => {
          const t = await import('/static/js/timeline.js');
          const recs = [{start: 100, end: 200}, {start: 300, end: 400}];
          const s = t.scale(0, 1000, 500);
          return {
            inside: t.playStart(recs, 150, 0),
            before: t.playStart(recs, 50, 0),
            between: t.playStart(recs, 250, 0),
            justAfter: t.playStart(recs, 210, 20),
            after: t.playStart(recs, 450, 0),
            ticks: t.ticks(50, 400, 100),
            x: [s.x(-5), s.x(500), s.x(2000)],
            ts: s.ts(250),
          };
        }"""
    )
    assert got["inside"]["start"] == 150
    assert got["before"]["start"] == 100
    assert got["between"]["start"] == 300
    assert got["justAfter"]["start"] == 100  # a click just past a recording plays it
    assert got["after"] is None
    assert got["ticks"] == [100, 200, 300, 400]
    assert got["x"] == [0, 250, 500]
    assert got["ts"] == 500
    page.close()


def test_unmasked_banner_follows_the_session(browser: Any, live: LiveConsole) -> None:
    """The banner shows whenever the API says the view is unmasked (the answer is
    rewritten here: granting an unmask is the accountability work's)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    _log_in(page, live.url, "operator")
    _ready(page, "map")
    assert page.locator("#unmasked-banner").is_hidden()

    def unmasked(route: Any) -> None:
        me = route.fetch().json()
        route.fulfill(json={**me, "unmasked": True})

    page.route("**/api/session/me", unmasked)
    page.goto(live.url + "/cameras")
    page.locator("#unmasked-banner").wait_for(state="visible")
    assert "UNMASKED" in page.locator("#unmasked-banner").inner_text()
    live.shot(page, "9-unmasked")
    context.close()
