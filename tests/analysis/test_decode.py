"""Decoding at the analysis rate: the sampler, files, packets handed over by a recorder."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import pytest

from civicam.analysis.decode import DecodeError, FrameSampler, PacketDecoder, file_frames
from civicam.recording.footage import bikes_mp4


def test_sampler_keeps_the_configured_rate_of_a_faster_stream() -> None:
    sampler = FrameSampler(5.0)
    kept = [i for i in range(250) if sampler.keep(i / 25)]
    assert len(kept) == 50
    assert all(b - a == 5 for a, b in itertools.pairwise(kept))


def test_sampler_keeps_every_frame_of_a_slower_stream_and_restarts_after_a_jump() -> None:
    sampler = FrameSampler(5.0)
    assert all(sampler.keep(i / 2) for i in range(10))
    # A reconnect moves time far on: the first frame after the jump is kept at once.
    assert sampler.keep(1000.0) and not sampler.keep(1000.01) and sampler.keep(1000.2)
    with pytest.raises(ValueError):
        FrameSampler(0)


def test_file_frames_decodes_bikes_at_5_fps_downscaled() -> None:
    frames = list(file_frames(bikes_mp4(), 5.0, max_width=320))
    assert len(frames) == 50
    t, img = frames[-1]
    assert 9.7 < t < 10.0
    assert img.shape == (136, 320, 3) and img.dtype.name == "uint8"
    # Real picture content, in BGR: not a constant plane.
    assert img.std() > 20


@pytest.mark.parametrize("content", [None, b"", b"not a video at all" * 100])
def test_bad_files_get_a_clear_error(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DecodeError, match=r"clip\.mp4"):
        list(file_frames(path, 5.0))


def test_packet_decoder_decodes_copied_packet_bytes() -> None:
    with av.open(str(bikes_mp4())) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        decoder = PacketDecoder(ctx.name, bytes(ctx.extradata or b""), 5.0, 640)
        frames = []
        for pkt in container.demux(stream):
            if pkt.size == 0 or pkt.pts is None:
                continue
            assert stream.time_base is not None
            t = float(pkt.pts * stream.time_base)
            frames += decoder.decode(bytes(pkt), 1_700_000_000 + t, bool(pkt.is_keyframe))
    # Decoder delay keeps the last frames or so inside; the rate still holds.
    assert 45 <= len(frames) <= 50
    assert frames[0][0] >= 1_700_000_000 and frames[0][1].shape == (272, 640, 3)
    assert decoder.errors == 0
