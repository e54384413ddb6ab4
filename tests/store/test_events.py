"""The event index: filters, overlap, keyset paging and the per-camera merge, against a
plain filter over the same events."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from civicam.store import open_database
from civicam.store.engine import Database
from civicam.store.events import (
    PER_CAMERA_QUERY_LIMIT,
    EventRecord,
    NewEvent,
    add_events,
    count_events,
    delete_events,
    expired_events,
    get_event,
    search_events,
    set_snapshot,
)

CAMERAS = ["north-1", "north-2", "south-1", "east-9"]
LABELS = ["person", "car", "bicycle"]
ZONES = ["door", "street", "lot"]


@pytest.fixture()
def db(tmp_path: Path) -> Database:
    return open_database(f"sqlite:///{tmp_path / 'ev.db'}")


def _random_events(n: int, seed: int = 1) -> list[NewEvent]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        start = rng.uniform(0, 10_000)
        # Mostly short events, a few long ones (a parked car) to exercise the overlap bound.
        span = rng.expovariate(1 / 20) if rng.random() < 0.95 else rng.uniform(500, 3000)
        zones = tuple(rng.sample(ZONES, rng.randint(0, 2)))
        out.append(
            NewEvent(
                camera_id=rng.choice(CAMERAS),
                label=rng.choice(LABELS),
                start=round(start, 3),
                end=round(start + span, 3),
                peak_score=rng.uniform(0.5, 1),
                zones=zones,
                track=((start, 1, 2, 30, 40),),
            )
        )
    # Ties in start time must page correctly too.
    out += [NewEvent("north-1", "person", 5000.0, 5001.0, 0.9) for _ in range(5)]
    return out


def _naive(
    stored: list[tuple[int, NewEvent]],
    *,
    cameras: list[str] | None = None,
    start: float | None = None,
    end: float | None = None,
    label: str | None = None,
    zone: str | None = None,
) -> list[int]:
    hits = [
        (ev.start, i)
        for i, ev in stored
        if (cameras is None or ev.camera_id in cameras)
        and (start is None or ev.end >= start)
        and (end is None or ev.start <= end)
        and (label is None or ev.label == label)
        and (zone is None or zone in ev.zones)
    ]
    return [i for _, i in sorted(hits, reverse=True)]


def _all_pages(db: Database, limit: int, **filters: object) -> list[int]:
    ids: list[int] = []
    before: int | None = None
    while True:
        page: list[EventRecord] = search_events(db, limit=limit, before_id=before, **filters)  # type: ignore[arg-type]
        ids += [e.id for e in page]
        if len(page) < limit:
            return ids
        before = page[-1].id


def test_search_matches_a_plain_filter_for_every_combination(db: Database) -> None:
    events = _random_events(600)
    ids = add_events(db, events)
    stored = list(zip(ids, events, strict=True))
    rng = random.Random(7)
    cases: list[dict[str, object]] = [{}]
    for _ in range(60):
        case: dict[str, object] = {}
        if rng.random() < 0.5:
            case["cameras"] = rng.sample(CAMERAS, rng.randint(1, 3))
        if rng.random() < 0.6:
            a = rng.uniform(0, 10_000)
            case["start"], case["end"] = a, a + rng.uniform(0, 3000)
        if rng.random() < 0.5:
            case["label"] = rng.choice(LABELS)
        if rng.random() < 0.4:
            case["zone"] = rng.choice(ZONES)
        cases.append(case)
    for case in cases:
        want = _naive(stored, **case)  # type: ignore[arg-type]
        assert _all_pages(db, 37, **case) == want, case


def test_an_event_that_started_long_before_the_range_still_touches_it(db: Database) -> None:
    (long_id,) = add_events(db, [NewEvent("north-1", "car", 100.0, 4000.0, 0.8)])
    add_events(db, [NewEvent("north-1", "person", 3500.0, 3501.0, 0.9)])
    found = search_events(db, start=3900, end=3950)
    assert [e.id for e in found] == [long_id]


def test_many_cameras_fall_back_to_one_scan_with_the_same_answer(db: Database) -> None:
    cams = [f"cam-{i}" for i in range(PER_CAMERA_QUERY_LIMIT + 6)]
    events = [NewEvent(cams[i % len(cams)], "person", float(i), i + 1.0, 0.7) for i in range(300)]
    ids = add_events(db, events)
    few = search_events(db, cameras=cams[:3], limit=1000)
    assert [e.id for e in few] == sorted(
        (i for i, ev in zip(ids, events, strict=True) if ev.camera_id in cams[:3]), reverse=True
    )
    many = search_events(db, cameras=cams, limit=50)
    assert [e.id for e in many] == sorted(ids, reverse=True)[:50]


def test_record_round_trip_snapshot_and_deletion(db: Database) -> None:
    (eid,) = add_events(
        db,
        [
            NewEvent(
                "south-1",
                "person",
                10.0,
                12.5,
                0.91,
                ("door",),
                ((10.0, 1, 2, 3, 4), (12.5, 5, 6, 7, 8)),
            )
        ],
    )
    rec = get_event(db, eid)
    assert rec is not None and rec.zones == ("door",) and rec.track[1] == (12.5, 5, 6, 7, 8)
    assert rec.as_json()["camera"] == "south-1"
    set_snapshot(db, eid, "_snapshots/south-1/00000/1.jpg")
    assert get_event(db, eid).snapshot == "_snapshots/south-1/00000/1.jpg"  # type: ignore[union-attr]
    assert get_event(db, 999) is None
    assert expired_events(db, "south-1", 12.5) == []  # ends at 12.5, not before it
    expired = expired_events(db, "south-1", 13.0)
    assert expired == [(eid, 10.0, 12.5, "_snapshots/south-1/00000/1.jpg")]
    delete_events(db, [eid])
    assert count_events(db) == 0 and search_events(db, zone="door") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 10_001}, "limit"),
        ({"start": 10.0, "end": 5.0}, "precede"),
        ({"cameras": ["../etc"]}, "camera id"),
    ],
)
def test_bad_searches_are_refused_clearly(
    db: Database, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        search_events(db, **kwargs)  # type: ignore[arg-type]


def test_unknown_page_anchor_and_empty_camera_list(db: Database) -> None:
    add_events(db, [NewEvent("north-1", "person", 1.0, 2.0, 0.9)])
    with pytest.raises(KeyError):
        search_events(db, before_id=12345)
    assert search_events(db, cameras=[]) == []


@pytest.mark.parametrize(
    "bad",
    [
        NewEvent("North 1", "person", 1.0, 2.0, 0.9),
        NewEvent("north-1", "", 1.0, 2.0, 0.9),
        NewEvent("north-1", "person", 3.0, 2.0, 0.9),
        NewEvent("north-1", "person", 1.0, 2.0, 0.9, ("",)),
    ],
)
def test_bad_events_are_refused_and_nothing_is_stored(db: Database, bad: NewEvent) -> None:
    good = NewEvent("north-1", "person", 1.0, 2.0, 0.9)
    with pytest.raises(ValueError):
        add_events(db, [good, bad])
    assert count_events(db) == 0
