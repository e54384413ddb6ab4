"""Merkle tree hashing, proofs and their verification as in RFC 6962 / RFC 9162 (pure).

Leaves are hashed ``SHA-256(0x00 || data)`` and interior nodes ``SHA-256(0x01 || left ||
right)``; the tree of n leaves splits at the largest power of two below n. Proofs are
lists of 32-byte hashes in the order of RFC 9162 sections 2.1.3 and 2.1.4.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Hash of a leaf's data."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    if n < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)


def fold_peaks(peaks: Sequence[bytes]) -> bytes:
    """Root of a tree from the hashes of its perfect subtrees, largest (leftmost) first."""
    if not peaks:
        return EMPTY_ROOT
    acc = peaks[-1]
    for peak in reversed(peaks[:-1]):
        acc = node_hash(peak, acc)
    return acc


class CompactRange:
    """The right edge of a growing tree: one perfect-subtree hash per set bit of the size.

    Appending is O(log n) and the root is O(log n), so the log never rereads old leaves.
    """

    __slots__ = ("_peaks", "_size")

    def __init__(self, size: int = 0, peaks: Sequence[bytes] = ()) -> None:
        if size < 0 or len(peaks) != bin(size).count("1"):
            raise ValueError(f"a compact range of size {size} needs {bin(size).count('1')} hashes")
        if any(len(p) != HASH_SIZE for p in peaks):
            raise ValueError("compact range hashes must be 32 bytes")
        self._size = size
        self._peaks = list(peaks)

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return self._size

    @property
    def peaks(self) -> list[bytes]:
        """Perfect-subtree hashes, largest first."""
        return list(self._peaks)

    def append(self, leaf: bytes) -> None:
        """Append a leaf hash."""
        node = leaf
        size = self._size
        # Each trailing one bit of the old size is a subtree of equal height to merge with.
        while size & 1:
            node = node_hash(self._peaks.pop(), node)
            size >>= 1
        self._peaks.append(node)
        self._size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append several leaf hashes."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The tree head hash of the leaves so far."""
        return fold_peaks(self._peaks)

    def encode(self) -> str:
        """Hex hashes joined by commas (the stored form)."""
        return ",".join(p.hex() for p in self._peaks)

    @classmethod
    def decode(cls, size: int, text: str) -> CompactRange:
        """Inverse of :meth:`encode`."""
        try:
            peaks = [bytes.fromhex(part) for part in text.split(",")] if text else []
        except ValueError as exc:
            raise ValueError("compact range is not hex") from exc
        return cls(size, peaks)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """Tree head hash (MTH) of a list of leaf hashes."""
    rng = CompactRange()
    rng.extend(leaves)
    return rng.root()


class MerkleTree:
    """All perfect-subtree hashes of a list of leaves, for proofs against any prefix."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        level = self.levels[0]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            self.levels.append(level)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.levels[0])

    def subtree(self, lo: int, hi: int) -> bytes:
        """MTH of leaves ``[lo, hi)``; ``lo`` must be aligned as RFC subtrees always are."""
        if not 0 <= lo < hi <= self.size:
            raise ValueError(f"no subtree [{lo}, {hi}) in a tree of {self.size}")
        peaks: list[bytes] = []
        pos = lo
        while pos < hi:
            # Largest aligned perfect subtree starting at pos that fits before hi.
            height = (pos & -pos).bit_length() - 1 if pos else (hi - pos).bit_length() - 1
            while (1 << height) > hi - pos:
                height -= 1
            peaks.append(self.levels[height][pos >> height])
            pos += 1 << height
        return fold_peaks(peaks)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all by default)."""
        n = self.size if size is None else size
        if n == 0:
            return EMPTY_ROOT
        return self.subtree(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path of leaf ``index`` in the tree of the first ``size`` leaves."""
        n = self.size if size is None else size
        if not 0 <= index < n <= self.size:
            raise ValueError(f"leaf {index} is not in a tree of {n}")
        path: list[bytes] = []
        lo, hi = 0, n
        while hi - lo > 1:
            k = split_point(hi - lo)
            if index < lo + k:
                path.append(self.subtree(lo + k, hi))
                hi = lo + k
            else:
                path.append(self.subtree(lo, lo + k))
                lo += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Proof that the first ``old_size`` leaves are a prefix of the first ``new_size``."""
        n = self.size if new_size is None else new_size
        if not 0 <= old_size <= n <= self.size:
            raise ValueError(f"no consistency proof from {old_size} to {n}")
        if old_size in (0, n):
            return []
        path: list[bytes] = []
        lo, hi, m, whole = 0, n, old_size, True
        while m != hi - lo:
            k = split_point(hi - lo)
            if m <= k:
                path.append(self.subtree(lo + k, hi))
                hi = lo + k
            else:
                path.append(self.subtree(lo, lo + k))
                lo += k
                m -= k
                whole = False
        if not whole:
            path.append(self.subtree(lo, hi))
        path.reverse()
        return path


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows leaf hash ``leaf`` at ``index`` in the tree ``(size, root)``."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    acc = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            acc = node_hash(p, acc)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            acc = node_hash(acc, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and acc == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the tree ``(old_size, old_root)`` is a prefix of the new one."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    path = list(proof)
    if not path:
        return False
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
