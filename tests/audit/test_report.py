"""The transparency report: counts by role and reason, escaping, the covering head."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from typer.testing import CliRunner

from civicam.audit import actions
from civicam.audit.entry import Entry
from civicam.audit.heads import SignedHead
from civicam.audit.log import record, sign_head
from civicam.audit.report import (
    CameraRow,
    Span,
    covering_head,
    reason_category,
    render_html,
    summarise,
    year_bounds,
)
from civicam.cli import app
from civicam.config.recording import CameraConfig
from civicam.store.engine import Database
from civicam.store.index import SegmentInfo, add_segment
from civicam.store.registry import upsert_cameras

T0, T1 = year_bounds(2025)
runner = CliRunner()


def _e(i: int, action: str, **kw: object) -> Entry:
    details = kw.pop("details", {})
    return Entry(index=i, at=T0 + 100 + i, actor="someone", action=action, details=details, **kw)  # type: ignore[arg-type]


def test_summary_counts_by_role_and_reason_category() -> None:
    entries = [
        _e(0, actions.PLAYBACK, reason="Investigation: theft", details={"role": "operator"}),
        _e(1, actions.PLAYBACK, reason="investigation: fight", details={"role": "operator"}),
        _e(2, actions.PLAYBACK, reason="spot check", details={"reason_category": "Audit"}),
        _e(
            3,
            actions.EXPORT,
            reason="court order: 12",
            details={"role": "investigator", "recipient": "Court"},
        ),
        _e(
            4,
            actions.EXPORT,
            reason="x",
            details={"role": "investigator", "recipients": ["Court", "Police"]},
        ),
        _e(5, actions.UNMASK, camera="c1", details={"role": "supervisor"}),
        _e(
            6,
            actions.RETENTION_DELETE,
            start=0.0,
            end=1800.0,
            details={"policy": "retention period"},
        ),
        _e(7, actions.ACCESS_DENIED, details={"role": "viewer", "attempted": "export"}),
        _e(8, actions.CAMERA_CHANGE, camera="c9", details={"change": "added", "name": "New one"}),
        _e(9, actions.CAMERA_CHANGE, camera="c8", details={"change": "removed"}),
        _e(10, actions.HOLD_CREATE, reason="case: 7"),
        Entry(index=11, at=T1 + 5, actor="later", action=actions.PLAYBACK),  # next year
    ]
    cams = [
        CameraRow("c1", "One", "North", "Market safety", True),
        CameraRow("c2", "Two", None, "Traffic", True),
        CameraRow("c3", "Three", "North", "Market safety", False),
    ]
    spans = [Span("c1", T0 - 1800, T0 + 1800), Span("c2", T0, T0 + 7200)]
    d = summarise(2025, entries, cams, spans)
    assert d.entry_count == 11 and d.last_index == 10
    assert d.playbacks == [
        ("operator", "investigation", 2),
        ("(role not given)", "audit", 1),
    ]
    assert d.exports == [("investigator", "court order", 1), ("investigator", "x", 1)]
    assert d.recipients == [("Court", 2), ("Police", 1)]
    assert d.unmasks == [("supervisor", "c1", 1)]
    assert d.deletions == [("retention period", 1, 0.5)]
    assert d.denials == [("viewer", "export", 1)]
    assert d.cameras_added == [("c9", "New one")] and d.cameras_removed == [("c8", "c8")]
    assert d.cameras_by_district == [("(no district)", "Traffic", 1), ("North", "Market safety", 1)]
    assert d.hours_by_district == [("(no district)", 2.0), ("North", 0.5)]
    assert d.holds_created == 1 and d.holds_by_category == [("case", 1)]


def test_reason_category_fallbacks() -> None:
    assert reason_category(None, {}) == "(unspecified)"
    assert reason_category("  ", {}) == "(unspecified)"
    assert reason_category("Theft: market", {"reason_category": " Crime "}) == "crime"


def test_covering_head_prefers_the_first_head_after_the_period() -> None:
    heads = [SignedHead(n, bytes(32), ms, bytes(64), "k") for n, ms in ((5, 1), (9, 2), (20, 3))]
    assert covering_head(heads, 7, 10.0) == heads[1]
    assert covering_head(heads, 30, 10.0) == heads[2]
    assert covering_head(heads, None, 0.001) == heads[0]
    assert covering_head([], 3, 10.0) is None


def test_html_escapes_user_text() -> None:
    entries = [
        _e(
            0,
            actions.EXPORT,
            reason="<script>alert(1)</script>: x",
            details={"recipient": "<b>Me</b>"},
        )
    ]
    cams = [CameraRow("c1", "One", "<img src=x onerror=alert(1)>", "p", True)]
    html = render_html(summarise(2025, entries, cams, []), generated_at=T1)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>Me</b>" not in html
    assert "No signed head covers this period yet" in html


def test_cli_writes_the_report_with_the_signed_head(
    tmp_path: Path, site: Path, db: Database, key: Ed25519PrivateKey
) -> None:
    upsert_cameras(
        db,
        [
            CameraConfig(
                id="c1",
                name="One",
                url="rtsp://h/x",
                purpose="Market safety",
                owner="City",
                district="Centre",
            )
        ],
    )
    add_segment(db, SegmentInfo("c1", T0 + 10, T0 + 3610, "c1/a.mp4", 10, "ab" * 32, 1))
    record(
        db,
        actor="ann",
        action=actions.PLAYBACK,
        reason="investigation: 1",
        details={"role": "operator"},
        at=T0 + 20,
    )
    head = sign_head(db, key, now=T0 + 30)
    assert head is not None
    out = tmp_path / "r" / "report.html"
    result = runner.invoke(
        app, ["report", "transparency", "-c", str(site), "--year", "2025", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Market safety" in html and "Centre" in html and "1.0" in html
    assert head.root.hex() in html and head.signature.hex() in html
    assert "operator" in html and "investigation" in html


def test_report_shows_only_heads_that_verify(
    tmp_path: Path, site: Path, db: Database, key: Ed25519PrivateKey
) -> None:
    record(db, actor="ann", action=actions.LOGIN, at=T0 + 20)
    head = sign_head(db, key, now=T0 + 30)
    assert head is not None
    with db.write() as s:
        s.execute(text("UPDATE audit_heads SET root_hash = :r"), {"r": "ab" * 32})
    out = tmp_path / "report.html"
    result = runner.invoke(
        app, ["report", "transparency", "-c", str(site), "--year", "2025", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "ab" * 32 not in html and "No signed head covers this period yet" in html
