"""Temporal smoothing of person boxes: a missed frame must not reveal anyone.

A box found in frame ``i`` also covers frames ``i - N .. i + N`` and is dilated.
:func:`smooth_boxes` does this over a whole sequence; :class:`BoxSmoother` does the
same on a stream, releasing each frame once the ``N`` frames after it are known
(a fixed delay of ``N`` frames).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Box = tuple[float, float, float, float]
T = TypeVar("T")


def dilate(box: Box, fraction: float) -> Box:
    """``box`` (xyxy) grown by ``fraction`` of its width/height on each side."""
    x0, y0, x1, y1 = box
    dx = (x1 - x0) * fraction
    dy = (y1 - y0) * fraction
    return (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def smooth_boxes(frames: Sequence[Sequence[Box]], window: int, dilation: float) -> list[list[Box]]:
    """Per frame: the dilated boxes of every frame within ``window`` frames of it."""
    if window < 0:
        raise ValueError("window must be >= 0")
    out: list[list[Box]] = []
    n = len(frames)
    for i in range(n):
        lo, hi = max(0, i - window), min(n, i + window + 1)
        out.append([dilate(b, dilation) for j in range(lo, hi) for b in frames[j]])
    return out


@dataclass
class _Pending(Generic[T]):
    item: T
    boxes: list[Box]


class BoxSmoother(Generic[T]):
    """Streaming :func:`smooth_boxes`: push frames with their boxes, get them back smoothed.

    ``push`` returns the frames that became final (each with the dilated boxes of
    every frame within ``window`` of it); ``flush`` returns the rest at the end.
    """

    def __init__(self, window: int, dilation: float) -> None:
        if window < 0:
            raise ValueError("window must be >= 0")
        self.window = window
        self.dilation = dilation
        # Frames not yet released, and the boxes of released frames still in reach.
        self._pending: deque[_Pending[T]] = deque()
        self._history: deque[list[Box]] = deque(maxlen=window)

    def push(self, item: T, boxes: Sequence[Box]) -> list[tuple[T, list[Box]]]:
        """Add the next frame; returns frames released by it (oldest first)."""
        self._pending.append(_Pending(item, [dilate(b, self.dilation) for b in boxes]))
        out: list[tuple[T, list[Box]]] = []
        while len(self._pending) > self.window:
            out.append(self._release())
        return out

    def flush(self) -> list[tuple[T, list[Box]]]:
        """Release every remaining frame (the stream ended)."""
        return [self._release() for _ in range(len(self._pending))]

    def _release(self) -> tuple[T, list[Box]]:
        head = self._pending[0]
        ahead = list(self._pending)[: self.window + 1]
        boxes = [b for prev in self._history for b in prev] + [b for p in ahead for b in p.boxes]
        self._pending.popleft()
        if self.window:
            self._history.append(head.boxes)
        return head.item, boxes
