"""Console settings: where the web console listens and how it treats playback."""

from __future__ import annotations

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
