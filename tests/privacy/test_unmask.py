"""Unmask: privileged roles only, with a reason, time-limited, logged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from civicam.config.privacy import PrivacyConfig
from civicam.privacy.unmask import UnmaskDeniedError, expires_at, grant, is_unmasked, revoke
from civicam.store.audit import AuditEntry
from civicam.store.privacy import grants
from tests.export.site import Site, make_site

NOW = 1_800_000_000.0


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = make_site(tmp_path, ("cam-a", "cam-b"))
    yield s
    s.db.close()


def _log(site: Site) -> list[tuple[str, str, str | None]]:
    with site.db.read() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.camera).order_by(AuditEntry.idx)
        ).all()
    return [(a, b, c) for a, b, c in rows]


def test_grant_is_limited_to_user_camera_and_time(site: Site) -> None:
    info = grant(site.db, "sam", "supervisor", "cam-a", "Assault report 4411", 10, now=NOW)
    assert info.expires_at == NOW + 600
    assert is_unmasked(site.db, "sam", "cam-a", NOW + 1)
    assert is_unmasked(site.db, "sam", "cam-a", NOW + 599)
    assert not is_unmasked(site.db, "sam", "cam-a", NOW + 600)  # expired
    assert not is_unmasked(site.db, "sam", "cam-a", NOW - 1)  # not yet
    assert not is_unmasked(site.db, "sam", "cam-b", NOW + 1)  # other camera
    assert not is_unmasked(site.db, "ann", "cam-a", NOW + 1)  # other user
    assert expires_at(site.db, "sam", "cam-a", NOW + 1) == NOW + 600
    assert expires_at(site.db, "sam", "cam-b", NOW + 1) is None
    entry = _log(site)[-1]
    assert entry == ("unmask", "sam", "cam-a")


def test_only_privileged_roles_may_unmask(site: Site) -> None:
    with pytest.raises(UnmaskDeniedError, match="may not unmask"):
        grant(site.db, "op", "operator", "cam-a", "curious", 5, now=NOW)
    assert grants(site.db) == []
    assert not is_unmasked(site.db, "op", "cam-a", NOW + 1)
    assert _log(site) == [("access_denied", "op", "cam-a")]
    policy = PrivacyConfig(unmask_roles=["privacy-officer"])
    grant(site.db, "p", "privacy-officer", "cam-a", "FOI request 12", 5, policy=policy, now=NOW)
    with pytest.raises(UnmaskDeniedError):
        grant(site.db, "a", "admin", "cam-a", "FOI request 12", 5, policy=policy, now=NOW)


@pytest.mark.parametrize(
    ("reason", "minutes", "camera", "message"),
    [
        ("", 5, "cam-a", "reason"),
        ("  x ", 5, "cam-a", "reason"),
        ("Case 12", 0, "cam-a", "minutes"),
        ("Case 12", 31, "cam-a", "minutes"),
        ("Case 12", 5, "nope", "unknown camera"),
    ],
)
def test_bad_grants_store_nothing(
    site: Site, reason: str, minutes: float, camera: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        grant(site.db, "sam", "admin", camera, reason, minutes, now=NOW)
    assert grants(site.db) == [] and _log(site) == []


def test_revoke_ends_grants_early_and_is_logged(site: Site) -> None:
    grant(site.db, "sam", "admin", "cam-a", "Case 12", 30, now=NOW)
    assert revoke(site.db, "sam", "cam-a", by="ann", now=NOW + 60) == 1
    assert not is_unmasked(site.db, "sam", "cam-a", NOW + 61)
    assert revoke(site.db, "sam", "cam-a", by="ann", now=NOW + 62) == 0
    assert [a for a, _, _ in _log(site)] == ["unmask", "unmask"]
