"""JSON records of frames and events."""

from __future__ import annotations

import json

from civicam.analysis.report import event_record, frame_record
from civicam.analysis.tracker import Detection, Event, TrackPoint


def test_frame_record_has_the_detect_command_shape() -> None:
    rec = frame_record(1.23456, [Detection("person", 0.912345, (1.04, 2.0, 30.0, 80.55))])
    assert rec == {
        "t": 1.235,
        "detections": [{"label": "person", "score": 0.9123, "box": [1.0, 2.0, 30.0, 80.5]}],
    }
    assert json.loads(json.dumps(rec)) == rec


def test_event_record_short_and_full() -> None:
    ev = Event(
        camera="c1",
        label="person",
        zones=("door",),
        start=1.0,
        end=4.2,
        peak_score=0.91,
        track=(TrackPoint(1.0, (1, 2, 3, 4)), TrackPoint(4.2, (5, 6, 7, 8))),
    )
    assert event_record(ev) == {"label": "person", "start": 1.0, "end": 4.2, "peak_score": 0.91}
    full = event_record(ev, full=True)
    assert full["camera"] == "c1" and full["zones"] == ["door"]
    assert full["track"] == [[1.0, 1, 2, 3, 4], [4.2, 5, 6, 7, 8]]
    json.dumps(full)
