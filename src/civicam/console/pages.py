"""The console's HTML pages and their static assets.

Pages are thin shells: Jinja2 renders the layout (navigation, the signed-in user and role,
the UNMASKED banner) with autoescaping on, and our plain ES modules fetch every datum from
the JSON API, which enforces per-camera permissions. A page route still checks the session
(no session: redirect to /login) and the role's capability, so nobody is shown a page
whose data they may not see. Static files are served from the package with canonical
paths and an allowlist of types; nothing is loaded from another origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from civicam.analysis.labels import OBJECT_CLASSES
from civicam.config.ids import validate_camera_id
from civicam.console.deps import Principal, optional_user
from civicam.console.roles import Cap, has_cap
from civicam.console.state import state_of

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATE_DIR = HERE / "templates"

# Only these file types are ever served from static/ (no templates, no Python, no maps).
STATIC_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}

# Scripts and styles only from this origin, never inline: an injected <script>, onerror=
# or style= is inert even if escaping failed somewhere (our JS styles through the CSSOM,
# as Leaflet does). hls.js runs its demuxer in a blob: worker.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; worker-src 'self' blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation bar and the capability its page needs."""

    key: str
    label: str
    href: str
    cap: Cap


NAV: tuple[NavItem, ...] = (
    NavItem("map", "Map", "/map", Cap.BASEMAP),
    NavItem("cameras", "Cameras", "/cameras", Cap.LIVE),
    NavItem("events", "Events", "/events", Cap.EVENTS),
    NavItem("exports", "Exports", "/exports", Cap.EXPORT),
    NavItem("planner", "Planner", "/planner", Cap.PLANS),
)
PAGE_CAPS: dict[str, Cap] = {item.key: item.cap for item in NAV} | {"camera": Cap.CAMERAS}


@dataclass(frozen=True)
class PageUser:
    """What the layout shows of the signed-in user."""

    name: str
    role: str


def _static_url(path: str) -> str:
    """URL of a static file, with its modification time so browsers refetch after a build."""
    target = (STATIC_DIR / path).resolve()
    try:
        version = int(target.stat().st_mtime)
    except OSError:
        version = 0
    return f"/static/{quote(path)}?v={version}"


ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,  # every template, whatever its name: all user text is escaped
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals["static"] = _static_url

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """A same-site path to return to after login; anything else becomes /map."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith(("//", "/\\", "/login"))
        or len(value) > 2000
        or any(ord(c) < 0x20 for c in value)
    ):
        return "/map"
    return value


def nav_for(user: Principal) -> list[NavItem]:
    """The navigation entries the user's role may open."""
    return [item for item in NAV if has_cap(user.user, item.cap)]


def render(
    template: str,
    *,
    page: str,
    title: str,
    user: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page inside the shared layout, with the console's security headers."""
    html = ENV.get_template(template).render(
        page=page,
        title=title,
        user=PageUser(user.username, user.role) if user else None,
        csrf_token=user.csrf_token if user else None,
        nav=nav_for(user) if user else [],
        leaflet=page in ("map", "planner"),
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(safe_next(target), safe='')}", status_code=303)


def _forbidden(user: Principal) -> HTMLResponse:
    return render(
        "error.html",
        page="error",
        title="Not permitted",
        user=user,
        status_code=403,
        heading="Not permitted",
        message=f"The {user.role} role cannot open this page.",
    )


def _reason_required(request: Request) -> bool:
    return state_of(request).cfg.console.playback_reason_required


def _page(request: Request, key: str, template: str, title: str, **context: Any) -> Response:
    user = optional_user(request)
    if user is None:
        return _login_redirect(request)
    if not has_cap(user.user, PAGE_CAPS[key]):
        return _forbidden(user)
    return render(template, page=key, title=title, user=user, **context)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """The console's front door: the map when signed in, else the login page."""
    if optional_user(request) is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/map", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, next_url: Annotated[str | None, Query(alias="next")] = None
) -> Response:
    """The login form (already signed in: straight on)."""
    target = safe_next(next_url)
    if optional_user(request) is not None:
        return RedirectResponse(target, status_code=303)
    return render("login.html", page="login", title="Log in", user=None, next_url=target)


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> Response:
    """Cameras by status over the city's buildings and streets, with coverage and phases."""
    return _page(request, "map", "map.html", "Map")


@router.get("/cameras", response_class=HTMLResponse)
def cameras_page(request: Request) -> Response:
    """A grid of live views with status badges."""
    return _page(request, "cameras", "cameras.html", "Cameras")


@router.get("/cameras/{camera_id}", response_class=HTMLResponse)
def camera_page(request: Request, camera_id: str) -> Response:
    """Live view, the 24-hour timeline and playback of one camera."""
    user = optional_user(request)
    if user is None:
        return _login_redirect(request)
    try:
        validate_camera_id(camera_id)
    except ValueError:
        return render(
            "error.html",
            page="error",
            title="No such camera",
            user=user,
            status_code=404,
            heading="No such camera",
            message="Camera ids are lower-case letters, digits, '-' and '_'.",
        )
    if not has_cap(user.user, Cap.CAMERAS):
        return _forbidden(user)
    return render(
        "camera.html",
        page="camera",
        title=f"Camera {camera_id}",
        user=user,
        camera_id=camera_id,
        can_live=has_cap(user.user, Cap.LIVE),
        can_playback=has_cap(user.user, Cap.PLAYBACK),
        reason_required=_reason_required(request),
    )


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request) -> Response:
    """Event search with redacted thumbnails."""
    return _page(request, "events", "events.html", "Events", labels=sorted(OBJECT_CLASSES))


@router.get("/exports", response_class=HTMLResponse)
def exports_page(request: Request) -> Response:
    """Request exports and download them when ready."""
    return _page(request, "exports", "exports.html", "Exports")


@router.get("/planner", response_class=HTMLResponse)
def planner_page(request: Request) -> Response:
    """The latest plan's summary and map."""
    return _page(request, "planner", "planner.html", "Planner")


def static_path(path: str) -> Path:
    """The file under static/ that ``path`` names; ``HTTPException(404)`` for anything else.

    Canonical paths only: the resolved file must lie inside static/, be a regular file
    and have an allowlisted type (so ``../`` or an encoded variant never leaves it).
    """
    if not path or len(path) > 300 or "\\" in path or "\x00" in path:
        raise HTTPException(status_code=404, detail="not found")
    target = (STATIC_DIR / path).resolve()
    if not target.is_relative_to(STATIC_DIR) or target.suffix not in STATIC_TYPES:
        raise HTTPException(status_code=404, detail="not found")
    if not target.is_file():
        raise HTTPException(status_code=404, detail="not found")
    return target


@router.get("/static/{path:path}")
def static_file(path: str) -> FileResponse:
    """Our JS/CSS and the vendored hls.js and Leaflet builds."""
    target = static_path(path)
    return FileResponse(
        target,
        media_type=STATIC_TYPES[target.suffix],
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )
