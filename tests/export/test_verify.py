"""``verify_package`` works offline and names every kind of tampering."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicam.audit.keys import key_id, load_or_create_signing_key, public_key_bytes
from civicam.export.manifest import manifest_bytes
from civicam.export.package import build_export
from civicam.export.verify import verify_package
from tests.export.site import T0, Site


@pytest.fixture
def package(site: Site, tmp_path: Path) -> Path:
    """A signed package of cam-a, built then moved away from the site."""
    out = tmp_path / "pkg" / "e.zip"
    out.parent.mkdir()
    build_export(
        site.cfg,
        site.db,
        cameras=["cam-a"],
        start=T0,
        end=T0 + 4,
        reason="Case 12",
        operator="alice",
        recipient=None,
        out=out,
        redact=False,
    )
    return out


def _key(site: Site) -> bytes:
    return public_key_bytes(load_or_create_signing_key(site.cfg.audit))


def _rewrite(src: Path, dst: Path, change: dict[str, bytes | None]) -> Path:
    """Copy a package, replacing (bytes) or dropping (None) members; CRCs are recomputed."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change.get(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)
        for name, data in change.items():
            if name not in zin.namelist() and data is not None:
                zout.writestr(name, data)
    return dst


def test_intact_package_verifies_with_and_without_key(site: Site, package: Path) -> None:
    report = verify_package(package, public_key=_key(site))
    assert report.ok, report.problems
    assert report.files_checked == 2
    assert report.summary().startswith("verified: signature by the expected key")
    assert "pass --key" in verify_package(package).summary()


def test_verify_needs_no_database(site: Site, package: Path, tmp_path: Path) -> None:
    site.db.close()
    shutil.rmtree(site.root)
    (tmp_path / "index.db").unlink()
    assert verify_package(package).ok


def test_flipped_byte_in_video_is_named(package: Path, tmp_path: Path) -> None:
    # Raw flip inside the stored video: the archive's CRC already catches it.
    data = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as zf:
        info = zf.getinfo("video/cam-a.mp4")
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size // 2
    data[offset] ^= 0x01
    raw = tmp_path / "raw.zip"
    raw.write_bytes(bytes(data))
    report = verify_package(raw)
    assert not report.ok
    assert any(p.startswith("video/cam-a.mp4: content altered") for p in report.problems)
    # Flip with the CRC recomputed: the SHA-256 in the signed manifest catches it.
    with zipfile.ZipFile(package) as zf:
        video = bytearray(zf.read("video/cam-a.mp4"))
    video[len(video) // 2] ^= 0x01
    fixed = _rewrite(package, tmp_path / "fixed.zip", {"video/cam-a.mp4": bytes(video)})
    report = verify_package(fixed)
    assert report.problems == [
        "video/cam-a.mp4: SHA-256 does not match the manifest (content altered)"
    ]


def test_removed_and_added_files_are_named(package: Path, tmp_path: Path) -> None:
    removed = _rewrite(package, tmp_path / "r.zip", {"video/cam-a.mp4": None})
    assert verify_package(removed).problems == [
        "video/cam-a.mp4 is listed in the manifest but missing from the package"
    ]
    added = _rewrite(package, tmp_path / "a.zip", {"video/extra.mp4": b"not from civicam"})
    assert verify_package(added).problems == [
        "video/extra.mp4 is in the package but not in the manifest (added)"
    ]
    no_sig = _rewrite(package, tmp_path / "s.zip", {"manifest.sig": None})
    assert verify_package(no_sig).problems == ["manifest.sig is missing"]


def test_edited_manifest_fails_signature(package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["reason"] = "Something else entirely"
    edited = _rewrite(package, tmp_path / "m.zip", {"manifest.json": manifest_bytes(manifest)})
    report = verify_package(edited)
    assert report.problems == [
        "signature does not match manifest.json (manifest edited or signature replaced)"
    ]
    # Whitespace alone is an edit too: the signature covers the exact bytes.
    with zipfile.ZipFile(package) as zf:
        body = zf.read("manifest.json")
    spaced = _rewrite(package, tmp_path / "w.zip", {"manifest.json": body + b" "})
    assert not verify_package(spaced).ok


def test_wrong_key_is_named(site: Site, package: Path, tmp_path: Path) -> None:
    other = public_key_bytes(Ed25519PrivateKey.generate())
    report = verify_package(package, public_key=other)
    assert len(report.problems) == 1 and report.problems[0].startswith("wrong key: signed by key")
    # A forger re-signs an edited manifest with their own key and embeds it: checking
    # against the installation's key exposes it.
    forger = Ed25519PrivateKey.generate()
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["recipient"] = "Someone else"
    manifest["signing"]["public_key"] = public_key_bytes(forger).hex()
    manifest["signing"]["key_id"] = key_id(public_key_bytes(forger))
    body = manifest_bytes(manifest)
    forged = _rewrite(
        package,
        tmp_path / "f.zip",
        {"manifest.json": body, "manifest.sig": forger.sign(body).hex().encode() + b"\n"},
    )
    assert verify_package(forged).ok  # self-consistent, which is why --key matters
    report = verify_package(forged, public_key=_key(site))
    assert report.problems and report.problems[0].startswith("wrong key")


def test_not_a_package(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"hello")
    assert verify_package(junk).problems[0].startswith("not a readable zip package")
    assert not verify_package(tmp_path / "missing.zip").ok
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("manifest.json", b"{not json")
        zf.writestr("manifest.sig", b"00")
    assert verify_package(bad).problems == ["manifest.json is not valid JSON (edited or damaged)"]
