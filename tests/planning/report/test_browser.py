"""report.html in a real headless browser: Debian's chromium driven by Playwright.

The page must draw every camera of every layer, load nothing from anywhere
(every request is watched), raise no script error, and react to layer
switches, clicks and zoom. A screenshot is kept in build/test-artifacts/.

Skips when chromium or Playwright is missing on a developer machine; under CI
(``CI=true``, where ``make test`` installs chromium) a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from civicam.planning.city_plan import PlanResult
from civicam.planning.report import plan_report, write_report
from tests.planning.report.conftest import CFG, COARSE

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser test cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (make system-deps-report installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def test_report_draws_every_layer_offline_and_reacts(
    browser: Any, helsinki_merge: PlanResult, tmp_path: Path, repo_root: Path
) -> None:
    data = plan_report(helsinki_merge, CFG.redundancy_threshold, COARSE.site_radius_m)
    report = write_report(data, tmp_path)["report"]
    url = report.as_uri()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.civicamReport && window.civicamReport.ready", timeout=10_000)

    assert requests == [url], "the page must load nothing but itself"
    assert failed == [] and errors == []

    layers = page.evaluate("window.civicamReport.layers")
    net = helsinki_merge.cameras
    assert [layer["key"] for layer in layers] == [
        "existing",
        "phase-1",
        "phase-2",
        "phase-3",
        "phase-4",
    ]
    assert all(layer["drawn"] == layer["count"] > 0 for layer in layers)
    assert sum(layer["count"] for layer in layers) == len(net)
    assert page.locator("#layer-buildings path").count() == len(helsinki_merge.model.buildings)
    assert page.locator("#layer-sites path.site").count() == 7
    # Cameras are drawn where they should be: on screen, with a visible size.
    box = page.locator(".cam").first.bounding_box()
    assert box is not None and box["width"] > 4 and box["height"] > 4

    # Switching a layer off hides its cameras and view areas.
    page.locator('#layers input[data-layer="phase-2"]').uncheck()
    assert (
        page.locator('.cams[data-layer="phase-2"]').evaluate("g => getComputedStyle(g).display")
        == "none"
    )
    page.locator('#layers input[data-layer="phase-2"]').check()

    # Clicking a camera shows its details (the most isolated one: nothing drawn over it).
    gaps = np.linalg.norm(net.xy[:, None, :] - net.xy[None, :, :], axis=2)
    np.fill_diagonal(gaps, np.inf)
    new = np.flatnonzero(net.new)
    pick = int(new[np.argmax(gaps[new].min(axis=1))])
    cam_id, layer = net.ids[pick], f"phase-{int(net.phase[pick])}"
    page.locator(f'.cams[data-layer="{layer}"] .cam[data-cam="{cam_id}"]').click(timeout=5000)
    assert cam_id in page.locator("#details h3").inner_text()
    assert f"new, year {int(net.phase[pick])}" in page.locator("#details").inner_text()
    assert page.evaluate("window.civicamReport.selected().id") == cam_id

    # Zoom in narrows the view; fit brings the whole city back.
    before = page.evaluate("window.civicamReport.viewBox().w")
    page.locator("#zoom-in").click()
    assert page.evaluate("window.civicamReport.viewBox().w") < before
    page.locator("#zoom-fit").click()
    assert page.evaluate("window.civicamReport.viewBox().w") == pytest.approx(before, rel=1e-6)

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    with Image.open(shot) as img:
        pixels = np.asarray(img.convert("RGB"), dtype=np.float64)
    assert pixels.std() > 20  # a map with colour, not an empty page
    keep = repo_root / "build" / "test-artifacts"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, keep / "report.png")
    page.close()
