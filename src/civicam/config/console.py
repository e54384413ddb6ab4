"""Console settings: where the web console listens, sessions, login throttling, playback."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from civicam.config.base import Section


class ConsoleConfig(Section):
    """The web console and its HTTP API."""

    host: str = Field(
        "127.0.0.1",
        min_length=1,
        max_length=255,
        description="Address the console listens on (loopback unless set).",
    )
    port: int = Field(8000, ge=1, le=65535, description="TCP port of the console.")
    playback_reason_required: bool = Field(
        True, description="Playback of recorded video asks for a reason (written to the audit log)."
    )
    plan_dir: Path | None = Field(
        None,
        description=(
            "A plan output directory (plan.geojson, city.geojson, summary.json, report.html) "
            "or a directory of them; the newest is shown on the map and planner pages."
        ),
    )
    export_dir: Path | None = Field(
        None, description="Where console exports are written; default: <storage.root>/_exports."
    )
    session_ttl_s: float = Field(
        8 * 3600.0, ge=60, le=7 * 86_400, description="Lifetime of a browser session in seconds."
    )
    login_window_s: float = Field(
        900.0, ge=1, le=86_400, description="Window over which failed logins are counted."
    )
    login_max_failures_per_user: int = Field(
        5, ge=1, le=1000, description="Failed logins of one user name in the window before 429."
    )
    login_max_failures_per_address: int = Field(
        20, ge=1, le=100_000, description="Failed logins from one address in the window before 429."
    )
    max_range_s: float = Field(
        31 * 86_400.0,
        ge=3600,
        le=366 * 86_400,
        description="Longest time range one timeline, playback or export request may ask for.",
    )
    timeline_page_s: float = Field(
        86_400.0,
        ge=600,
        le=7 * 86_400,
        description="A timeline response covers at most this span; longer ranges are paged.",
    )
    grant_ttl_s: float = Field(
        3600.0,
        ge=60,
        le=86_400,
        description="How long a playback or live-view media URL stays valid.",
    )
