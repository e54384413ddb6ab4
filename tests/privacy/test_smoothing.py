"""Temporal smoothing: a person missed in one frame stays covered."""

from __future__ import annotations

import pytest

from civicam.privacy.smoothing import BoxSmoother, dilate, smooth_boxes

B = (10.0, 10.0, 20.0, 30.0)


def test_missed_frame_is_still_covered() -> None:
    # Detected in frames 1, 2 and 4 (0-based: 0, 1, 3); frame 3 (index 2) missed.
    frames: list[list[tuple[float, float, float, float]]] = [[B], [B], [], [B], [], [], []]
    out = smooth_boxes(frames, window=1, dilation=0.0)
    assert out[2] == [B, B]
    assert out[4] == [B]
    assert out[5] == []  # beyond the window nothing is invented


def test_window_zero_is_identity_with_dilation() -> None:
    out = smooth_boxes([[B], []], window=0, dilation=0.5)
    assert out == [[(5.0, 0.0, 25.0, 40.0)], []]
    assert dilate(B, 0.0) == B


@pytest.mark.parametrize("window", [0, 1, 2, 5])
def test_streaming_matches_batch(window: int) -> None:
    boxes: list[list[tuple[float, float, float, float]]] = [
        [(float(i), 0.0, float(i) + 5.0, 5.0)] if i % 3 else [] for i in range(12)
    ]
    smoother: BoxSmoother[int] = BoxSmoother(window, 0.1)
    released: list[tuple[int, list[tuple[float, float, float, float]]]] = []
    for i, b in enumerate(boxes):
        released += smoother.push(i, b)
        # A frame is released only when the window after it is known.
        assert len(released) == max(0, i + 1 - window)
    released += smoother.flush()
    assert [i for i, _ in released] == list(range(12))
    expected = smooth_boxes(boxes, window, 0.1)
    for (_, got), want in zip(released, expected, strict=True):
        assert sorted(got) == sorted(want)


def test_negative_window_rejected() -> None:
    with pytest.raises(ValueError):
        smooth_boxes([], -1, 0.0)
    with pytest.raises(ValueError):
        BoxSmoother[int](-1, 0.0)
