"""RFC 6962/9162 tree hashing and proofs, against a naive recursive definition."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from civicam.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:])).digest()


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [naive_mth(d)]
    k = _k(n)
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


# The RFC 6962 test leaves used by Certificate Transparency implementations.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# Distinct leaves: with repeated data, different (index, size) claims can legitimately agree.
data_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70, unique=True)


def test_known_roots_and_empty_tree() -> None:
    leaves = [leaf_hash(d) for d in CT_LEAVES]
    tree = MerkleTree(leaves)
    assert [tree.root(n).hex() for n in range(1, 9)] == CT_ROOTS
    assert root_of([]) == EMPTY_ROOT == tree.root(0)
    assert EMPTY_ROOT.hex().startswith("e3b0c442")


@settings(max_examples=150, deadline=None)
@given(data_lists)
def test_compact_range_and_tree_roots_match_naive(data: list[bytes]) -> None:
    leaves = [leaf_hash(d) for d in data]
    tree = MerkleTree(leaves)
    rng = CompactRange()
    for n, leaf in enumerate(leaves, start=1):
        rng.append(leaf)
        expected = naive_mth(data[:n])
        assert rng.root() == expected == tree.root(n)
    again = CompactRange.decode(rng.size, rng.encode())
    assert again.root() == rng.root() and again.peaks == rng.peaks


@settings(max_examples=150, deadline=None)
@given(data_lists, st.data())
def test_inclusion_proofs_match_naive_and_verify(data: list[bytes], pick: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    tree = MerkleTree(leaves)
    size = pick.draw(st.integers(1, len(data)))
    index = pick.draw(st.integers(0, size - 1))
    proof = tree.inclusion_proof(index, size)
    assert proof == naive_path(index, data[:size])
    root = tree.root(size)
    assert verify_inclusion(leaves[index], index, size, proof, root)
    # Any wrong input is rejected.
    assert not verify_inclusion(leaf_hash(b"other" + data[index]), index, size, proof, root)
    if size < len(data):
        assert not verify_inclusion(leaves[index], index, size + 1, proof, tree.root(size + 1))
    assert not verify_inclusion(leaves[index], size, size, proof, root)
    if size > 1:
        other = (index + 1) % size
        if leaves[other] != leaves[index]:
            assert not verify_inclusion(leaves[index], other, size, proof, root)
        bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not verify_inclusion(leaves[index], index, size, bad, root)
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)


@settings(max_examples=150, deadline=None)
@given(data_lists, st.data())
def test_consistency_proofs_match_naive_and_verify(data: list[bytes], pick: st.DataObject) -> None:
    tree = MerkleTree([leaf_hash(d) for d in data])
    new = pick.draw(st.integers(1, len(data)))
    old = pick.draw(st.integers(1, new))
    proof = tree.consistency_proof(old, new)
    if old < new:
        assert proof == naive_subproof(old, data[:new], True)
    r_old, r_new = tree.root(old), tree.root(new)
    assert verify_consistency(old, new, r_old, r_new, proof)
    assert verify_consistency(0, new, EMPTY_ROOT, r_new, [])
    if old < new:
        flipped = bytes([r_old[0] ^ 1]) + r_old[1:]
        assert not verify_consistency(old, new, flipped, r_new, proof)
        assert not verify_consistency(old, new, r_old, flipped, proof)
        assert not verify_consistency(old, new, r_old, r_new, proof[:-1])
        bad = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not verify_consistency(old, new, r_old, r_new, bad)


def test_consistency_rejects_a_rewritten_prefix() -> None:
    data = [bytes([i]) for i in range(13)]
    tree = MerkleTree([leaf_hash(d) for d in data])
    forged = MerkleTree([leaf_hash(d) for d in [b"x", *data[1:]]])
    proof = forged.consistency_proof(5, 13)
    assert not verify_consistency(5, 13, tree.root(5), forged.root(13), proof)
    assert verify_consistency(5, 13, forged.root(5), forged.root(13), proof)


def test_node_hash_has_its_own_prefix() -> None:
    a, b = leaf_hash(b"a"), leaf_hash(b"b")
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert leaf_hash(a + b) != node_hash(a, b)
