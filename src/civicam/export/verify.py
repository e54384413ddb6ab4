"""Check an export package offline: signature, manifest, every file. No database needed.

The verdict names each problem: a file whose bytes changed, a file missing or added,
a manifest edited after signing, a signature by another key than the expected one.
Without an expected key the package is checked against the key it names; pass the
installation's published public key to know it came from that installation.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from civicam.audit.keys import key_id
from civicam.export.manifest import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    ManifestError,
    safe_member,
    validate_manifest,
)

MAX_MANIFEST_BYTES = 16 << 20
_READ = 1 << 20


@dataclass
class VerifyReport:
    """The verdict on one package."""

    path: Path
    problems: list[str] = field(default_factory=list)
    key_id: str | None = None
    expected_key_id: str | None = None
    files_checked: int = 0
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def summary(self) -> str:
        """One line for people: 'verified ...' or 'FAILED: ...'."""
        if self.ok:
            whose = (
                f"the expected key {self.key_id}"
                if self.expected_key_id
                else f"key {self.key_id} named in the package (pass --key to check whose it is)"
            )
            return f"verified: signature by {whose}, {self.files_checked} files intact"
        return "FAILED: " + "; ".join(self.problems)


def _read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} is larger than {limit} bytes")
    return data


def _hash_member(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with zf.open(name) as fh:
        while block := fh.read(_READ):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _signature_ok(public: bytes, signature: bytes, body: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, body)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_package(path: Path, *, public_key: bytes | None = None) -> VerifyReport:
    """Verify the package at ``path``; ``public_key``: the expected 32 raw key bytes."""
    report = VerifyReport(Path(path))
    if public_key is not None:
        if len(public_key) != 32:
            report.problems.append("the expected public key is not 32 bytes")
            return report
        report.expected_key_id = key_id(public_key)
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"not a readable zip package ({exc})")
        return report
    with zf:
        names = [i.filename for i in zf.infolist()]
        unsafe = [n for n in names if not safe_member(n)]
        if unsafe:
            report.problems.append(f"unsafe file names in the package: {unsafe}")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            report.problems.append(f"files present more than once: {dupes}")
        for needed in (MANIFEST_NAME, SIGNATURE_NAME):
            if needed not in names:
                report.problems.append(f"{needed} is missing")
        if report.problems:
            return report
        try:
            body = _read_member(zf, MANIFEST_NAME, MAX_MANIFEST_BYTES)
            sig_text = _read_member(zf, SIGNATURE_NAME, 1024)
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            report.problems.append(f"manifest or signature unreadable ({exc})")
            return report
        try:
            signature = bytes.fromhex(sig_text.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            report.problems.append(f"{SIGNATURE_NAME} is not a hex signature")
            return report
        try:
            manifest = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            report.problems.append(f"{MANIFEST_NAME} is not valid JSON (edited or damaged)")
            return report
        embedded: bytes | None = None
        signing = manifest.get("signing") if isinstance(manifest, dict) else None
        if isinstance(signing, dict) and isinstance(signing.get("public_key"), str):
            try:
                embedded = bytes.fromhex(signing["public_key"])
            except ValueError:
                embedded = None
        if embedded is not None and len(embedded) == 32:
            report.key_id = key_id(embedded)
            if signing is not None and signing.get("key_id") != report.key_id:
                report.problems.append(
                    f"manifest key id {signing.get('key_id')!r} does not name its public key "
                    f"(which is {report.key_id})"
                )
        _check_signature(report, body, signature, embedded, public_key)
        try:
            files = validate_manifest(manifest)
        except ManifestError as exc:
            report.problems.append(f"{MANIFEST_NAME} does not follow the schema: {exc}")
            return report
        report.manifest = manifest
        _check_files(report, zf, names, files)
    return report


def _check_signature(
    report: VerifyReport,
    body: bytes,
    signature: bytes,
    embedded: bytes | None,
    expected: bytes | None,
) -> None:
    by_embedded = embedded is not None and _signature_ok(embedded, signature, body)
    if expected is not None:
        if _signature_ok(expected, signature, body):
            if embedded is not None and embedded != expected:
                report.problems.append("the manifest names another public key than its signer")
            return
        if by_embedded:
            report.problems.append(
                f"wrong key: signed by key {report.key_id}, not by the expected key "
                f"{report.expected_key_id}"
            )
        else:
            report.problems.append(
                f"signature does not match {MANIFEST_NAME} under the expected key "
                f"{report.expected_key_id} (manifest edited or signature replaced)"
            )
        return
    if embedded is None:
        report.problems.append(f"{MANIFEST_NAME} names no usable public key")
    elif not by_embedded:
        report.problems.append(
            f"signature does not match {MANIFEST_NAME} (manifest edited or signature replaced)"
        )


def _check_files(
    report: VerifyReport, zf: zipfile.ZipFile, names: list[str], files: list[dict[str, Any]]
) -> None:
    listed = {str(f["name"]): f for f in files}
    present = set(names) - {MANIFEST_NAME, SIGNATURE_NAME}
    for name in sorted(set(listed) - present):
        report.problems.append(f"{name} is listed in the manifest but missing from the package")
    for name in sorted(present - set(listed)):
        report.problems.append(f"{name} is in the package but not in the manifest (added)")
    for name in sorted(set(listed) & present):
        want = listed[name]
        try:
            digest, size = _hash_member(zf, name)
        except (zipfile.BadZipFile, OSError) as exc:
            report.problems.append(f"{name}: content altered or damaged ({exc})")
            continue
        if digest != want["sha256"] or size != want["bytes"]:
            report.problems.append(f"{name}: SHA-256 does not match the manifest (content altered)")
            continue
        report.files_checked += 1
