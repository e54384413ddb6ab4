"""Migration 0005 matches the models and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from civicam.store import privacy as privacy_models
from civicam.store.engine import MIGRATIONS, open_database
from civicam.store.models import Base

TABLES = {"unmask_grants", "hold_status", "exports"}
assert privacy_models.UnmaskGrant.__tablename__ in TABLES  # registers the models


def test_models_match_migration(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if any(t in repr(d) for t in TABLES)]
    assert ours == []
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.close()


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    assert not TABLES & set(inspect(db.engine).get_table_names())
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.close()
