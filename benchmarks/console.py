"""Console API latency: a camera-day timeline, an event search page, playlist generation,
and media on real footage (a live frame, a masked playback segment).

Run from the repository root:

    .venv/bin/python benchmarks/console.py             # 200 requests per figure
    .venv/bin/python benchmarks/console.py --requests 50

Builds a temporary site (SQLite in WAL mode) with one camera holding one day of 10 s
segments (8,640 index rows, a 20 s gap every hour) and 5,000 events, then times
requests through the whole app in-process (FastAPI + Starlette over ASGI, auth by API
token, JSON encoding; no network). A second camera gets real fMP4 segments cut from the
bundled 10 s clip (640x272 H.264) for the live frame and for a playback segment with a
privacy mask burned in (decode, mask, H.264 encode, fragment). Prints JSON with
p50/p95/max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import av
from fastapi.testclient import TestClient

from civicam.config.recording import CameraConfig, RecorderFileConfig
from civicam.console.accounts import create_token, create_user, generate_password
from civicam.console.app import create_app
from civicam.console.masked import masked_fmp4
from civicam.recording.footage import bikes_mp4
from civicam.recording.paths import segment_path, segment_relpath
from civicam.recording.writer import SegmentWriter
from civicam.store.engine import Database, open_database
from civicam.store.events import NewEvent, add_events
from civicam.store.index import GapInfo, SegmentInfo, add_gap, add_segment
from civicam.store.models import Segment
from civicam.store.registry import upsert_cameras

CAMERA = "bench-cam"
FOOTAGE = "footage-cam"
DAY = 86_400.0
SEGMENT_S = 10.0
T0 = 1_790_000_000.0  # midnight-ish UTC, a fixed day
LABELS = ("person", "car", "bicycle", "bus", "truck")


def build(base: Path, events: int) -> tuple[RecorderFileConfig, Database, str]:
    """A site with one camera-day of segments, gaps and events; returns an admin token."""
    cam = CameraConfig(
        id=CAMERA,
        name="Benchmark camera",
        url="rtsp://10.0.0.1/main",
        purpose="Benchmark",
        owner="Benchmarks",
        district="bench",
    )
    cfg = RecorderFileConfig.model_validate(
        {"storage": {"root": str(base / "storage")}, "audit": {"key_dir": str(base / "keys")}}
    )
    cfg.storage.root.mkdir(parents=True)
    db = open_database(cfg.database_url())
    footage = cam.model_copy(update={"id": FOOTAGE, "name": "Footage camera"})
    upsert_cameras(db, [cam, footage])
    rows: list[Segment] = []
    t = T0
    while t < T0 + DAY:
        if int(t - T0) % 3600 == 0 and t > T0:
            add_gap(db, GapInfo(CAMERA, t, t + 20.0, "stream lost"))
            t += 20.0
        seg = SegmentInfo(
            CAMERA, t, t + SEGMENT_S, segment_relpath(CAMERA, t), 1_000_000, "0" * 64, 5
        )
        rows.append(
            Segment(
                camera_id=seg.camera_id,
                start_ts=seg.start,
                end_ts=seg.end,
                path=seg.path,
                bytes=seg.bytes,
                sha256=seg.sha256,
                keyframes=seg.keyframes,
                status="ok",
            )
        )
        t += SEGMENT_S
    with db.write() as session:
        session.add_all(rows)
    step = DAY / events
    add_events(
        db,
        [
            NewEvent(
                CAMERA, LABELS[i % len(LABELS)], T0 + i * step, T0 + i * step + 4.0, 0.8, ("road",)
            )
            for i in range(events)
        ],
    )
    create_user(db, "bench", "admin", generate_password())
    return cfg, db, create_token(db, "bench", "bench")[1]


def write_footage(db: Database, root: Path, start: float) -> list[SegmentInfo]:
    """Cut the bundled clip at keyframes (>= 1 s apart) into indexed fMP4 segments."""
    out: list[SegmentInfo] = []
    with av.open(str(bikes_mp4()), "r") as src:
        stream = src.streams.video[0]
        tb = float(stream.time_base or 0)
        writer: SegmentWriter | None = None
        seg_t0 = last_t = 0.0

        def close(w: SegmentWriter) -> None:
            size, digest = w.close()
            t = start + seg_t0
            seg = SegmentInfo(
                FOOTAGE, t, start + last_t, segment_relpath(FOOTAGE, t), size, digest, 1
            )
            add_segment(db, seg)
            out.append(seg)

        for packet in src.demux(stream):
            if packet.pts is None or packet.dts is None or packet.size == 0:
                continue
            t = packet.pts * tb
            if packet.is_keyframe and (writer is None or t - seg_t0 >= 1.0):
                if writer is not None:
                    last_t = t
                    close(writer)
                seg_t0 = t
                writer = SegmentWriter(segment_path(root, FOOTAGE, start + t), stream, 1.0)
            assert writer is not None
            writer.write(packet)
            last_t = max(last_t, t + float((packet.duration or 0) * tb))
        if writer is not None:
            close(writer)
    return out


def timed(client: TestClient, n: int, method: str, url: str, **kwargs: Any) -> dict[str, float]:
    """p50/p95/max of ``n`` requests, in milliseconds (after 3 warm-up requests)."""
    for _ in range(3):
        client.request(method, url, **kwargs).raise_for_status()
    samples = []
    for _ in range(n):
        began = time.perf_counter()
        r = client.request(method, url, **kwargs)
        samples.append((time.perf_counter() - began) * 1000)
        r.raise_for_status()
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
        "max_ms": round(samples[-1], 2),
        "bytes": len(r.content),
    }


def masked_segment_times(cfg: RecorderFileConfig, segs: list[SegmentInfo]) -> dict[str, Any]:
    """Milliseconds per second of footage to mask a playback segment (a quarter of the
    frame masked), over every segment of the clip."""
    polygon = [(0.0, 0.0), (0.5, 0.0), (0.5, 0.5), (0.0, 0.5)]
    took = footage = 0.0
    for seg in segs:
        began = time.perf_counter()
        masked_fmp4(cfg.storage.root / seg.path, seg.start, seg.end, [polygon])
        took += time.perf_counter() - began
        footage += seg.end - seg.start
    return {
        "segments": len(segs),
        "footage_s": round(footage, 2),
        "ms_per_footage_s": round(1000 * took / footage, 1),
    }


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = time.perf_counter()
        cfg, db, token = build(Path(tmp), args.events)
        footage_segments = write_footage(db, cfg.storage.root, time.time() - 60.0)
        build_s = time.perf_counter() - built
        headers = {"Authorization": f"Bearer {token}"}
        out: dict[str, Any] = {"segments": 0, "events": args.events, "build_s": round(build_s, 1)}
        with TestClient(create_app(cfg, db)) as client:
            day = {"start": T0, "end": T0 + DAY}
            timeline = client.get(
                f"/api/cameras/{CAMERA}/timeline", params=day, headers=headers
            ).json()
            out["segments"] = timeline["segments"]
            out["timeline_spans"] = len(timeline["recordings"])
            out["timeline_day"] = timed(
                client,
                args.requests,
                "GET",
                f"/api/cameras/{CAMERA}/timeline",
                params=day,
                headers=headers,
            )
            out["events_first_page"] = timed(
                client, args.requests, "GET", "/api/events", params={"limit": 50}, headers=headers
            )
            page = client.get(
                "/api/events", params={"limit": 50, "label": "car"}, headers=headers
            ).json()
            deep = {"limit": 50, "label": "car", "cursor": page["next_cursor"], "start": T0 + 3600}
            out["events_filtered_next_page"] = timed(
                client, args.requests, "GET", "/api/events", params=deep, headers=headers
            )
            for name, span in (("playlist_hour", 3600.0), ("playlist_day", DAY)):
                body = {"start": T0 + 7200, "end": T0 + 7200 + span, "reason": "benchmark"}
                grant = client.post(
                    f"/api/cameras/{CAMERA}/playback", json=body, headers=headers
                ).json()
                out[name] = timed(client, args.requests, "GET", grant["url"], headers=headers)
                out[name]["segments"] = grant["segments"]
            live = client.get(f"/api/cameras/{FOOTAGE}/live", headers=headers).json()
            state = client.app.state.console  # type: ignore[attr-defined]
            state.frames.ttl_s = 0.0  # decode every time: the cost of one frame
            out["live_frame"] = timed(
                client, max(10, args.requests // 2), "GET", live["snapshot_url"], headers=headers
            )
            out["masked_segment"] = masked_segment_times(cfg, footage_segments)
            out["playback_request"] = timed(
                client,
                max(10, args.requests // 4),
                "POST",
                f"/api/cameras/{CAMERA}/playback",
                json={"start": T0, "end": T0 + 3600, "reason": "benchmark"},
                headers=headers,
            )
        db.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
