"""``civicam users``: no default password, one-time passwords and tokens shown once."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from civicam.audit import actions
from civicam.cli import app as cli
from civicam.config.loader import load_model
from civicam.config.recording import RecorderFileConfig
from civicam.console.app import create_app
from civicam.recording.service import open_store
from civicam.store.accounts import get_user
from tests.console.conftest import audit_entries


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(f"storage: {{root: {tmp_path / 'storage'}}}\n", encoding="utf-8")
    return path


def test_users_add_generate_token_disable(tmp_path: Path) -> None:
    config = _config(tmp_path)
    runner = CliRunner()
    r = runner.invoke(
        cli, ["users", "add", "-c", str(config), "chief", "--role", "admin", "--generate"]
    )
    assert r.exit_code == 0, r.output
    found = re.search(r"one-time password \(shown once[^)]*\): (\S+)", r.output)
    assert found is not None
    password = found.group(1)
    r = runner.invoke(
        cli,
        ["users", "add", "-c", str(config), "op1", "--role", "operator", "--district", "north"],
        input="a typed password\na typed password\n",
    )
    assert r.exit_code == 0, r.output
    assert "a typed password" not in r.output
    r = runner.invoke(
        cli,
        ["users", "add", "-c", str(config), "op2", "--role", "operator"],
        input="short\nshort\n",
    )
    assert r.exit_code == 2 and "at least 12" in r.output
    r = runner.invoke(cli, ["users", "add", "-c", str(config), "x", "--role", "root", "--generate"])
    assert r.exit_code == 2
    r = runner.invoke(cli, ["users", "token", "create", "-c", str(config), "chief", "script"])
    assert r.exit_code == 0, r.output
    token = r.output.strip().rsplit(" ", 1)[-1]
    assert token.startswith("cvc_")
    r = runner.invoke(cli, ["users", "list", "-c", str(config)])
    assert "chief" in r.output and "op1" in r.output and password not in r.output
    r = runner.invoke(cli, ["users", "token", "list", "-c", str(config)])
    assert "script" in r.output and token not in r.output

    cfg = load_model(config, RecorderFileConfig)
    db = open_store(cfg, register=False)
    try:
        user = get_user(db, "op1")
        assert user is not None and user.districts == ("north",)
        with TestClient(create_app(cfg, db)) as client:
            ok = client.post("/api/session/login", json={"username": "chief", "password": password})
            assert ok.status_code == 200
            assert (
                client.get(
                    "/api/session/me", headers={"Authorization": f"Bearer {token}"}
                ).status_code
                == 200
            )
            r = runner.invoke(
                cli, ["users", "token", "revoke", "-c", str(config), "chief", "script"]
            )
            assert r.exit_code == 0
            assert (
                client.get(
                    "/api/session/me", headers={"Authorization": f"Bearer {token}"}
                ).status_code
                == 401
            )
            r = runner.invoke(cli, ["users", "disable", "-c", str(config), "op1"])
            assert r.exit_code == 0
            bad = client.post(
                "/api/session/login", json={"username": "op1", "password": "a typed password"}
            )
            assert bad.status_code == 401
        created = [e for e in audit_entries(db, actions.USER_CHANGE) if '"created"' in e.details]
        assert {e.actor.split(":")[0] for e in created} == {"cli"}
    finally:
        db.close()


def test_there_is_no_default_account(tmp_path: Path) -> None:
    cfg = load_model(_config(tmp_path), RecorderFileConfig)
    db = open_store(cfg, register=False)
    try:
        with TestClient(create_app(cfg, db)) as client:
            for name, password in (
                ("admin", "admin"),
                ("admin", ""),
                ("root", "root"),
                ("civicam", "civicam"),
            ):
                r = client.post(
                    "/api/session/login", json={"username": name, "password": password or "x"}
                )
                assert r.status_code == 401
    finally:
        db.close()
