"""Appending entries: numbering, validation, transactions, concurrency and head signing."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from civicam.audit import actions
from civicam.audit.entry import canonical_bytes, make_entry
from civicam.audit.heads import head_signature_ok
from civicam.audit.log import (
    AuditSigner,
    NewEntry,
    latest_head,
    log_size,
    record,
    record_in,
    record_many,
    sign_head,
    signed_heads,
)
from civicam.audit.verify import verify_log
from civicam.config.audit import AuditConfig
from civicam.store.audit import AuditEntry
from civicam.store.engine import Database, open_database


def test_entries_are_numbered_and_canonical(db: Database) -> None:
    assert record(db, actor="ann", action=actions.LOGIN, at=10, details={"role": "operator"}) == 0
    i = record(
        db,
        actor="ann",
        action=actions.PLAYBACK,
        camera="c1",
        start=100,
        end=160,
        reason="investigation: theft",
        details={"role": "operator", "z": [1, 2], "a": "ä"},
        at=11.5,
    )
    assert i == 1 and log_size(db) == 2
    with db.read() as s:
        row = s.scalars(select(AuditEntry).where(AuditEntry.idx == 1)).one()
    assert row.details == '{"a":"ä","role":"operator","z":[1,2]}'
    entry = make_entry(
        1,
        at=11.5,
        actor="ann",
        action=actions.PLAYBACK,
        camera="c1",
        start=100.0,
        end=160.0,
        reason="investigation: theft",
        details={"z": (1, 2), "role": "operator", "a": "ä"},
    )
    text_ = canonical_bytes(entry).decode()
    assert text_.startswith('{"action":"playback","actor":"ann","at":11.5,"camera":"c1"')
    assert '"index":1' in text_ and '"start":100.0' in text_
    assert json.loads(text_)["details"] == {"a": "ä", "role": "operator", "z": [1, 2]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "view_everything"}, "unknown audit action"),
        ({"actor": " "}, "actor must not be empty"),
        ({"details": {"x": object()}}, "plain JSON values"),
        ({"details": {"x": float("nan")}}, "plain JSON values"),
        ({"start": 10.0, "end": 5.0}, "ends before it starts"),
        ({"at": float("inf")}, "finite"),
        ({"reason": "x" * 5000}, "longer than"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_written(
    db: Database, fields: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"actor": "ann", "action": actions.LOGIN, **fields}
    with pytest.raises(ValueError, match=message):
        record(db, **args)  # type: ignore[arg-type]
    assert log_size(db) == 0


def test_record_in_commits_and_rolls_back_with_the_callers_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        record_in(session, actor="ann", action=actions.HOLD_CREATE, camera="c1")
        raise RuntimeError("the act failed")
    assert log_size(db) == 0
    with db.write() as session:
        assert record_in(session, actor="ann", action=actions.HOLD_CREATE, camera="c1") == 0
        assert record_in(session, actor="ann", action=actions.HOLD_RELEASE, camera="c1") == 1
    assert log_size(db) == 2
    assert verify_log(db, None).ok


def append_concurrently(dbs: list[Database], per_writer: int) -> list[int]:
    """One thread per database appends ``per_writer`` entries; the indexes they got."""
    got: list[int] = []
    lock = threading.Lock()

    def work(d: Database, n: int) -> None:
        for k in range(per_writer):
            i = record(d, actor=f"w{n}", action=actions.LIVE_VIEW, details={"k": k})
            with lock:
                got.append(i)

    threads = [threading.Thread(target=work, args=(d, n)) for n, d in enumerate(dbs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_concurrent_writers_on_separate_connections_get_dense_indexes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'index.db'}"
    open_database(url).close()
    # Separate Database objects do not share the in-process lock: the database itself
    # has to serialise the appends.
    dbs = [open_database(url, migrate=False) for _ in range(4)]
    got = append_concurrently(dbs, 25)
    assert sorted(got) == list(range(100))
    report = verify_log(dbs[0], None)
    assert report.ok and report.entries == 100
    for d in dbs:
        d.close()


def test_batches_and_heads(db: Database, key: Ed25519PrivateKey) -> None:
    assert record_many(db, [NewEntry("ann", actions.LOGIN)] * 5) == range(0, 5)
    head = sign_head(db, key, now=1000.0)
    assert head is not None and head.tree_size == 5 and head.timestamp_ms == 1_000_000
    assert head_signature_ok(head, key.public_key())
    assert sign_head(db, key) is None  # nothing new
    forced = sign_head(db, key, force=True, now=900.0)
    assert forced is not None and forced.timestamp_ms == 1_000_000  # never goes back
    record(db, actor="ann", action=actions.LOGOUT)
    later = sign_head(db, key)
    assert later is not None and later.tree_size == 6
    assert [h.tree_size for h in signed_heads(db)] == [5, 5, 6]
    assert verify_log(db, key.public_key()).ok


def test_signer_signs_every_n_entries_and_on_stop(db: Database, key: Ed25519PrivateKey) -> None:
    cfg = AuditConfig(sign_every_entries=3, sign_every_seconds=3600)
    signer = AuditSigner(db, key, cfg).start()
    try:
        for _ in range(3):
            record(db, actor="ann", action=actions.LIVE_VIEW)
        deadline = time.monotonic() + 10
        while latest_head(db) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        head = latest_head(db)
        assert head is not None and head.tree_size == 3
        record(db, actor="ann", action=actions.LIVE_VIEW)
    finally:
        final = signer.stop()
    assert final is not None and final.tree_size == 4
    assert signer.errors == 0


def test_state_row_is_the_sequence(db: Database) -> None:
    record(db, actor="ann", action=actions.LOGIN)
    with db.read() as s:
        size = s.execute(text("SELECT size FROM audit_state WHERE id = 1")).scalar()
    assert size == 1


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    actor=st.text(min_size=1, max_size=20),
    reason=st.none() | st.text(max_size=30),
    at=st.floats(-1e12, 1e12, allow_nan=False),
    details=st.dictionaries(st.text(max_size=8), json_values, max_size=4),
)
def test_any_valid_entry_reads_back_to_the_same_hash(
    db: Database, actor: str, reason: str | None, at: float, details: dict[str, object]
) -> None:
    before = log_size(db)
    try:
        record(db, actor=actor, action=actions.CONFIG_CHANGE, reason=reason, at=at, details=details)
    except ValueError:
        assert log_size(db) == before  # refused input leaves nothing behind
        return
    assert log_size(db) == before + 1
    report = verify_log(db, None)
    assert report.ok, report.problems


def test_signer_signs_after_its_interval_without_many_entries(
    db: Database, key: Ed25519PrivateKey
) -> None:
    cfg = AuditConfig(sign_every_entries=1000, sign_every_seconds=0.05)
    with AuditSigner(db, key, cfg):
        record(db, actor="ann", action=actions.LOGIN)
        deadline = time.monotonic() + 10
        while latest_head(db) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        head = latest_head(db)
        assert head is not None and head.tree_size == 1
        time.sleep(0.2)  # nothing new: no further heads
        assert len(signed_heads(db)) == 1


def test_negative_zero_times_hash_the_same_after_the_database(db: Database) -> None:
    record(db, actor="a", action=actions.CONFIG_CHANGE, at=-0.0, start=-0.0, end=0.0)
    report = verify_log(db, None)
    assert report.ok, report.problems
