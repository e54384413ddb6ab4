"""Building export packages from real recorded segments."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest
from sqlalchemy import select

from civicam.config.privacy import PrivacyConfig
from civicam.export.package import ExportError, build_export
from civicam.export.verify import verify_package
from civicam.store.audit import AuditEntry
from civicam.store.index import segments
from tests.export.conftest import FakeDetector
from tests.export.site import (
    PERSON_BOX,
    T0,
    Site,
    add_recording_gap,
    make_clip,
    make_site,
    record_clip,
)


def _export(site: Site, out: Path, **kwargs: Any) -> Any:
    args: dict[str, Any] = {
        "cameras": ["cam-a"],
        "start": T0 + 0.5,
        "end": T0 + 5.2,
        "reason": "Incident 2026-17: bicycle theft",
        "operator": "alice",
        "recipient": "City police",
        "out": out,
        "redact": False,
    }
    args.update(kwargs)
    return build_export(site.cfg, site.db, **args)


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        data: dict[str, Any] = json.loads(zf.read("manifest.json"))
        return data


def _decode(path: Path) -> list[npt.NDArray[np.uint8]]:
    with av.open(str(path)) as c:
        return [np.asarray(f.to_ndarray(format="bgr24"), np.uint8) for f in c.decode(video=0)]


def _video_frames(path: Path, member: str, tmp: Path) -> list[npt.NDArray[np.uint8]]:
    target = tmp / "out.mp4"
    with zipfile.ZipFile(path) as zf:
        target.write_bytes(zf.read(member))
    with av.open(str(target)) as c:
        return [np.asarray(f.to_ndarray(format="bgr24"), np.uint8) for f in c.decode(video=0)]


def _detail(region: npt.NDArray[np.uint8]) -> float:
    return float(np.abs(cv2.Laplacian(region.astype(np.float64), cv2.CV_64F)).mean())


def _actions(site: Site) -> list[str]:
    with site.db.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.idx)))


def test_remux_copies_recorded_packets_unchanged(site: Site, tmp_path: Path) -> None:
    result = _export(site, tmp_path / "e.zip")
    cam = result.manifest["cameras"][0]
    assert cam["method"] == "remux" and cam["persons_redacted"] is False
    # Starts at the keyframe at or before the range start (T0), ends before T0 + 5.2.
    assert cam["video_start"] == pytest.approx(T0)
    source: list[bytes] = []
    for seg in segments(site.db, "cam-a"):
        with av.open(str(site.root / seg.path)) as c:
            stream = c.streams.video[0]
            for pkt in c.demux(stream):
                if pkt.size == 0 or pkt.dts is None or stream.time_base is None:
                    continue
                if seg.start + float(pkt.dts * stream.time_base) < T0 + 5.2:
                    source.append(bytes(pkt))
    out = tmp_path / "v.mp4"
    with zipfile.ZipFile(result.path) as zf:
        out.write_bytes(zf.read("video/cam-a.mp4"))
    with av.open(str(out)) as c:
        exported = [bytes(p) for p in c.demux(video=0) if p.size]
    with av.open(str(out)) as c:
        times = [f.time for f in c.decode(video=0)]
    assert exported == source
    assert times[0] == 0.0 and times[-1] == pytest.approx(5.1, abs=0.01)
    assert cam["frames"] == len(source) == 52
    assert verify_package(result.path).ok
    assert _actions(site)[-1] == "export"


def test_manifest_lists_sources_purpose_and_signing(site: Site, tmp_path: Path) -> None:
    result = _export(site, tmp_path / "e.zip", cameras=["cam-a", "cam-b"])
    m = result.manifest
    assert _manifest(result.path) == m
    assert m["operator"] == "alice" and m["recipient"] == "City police"
    assert m["reason"].startswith("Incident") and m["software"]["name"] == "civicam"
    a, b = m["cameras"]
    assert a["purpose"] == "Safety of cam-a square"
    assert [s["sha256"] for s in a["sources"]] == [s.sha256 for s in segments(site.db, "cam-a")]
    # cam-b recorded nothing: no video, and the whole range is one gap.
    assert b["file"] is None and b["sources"] == []
    assert [(g["start"], g["end"]) for g in b["gaps"]] == [(T0 + 0.5, T0 + 5.2)]
    assert m["signing"]["key_id"] == result.key_id
    names = {f["name"] for f in m["files"]}
    assert names == {"video/cam-a.mp4", "README.txt"}


def test_every_gap_inside_the_range_is_listed(tmp_path: Path, clip: Path) -> None:
    s = make_site(tmp_path, ("cam-a",))
    record_clip(s.root, s.db, "cam-a", clip, T0)  # T0 .. T0+6
    record_clip(s.root, s.db, "cam-a", clip, T0 + 9)  # T0+9 .. T0+15
    add_recording_gap(s.db, "cam-a", T0 + 6, T0 + 9)
    result = _export(s, tmp_path / "e.zip", start=T0 - 2, end=T0 + 17)
    gaps = [
        (g["start"] - T0, g["end"] - T0, g["reason"]) for g in result.manifest["cameras"][0]["gaps"]
    ]
    assert gaps == [
        (-2.0, 0.0, "no recording"),
        (6.0, 9.0, "stream offline"),
        (15.0, 17.0, "no recording"),
    ]
    frames = result.manifest["cameras"][0]["frames"]
    assert frames == 120
    s.db.close()


def test_redacted_export_blurs_the_detectors_boxes(site: Site, tmp_path: Path) -> None:
    detector = FakeDetector()
    result = _export(site, tmp_path / "e.zip", redact=True, detector=detector)
    cam = result.manifest["cameras"][0]
    assert cam["method"] == "reencode" and cam["persons_redacted"] is True
    # 10 fps video, detector at 5 fps: every 2nd frame, boxes held across the frame between.
    assert cam["detector_every_frames"] == 2 and cam["smoothing_window_frames"] == 5
    assert detector.calls == 24
    assert result.manifest["redaction"]["persons"] is True
    assert result.manifest["redaction"]["min_score"] <= 0.25
    frames = _video_frames(result.path, "video/cam-a.mp4", tmp_path)
    assert len(frames) == cam["frames"] == cam["redacted_frames"] == 47
    x0, y0, x1, y1 = PERSON_BOX
    originals = [f for seg in segments(site.db, "cam-a") for f in _decode(site.root / seg.path)]
    # The range starts at T0 + 0.5: output frame i is recorded frame i + 5.
    for frame, original in zip(frames, originals[5:], strict=False):
        assert _detail(frame[y0:y1, x0:x1]) < 0.05 * _detail(original[y0:y1, x0:x1])
        # Away from the (dilated) box the picture survives re-encoding.
        assert np.abs(frame[:, :40].astype(int) - original[:, :40].astype(int)).mean() < 4
    assert verify_package(result.path).ok


def test_a_missed_detection_is_still_blurred(site: Site, tmp_path: Path) -> None:
    detector = FakeDetector(miss={10, 11})  # two frames in a row without a detection
    result = _export(site, tmp_path / "e.zip", redact=True, detector=detector)
    frames = _video_frames(result.path, "video/cam-a.mp4", tmp_path)
    x0, y0, x1, y1 = PERSON_BOX
    assert max(_detail(f[y0:y1, x0:x1]) for f in frames) < 5.0
    assert result.manifest["cameras"][0]["redacted_frames"] == len(frames)


def test_unsmoothed_miss_would_reveal(tmp_path: Path, clip: Path) -> None:
    # The control: without smoothing the missed frame shows the texture again.
    s = make_site(
        tmp_path,
        ("cam-a",),
        PrivacyConfig(smoothing_frames=0, redaction_tiles=1, redaction_fps=100),
    )
    record_clip(s.root, s.db, "cam-a", clip, T0)
    result = _export(s, tmp_path / "e.zip", redact=True, detector=FakeDetector(miss={10}))
    frames = _video_frames(result.path, "video/cam-a.mp4", tmp_path)
    x0, y0, x1, y1 = PERSON_BOX
    assert max(_detail(f[y0:y1, x0:x1]) for f in frames) > 50.0
    s.db.close()


def test_masks_are_burned_in(tmp_path: Path, clip: Path) -> None:
    window = [[0.0, 0.0], [0.25, 0.0], [0.25, 0.5], [0.0, 0.5]]
    s = make_site(
        tmp_path, ("cam-a",), PrivacyConfig.model_validate({"masks": {"cam-a": [window]}})
    )
    record_clip(s.root, s.db, "cam-a", clip, T0)
    result = _export(s, tmp_path / "e.zip")
    cam = result.manifest["cameras"][0]
    assert cam["method"] == "reencode" and cam["masks"] == [window]
    assert result.manifest["redaction"]["masks"] is True
    frames = _video_frames(result.path, "video/cam-a.mp4", tmp_path)
    for frame in frames:
        assert frame[2:44, 2:36].max() < 12  # 160 x 96 frame: 40 x 48 px mask
        assert frame[60:, 60:].mean() > 40
    s.db.close()


def test_progress_reaches_one(site: Site, tmp_path: Path) -> None:
    seen: list[float] = []
    _export(site, tmp_path / "e.zip", progress=lambda _m, f: seen.append(f))
    assert seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cameras": ["nope"]}, "unknown camera"),
        ({"cameras": ["../etc"]}, "camera"),
        ({"cameras": []}, "at least one camera"),
        ({"end": T0 + 0.5}, "end after it starts"),
        ({"start": T0 + 100, "end": T0 + 200}, "no footage"),
        ({"cameras": ["cam-b"]}, "no footage"),
        ({"reason": "  "}, "reason"),
        ({"operator": ""}, "operator"),
        ({"start": float("nan")}, "finite"),
    ],
)
def test_bad_requests_fail_clearly_and_write_nothing(
    site: Site, tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    before = _actions(site)
    with pytest.raises(ExportError, match=message):
        _export(site, tmp_path / "e.zip", **kwargs)
    assert not (tmp_path / "e.zip").exists()
    assert list(tmp_path.glob(".e.zip*")) == []
    assert _actions(site) == before


def test_existing_output_needs_force(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "e.zip"
    out.write_bytes(b"keep me")
    with pytest.raises(ExportError, match="already exists"):
        _export(site, out)
    assert out.read_bytes() == b"keep me"
    _export(site, out, force=True)
    assert verify_package(out).ok


def test_altered_recording_is_refused(site: Site, tmp_path: Path) -> None:
    seg = segments(site.db, "cam-a")[1]
    path = site.root / seg.path
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ExportError, match="does not match its indexed"):
        _export(site, tmp_path / "e.zip")


def test_redaction_without_a_detector_fails_closed(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_cfg: object) -> None:
        raise RuntimeError("model file missing")

    monkeypatch.setattr("civicam.export.package.load_redaction_detector", broken)
    with pytest.raises(ExportError, match="person detector"):
        _export(site, tmp_path / "e.zip", redact=True)
    assert not (tmp_path / "e.zip").exists()


def test_output_directory_must_exist(site: Site, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        _export(site, tmp_path / "missing" / "e.zip")
    (tmp_path / "dir.zip").mkdir()
    with pytest.raises(ExportError, match="already exists"):
        _export(site, tmp_path / "dir.zip", force=True)


def test_changed_stream_parameters_are_re_encoded(tmp_path: Path, clip: Path) -> None:
    # The camera's resolution changed between two recordings: packets cannot share one
    # file, so the export re-encodes both parts at the first part's size.
    s = make_site(tmp_path, ("cam-a",))
    record_clip(s.root, s.db, "cam-a", clip, T0)
    other = make_clip(tmp_path / "small.mp4", 2.0, width=128, height=64)
    record_clip(s.root, s.db, "cam-a", other, T0 + 6)
    result = _export(s, tmp_path / "e.zip", start=T0 + 4, end=T0 + 8)
    cam = result.manifest["cameras"][0]
    assert cam["method"] == "reencode" and cam["frames"] == 40
    frames = _video_frames(result.path, "video/cam-a.mp4", tmp_path)
    assert {f.shape for f in frames} == {(96, 160, 3)}
    assert verify_package(result.path).ok
    s.db.close()
