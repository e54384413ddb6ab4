"""Signed tree heads: what is signed, signing and checking (pure apart from the key).

The signed message is ASCII text, so an auditor can rebuild it in any language::

    civicam-audit-tree-head-v1\n<tree_size>\n<root hash, 64 lower-case hex>\n<timestamp_ms>\n
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from civicam.audit.keys import key_id, public_key_bytes
from civicam.audit.merkle import HASH_SIZE

HEAD_CONTEXT = "civicam-audit-tree-head-v1"


@dataclass(frozen=True)
class SignedHead:
    """A tree head and its Ed25519 signature."""

    tree_size: int
    root: bytes
    timestamp_ms: int
    signature: bytes
    key_id: str

    def to_json(self) -> dict[str, Any]:
        """JSON form used in bundles and reports (hashes and signature in hex)."""
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root.hex(),
            "timestamp_ms": self.timestamp_ms,
            "signature": self.signature.hex(),
            "key_id": self.key_id,
        }

    @classmethod
    def from_json(cls, data: object) -> SignedHead:
        """Inverse of :meth:`to_json`; :class:`ValueError` on anything malformed."""
        if not isinstance(data, dict):
            raise ValueError("a signed head must be an object")
        try:
            size, ts = data["tree_size"], data["timestamp_ms"]
            root = bytes.fromhex(str(data["root_hash"]))
            sig = bytes.fromhex(str(data["signature"]))
            kid = str(data["key_id"])
        except (KeyError, ValueError) as exc:
            raise ValueError(f"malformed signed head ({exc})") from exc
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ValueError("signed head tree_size must be a non-negative integer")
        if not isinstance(ts, int) or isinstance(ts, bool):
            raise ValueError("signed head timestamp_ms must be an integer")
        if len(root) != HASH_SIZE or len(sig) != 64:
            raise ValueError("signed head root or signature has the wrong length")
        return cls(size, root, ts, sig, kid)


def head_message(tree_size: int, root: bytes, timestamp_ms: int) -> bytes:
    """The exact bytes an installation key signs for a tree head."""
    return f"{HEAD_CONTEXT}\n{tree_size}\n{root.hex()}\n{timestamp_ms}\n".encode("ascii")


def sign_tree_head(
    key: Ed25519PrivateKey, tree_size: int, root: bytes, timestamp_ms: int
) -> SignedHead:
    """Sign a tree head."""
    sig = key.sign(head_message(tree_size, root, timestamp_ms))
    return SignedHead(tree_size, root, timestamp_ms, sig, key_id(public_key_bytes(key)))


def head_signature_ok(head: SignedHead, public: Ed25519PublicKey) -> bool:
    """Whether the head was signed by ``public`` (and names that key)."""
    if head.key_id != key_id(public_key_bytes(public)):
        return False
    try:
        public.verify(head.signature, head_message(head.tree_size, head.root, head.timestamp_ms))
    except InvalidSignature:
        return False
    return True
