"""A tiny recorded site: a synthetic H.264 clip cut into indexed fMP4 segments."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from civicam.config.audit import AuditConfig
from civicam.config.privacy import PrivacyConfig
from civicam.config.recording import (
    CameraConfig,
    DatabaseConfig,
    RecorderFileConfig,
    StorageConfig,
)
from civicam.recording.paths import segment_path
from civicam.recording.writer import SegmentWriter
from civicam.store.engine import Database, open_database
from civicam.store.index import GapInfo, SegmentInfo, add_gap, add_segment
from civicam.store.registry import upsert_cameras

WIDTH, HEIGHT, FPS, GOP = 160, 96, 10, 10
#: The textured patch the fake detector reports as a person (pixel xyxy).
PERSON_BOX = (56, 24, 88, 72)
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def frame_image(i: int, width: int = WIDTH, height: int = HEIGHT) -> npt.NDArray[np.uint8]:
    """Frame ``i``: a smooth moving gradient plus a fine-textured patch at PERSON_BOX."""
    y, x = np.mgrid[0:height, 0:width]
    base = ((x * 2 + y + i * 3) % 256).astype(np.uint8)
    img = np.stack([base, np.roll(base, 7, axis=1), 255 - base], axis=-1)
    x0, y0, x1, y1 = PERSON_BOX
    checker = (((x[y0:y1, x0:x1] // 2) + (y[y0:y1, x0:x1] // 2)) % 2 * 255).astype(np.uint8)
    img[y0:y1, x0:x1] = checker[..., None]
    return np.ascontiguousarray(img)


def make_clip(path: Path, seconds: float, width: int = WIDTH, height: int = HEIGHT) -> Path:
    """Encode ``seconds`` of synthetic H.264 (keyframe every second)."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"g": str(GOP), "keyint_min": str(GOP), "bf": "0", "crf": "18"}
        for i in range(round(seconds * FPS)):
            frame = av.VideoFrame.from_ndarray(frame_image(i, width, height), format="bgr24")
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            for pkt in stream.encode(frame):
                out.mux(pkt)
        for pkt in stream.encode():
            out.mux(pkt)
    return path


def record_clip(
    root: Path,
    db: Database,
    camera_id: str,
    clip: Path,
    start: float,
    segment_seconds: float = 2.0,
) -> list[SegmentInfo]:
    """Cut ``clip`` into keyframe-aligned segments starting at wall time ``start``; index them."""
    out: list[SegmentInfo] = []
    with av.open(str(clip)) as src:
        stream = src.streams.video[0]
        tb = float(stream.time_base or 0)
        writer: SegmentWriter | None = None
        seg_start = seg_first = 0.0
        last = 0.0

        def close() -> None:
            assert writer is not None
            size, digest = writer.close()
            info = SegmentInfo(
                camera_id,
                seg_start,
                start + last,
                writer.path.relative_to(root).as_posix(),
                size,
                digest,
                writer.keyframes,
            )
            add_segment(db, info)
            out.append(info)

        for pkt in src.demux(stream):
            if pkt.dts is None or pkt.size == 0:
                continue
            t = float(pkt.pts or 0) * tb
            if pkt.is_keyframe and (writer is None or t - seg_first >= segment_seconds - 1e-6):
                if writer is not None:
                    close()
                seg_first, seg_start = t, start + t
                writer = SegmentWriter(segment_path(root, camera_id, seg_start), stream, 1.0)
            assert writer is not None
            writer.write(pkt)
            last = t + float(pkt.duration or 0) * tb
        close()
    return out


@dataclass
class Site:
    """A configured site with an open database."""

    cfg: RecorderFileConfig
    db: Database
    root: Path


def make_site(
    tmp: Path, camera_ids: tuple[str, ...] = ("cam-a",), privacy: PrivacyConfig | None = None
) -> Site:
    """A site config (storage, SQLite, key dir under ``tmp``) with registered cameras."""
    root = tmp / "recordings"
    root.mkdir(parents=True, exist_ok=True)
    cfg = RecorderFileConfig(
        storage=StorageConfig(root=root, min_free_bytes=0),
        database=DatabaseConfig(url=f"sqlite:///{tmp / 'index.db'}"),
        cameras=[
            CameraConfig(
                id=cam,
                name=f"Camera {cam}",
                url="file:///dev/null",
                purpose=f"Safety of {cam} square",
                owner="City of Example",
            )
            for cam in camera_ids
        ],
        audit=AuditConfig(key_dir=tmp / "keys"),
        privacy=privacy or PrivacyConfig(),
    )
    db = open_database(cfg.database_url())
    upsert_cameras(db, cfg.cameras)
    return Site(cfg, db, root)


def add_recording_gap(db: Database, camera_id: str, start: float, end: float) -> None:
    """Index a gap row."""
    add_gap(db, GapInfo(camera_id, start, end, "stream offline"))
