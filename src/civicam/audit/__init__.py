"""The tamper-evident audit log: Merkle tree, persistent log, signed heads, bundles, reports."""
