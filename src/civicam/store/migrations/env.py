"""Alembic environment: migrations always run on a connection handed in by civicam."""

from __future__ import annotations

from alembic import context

from civicam.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a bare `alembic` command line
    raise RuntimeError("run migrations through civicam.store.engine.upgrade")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
