"""Time ranges and recorded spans (pure)."""

from __future__ import annotations

from collections.abc import Iterable


class RangeError(ValueError):
    """A time range the API refuses (answered with 422)."""


def check_range(start: float, end: float, max_range_s: float) -> None:
    """Raise :class:`RangeError` unless ``start < end`` and the range is at most
    ``max_range_s`` long."""
    if not end > start:
        raise RangeError("end must be after start")
    if end - start > max_range_s:
        raise RangeError(f"range longer than {max_range_s:.0f} s; ask for less or page")


def merge_spans(
    spans: Iterable[tuple[float, float]], tolerance: float
) -> list[tuple[float, float]]:
    """Sorted spans merged where the next starts within ``tolerance`` of the previous end."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + tolerance:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
