"""Holds keep footage past retention; releasing one is logged and lets retention run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civicam.config.privacy import PrivacyConfig
from civicam.export.holds import HoldDeniedError, create_hold, release
from civicam.recording.retention import run_retention
from civicam.store.audit import AuditEntry
from civicam.store.index import holds, segments
from civicam.store.privacy import hold_details
from tests.export.site import T0, Site

LATER = T0 + 40 * 86_400  # 40 days on: past the default 30-day retention


def _retention(site: Site) -> list[str]:
    plan = run_retention(site.root, site.db, {"cam-a": 30.0}, None, 0, now=LATER)
    return [seg.path for seg, _ in plan]


def _log(site: Site) -> list[tuple[str, str]]:
    with site.db.read() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor).order_by(AuditEntry.idx)
        ).all()
    return [(a, b) for a, b in rows]


def test_held_footage_outlives_retention_until_released(site: Site) -> None:
    segs = segments(site.db, "cam-a")
    hold_id = create_hold(
        site.db,
        camera="cam-a",
        start=T0 + 2.5,
        end=T0 + 3.0,
        reason="Evidence for case 77",
        actor="sam",
        case="C-77",
        role="supervisor",
    )
    deleted = _retention(site)
    # Only the segment overlapping the hold survives.
    assert sorted(deleted) == sorted([segs[0].path, segs[2].path])
    assert [s.path for s in segments(site.db, "cam-a")] == [segs[1].path]
    assert (site.root / segs[1].path).is_file()
    info = release(site.db, hold_id, reason="Case closed", actor="sam", role="admin")
    assert info.id == hold_id and holds(site.db) == []
    assert _retention(site) == [segs[1].path]
    assert not (site.root / segs[1].path).exists()
    detail = hold_details(site.db)[0]
    assert detail.case == "C-77" and detail.released_by == "sam"
    assert detail.release_reason == "Case closed"
    assert hold_details(site.db, include_released=False) == []
    log = _log(site)
    assert ("hold_create", "sam") in log and ("hold_release", "sam") in log
    assert log.index(("hold_release", "sam")) < len(log) - 1  # retention came after


def test_hold_rules(site: Site) -> None:
    with pytest.raises(ValueError, match="unknown camera"):
        create_hold(site.db, camera="zzz", start=T0, end=T0 + 1, reason="why not", actor="a")
    with pytest.raises(ValueError, match="end after"):
        create_hold(site.db, camera="cam-a", start=T0, end=T0, reason="why not", actor="a")
    with pytest.raises(ValueError, match="reason"):
        create_hold(site.db, camera="cam-a", start=T0, end=T0 + 1, reason=" ", actor="a")
    with pytest.raises(HoldDeniedError):
        create_hold(
            site.db,
            camera="cam-a",
            start=T0,
            end=T0 + 1,
            reason="curious",
            actor="op",
            role="operator",
        )
    assert holds(site.db) == []
    assert _log(site)[-1] == ("access_denied", "op")
    hold_id = create_hold(site.db, camera="cam-a", start=T0, end=T0 + 1, reason="case 5", actor="a")
    with pytest.raises(HoldDeniedError):
        release(site.db, hold_id, reason="done", actor="op", role="viewer")
    with pytest.raises(KeyError):
        release(site.db, 999, reason="done", actor="a")
    release(site.db, hold_id, reason="done", actor="a")
    with pytest.raises(ValueError, match="already released"):
        release(site.db, hold_id, reason="again", actor="a")
    assert sum(1 for a, _ in _log(site) if a == "hold_release") == 1


def test_custom_hold_roles(site: Site) -> None:
    policy = PrivacyConfig(hold_roles=["records-officer"])
    create_hold(
        site.db,
        camera="cam-a",
        start=T0,
        end=T0 + 1,
        reason="case 9",
        actor="r",
        role="records-officer",
        policy=policy,
    )
    with pytest.raises(HoldDeniedError):
        create_hold(
            site.db,
            camera="cam-a",
            start=T0,
            end=T0 + 1,
            reason="case 9",
            actor="r",
            role="admin",
            policy=policy,
        )
