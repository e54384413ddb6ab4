"""The console app factory and server.

``create_app(cfg, db)`` builds a FastAPI app with no module-level state: the config,
database and clock are injected, so tests build as many apps as they like. The API is
JSON under ``/api`` (OpenAPI at ``/api/openapi.json``; the interactive docs are off
because they load scripts from outside); pages and static assets come from
``civicam.console.pages`` when it is installed.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from civicam import __version__
from civicam.config.recording import RecorderFileConfig
from civicam.console.deps import SAFE_METHODS
from civicam.console.exports import ExportJobs
from civicam.console.grants import GrantSigner
from civicam.console.routes import (
    audit,
    cameras,
    events,
    exports,
    holds,
    media,
    plans,
    privacy,
    session,
    users,
)
from civicam.console.schemas import ErrorOut
from civicam.console.state import ConsoleState
from civicam.console.timeline import RangeError
from civicam.store.engine import Database

log = logging.getLogger(__name__)
access_log = logging.getLogger("civicam.console.access")

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: Everything from this origin only: no CDN, no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (401, "Not signed in"),
        (403, "Not permitted, or missing CSRF token"),
        (404, "Not found"),
        (409, "Conflict"),
        (422, "Invalid input"),
        (429, "Too many failed sign-ins"),
    )
}


def _error(status: int, detail: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _invalid(message: str) -> JSONResponse:
    # One shape for every 422 (the OpenAPI validation error): a list of problems.
    return _error(422, [{"loc": [], "msg": message, "type": "value_error"}])


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 422:
            return _invalid(detail)
        return _error(exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # Only where and what: the submitted value is never echoed (it may be a password).
        problems = [
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        return _error(422, problems)

    @app.exception_handler(RangeError)
    async def range_error(request: Request, exc: RangeError) -> Response:
        return _invalid(str(exc))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.error(
            "internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return _error(500, "internal error")


def _same_origin(request: Request, origin: str) -> bool:
    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return parts.scheme in ("http", "https") and parts.netloc == host


def _install_middleware(app: FastAPI) -> None:
    @app.middleware("http")
    async def security(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        began = time.perf_counter()
        origin = request.headers.get("origin")
        if (
            request.method not in SAFE_METHODS
            and origin is not None
            and not _same_origin(request, origin)
        ):
            response: Response = _error(403, "cross-origin request refused")
        else:
            response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        # The path only: query strings carry media grants.
        access_log.info(
            "%s %s %d %.1f ms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - began) * 1000,
        )
        return response


def _include_pages(app: FastAPI) -> bool:
    """Include the pages router when the pages module is installed; True if it serves
    ``/static`` itself."""
    try:
        pages = importlib.import_module("civicam.console.pages")
    except ImportError as exc:
        if exc.name != "civicam.console.pages":
            raise
        return False
    router = pages.router
    app.include_router(router)
    return any(str(getattr(r, "path", "")).startswith("/static") for r in router.routes)


def create_app(
    cfg: RecorderFileConfig,
    db: Database,
    *,
    clock: Callable[[], float] = time.time,
    signer: GrantSigner | None = None,
) -> FastAPI:
    """The console app for a site: API, media, and pages when installed."""
    state = ConsoleState(
        cfg=cfg,
        db=db,
        clock=clock,
        signer=signer or GrantSigner(),
        exports=ExportJobs(cfg, db, clock),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.exports.shutdown()

    app = FastAPI(
        title="civicam console",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        responses=ERROR_RESPONSES,
        lifespan=lifespan,
    )
    state.exports.recover()
    app.state.console = state
    for module in (
        session,
        cameras,
        media,
        privacy,
        events,
        exports,
        holds,
        plans,
        users,
        audit,
    ):
        app.include_router(module.router)
    serves_static = _include_pages(app)
    if not serves_static and STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    _install_middleware(app)
    return app


def make_server(
    cfg: RecorderFileConfig, db: Database, host: str | None = None, port: int | None = None
) -> uvicorn.Server:
    """A uvicorn server for the console (``server.run()`` blocks; set
    ``server.should_exit`` to stop it from another thread)."""
    app = create_app(cfg, db)
    config = uvicorn.Config(
        app,
        host=host or cfg.console.host,
        port=port or cfg.console.port,
        # Our own access log leaves out query strings (media grants live there).
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="info",
    )
    return uvicorn.Server(config)


def serve(
    cfg: RecorderFileConfig, db: Database, host: str | None = None, port: int | None = None
) -> None:
    """Serve the console until interrupted (uvicorn in this process)."""
    make_server(cfg, db, host, port).run()
