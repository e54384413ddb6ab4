"""``/api/plans``: the latest plan, its report and the city basemap (read-only files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from civicam.console.deps import BasemapUser, PlansUser
from civicam.console.files import contained_file
from civicam.console.plans import latest_plan_dir
from civicam.console.schemas import PlanOut
from civicam.console.state import ConsoleState, state_of

router = APIRouter(prefix="/api/plans", tags=["plans"])

#: The planner's report is self-contained (inline script and styles): it is served in a
#: sandbox with no origin, so its script can neither read cookies nor call the API.
REPORT_CSP = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)


def _plan_file(state: ConsoleState, name: str) -> Path:
    directory = latest_plan_dir(state.cfg.console.plan_dir)
    if directory is None:
        raise HTTPException(404, "no plan")
    try:
        return contained_file(directory, directory / name)
    except FileNotFoundError:
        raise HTTPException(404, f"the plan has no {name}") from None


def _json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise HTTPException(404, f"{path.name} is unreadable") from None
    if not isinstance(value, dict):
        raise HTTPException(404, f"{path.name} is not a JSON object")
    return value


@router.get("/latest", response_model=PlanOut)
def latest(request: Request, principal: PlansUser) -> PlanOut:
    """The latest plan's cameras and summary."""
    state = state_of(request)
    plan = _plan_file(state, "plan.geojson")
    summary = _plan_file(state, "summary.json")
    has_report = (plan.parent / "report.html").is_file()
    return PlanOut(
        name=plan.parent.name,
        created=summary.stat().st_mtime,
        plan=_json(plan),
        summary=_json(summary),
        report_url="/api/plans/report.html" if has_report else None,
    )


@router.get(
    "/city.geojson",
    response_class=FileResponse,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def city(request: Request, principal: BasemapUser) -> FileResponse:
    """The city's buildings and streets (the map's basemap; no cameras)."""
    path = _plan_file(state_of(request), "city.geojson")
    return FileResponse(path, media_type="application/geo+json")


@router.get(
    "/report.html",
    response_class=FileResponse,
    responses={200: {"content": {"text/html": {}}}},
)
def report(request: Request, principal: PlansUser) -> FileResponse:
    """The latest plan's report (sandboxed: its inline viewer cannot reach the API)."""
    path = _plan_file(state_of(request), "report.html")
    return FileResponse(
        path,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_CSP, "X-Frame-Options": "SAMEORIGIN"},
    )
