"""The database: engine and sessions, SQLAlchemy models, Alembic migrations.

Everything else reaches the database through this package.
"""

from civicam.store.engine import Database, open_database

__all__ = ["Database", "open_database"]
