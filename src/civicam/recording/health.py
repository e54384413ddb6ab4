"""Camera health and Prometheus metrics (no global registry: one per recorder unit)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

Status = Literal["starting", "online", "offline", "stalled", "stopped"]
STATUSES: tuple[Status, ...] = ("starting", "online", "offline", "stalled", "stopped")


@dataclass(frozen=True)
class CameraHealth:
    """A snapshot of one camera's recording health."""

    camera_id: str
    status: Status
    last_packet_at: float | None
    bitrate_bps: float
    fps: float
    segments: int
    gaps: int
    reconnects: int
    bytes_written: int
    last_error: str | None


class HealthCollector(Collector):
    """Exposes the snapshots from ``snapshot()`` as Prometheus metrics."""

    def __init__(self, snapshot: Callable[[], list[CameraHealth]]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        """Metric families built fresh at each scrape."""
        up = GaugeMetricFamily(
            "civicam_camera_status",
            "1 for the camera's current status",
            labels=["camera", "status"],
        )
        last = GaugeMetricFamily(
            "civicam_camera_last_packet_timestamp_seconds",
            "Time of the last packet",
            labels=["camera"],
        )
        bitrate = GaugeMetricFamily(
            "civicam_camera_bitrate_bps", "Recent bitrate", labels=["camera"]
        )
        fps = GaugeMetricFamily("civicam_camera_fps", "Recent frame rate", labels=["camera"])
        segs = CounterMetricFamily("civicam_segments", "Segments closed", labels=["camera"])
        gaps = CounterMetricFamily("civicam_gaps", "Gaps recorded", labels=["camera"])
        recon = CounterMetricFamily("civicam_reconnects", "Reconnect attempts", labels=["camera"])
        written = CounterMetricFamily("civicam_written_bytes", "Bytes written", labels=["camera"])
        for h in self.snapshot():
            for status in STATUSES:
                up.add_metric([h.camera_id, status], 1.0 if h.status == status else 0.0)
            if h.last_packet_at is not None:
                last.add_metric([h.camera_id], h.last_packet_at)
            bitrate.add_metric([h.camera_id], h.bitrate_bps)
            fps.add_metric([h.camera_id], h.fps)
            segs.add_metric([h.camera_id], h.segments)
            gaps.add_metric([h.camera_id], h.gaps)
            recon.add_metric([h.camera_id], h.reconnects)
            written.add_metric([h.camera_id], h.bytes_written)
        yield from (up, last, bitrate, fps, segs, gaps, recon, written)


def make_registry(snapshot: Callable[[], list[CameraHealth]]) -> CollectorRegistry:
    """A registry holding only this unit's metrics."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HealthCollector(snapshot))
    return registry
