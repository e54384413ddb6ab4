"""The executable's command table: same commands as the full app, loaded lazily."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from civicam.cli import app, app_for
from civicam.cli.commands import COMMANDS

runner = CliRunner()


def test_table_and_full_app_have_the_same_commands() -> None:
    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert names == {spec.name for spec in COMMANDS}
    assert len(COMMANDS) == len(names)


def test_top_level_help_lists_every_command_with_its_summary() -> None:
    result = runner.invoke(app_for(["--help"]), ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for spec in COMMANDS:
        assert spec.name in result.output and spec.summary[:40] in result.output


@pytest.mark.parametrize("spec", COMMANDS, ids=[s.name for s in COMMANDS])
def test_each_command_loads_on_its_own(spec: object) -> None:
    name = spec.name  # type: ignore[attr-defined]
    result = runner.invoke(app_for([name, "--help"]), [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"civicam {name}" in result.output or "Usage" in result.output


def test_help_and_unknown_commands_import_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from civicam.cli import app_for\n"
        "try:\n"
        "    app_for(sys.argv[1:])(sys.argv[1:], prog_name='civicam')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('cv2', 'av', 'fastapi', 'numba', 'onnxruntime', 'sqlalchemy')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    for args in (["--help"], ["no-such-command"]):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
        )
        assert "HEAVY []" in out.stdout, (args, out.stdout, out.stderr)
    unknown = subprocess.run(
        [sys.executable, "-c", code, "no-such-command"], capture_output=True, text=True, check=False
    )
    assert "No such command" in unknown.stdout + unknown.stderr
