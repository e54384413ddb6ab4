"""Fixtures: a synthetic clip, a recorded site, a fake person detector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from civicam.analysis.detectors.base import RawDetection
from tests.export.site import HEIGHT, PERSON_BOX, T0, WIDTH, Site, make_clip, make_site, record_clip


class FakeDetector:
    """Reports a person at PERSON_BOX in whole frames, except on the calls in ``miss``."""

    input_size = 300

    def __init__(self, miss: set[int] | None = None) -> None:
        self.miss = miss or set()
        self.calls = 0

    def detect(self, image: npt.NDArray[np.uint8]) -> list[RawDetection]:
        self.calls += 1
        if image.shape[:2] != (HEIGHT, WIDTH) or self.calls in self.miss:
            return []
        x0, y0, x1, y1 = PERSON_BOX
        box = (x0 / WIDTH, y0 / HEIGHT, x1 / WIDTH, y1 / HEIGHT)
        return [RawDetection("person", 0.4, box), RawDetection("car", 0.9, (0, 0, 0.1, 0.1))]


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six seconds of synthetic H.264, keyframe every second."""
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4", 6.0)


@pytest.fixture
def site(tmp_path: Path, clip: Path) -> Iterator[Site]:
    """Camera cam-a recorded from T0 for 6 s in 2 s segments; cam-b registered, unrecorded."""
    s = make_site(tmp_path, ("cam-a", "cam-b"))
    s.cfg.privacy.redaction_tiles = 1
    record_clip(s.root, s.db, "cam-a", clip, T0)
    yield s
    s.db.close()
