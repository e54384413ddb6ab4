"""Event search latency at scale: p50/p95 of typical console searches over N events.

    python benchmarks/events.py                    # 10^7 events (builds ~3 GB once)
    python benchmarks/events.py --events 1000000 --db /tmp/ev1m.db

The database is built once through the real migrations and bulk-loaded (a camera
network of --cameras cameras over --days days, realistic label mix, a third of the
events in zones) and kept at --db, so reruns measure searches only. Searches are the
console's: one camera's latest page, one camera and a day, a label over the whole
network, a zone, a permitted-camera list (an operator's district), and deep pages.
Prints one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text

from civicam.store import open_database
from civicam.store.events import search_events

LABELS = ["person"] * 6 + ["car"] * 3 + ["bicycle"]
ZONES = ["entrance", "street", "lot", "platform"]
DAY = 86_400.0
T0 = 1_767_225_600.0  # 2026-01-01


INDEXES = [
    ("ix_events_start", "events", "start_ts, id"),
    ("ix_events_camera_start", "events", "camera_id, start_ts, id"),
    ("ix_events_camera_label_start", "events", "camera_id, label, start_ts, id"),
    ("ix_events_label_start", "events", "label, start_ts, id"),
    ("ix_event_zones_zone_start", "event_zones", "zone, start_ts, event_id"),
    ("ix_event_zones_camera_zone_start", "event_zones", "camera_id, zone, start_ts, event_id"),
]


def build(path: Path, events: int, cameras: int, days: float, seed: int) -> float:
    """Bulk-load ``events`` events into the migrated database at ``path``; seconds taken.

    Loads with the search indexes dropped and builds them afterwards (the same
    definitions as the migration, which a test of this script's parity would catch
    drifting: they are re-read from sqlite_master before dropping).
    """
    rng = np.random.default_rng(seed)
    began = time.perf_counter()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    defs = dict(
        conn.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
    )
    for name, _table, _cols in INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    batch = 1_000_000
    done = 0
    labels = np.array(LABELS)
    zones = np.array(ZONES)
    while done < events:
        n = min(batch, events - done)
        ids = np.arange(done + 1, done + n + 1)
        cams = rng.integers(0, cameras, n)
        starts = T0 + rng.random(n) * days * DAY
        ends = starts + rng.exponential(15.0, n)
        lab = labels[rng.integers(0, len(labels), n)]
        score = 0.5 + 0.5 * rng.random(n)
        in_zone = rng.random(n) < 0.33
        zone = zones[rng.integers(0, len(zones), n)]
        cam_names = [f"cam-{c:05d}" for c in cams.tolist()]
        zone_json = [
            f'["{z}"]' if hit else "[]"
            for z, hit in zip(zone.tolist(), in_zone.tolist(), strict=True)
        ]
        conn.executemany(
            "INSERT INTO events (id, camera_id, label, start_ts, end_ts, peak_score, zones,"
            " track, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, '[]', NULL)",
            zip(
                ids.tolist(),
                cam_names,
                lab.tolist(),
                starts.tolist(),
                ends.tolist(),
                score.tolist(),
                zone_json,
                strict=True,
            ),
        )
        pick = np.flatnonzero(in_zone)
        conn.executemany(
            "INSERT INTO event_zones (event_id, zone, camera_id, start_ts) VALUES (?, ?, ?, ?)",
            zip(
                ids[pick].tolist(),
                zone[pick].tolist(),
                [cam_names[i] for i in pick.tolist()],
                starts[pick].tolist(),
                strict=True,
            ),
        )
        conn.commit()
        done += n
        print(f"  loaded {done:,} events", flush=True)
    for name, table, cols in INDEXES:
        conn.execute(defs.get(name) or f"CREATE INDEX {name} ON {table} ({cols})")
        print(f"  indexed {name}", flush=True)
    longest = conn.execute("SELECT MAX(end_ts - start_ts) FROM events").fetchone()[0]
    conn.execute("DELETE FROM event_meta")
    conn.execute("INSERT INTO event_meta (id, max_span) VALUES (1, ?)", (longest,))
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return time.perf_counter() - began


def searches(cameras: int, days: float, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """A mix of the console's searches, with random cameras, days and filters."""
    out: list[tuple[str, dict[str, Any]]] = []
    for _ in range(40):
        cam = f"cam-{rng.randrange(cameras):05d}"
        day0 = T0 + rng.randrange(int(days)) * DAY
        district = [f"cam-{rng.randrange(cameras):05d}" for _ in range(25)]
        out += [
            ("camera latest page", {"cameras": [cam]}),
            ("camera + day", {"cameras": [cam], "start": day0, "end": day0 + DAY}),
            (
                "camera + day + person",
                {"cameras": [cam], "start": day0, "end": day0 + DAY, "label": "person"},
            ),
            (
                "label, network-wide, one hour",
                {"label": "bicycle", "start": day0, "end": day0 + 3600},
            ),
            ("zone, network-wide", {"zone": rng.choice(ZONES)}),
            (
                "district (25 cameras) + day",
                {"cameras": district, "start": day0, "end": day0 + DAY},
            ),
            ("network-wide latest page", {}),
        ]
    return out


def main() -> None:
    """Build (once) and measure."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--cameras", type=int, default=2000)
    ap.add_argument("--days", type=float, default=90.0)
    ap.add_argument("--db", type=Path, default=Path("/tmp/civicam-bench-events.db"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    fresh = not args.db.exists()
    db = open_database(f"sqlite:///{args.db}")  # creates the schema through the migrations
    build_s = None
    if fresh:
        db.close()
        build_s = build(args.db, args.events, args.cameras, args.days, args.seed)
        db = open_database(f"sqlite:///{args.db}")
    with db.engine.connect() as conn:
        count = int(conn.execute(text("SELECT COUNT(*) FROM events")).scalar() or 0)
    rng = random.Random(args.seed + 1)
    times: dict[str, list[float]] = {}
    everything: list[float] = []
    for name, kwargs in searches(args.cameras, args.days, rng):
        began = time.perf_counter()
        page = search_events(db, limit=50, **kwargs)
        # And the next page, as an operator scrolling on would ask for.
        if len(page) == 50:
            search_events(db, limit=50, before_id=page[-1].id, **kwargs)
        ms = (time.perf_counter() - began) * 1000 / (2 if len(page) == 50 else 1)
        times.setdefault(name, []).append(ms)
        everything.append(ms)

    def pct(values: list[float], q: float) -> float:
        return round(statistics.quantiles(values, n=100)[int(q) - 1], 2)

    print(
        json.dumps(
            {
                "events": count,
                "build_seconds": None if build_s is None else round(build_s, 1),
                "db_bytes": args.db.stat().st_size,
                "searches": len(everything),
                "p50_ms": pct(everything, 50),
                "p95_ms": pct(everything, 95),
                "max_ms": round(max(everything), 2),
                "by_kind_p95_ms": {k: pct(v, 95) for k, v in times.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
