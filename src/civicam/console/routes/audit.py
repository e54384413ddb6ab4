"""``/api/audit``: the audit log's signed head and the transparency report (auditors and
admins; read-only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from civicam.audit.log import latest_head, log_size
from civicam.audit.report import gather, render_html
from civicam.console.deps import AuditUser
from civicam.console.schemas import AuditHeadOut, SignedHeadOut
from civicam.console.state import state_of

router = APIRouter(prefix="/api/audit", tags=["audit"])

#: The report is static HTML: shown with no script and no origin at all.
REPORT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@router.get("/head", response_model=AuditHeadOut)
def head(request: Request, principal: AuditUser) -> AuditHeadOut:
    """How many entries the log holds and its latest signed tree head."""
    db = state_of(request).db
    latest = latest_head(db)
    return AuditHeadOut(
        size=log_size(db),
        head=None if latest is None else SignedHeadOut.model_validate(latest.to_json()),
    )


@router.get(
    "/transparency.html",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
def transparency(
    request: Request,
    principal: AuditUser,
    year: Annotated[int | None, Query(ge=1970, le=9999, description="Default: this year.")] = None,
) -> Response:
    """The transparency report of a year (``civicam report transparency``)."""
    state = state_of(request)
    now = state.clock()
    which = year if year is not None else datetime.fromtimestamp(now, tz=UTC).year
    html = render_html(gather(state.db, which), generated_at=now)
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": REPORT_CSP, "X-Frame-Options": "SAMEORIGIN"},
    )
