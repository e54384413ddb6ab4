"""JSON-ready records for ``civicam detect`` output and event storage (plain dicts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civicam.analysis.tracker import Detection, Event


def _box(box: Sequence[float], digits: int) -> list[float]:
    return [round(float(v), digits) for v in box]


def frame_record(t: float, detections: Sequence[Detection]) -> dict[str, Any]:
    """``{"t", "detections": [{"label", "score", "box": [x0, y0, x1, y1]}]}`` for one frame."""
    return {
        "t": round(t, 3),
        "detections": [
            {"label": d.label, "score": round(d.score, 4), "box": _box(d.box, 1)}
            for d in detections
        ],
    }


def event_record(event: Event, full: bool = False) -> dict[str, Any]:
    """``{"label", "start", "end", "peak_score"}``; with ``full`` also camera, zones, track."""
    out: dict[str, Any] = {
        "label": event.label,
        "start": round(event.start, 3),
        "end": round(event.end, 3),
        "peak_score": round(event.peak_score, 4),
    }
    if full:
        out["camera"] = event.camera
        out["zones"] = list(event.zones)
        out["track"] = [[round(p.t, 3), *p.box] for p in event.track]
    return out
