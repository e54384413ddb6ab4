"""Privacy settings: masks, person redaction and unmasking."""

from __future__ import annotations

from pydantic import Field

from civicam.config.base import Section


class PrivacyConfig(Section):
    """What is hidden by default in live view, playback, snapshots and exports."""

    redact_persons: bool = Field(
        True, description="Blur every detected person in snapshots and exports."
    )
