"""IoU tracker: one event per object, split on long occlusion."""

from __future__ import annotations

from itertools import pairwise

from civicam.analysis.tracker import Detection, Event, IouTracker, TrackerParams
from civicam.analysis.zones import ZoneSet


def person(x: float, y: float = 100.0, score: float = 0.8, label: str = "person") -> Detection:
    return Detection(label, score, (x, y, x + 40.0, y + 100.0))


def run(tracker: IouTracker, frames: list[list[Detection]], fps: float = 5.0) -> list[Event]:
    events: list[Event] = []
    for i, dets in enumerate(frames):
        events += tracker.update(i / fps, dets)
    return events + tracker.flush()


def test_one_event_per_walk_through() -> None:
    zones = ZoneSet(
        {
            "left": [(0, 0), (300, 0), (300, 400), (0, 400)],
            "right": [(300, 0), (640, 0), (640, 400), (300, 400)],
        }
    )
    tracker = IouTracker("cam-1", TrackerParams(max_missed=3), zones)
    scores = [0.5, 0.6, 0.9, 0.7] * 10
    frames = [[person(10 + 15 * i, score=scores[i])] for i in range(40)]
    events = run(tracker, frames)
    assert len(events) == 1
    ev = events[0]
    assert ev.camera == "cam-1" and ev.label == "person"
    assert ev.start == 0.0 and ev.end == 39 / 5
    assert ev.peak_score == 0.9
    assert ev.zones == ("left", "right")
    assert ev.track[0].box == (10, 100, 50, 200) and ev.track[-1].box == (595, 100, 635, 200)


def test_short_occlusion_keeps_one_event() -> None:
    tracker = IouTracker("c", TrackerParams(max_missed=4))
    frames = [[person(10 + 10 * i)] if not 10 <= i < 14 else [] for i in range(30)]
    events = run(tracker, frames)
    assert len(events) == 1
    assert events[0].end == 29 / 5


def test_long_occlusion_splits_the_event() -> None:
    tracker = IouTracker("c", TrackerParams(max_missed=4))
    frames = [[person(10 + 10 * i)] if not 10 <= i < 16 else [] for i in range(30)]
    events = run(tracker, frames)
    assert len(events) == 2
    first, second = sorted(events, key=lambda e: e.start)
    assert first.end == 9 / 5 and second.start == 16 / 5


def test_ended_events_come_out_of_update_once_missed_frames_run_out() -> None:
    tracker = IouTracker("c", TrackerParams(max_missed=2))
    assert tracker.update(0.0, [person(10)]) == []
    assert tracker.update(0.2, []) == []
    assert tracker.update(0.4, []) == []
    ended = tracker.update(0.6, [])
    assert len(ended) == 1 and ended[0].end == 0.0
    assert tracker.active == 0 and tracker.flush() == []


def test_two_objects_crossing_keep_two_events() -> None:
    tracker = IouTracker("c", TrackerParams(iou_threshold=0.2, max_missed=2))
    frames = []
    for i in range(40):
        # One walks right, the other left; their boxes overlap heavily mid-way.
        frames.append([person(20 + 12 * i, y=100), person(500 - 12 * i, y=110, score=0.6)])
    events = run(tracker, frames)
    assert len(events) == 2
    for ev in events:
        xs = [p.box[0] for p in ev.track]
        steps = [b - a for a, b in pairwise(xs)]
        # Each event keeps its own direction: identities did not swap at the crossing.
        assert all(s > 0 for s in steps) or all(s < 0 for s in steps)
        assert ev.start == 0.0 and ev.end == 39 / 5
    assert sorted(e.peak_score for e in events) == [0.6, 0.8]


def test_labels_never_match_each_other() -> None:
    tracker = IouTracker("c", TrackerParams())
    frames = [[person(100, label="person")], [person(100, label="car")]]
    events = run(tracker, frames)
    assert sorted(e.label for e in events) == ["car", "person"]


def test_long_tracks_stay_compact() -> None:
    tracker = IouTracker("c", TrackerParams(max_track_points=16))
    frames = [[person(1 + 0.5 * i)] for i in range(1000)]
    (ev,) = run(tracker, frames)
    assert len(ev.track) <= 17
    times = [p.t for p in ev.track]
    assert times == sorted(times) and times[0] == 0.0 and times[-1] == 999 / 5


def test_a_quick_mover_is_one_event_although_its_boxes_never_overlap() -> None:
    # 30 px per frame with a 40 px wide box: IoU 0.14 frame to frame, below threshold.
    tracker = IouTracker("c", TrackerParams(iou_threshold=0.3, max_missed=2))
    events = run(tracker, [[person(10 + 30 * i)] for i in range(20)])
    assert len(events) == 1 and events[0].end == 19 / 5


def test_a_new_object_far_away_is_not_rescued_into_a_young_track() -> None:
    tracker = IouTracker("c", TrackerParams(max_missed=0))
    events = run(tracker, [[person(10)], [person(200)]])
    assert len(events) == 2
