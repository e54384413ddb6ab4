"""Pure logic: segmenter, clock, gaps, paths, URLs, fMP4 scanning, retention decisions."""

from __future__ import annotations

import io
import itertools
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from civicam.config.recording import CameraConfig
from civicam.recording.mp4 import scan_boxes
from civicam.recording.paths import parse_relpath, segment_relpath
from civicam.recording.retention import Budget, is_held, plan_deletions
from civicam.recording.segmenter import Action, Segmenter, StreamClock, gap_between
from civicam.recording.urls import (
    Credentials,
    StreamUrlError,
    scrub,
    split_credentials,
    validate_url,
    with_credentials,
)
from civicam.store.index import HoldInfo, SegmentInfo


def test_segments_start_on_keyframes_and_cut_after_target() -> None:
    seg = Segmenter(10.0)
    assert seg.push(0.0, False) is Action.DROP
    assert seg.push(0.5, True) is Action.OPEN
    assert seg.push(5.0, True) is Action.WRITE
    assert seg.push(10.4, False) is Action.WRITE  # no keyframe: cannot cut yet
    assert seg.push(10.6, True) is Action.CUT
    assert seg.segment_start == 10.6
    seg.reset()
    assert seg.push(11.0, False) is Action.DROP


@given(st.lists(st.tuples(st.floats(0.01, 2.0), st.booleans()), min_size=1, max_size=300))
def test_every_segment_starts_on_a_keyframe(steps: list[tuple[float, bool]]) -> None:
    seg = Segmenter(3.0)
    t = 0.0
    starts: list[float] = []
    for dt, key in steps:
        t += dt
        action = seg.push(t, key)
        if action in (Action.OPEN, Action.CUT):
            assert key
            starts.append(t)
    assert all(b - a >= 3.0 - 1e-6 for a, b in itertools.pairwise(starts))


def test_clock_follows_stream_and_reanchors_on_jumps() -> None:
    clock = StreamClock(max_drift=5.0)
    assert clock.to_wall(100.0, 1000.5) == 1000.5  # first packet arrived late
    assert clock.to_wall(101.0, 1001.3) == 1001.3  # arrived sooner than mapped: pull back
    assert clock.to_wall(102.0, 1002.6) == pytest.approx(1002.3)  # late jitter: no move
    assert clock.to_wall(5000.0, 1003.0) == 1003.0  # a forward jump re-anchors
    assert clock.to_wall(10.0, 1004.0) == 1004.0  # so does a backward one


def test_gap_only_when_longer_than_minimum() -> None:
    assert not gap_between(None, 10.0, 1.0)
    assert not gap_between(9.5, 10.0, 1.0)
    assert gap_between(8.0, 10.0, 1.0)


def test_paths_round_trip_and_reject_foreign_names() -> None:
    rel = segment_relpath("cam-1", 1_700_000_000.25)
    assert rel == "cam-1/2023-11-14/22/20231114T221320.250Z.mp4"
    assert parse_relpath(rel) == ("cam-1", 1_700_000_000.25)
    for bad in ("../x/2023-11-14/22/20231114T221320.250Z.mp4", "cam-1/x.mp4", "a/b/c/d.mp4"):
        assert parse_relpath(bad) is None


@pytest.mark.parametrize("bad", ["../etc", "a/b", "Cam", "kamera-ä", "", "-x", "a" * 65, "a..b/"])
def test_camera_ids_are_strict_slugs(bad: str) -> None:
    with pytest.raises(ValueError):
        segment_relpath(bad, 0.0)
    with pytest.raises(ValidationError):
        CameraConfig(id=bad, name="x", url="rtsp://127.0.0.1/x", purpose="why not", owner="me")


def test_urls_split_credentials_and_never_leak_them() -> None:
    clean, creds = split_credentials("rtsp://admin:p%40ss@127.0.0.1:554/live")
    assert clean == "rtsp://127.0.0.1:554/live"
    assert creds == Credentials("admin", "p@ss")
    assert "p@ss" not in repr(creds)
    full = with_credentials(clean, creds)
    assert full == "rtsp://admin:p%40ss@127.0.0.1:554/live"
    assert (
        scrub(f"error opening {full}", creds) == "error opening rtsp://***:***@127.0.0.1:554/live"
    )


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://127.0.0.1/x",
        "concat:a.mp4|b.mp4",
        "rtsp://",
        "rtsp://127.0.0.1:99999/x",
        "rtsp://127.0.0.1/a b",
        "file://host/x.mp4",
        "subfile,,start,0,end,0,,:/etc/passwd",
        "rtsp://[::1",
    ],
)
def test_url_allowlist(bad: str) -> None:
    with pytest.raises(StreamUrlError):
        validate_url(bad)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_scan_keeps_complete_fragments_only() -> None:
    head = _box(b"ftyp", b"isom" * 2) + _box(b"moov", b"\0" * 20)
    frag = _box(b"moof", b"\0" * 16) + _box(b"mdat", b"\1" * 100)
    data = head + frag + frag
    full = scan_boxes(io.BytesIO(data), len(data))
    assert (full.valid_bytes, full.fragments) == (len(data), 2)
    cut = data + frag[:50]  # a moof and half an mdat: the crash case
    part = scan_boxes(io.BytesIO(cut), len(cut))
    assert (part.valid_bytes, part.fragments) == (len(data), 2)
    moof_only = data + _box(b"moof", b"\0" * 16)
    assert scan_boxes(io.BytesIO(moof_only), len(moof_only)).valid_bytes == len(data)
    assert scan_boxes(io.BytesIO(head[:10]), 10).valid_bytes == 0


def _seg(cam: str, start: float, size: int = 100) -> SegmentInfo:
    return SegmentInfo(cam, start, start + 10, f"{cam}/{start}", size, "0" * 64, 1)


def test_retention_deletes_old_and_oldest_unheld_first() -> None:
    now = 100 * 86_400.0
    segs = [_seg("a", now - 40 * 86_400), *[_seg("a", now - 100 + 10 * i) for i in range(5)]]
    segs += [_seg("b", now - 95 + 10 * i) for i in range(5)]
    hold = HoldInfo(1, "a", now - 100, now - 85, "incident 7", "officer")
    budget = Budget(max_bytes=700, min_free=0, free_bytes=10**12)
    plan = plan_deletions(segs, [hold], {"a": 30, "b": 30}, budget, now)
    assert plan[0] == (segs[0], "retention period")
    budgeted = [s for s, reason in plan if reason == "disk budget"]
    # 1100 bytes, 100 freed by age: 300 more must go; "a" at -100 and -90 are held.
    assert [(s.camera_id, s.start) for s in budgeted] == [
        ("b", now - 95),
        ("b", now - 85),
        ("a", now - 80),
    ]
    assert not any(is_held(s, [hold]) for s, _ in plan)


def test_retention_respects_min_free_and_never_deletes_held() -> None:
    segs = [_seg("a", float(i * 10)) for i in range(3)]
    hold = HoldInfo(1, "a", 0, 1000, "all held", "x")
    plan = plan_deletions(segs, [hold], {}, Budget(None, 10**9, 0), 1000.0)
    assert plan == []
    plan = plan_deletions(segs, [], {}, Budget(None, 150, 0), 1000.0)
    assert [s.start for s, _ in plan] == [0.0, 10.0]
