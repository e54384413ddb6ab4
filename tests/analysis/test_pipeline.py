"""The per-camera analysis step with a fake detector that finds bright squares."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from civicam.analysis.detectors.base import RawDetection
from civicam.analysis.pipeline import CameraAnalyzer, merge_across_crops
from civicam.analysis.tracker import Detection
from civicam.config.analysis import CameraAnalysisConfig, DetectionConfig, TrackerConfig

H, W = 360, 640
Image = npt.NDArray[np.uint8]


class SquareDetector:
    """Reports every pure-white blob as a 'person' (a stand-in for the real model)."""

    def __init__(self) -> None:
        self.calls = 0

    @property
    def input_size(self) -> int:
        return 160

    def detect(self, image: Image) -> list[RawDetection]:
        self.calls += 1
        labels, _ = ndimage.label(image[:, :, 0] == 255)
        h, w = image.shape[:2]
        out = []
        for ys, xs in filter(None, ndimage.find_objects(labels)):
            box = (xs.start / w, ys.start / h, xs.stop / w, ys.stop / h)
            out.append(RawDetection("person", 0.9, box))
        return out


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def background() -> Image:
    ys, xs = np.mgrid[0:H, 0:W]
    grey = (100 + 30 * np.sin(xs / 40.0) + 20 * np.cos(ys / 30.0)).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def with_person(x: int, y: int = 200) -> Image:
    img = background()
    img[y : y + 60, x : x + 24] = 255
    return img


def camera() -> CameraAnalysisConfig:
    return CameraAnalysisConfig.model_validate(
        {"camera": "cam-1", "zones": {"door": [[300, 0], [640, 0], [640, 360], [300, 360]]}}
    )


def test_walk_through_becomes_one_event_in_the_right_zone() -> None:
    clock = Clock()
    det = SquareDetector()
    analyzer = CameraAnalyzer(
        camera(),
        det,
        clock,
        tracker=TrackerConfig(max_missed_frames=3),
        detection=DetectionConfig(max_per_second=100),
    )
    events = []
    for i in range(5):
        clock.now = i / 5
        assert analyzer.update(clock.now, background()).motion == []
    assert det.calls == 0  # a still scene costs no detector time
    for i in range(40):
        clock.now = 1 + i / 5
        result = analyzer.update(clock.now, with_person(20 + 8 * i))
        events += result.ended
        assert len(result.detections) == 1
        x0, _, _, y1 = result.detections[0].box
        assert abs(x0 - (20 + 8 * i)) <= 1 and abs(y1 - 260) <= 1
    events += analyzer.flush()
    assert len(events) == 1
    ev = events[0]
    assert (ev.camera, ev.label, ev.zones) == ("cam-1", "person", ("door",))
    assert ev.start == 1.0 and ev.peak_score == 0.9
    assert analyzer.counters.events == 1 and analyzer.counters.labels == {"person": 1}


def test_cap_skips_detection_without_ending_tracks() -> None:
    clock = Clock()
    det = SquareDetector()
    analyzer = CameraAnalyzer(
        camera(),
        det,
        clock,
        tracker=TrackerConfig(max_missed_frames=1),
        detection=DetectionConfig(max_per_second=1, burst=1),
    )
    analyzer.update(0.0, background())
    results = []
    for i in range(10):
        clock.now = 0.2 * (i + 1)  # 5 fps against a cap of 1 run per second
        results.append(analyzer.update(clock.now, with_person(100 + 2 * i)))
    capped = [r.capped for r in results]
    assert sum(not c for c in capped) == 2 and det.calls == 2
    assert analyzer.counters.capped_frames == 8
    # Capped frames are not misses: the one track survives them.
    assert all(r.ended == [] for r in results)
    assert len(analyzer.flush()) == 1


def test_duplicates_from_overlapping_crops_are_merged() -> None:
    a = Detection("person", 0.9, (100.0, 100.0, 130.0, 180.0))
    b = Detection("person", 0.7, (101.0, 101.0, 131.0, 181.0))
    c = Detection("car", 0.6, (100.0, 100.0, 130.0, 180.0))
    assert merge_across_crops([b, a, c]) == [c, a]
    assert merge_across_crops([]) == []


class CarDetector(SquareDetector):
    def detect(self, image: Image) -> list[RawDetection]:
        return [RawDetection("car", 0.99, d.box) for d in super().detect(image)]


def test_only_configured_classes_are_kept() -> None:
    clock = Clock()
    analyzer = CameraAnalyzer(camera(), CarDetector(), clock)
    analyzer.update(0.0, background())
    clock.now = 1.0
    result = analyzer.update(1.0, with_person(100))
    assert result.detector_runs == 1 and result.detections == []
    cars = CameraAnalyzer(
        camera(), CarDetector(), clock, detection=DetectionConfig(classes=["person", "car"])
    )
    cars.update(0.0, background())
    assert [d.label for d in cars.update(1.0, with_person(100)).detections] == ["car"]


def test_global_change_looks_at_the_whole_frame_when_configured() -> None:
    clock = Clock()
    moved = 250 - background()  # the camera was turned: a different picture everywhere
    moved[200:260, 500:524] = 255  # someone far right, hidden by the re-seed
    for enabled, expected in ((True, 1), (False, 0)):
        det = SquareDetector()
        analyzer = CameraAnalyzer(
            camera(), det, clock, detection=DetectionConfig(detect_on_global_change=enabled)
        )
        analyzer.update(0.0, background())
        clock.now += 1.0
        result = analyzer.update(clock.now, moved)
        assert result.motion == []
        assert len(result.detections) == expected
        if enabled:
            # Tiled over the whole 640x360 frame: two 360-px squares.
            assert result.detector_runs == 2
            assert abs(result.detections[0].box[0] - 500) <= 1
