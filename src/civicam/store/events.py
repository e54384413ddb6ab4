"""The event index: one row per object's pass through one camera's view.

Search is by camera(s), time range, label and zone, newest first, a page at a time
(keyset paging on ``(start, id)`` so deep pages cost the same as the first). The
indexes are chosen so each filter combination walks one index backwards in time and
stops after a page: ``(camera, start)``, ``(camera, label, start)``, ``(label, start)``,
``(start)`` and, for zones, a side table indexed by ``(zone, start)`` and
``(camera, zone, start)``. An overlap query ("events that touch [start, end]") needs a
lower bound on an event's start to use those indexes; the longest event span seen is
kept in a one-row table and used as that bound.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Float,
    Index,
    Integer,
    String,
    Text,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column
from sqlalchemy.sql import Select

from civicam.config.ids import validate_camera_id
from civicam.store.engine import Database
from civicam.store.models import Base

#: Most cameras searched one by one (each walks its own index); past this, one scan.
PER_CAMERA_QUERY_LIMIT = 64
#: Largest page a search returns.
MAX_PAGE = 1000


class EventRow(Base):
    """An event as stored."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    start_ts: Mapped[float] = mapped_column(Float)
    end_ts: Mapped[float] = mapped_column(Float)
    peak_score: Mapped[float] = mapped_column(Float)
    zones: Mapped[str] = mapped_column(Text, default="[]")
    track: Mapped[str] = mapped_column(Text, default="[]")
    snapshot: Mapped[str | None] = mapped_column(String(300), nullable=True)

    __table_args__ = (
        Index("ix_events_start", "start_ts", "id"),
        Index("ix_events_camera_start", "camera_id", "start_ts", "id"),
        Index("ix_events_camera_label_start", "camera_id", "label", "start_ts", "id"),
        Index("ix_events_label_start", "label", "start_ts", "id"),
    )


class EventZoneRow(Base):
    """One (event, zone) membership, denormalised with camera and start for the indexes."""

    __tablename__ = "event_zones"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    start_ts: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_event_zones_zone_start", "zone", "start_ts", "event_id"),
        Index("ix_event_zones_camera_zone_start", "camera_id", "zone", "start_ts", "event_id"),
    )


class EventMetaRow(Base):
    """One row: the longest event span stored (bounds overlap queries)."""

    __tablename__ = "event_meta"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    max_span: Mapped[float] = mapped_column(Float, default=0.0)


TrackPoint = tuple[float, int, int, int, int]


@dataclass(frozen=True)
class NewEvent:
    """An event to store; ``track`` is ``(t, x0, y0, x1, y1)`` points in frame pixels."""

    camera_id: str
    label: str
    start: float
    end: float
    peak_score: float
    zones: tuple[str, ...] = ()
    track: tuple[TrackPoint, ...] = ()
    snapshot: str | None = None


@dataclass(frozen=True)
class EventRecord:
    """A stored event; ``snapshot`` is relative to the storage root (redacted JPEG)."""

    id: int
    camera_id: str
    label: str
    zones: tuple[str, ...]
    start: float
    end: float
    peak_score: float
    track: tuple[TrackPoint, ...]
    snapshot: str | None

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "id": self.id,
            "camera": self.camera_id,
            "label": self.label,
            "zones": list(self.zones),
            "start": self.start,
            "end": self.end,
            "peak_score": round(self.peak_score, 4),
            "track": [list(p) for p in self.track],
            "snapshot": self.snapshot,
        }


def _record(row: EventRow) -> EventRecord:
    return EventRecord(
        id=row.id,
        camera_id=row.camera_id,
        label=row.label,
        zones=tuple(json.loads(row.zones)),
        start=row.start_ts,
        end=row.end_ts,
        peak_score=row.peak_score,
        track=tuple(
            (float(p[0]), int(p[1]), int(p[2]), int(p[3]), int(p[4])) for p in json.loads(row.track)
        ),
        snapshot=row.snapshot,
    )


def _check(ev: NewEvent) -> None:
    validate_camera_id(ev.camera_id)
    if not ev.label or len(ev.label) > 64:
        raise ValueError("event label must be 1-64 characters")
    if not ev.end >= ev.start:
        raise ValueError("event end must not precede its start")
    if any(not z or len(z) > 64 for z in ev.zones):
        raise ValueError("zone names must be 1-64 characters")


def add_events_in(session: Session, events: Sequence[NewEvent]) -> list[int]:
    """Store ``events`` in the caller's transaction; returns their ids in order."""
    for ev in events:
        _check(ev)
    if not events:
        return []
    rows = [
        EventRow(
            camera_id=ev.camera_id,
            label=ev.label,
            start_ts=ev.start,
            end_ts=ev.end,
            peak_score=float(ev.peak_score),
            zones=json.dumps(list(ev.zones)),
            track=json.dumps([[round(p[0], 3), *p[1:]] for p in ev.track], separators=(",", ":")),
            snapshot=ev.snapshot,
        )
        for ev in events
    ]
    session.add_all(rows)
    session.flush()
    for row, ev in zip(rows, events, strict=True):
        for zone in dict.fromkeys(ev.zones):
            session.add(
                EventZoneRow(event_id=row.id, zone=zone, camera_id=ev.camera_id, start_ts=ev.start)
            )
    span = max(ev.end - ev.start for ev in events)
    meta = session.get(EventMetaRow, 1)
    if meta is None:
        session.add(EventMetaRow(id=1, max_span=span))
    elif span > meta.max_span:
        session.execute(
            update(EventMetaRow)
            .where(EventMetaRow.id == 1, EventMetaRow.max_span < span)
            .values(max_span=span)
        )
    return [row.id for row in rows]


def add_events(db: Database, events: Sequence[NewEvent]) -> list[int]:
    """Store ``events`` in one transaction; returns their ids."""
    with db.write() as session:
        return add_events_in(session, events)


def set_snapshot(db: Database, event_id: int, snapshot: str | None) -> None:
    """Attach (or clear) an event's snapshot path."""
    with db.write() as session:
        session.execute(update(EventRow).where(EventRow.id == event_id).values(snapshot=snapshot))


def get_event(db: Database, event_id: int) -> EventRecord | None:
    """One event by id."""
    with db.read() as session:
        row = session.get(EventRow, event_id)
        return None if row is None else _record(row)


def count_events(db: Database, camera_id: str | None = None) -> int:
    """Number of stored events (of one camera)."""
    stmt = select(func.count()).select_from(EventRow)
    if camera_id is not None:
        stmt = stmt.where(EventRow.camera_id == camera_id)
    with db.read() as session:
        return int(session.scalar(stmt) or 0)


def search_events(
    db: Database,
    *,
    cameras: Sequence[str] | None = None,
    start: float | None = None,
    end: float | None = None,
    label: str | None = None,
    zone: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[EventRecord]:
    """Events touching ``[start, end]`` matching every given filter, newest first.

    ``cameras`` restricts to those cameras (an empty list matches nothing: callers
    pass a user's permitted cameras). ``before_id`` continues after that event (the
    last one of the previous page). ``limit`` is capped at :data:`MAX_PAGE`.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be 1..{MAX_PAGE}")
    if start is not None and end is not None and end < start:
        raise ValueError("end must not precede start")
    if cameras is not None:
        cameras = list(dict.fromkeys(cameras))
        for cam in cameras:
            validate_camera_id(cam)
        if not cameras:
            return []
    with db.read() as session:
        after: tuple[float, int] | None = None
        if before_id is not None:
            anchor = session.get(EventRow, before_id)
            if anchor is None:
                raise KeyError(f"event {before_id} not found")
            after = (anchor.start_ts, anchor.id)
        meta = session.get(EventMetaRow, 1)
        max_span = meta.max_span if meta is not None else 0.0
        if cameras is not None and len(cameras) <= PER_CAMERA_QUERY_LIMIT:
            # One short index walk per camera, merged: an IN list over the time index
            # would read every matching row of every camera before sorting.
            pages = [
                session.execute(
                    _query([cam], start, end, label, zone, after, max_span, limit)
                ).all()
                for cam in cameras
            ]
            merged = heapq.merge(*pages, key=lambda r: (-r[1], -r[0]))
            ids = [int(r[0]) for _, r in zip(range(limit), merged, strict=False)]
        else:
            rows = session.execute(
                _query(cameras, start, end, label, zone, after, max_span, limit)
            ).all()
            ids = [int(r[0]) for r in rows]
        if not ids:
            return []
        found = {r.id: r for r in session.scalars(select(EventRow).where(EventRow.id.in_(ids)))}
        return [_record(found[i]) for i in ids if i in found]


def _query(
    cameras: Sequence[str] | None,
    start: float | None,
    end: float | None,
    label: str | None,
    zone: str | None,
    after: tuple[float, int] | None,
    max_span: float,
    limit: int,
) -> Select[int, float]:
    """``(id, start)`` of one page, newest first, through the index the filters suit."""
    if zone is not None:
        z = EventZoneRow
        stmt = select(z.event_id, z.start_ts).where(z.zone == zone)
        start_col, id_col = z.start_ts, z.event_id
        if cameras is not None:
            stmt = stmt.where(_camera_filter(z.camera_id, cameras))
        if label is not None or start is not None:
            stmt = stmt.join(EventRow, EventRow.id == z.event_id)
        if label is not None:
            stmt = stmt.where(EventRow.label == label)
        if start is not None:
            stmt = stmt.where(EventRow.end_ts >= start)
    else:
        e = EventRow
        stmt = select(e.id, e.start_ts)
        start_col, id_col = e.start_ts, e.id
        if cameras is not None:
            stmt = stmt.where(_camera_filter(e.camera_id, cameras))
        if label is not None:
            stmt = stmt.where(e.label == label)
        if start is not None:
            stmt = stmt.where(e.end_ts >= start)
    if start is not None:
        # No event started more than the longest span before `start` can still touch it.
        stmt = stmt.where(start_col >= start - max_span)
    if end is not None:
        stmt = stmt.where(start_col <= end)
    if after is not None:
        stmt = stmt.where(or_(start_col < after[0], and_(start_col == after[0], id_col < after[1])))
    return stmt.order_by(start_col.desc(), id_col.desc()).limit(limit)


def _camera_filter(
    column: InstrumentedAttribute[str], cameras: Sequence[str]
) -> ColumnElement[bool]:
    return column == cameras[0] if len(cameras) == 1 else column.in_(list(cameras))


def expired_events(
    db: Database,
    camera_id: str,
    before: float,
    *,
    after: tuple[float, int] | None = None,
    limit: int = 10_000,
) -> list[tuple[int, float, float, str | None]]:
    """``(id, start, end, snapshot)`` of a camera's events that ended before ``before``,
    oldest first, at most ``limit``, continuing after ``(start, id)`` when given
    (retention works through them in batches)."""
    stmt = (
        select(EventRow.id, EventRow.start_ts, EventRow.end_ts, EventRow.snapshot)
        .where(EventRow.camera_id == camera_id, EventRow.end_ts < before)
        .order_by(EventRow.start_ts, EventRow.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(
            or_(
                EventRow.start_ts > after[0],
                and_(EventRow.start_ts == after[0], EventRow.id > after[1]),
            )
        )
    with db.read() as session:
        return [
            (int(r[0]), float(r[1]), float(r[2]), None if r[3] is None else str(r[3]))
            for r in session.execute(stmt)
        ]


def delete_events(db: Database, ids: Sequence[int]) -> None:
    """Delete events (and their zone rows) by id."""
    with db.write() as session:
        for chunk in _chunks(list(ids), 500):
            session.execute(delete(EventZoneRow).where(EventZoneRow.event_id.in_(chunk)))
            session.execute(delete(EventRow).where(EventRow.id.in_(chunk)))


def _chunks(values: Sequence[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(values), size):
        yield list(values[i : i + size])
