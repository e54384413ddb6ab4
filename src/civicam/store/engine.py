"""Engine and session factory; migrations run through Alembic on open."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseError(ValueError):
    """A database URL or database that cannot be used."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets readers (the CLI, the console) run while the recorder writes;
    # NORMAL sync is crash-safe in WAL mode (a power cut may lose the last commits only).
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@dataclass
class Database:
    """An engine plus a session factory; writes are serialised per process."""

    engine: Engine
    sessions: sessionmaker[Session]
    # SQLite allows one writer; one lock per process avoids "database is locked"
    # storms when hundreds of recorder threads close segments at once.
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session that commits on success, under the process write lock."""
        with self.write_lock, self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (nothing is committed)."""
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open ``url`` (SQLite or PostgreSQL) and bring its schema to the latest migration."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError("database URL is malformed") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(f"unsupported database backend {backend!r} (sqlite or postgresql)")
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(parsed, pool_pre_ping=backend == "postgresql", **kwargs)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        upgrade(engine)
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run Alembic migrations up to ``revision`` on ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
