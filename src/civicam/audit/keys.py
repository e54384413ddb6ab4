"""The installation's Ed25519 signing key, kept in a file outside the database.

The key signs audit tree heads and export manifests. Its file is created atomically
with mode 0600; a key file that group or others can read is refused rather than used,
because anyone who can read it can forge heads.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from platformdirs import user_config_dir

from civicam.config.audit import AuditConfig

KEY_FILE = "civicam-ed25519.key"
PUBLIC_FILE = "civicam-ed25519.pub"


class SigningKeyError(ValueError):
    """A signing or public key that cannot be used (missing, unsafe or malformed)."""


def key_directory(cfg: AuditConfig) -> Path:
    """Where the key lives: ``cfg.key_dir`` or ``<user config dir>/civicam/keys``."""
    if cfg.key_dir is not None:
        return cfg.key_dir.expanduser().resolve()
    return Path(user_config_dir("civicam")).resolve() / "keys"


def key_path(cfg: AuditConfig) -> Path:
    """Path of the private key file."""
    return key_directory(cfg) / KEY_FILE


def _check_mode(path: Path) -> None:
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise SigningKeyError(f"{path}: signing key is not a regular file")
    if mode & 0o077:
        raise SigningKeyError(
            f"{path}: signing key is readable by group or others (mode {stat.S_IMODE(mode):04o}); "
            "run `chmod 600` on it"
        )


def _read_private(path: Path) -> Ed25519PrivateKey:
    _check_mode(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"{path}: not a PEM Ed25519 private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: not an Ed25519 key")
    return key


def load_signing_key(cfg: AuditConfig) -> Ed25519PrivateKey:
    """Load the existing key; :class:`SigningKeyError` when it is missing or unsafe."""
    path = key_path(cfg)
    if not path.exists():
        raise SigningKeyError(f"{path}: no signing key (it is created when the log first signs)")
    return _read_private(path)


def load_or_create_signing_key(cfg: AuditConfig) -> Ed25519PrivateKey:
    """The installation key, created (mode 0600, atomically) on first use."""
    path = key_path(cfg)
    if path.exists():
        return _read_private(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{KEY_FILE}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            # link() never replaces: when two processes race, the first key wins and
            # the loser loads it, so no signed head is ever orphaned by a swapped key.
            os.link(tmp, path)
        except FileExistsError:
            return _read_private(path)
    finally:
        tmp.unlink(missing_ok=True)
    public = path.with_name(PUBLIC_FILE)
    if not public.exists():
        public.write_bytes(public_key_bytes(key).hex().encode("ascii") + b"\n")
    return key


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public key."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """A short, stable name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


def load_public_key(source: Path | str | bytes) -> Ed25519PublicKey:
    """A public key from 32 raw bytes, 64 hex digits, PEM, or a file holding any of those."""
    data: bytes
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SigningKeyError(f"{path}: cannot read public key ({exc.strerror})") from exc
    stripped = data.strip()
    try:
        if len(data) == 32:
            return Ed25519PublicKey.from_public_bytes(data)
        if len(stripped) == 64:
            return Ed25519PublicKey.from_public_bytes(bytes.fromhex(stripped.decode("ascii")))
        loaded = serialization.load_pem_public_key(stripped)
    except (ValueError, TypeError, UnicodeDecodeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError("not an Ed25519 public key (raw, hex or PEM)") from exc
    if not isinstance(loaded, Ed25519PublicKey):
        raise SigningKeyError("not an Ed25519 public key")
    return loaded
