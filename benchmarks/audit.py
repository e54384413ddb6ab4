"""Audit log benchmarks: sustained append rate and the time to verify a large log.

Run from the repository root:

    .venv/bin/python benchmarks/audit.py                    # 1e5 entries
    .venv/bin/python benchmarks/audit.py --entries 1000000  # the figure in docs/audit.md

All on a SQLite file database in WAL mode (the default store). Prints JSON:
single appends (one transaction each, as the console writes them), batched appends
(``record_many``), appends from several writers on separate connections, then fills
the log to ``--entries`` (a head signed every 1000 entries, as configured by default)
and times ``verify_log`` over all of it and building an auditor bundle of the last
1000 entries.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from civicam.audit import actions
from civicam.audit.bundle import build_bundle
from civicam.audit.keys import load_or_create_signing_key
from civicam.audit.log import NewEntry, log_size, record, record_many, sign_head
from civicam.audit.verify import verify_log
from civicam.config.audit import AuditConfig
from civicam.store.audit import AuditEntry
from civicam.store.engine import Database, open_database

SIGN_EVERY = 1000


def _entry(i: int) -> NewEntry:
    return NewEntry(
        actor=f"operator{i % 17}",
        action=actions.PLAYBACK,
        camera=f"cam-{i % 250:03d}",
        start=1_700_000_000.0 + i,
        end=1_700_000_600.0 + i,
        reason="investigation: incident report 2024-118",
        details={"role": "operator", "session": i % 1000},
        at=1_700_000_000.0 + i * 0.01,
    )


def _single(db: Database, n: int) -> tuple[float, float]:
    t, c = time.perf_counter(), time.process_time()
    for i in range(n):
        e = _entry(i)
        record(
            db,
            actor=e.actor,
            action=e.action,
            camera=e.camera,
            start=e.start,
            end=e.end,
            reason=e.reason,
            details=e.details,
            at=e.at,
        )
    return n / (time.perf_counter() - t), n / (time.process_time() - c)


def _concurrent(url: str, writers: int, per_writer: int) -> float:
    dbs = [open_database(url, migrate=False) for _ in range(writers)]

    def work(d: Database) -> None:
        for i in range(per_writer):
            record(d, actor="w", action=actions.LIVE_VIEW, camera="cam-001", at=float(i))

    threads = [threading.Thread(target=work, args=(d,)) for d in dbs]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    rate = writers * per_writer / (time.perf_counter() - t)
    for d in dbs:
        d.close()
    return rate


def run(entries: int, single: int, batch: int, workdir: Path) -> dict[str, Any]:
    """Run every part and return the figures."""
    url = f"sqlite:///{workdir / 'audit.db'}"
    db = open_database(url)
    key = load_or_create_signing_key(AuditConfig(key_dir=workdir / "keys"))
    out: dict[str, Any] = {
        "database": "sqlite (WAL, synchronous=NORMAL)",
        "entries": entries,
        "cpus": os.cpu_count(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }
    wall, cpu = _single(db, single)
    out["single_appends_per_s"] = round(wall)
    out["single_appends_per_cpu_s"] = round(cpu)
    out["concurrent_4_writers_appends_per_s"] = round(_concurrent(url, 4, single // 4))
    items = [_entry(i) for i in range(batch)]
    t, c = time.perf_counter(), time.process_time()
    record_many(db, items)
    out[f"batch_{batch}_appends_per_s"] = round(batch / (time.perf_counter() - t))
    out[f"batch_{batch}_appends_per_cpu_s"] = round(batch / (time.process_time() - c))
    # Fill to the target size; measure the rate at the start and the end of the fill
    # to show that appending does not slow down as the log grows.
    rates: list[float] = []
    t_fill, c_fill, n_fill = time.perf_counter(), time.process_time(), log_size(db)
    while (n := log_size(db)) < entries:
        k = min(10_000, entries - n)
        t = time.perf_counter()
        for start in range(0, k, SIGN_EVERY):
            record_many(db, [_entry(n + start + j) for j in range(min(SIGN_EVERY, k - start))])
            sign_head(db, key)
        rates.append(k / (time.perf_counter() - t))
    out["fill_s"] = round(time.perf_counter() - t_fill, 1)
    out["fill_appends_per_cpu_s"] = round(
        (log_size(db) - n_fill) / max(time.process_time() - c_fill, 1e-9)
    )
    if rates:
        out["fill_appends_per_s_first_10k"] = round(rates[0])
        out["fill_appends_per_s_last_10k"] = round(rates[-1])
    sign_head(db, key)
    out["database_bytes"] = (workdir / "audit.db").stat().st_size
    t, c = time.perf_counter(), time.process_time()
    report = verify_log(db, key.public_key())
    out["verify_s"] = round(time.perf_counter() - t, 2)
    out["verify_cpu_s"] = round(time.process_time() - c, 2)
    out["verify_ok"] = report.ok
    out["verified_entries"] = report.entries
    out["signed_heads"] = report.heads
    with db.read() as s:
        since = s.scalar(select(AuditEntry.at).where(AuditEntry.idx == report.entries - 1000))
    t, c = time.perf_counter(), time.process_time()
    bundle = build_bundle(db, key.public_key(), float(since or 0.0))
    out["bundle_1000_entries_s"] = round(time.perf_counter() - t, 2)
    out["bundle_1000_entries_cpu_s"] = round(time.process_time() - c, 2)
    out["bundle_entries"] = len(bundle["entries"])
    db.close()
    return out


def main() -> None:
    """Parse arguments, run, print JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--entries", type=int, default=100_000, help="log size to verify")
    ap.add_argument("--single", type=int, default=2000, help="single appends to time")
    ap.add_argument("--batch", type=int, default=1000, help="entries per timed batch")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: temporary)")
    args = ap.parse_args()
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        print(json.dumps(run(args.entries, args.single, args.batch, args.dir), indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(args.entries, args.single, args.batch, Path(tmp)), indent=2))


if __name__ == "__main__":
    main()
