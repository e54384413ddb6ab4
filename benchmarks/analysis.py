"""Analysis throughput: motion frames/s per core, and cameras per 2-core machine.

    python benchmarks/analysis.py [--seconds 10] [--cores 2]

Figures (CPU seconds from ``time.process_time``, which counts every thread of the
process, so ONNX Runtime's own threads are included):

- ``motion_fps_per_core``: the motion detector alone on 640x360 frames of bikes.mp4.
- ``cpu_ms_per_camera_second``: the whole per-camera path for one second of a 25 fps
  640x272 H.264 stream analysed at 5 fps: decode every packet (a decoder cannot skip
  inter frames), convert and analyse 5 frames (motion, detector on motion crops under
  the per-camera cap, tracker, events, redacted snapshots). "active": bikes.mp4
  (traffic and cyclists in every frame); "idle": the same stream with nothing moving
  (one still frame re-encoded... approximated by decoding the real stream and showing
  motion a still frame, so decode cost is the busy stream's: conservative).
- ``cameras_per_machine``: ``cores x 1000 / cost`` for mixes of active and idle
  cameras. A real network at any moment has most cameras idle; 10-25 % active is
  our planning figure for city streets by day.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import av
import cv2
import numpy as np

from civicam.analysis.decode import PacketDecoder
from civicam.analysis.detectors import load_detector
from civicam.analysis.motion import MotionDetector
from civicam.analysis.service import AnalysisWorker, MemoryEventSink, camera_settings
from civicam.config.analysis import AnalysisConfig, MotionConfig
from civicam.recording.footage import bikes_mp4


def _packets() -> tuple[str, bytes | None, list[tuple[bytes, float, bool]]]:
    with av.open(str(bikes_mp4())) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        assert stream.time_base is not None
        out = [
            (bytes(p), float(p.pts * stream.time_base), bool(p.is_keyframe))
            for p in container.demux(stream)
            if p.size and p.pts is not None
        ]
        return ctx.name, bytes(ctx.extradata) if ctx.extradata else None, out


def motion_fps(seconds: float) -> float:
    """Motion detector frames per CPU second at 640x360."""
    from civicam.analysis.decode import file_frames

    frames = [
        cv2.resize(f, (640, 360), interpolation=cv2.INTER_AREA)
        for _, f in file_frames(bikes_mp4(), 25.0)
    ]
    det = MotionDetector(MotionConfig().params())
    n = 0
    began = time.process_time()
    while time.process_time() - began < seconds:
        det.update(frames[n % len(frames)])
        n += 1
    return n / (time.process_time() - began)


def camera_cost(seconds: float, *, active: bool, detector: Any) -> dict[str, float]:
    """CPU milliseconds per second of one camera's stream (looped bikes.mp4)."""
    codec, extradata, packets = _packets()
    cfg = AnalysisConfig()
    worker = AnalysisWorker(camera_settings(cfg, "bench"), cfg, detector, MemoryEventSink())
    decoder = PacketDecoder(codec, extradata, cfg.fps, cfg.max_width)
    still: np.ndarray | None = None
    loop_len = packets[-1][1] + 0.04
    stream_seconds = 0.0
    loops = 0
    began = time.process_time()
    while time.process_time() - began < seconds:
        for data, t, key in packets:
            for ft, frame in decoder.decode(data, 1_700_000_000 + loops * loop_len + t, key):
                if not active:
                    still = frame if still is None else still
                    frame = still
                worker.process(ft, frame)
        loops += 1
        stream_seconds += loop_len
    worker.flush()
    cpu = time.process_time() - began
    return {
        "cpu_ms_per_camera_second": round(cpu * 1000 / stream_seconds, 1),
        "frames": worker.stats.analysed,
        "detector_runs": worker.analyzer.counters.detector_runs,
        "events": worker.stats.events,
    }


def main() -> None:
    """Measure and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="CPU seconds per measurement")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="Detector threads per camera")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    det_cfg = AnalysisConfig().detection.model_copy(update={"threads": args.threads})
    detector = load_detector(det_cfg)
    motion = motion_fps(min(args.seconds, 5.0))
    active = camera_cost(args.seconds, active=True, detector=detector)
    idle = camera_cost(args.seconds, active=False, detector=detector)
    mixes = {}
    for share in (0.1, 0.25, 0.5, 1.0):
        cost = (
            share * active["cpu_ms_per_camera_second"]
            + (1 - share) * idle["cpu_ms_per_camera_second"]
        )
        mixes[f"{round(share * 100)}%_active"] = int(args.cores * 1000 / cost)
    print(
        json.dumps(
            {
                "motion_fps_per_core_640x360": round(motion, 1),
                "active_camera": active,
                "idle_camera": idle,
                "cores": args.cores,
                "cameras_per_machine": mixes,
            }
        )
    )


if __name__ == "__main__":
    main()
