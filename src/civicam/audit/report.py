"""The annual transparency report: what the network was used for, from the audit log.

Summarising is pure (:func:`summarise` takes entries, cameras and recorded spans);
:func:`gather` reads them from the database and :func:`render_html` fills the template.
Callers give the acting user's role as ``details={"role": ...}`` and may give a
``details={"reason_category": ...}``; without one, the category is the reason's text
before its first colon ("investigation: theft at the market" -> "investigation").
Camera changes carry ``details={"change": "added" | "removed" | ...}``. The report
names roles and recipients, never individual operators.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy import select

from civicam import __version__
from civicam.audit import actions as act
from civicam.audit.entry import Entry
from civicam.audit.heads import SignedHead, head_signature_ok
from civicam.audit.keys import load_public_key
from civicam.audit.log import head_from_row
from civicam.audit.report_template import TRANSPARENCY_TEMPLATE
from civicam.audit.verify import ENTRY_COLUMNS, entry_from_row
from civicam.store.audit import AuditEntry, AuditHead
from civicam.store.engine import Database
from civicam.store.models import Camera, Deletion, Segment

HOUR = 3600.0
NO_DISTRICT = "(no district)"
UNKNOWN_ROLE = "(role not given)"
UNSPECIFIED = "(unspecified)"
ADDED = frozenset({"added", "add", "create", "created", "new"})
REMOVED = frozenset({"removed", "remove", "delete", "deleted"})


@dataclass(frozen=True)
class CameraRow:
    """What the report needs of a camera."""

    id: str
    name: str
    district: str | None
    purpose: str
    enabled: bool


@dataclass(frozen=True)
class Span:
    """A recorded span of a camera."""

    camera_id: str
    start: float
    end: float


@dataclass
class Transparency:
    """Everything the report shows (counts as sorted (key..., count) rows)."""

    year: int
    period_start: float
    period_end: float
    cameras_by_district: list[tuple[str, str, int]] = field(default_factory=list)
    camera_count: int = 0
    cameras_added: list[tuple[str, str]] = field(default_factory=list)
    cameras_removed: list[tuple[str, str]] = field(default_factory=list)
    hours_by_district: list[tuple[str, float]] = field(default_factory=list)
    hours_total: float = 0.0
    live_views_by_role: list[tuple[str, int]] = field(default_factory=list)
    playbacks: list[tuple[str, str, int]] = field(default_factory=list)
    exports: list[tuple[str, str, int]] = field(default_factory=list)
    export_downloads: int = 0
    recipients: list[tuple[str, int]] = field(default_factory=list)
    unmasks: list[tuple[str, str, int]] = field(default_factory=list)
    holds_created: int = 0
    holds_released: int = 0
    holds_by_category: list[tuple[str, int]] = field(default_factory=list)
    deletions: list[tuple[str, int, float]] = field(default_factory=list)
    denials: list[tuple[str, str, int]] = field(default_factory=list)
    entries_by_action: list[tuple[str, int]] = field(default_factory=list)
    entry_count: int = 0
    last_index: int | None = None
    head: SignedHead | None = None
    public_key: str | None = None


def year_bounds(year: int) -> tuple[float, float]:
    """POSIX seconds of the start of ``year`` and of the next year (UTC)."""
    if not 1970 <= year <= 9998:
        raise ValueError("year must be between 1970 and 9998")
    return (
        datetime(year, 1, 1, tzinfo=UTC).timestamp(),
        datetime(year + 1, 1, 1, tzinfo=UTC).timestamp(),
    )


def reason_category(reason: str | None, details: dict[str, Any]) -> str:
    """The reason category of an entry (given, or the reason's text before a colon)."""
    given = details.get("reason_category")
    if isinstance(given, str) and given.strip():
        return given.strip().lower()[:80]
    if not reason or not reason.strip():
        return UNSPECIFIED
    return reason.split(":", 1)[0].strip().lower()[:80] or UNSPECIFIED


def role_of(details: dict[str, Any]) -> str:
    """The acting user's role as callers gave it."""
    role = details.get("role")
    return role.strip()[:80] if isinstance(role, str) and role.strip() else UNKNOWN_ROLE


def _rows(counter: Counter[Any]) -> list[Any]:
    # Largest first, then by key, so the report reads the same every time.
    return [
        (*k, n) if isinstance(k, tuple) else (k, n)
        for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _recipients(details: dict[str, Any]) -> list[str]:
    found = details.get("recipients", details.get("recipient"))
    items = found if isinstance(found, list) else [found]
    return [str(r).strip()[:200] for r in items if isinstance(r, str) and r.strip()]


def summarise(
    year: int,
    entries: Iterable[Entry],
    cameras: Iterable[CameraRow],
    spans: Iterable[Span],
) -> Transparency:
    """Summarise a year's entries, the camera registry and recorded spans (pure)."""
    t0, t1 = year_bounds(year)
    out = Transparency(year, t0, t1)
    cams = list(cameras)
    district = {c.id: c.district or NO_DISTRICT for c in cams}
    out.cameras_by_district = _rows(
        Counter((c.district or NO_DISTRICT, c.purpose) for c in cams if c.enabled)
    )
    out.camera_count = sum(1 for c in cams if c.enabled)
    hours: dict[str, float] = {}
    for s in spans:
        overlap = min(s.end, t1) - max(s.start, t0)
        if overlap > 0:
            key = district.get(s.camera_id, NO_DISTRICT)
            hours[key] = hours.get(key, 0.0) + overlap / HOUR
    out.hours_by_district = sorted(hours.items(), key=lambda kv: (-kv[1], kv[0]))
    out.hours_total = sum(hours.values())
    live: Counter[str] = Counter()
    plays: Counter[tuple[str, str]] = Counter()
    exports: Counter[tuple[str, str]] = Counter()
    recipients: Counter[str] = Counter()
    unmasks: Counter[tuple[str, str]] = Counter()
    holds: Counter[str] = Counter()
    deletions: dict[str, list[float]] = {}
    denials: Counter[tuple[str, str]] = Counter()
    by_action: Counter[str] = Counter()
    for e in entries:
        if not t0 <= e.at < t1:
            continue
        out.entry_count += 1
        out.last_index = e.index if out.last_index is None else max(out.last_index, e.index)
        by_action[e.action] += 1
        role = role_of(e.details)
        if e.action == act.LIVE_VIEW:
            live[role] += 1
        elif e.action == act.PLAYBACK:
            plays[role, reason_category(e.reason, e.details)] += 1
        elif e.action == act.EXPORT:
            exports[role, reason_category(e.reason, e.details)] += 1
            recipients.update(_recipients(e.details))
        elif e.action == act.EXPORT_DOWNLOAD:
            out.export_downloads += 1
        elif e.action == act.UNMASK:
            unmasks[role, e.camera or "(all cameras)"] += 1
        elif e.action == act.HOLD_CREATE:
            out.holds_created += 1
            holds[reason_category(e.reason, e.details)] += 1
        elif e.action == act.HOLD_RELEASE:
            out.holds_released += 1
        elif e.action == act.RETENTION_DELETE:
            policy = str(e.details.get("policy") or e.reason or UNSPECIFIED)[:80]
            span = (e.end - e.start) / HOUR if e.start is not None and e.end is not None else 0.0
            deletions.setdefault(policy, []).append(span)
        elif e.action == act.ACCESS_DENIED:
            attempted = e.details.get("attempted")
            denials[role, str(attempted)[:80] if attempted else UNSPECIFIED] += 1
        elif e.action == act.CAMERA_CHANGE:
            change = str(e.details.get("change", "")).lower()
            label = (e.camera or "?", str(e.details.get("name") or e.camera or "?")[:200])
            if change in ADDED:
                out.cameras_added.append(label)
            elif change in REMOVED:
                out.cameras_removed.append(label)
    out.live_views_by_role = _rows(live)
    out.playbacks = _rows(plays)
    out.exports = _rows(exports)
    out.recipients = _rows(recipients)
    out.unmasks = _rows(unmasks)
    out.holds_by_category = _rows(holds)
    out.deletions = sorted(
        ((p, len(v), sum(v)) for p, v in deletions.items()), key=lambda r: (-r[1], r[0])
    )
    out.denials = _rows(denials)
    out.entries_by_action = _rows(by_action)
    return out


def covering_head(
    heads: Iterable[SignedHead], last_index: int | None, period_end: float
) -> SignedHead | None:
    """The head that attests the period: the first covering its last entry, else the last
    one signed before the period ended."""
    ordered = sorted(heads, key=lambda h: (h.tree_size, h.timestamp_ms))
    if last_index is not None:
        for head in ordered:
            if head.tree_size > last_index:
                return head
    before = [h for h in ordered if h.timestamp_ms <= period_end * 1000]
    return before[-1] if before else None


def gather(db: Database, year: int, public_key: bytes | None = None) -> Transparency:
    """Read a year's entries, cameras, recorded spans and heads and summarise them."""
    t0, t1 = year_bounds(year)
    with db.read() as session:
        cams = [
            CameraRow(c.id, c.name, c.district, c.purpose, c.enabled)
            for c in session.scalars(select(Camera).order_by(Camera.id))
        ]
        spans = [
            Span(r.camera_id, r.start_ts, r.end_ts)
            for r in session.execute(
                select(Segment.camera_id, Segment.start_ts, Segment.end_ts).where(
                    Segment.end_ts > t0, Segment.start_ts < t1
                )
            )
        ]
        kept = {(s.camera_id, s.start) for s in spans}
        spans += [
            Span(r.camera_id, r.start_ts, r.end_ts)
            for r in session.execute(
                select(Deletion.camera_id, Deletion.start_ts, Deletion.end_ts).where(
                    Deletion.end_ts > t0, Deletion.start_ts < t1
                )
            )
            if (r.camera_id, r.start_ts) not in kept
        ]
        entries = [
            entry_from_row(r)
            for r in session.execute(
                select(*ENTRY_COLUMNS)
                .where(AuditEntry.at >= t0, AuditEntry.at < t1)
                .order_by(AuditEntry.idx)
            )
        ]
        rows = list(session.scalars(select(AuditHead)))
    heads: list[SignedHead] = []
    if public_key is not None:
        # Only heads that verify under the installation key are shown to the public.
        pub = load_public_key(public_key)
        for row in rows:
            try:
                head = head_from_row(row)
            except ValueError:
                continue
            if head_signature_ok(head, pub):
                heads.append(head)
    out = summarise(year, entries, cams, spans)
    out.head = covering_head(heads, out.last_index, t1)
    out.public_key = None if public_key is None else public_key.hex()
    return out


def render_html(data: Transparency, *, generated_at: float) -> str:
    """The report as a self-contained HTML page (every value escaped)."""
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["utc"] = lambda t: datetime.fromtimestamp(float(t), UTC).strftime(
        "%Y-%m-%d %H:%M:%S UTC"
    )
    template = env.from_string(TRANSPARENCY_TEMPLATE)
    head = None if data.head is None else data.head.to_json()
    return template.render(
        d=data,
        head=head,
        head_json=None if head is None else json.dumps(head, indent=1, sort_keys=True),
        generated_at=generated_at,
        version=__version__,
    )
