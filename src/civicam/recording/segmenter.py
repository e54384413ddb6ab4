"""The segmenter (pure): packets in, segment boundaries out; wall-clock mapping; gaps."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Action(Enum):
    """What the recorder does with a packet."""

    DROP = "drop"  # before the first keyframe: a segment cannot start here
    OPEN = "open"  # open a new segment, then write the packet
    CUT = "cut"  # close the current segment, open a new one, then write
    WRITE = "write"  # append to the current segment


@dataclass
class Segmenter:
    """Decides segment boundaries: every segment starts on a keyframe and is cut at the
    first keyframe at least ``segment_seconds`` after its start."""

    segment_seconds: float
    segment_start: float | None = None

    def push(self, t: float, keyframe: bool) -> Action:
        """Classify a video packet at stream time ``t`` (seconds)."""
        if self.segment_start is None:
            if not keyframe:
                return Action.DROP
            self.segment_start = t
            return Action.OPEN
        if keyframe and t - self.segment_start >= self.segment_seconds - 1e-6:
            self.segment_start = t
            return Action.CUT
        return Action.WRITE

    def reset(self) -> None:
        """Forget the open segment (after a disconnect)."""
        self.segment_start = None


@dataclass
class StreamClock:
    """Maps stream time to UTC: follows the stream, bounded by the wall clock.

    Stream timestamps are smooth but start anywhere; the wall clock is right but
    jittery. The mapping follows the stream from an anchor, and the anchor only
    moves when the mapping becomes impossible: a packet cannot have been captured
    after it was received, so a mapped time later than ``now`` pulls the anchor back
    (this converges on the smallest observed latency); a lag beyond ``max_drift``
    (a camera reboot, a timestamp jump) re-anchors at ``now``.
    """

    max_drift: float = 5.0
    anchor_wall: float | None = None
    anchor_stream: float = 0.0

    def to_wall(self, t: float, now: float) -> float:
        """UTC seconds of stream time ``t``, received at wall time ``now``."""
        if self.anchor_wall is None:
            self.anchor_wall, self.anchor_stream = now, t
        wall = self.anchor_wall + t - self.anchor_stream
        if wall > now or wall < now - self.max_drift:
            self.anchor_wall, self.anchor_stream = now, t
            wall = now
        return wall

    def reset(self) -> None:
        """Drop the anchor (a new connection starts a new timeline)."""
        self.anchor_wall = None


def gap_between(prev_end: float | None, next_start: float, min_gap: float) -> bool:
    """Whether the pause between two pieces of record is a gap worth a row."""
    return prev_end is not None and next_start - prev_end > min_gap
