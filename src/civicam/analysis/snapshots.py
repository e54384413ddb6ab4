"""Event snapshots, redacted before they are ever stored.

A snapshot is the frame where the event's object scored best, with every person in
it blurred (the boxes the crops found plus a full-frame pass of the detector at a
conservative threshold, so a person standing still outside the motion is caught
too), privacy masks burned in, and a thin outline around the event's object. The
original pixels stay only in the recording.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np
import numpy.typing as npt

from civicam.analysis.boxes import Box
from civicam.privacy.redaction import blur_regions

Frame = npt.NDArray[np.uint8]


def render_snapshot(
    frame: Frame,
    redact: Sequence[Box],
    *,
    subject: Box | None = None,
    mask: Callable[[Frame], Frame] | None = None,
    quality: int = 80,
) -> bytes:
    """A JPEG of ``frame`` with ``redact`` boxes blurred, masks burned in, subject outlined."""
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError("frame must be an (H, W, 3) uint8 array")
    out = blur_regions(frame, list(redact))
    if mask is not None:
        out = mask(out)
    if subject is not None:
        h, w = out.shape[:2]
        x0, y0, x1, y1 = (round(v) for v in subject)
        x0, x1 = max(0, min(w - 1, x0)), max(0, min(w - 1, x1))
        y0, y1 = max(0, min(h - 1, y0)), max(0, min(h - 1, y1))
        out = np.ascontiguousarray(out)
        cv2.rectangle(out, (x0, y0), (x1, y1), (0, 200, 255), 1)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf.tobytes())
