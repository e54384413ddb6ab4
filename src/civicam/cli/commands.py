"""The command table: every top-level ``civicam`` command, where it lives, its summary.

One table serves both the full Typer app (tests, ``civicam.cli.full``) and the
executable's lazy group, which imports a command's module only when that command
runs: ``civicam --help`` need not load video, database and web stacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class CommandSpec:
    """A top-level command: a Typer sub-app (``group``) or one function (``command``)."""

    name: str
    module: str
    attribute: str
    kind: Literal["group", "command"]
    summary: str


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "demo",
        "civicam.cli.demo",
        "demo",
        "command",
        "Run civicam's main job on its samples and print what it found.",
    ),
    CommandSpec(
        "bench", "civicam.cli.bench", "app", "group", "Benchmark the optimizer on public instances."
    ),
    CommandSpec(
        "plan",
        "civicam.cli.plan",
        "app",
        "group",
        "Plan where cameras go; evaluate, compare and merge plans.",
    ),
    CommandSpec(
        "cameras",
        "civicam.cli.cameras",
        "app",
        "group",
        "The camera registry: import and list cameras.",
    ),
    CommandSpec(
        "record",
        "civicam.cli.record",
        "record",
        "command",
        "Record every enabled camera until interrupted (SIGINT/SIGTERM).",
    ),
    CommandSpec(
        "recordings",
        "civicam.cli.record",
        "recordings",
        "command",
        "Segments and gaps of a camera in a time range.",
    ),
    CommandSpec(
        "detect",
        "civicam.cli.analysis",
        "detect",
        "command",
        "Run motion + object-class detection on a video file and print frames and events.",
    ),
    CommandSpec(
        "events",
        "civicam.cli.analysis",
        "events",
        "command",
        "Search recorded events, newest first.",
    ),
    CommandSpec(
        "run",
        "civicam.cli.run",
        "run",
        "command",
        "Record, analyse and serve the console for a site config until ^C.",
    ),
    CommandSpec("users", "civicam.cli.users", "app", "group", "Console users and API tokens."),
    CommandSpec("audit", "civicam.cli.audit", "app", "group", "The tamper-evident audit log."),
    CommandSpec("report", "civicam.cli.report", "app", "group", "Reports for the public."),
    CommandSpec(
        "export",
        "civicam.cli.export",
        "export",
        "command",
        "Export cameras' footage over a range as a signed package (people blurred by default).",
    ),
    CommandSpec(
        "verify",
        "civicam.cli.export",
        "verify",
        "command",
        "Check a package offline: signature, manifest and every file. Exit 0 verified, 1 not.",
    ),
    CommandSpec(
        "holds",
        "civicam.cli.holds",
        "app",
        "group",
        "Holds: footage kept for a case past its retention.",
    ),
)
