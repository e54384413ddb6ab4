"""SQLAlchemy models of the audit log: entries, the append state and signed tree heads.

Entries are numbered by the database: every append updates the single ``audit_state``
row first, which serialises concurrent writers (a row lock on PostgreSQL, the write
lock on SQLite) so indexes are dense and the compact range stays exact.
"""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicam.store.models import Base

STATE_ROW = 1


class AuditEntry(Base):
    """One leaf of the log; ``leaf_hash`` is the hex RFC 6962 hash of its canonical JSON."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at"),
        Index("ix_audit_entries_action_at", "action", "at"),
    )

    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    camera: Mapped[str | None] = mapped_column(String(64), nullable=True)
    start_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class AuditState(Base):
    """The single row holding the log's size and right edge (compact range)."""

    __tablename__ = "audit_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(Integer)
    frontier: Mapped[str] = mapped_column(Text)


class AuditHead(Base):
    """A signed tree head: Ed25519 over the size, root and time (see docs/audit.md)."""

    __tablename__ = "audit_heads"
    __table_args__ = (Index("ix_audit_heads_size", "tree_size"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(Integer)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[float] = mapped_column(Float)
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(64))
