"""Benchmark: the history store's size after 90 days and its write cost per poll (issue 13).

20 environments x 10 services polled every 5 s (the default) for a simulated 90 days,
37 series per poll (status, connections by state and by 4 applications, limits, pools'
worst case, each service's up and latency, migrations). Filled the way it would have
been kept at steady state:
- the last 48 h through `Store.write` (the collector's write path: encode, insert, the
  1-minute and 15-minute rollups as buckets close, pruning), one transaction per 5 s
  cycle of 20 polls;
- the older 1-minute (14 days) and 15-minute (90 days) rollups in bulk through the same
  rollup encoder (`Rollup.pack`, the rows `Store` writes), since 31 million polls through
  the write path would take hours.
Reported: file size after a WAL checkpoint (target <= 250 MB); write cost per poll, the
median over cycles of time per poll (target < 1 ms), for batches of one cycle (20 polls)
and of one poll; reading 24 h of every environment's chart series back.

    python benchmarks/bench_store.py [--hours 48]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import support  # (puts the repo on sys.path)

from pandadmin.core.history_load import load_recent
from pandadmin.core.samples import Sample
from pandadmin.core.store import RAW_KEEP_S, Store
from pandadmin.core.store_codec import Rollup

ENVS, SERVICES, INTERVAL = 20, 10, 5.0
DAY = 86400.0
SIZE_GOAL_MB, WRITE_GOAL_MS = 250.0, 1.0
APPS = ("api", "worker", "pandadmin", "")


def values(rng: np.random.Generator, env: int) -> dict[str, float]:
    """One poll's 37 series, varying like a busy service does."""
    states = rng.integers(0, 30, 3)
    out = {"status": float(rng.integers(0, 3)), "db.up": 1.0}
    for name, value in zip(("active", "idle", "idle in transaction"), states, strict=True):
        out[f"conn.state.{name}"] = float(value)
    out["conn.state.unknown"] = 0.0
    out.update({f"conn.app.{a}": float(rng.integers(0, 20)) for a in APPS})
    out.update({"conn.total": float(states.sum()), "conn.oldest_tx_s": float(rng.random() * 90)})
    out.update({"limit.effective": 300.0, "limit.max_connections": 400.0,
                "budget.worst_case": 150.0 + env, "migrations.status": 0.0,
                "migrations.pending": 0.0})  # fmt: skip
    for s in range(SERVICES):
        out[f"health.up.svc{s}"] = 1.0 if rng.random() > 0.01 else 0.0
        out[f"health.latency_ms.svc{s}"] = float(rng.gamma(4.0, 10.0))
    return out


def fill_rollups(store: Store, end: float, rng: np.random.Generator) -> None:
    """Steady-state rollups older than the raw window: 1 min for 14 days, 15 min for 90."""
    template = [values(rng, e) for e in range(ENVS)]
    names = tuple(template[0])
    for width, keep, n in ((60, 14 * DAY, 12), (900, 90 * DAY, 180)):
        with store.db:
            for bucket in np.arange(end - keep, end - RAW_KEEP_S, width):
                for env in range(ENVS):
                    base = np.array([template[env][k] for k in names])
                    noise = rng.random(len(names))
                    rollup = Rollup(names, n, base * 0.5, base * 1.5 + noise, base + noise)
                    store._put_rollup(width, int(bucket), store._env(f"env{env:02d}"), rollup)


def fill_raw(store: Store, start: float, end: float, rng: np.random.Generator) -> list[float]:
    """Cycles of 20 polls through the write path; returns seconds per poll of each cycle."""
    pool = [values(rng, e % ENVS) for e in range(200)]  # realistic values, reused cheaply
    costs = []
    for number, t in enumerate(np.arange(start, end, INTERVAL)):
        samples = [
            Sample(f"env{e:02d}", float(t) + e * 0.2, pool[(number + e * 7) % len(pool)])
            for e in range(ENVS)
        ]
        began = time.perf_counter()
        store.write(samples)
        costs.append((time.perf_counter() - began) / ENVS)
    return costs


def single_polls(store: Store, start: float, rng: np.random.Generator) -> list[float]:
    """One poll per transaction (staggered environments): seconds per poll."""
    costs = []
    for number in range(2000):
        sample = Sample(f"env{number % ENVS:02d}", start + number * 0.25, values(rng, 0))
        began = time.perf_counter()
        store.write([sample])
        costs.append(time.perf_counter() - began)
    return costs


def read_day(store: Store, end: float) -> float:
    """What the app reads at start: 24 h of every environment's chart series."""
    began = time.perf_counter()
    loaded = load_recent(store, end, {})
    assert len(loaded) == ENVS
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=RAW_KEEP_S / 3600 + 0.5)
    args = parser.parse_args()
    rng = np.random.default_rng(13)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        store = Store(path)
        end = 1_800_000_000.0 // 900 * 900
        fill_rollups(store, end - args.hours * 3600 + RAW_KEEP_S, rng)
        cycle = fill_raw(store, end - args.hours * 3600, end, rng)
        single = single_polls(store, end, rng)
        read_s = read_day(store, end)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size_mb = sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e6
        rows = store.db.execute("SELECT tier, count(*) FROM rollup GROUP BY tier").fetchall()
        raw_rows = store.db.execute("SELECT count(*) FROM raw").fetchone()[0]
        store.close()
    cycle_ms, single_ms = statistics.median(cycle) * 1000, statistics.median(single) * 1000
    numbers = {
        "file_mb": round(size_mb, 1),
        "size_goal_met": size_mb <= SIZE_GOAL_MB,
        "write_ms_per_poll_in_cycles": round(cycle_ms, 3),
        "write_ms_per_poll_alone": round(single_ms, 3),
        "write_p99_ms_per_poll_in_cycles": round(support.percentile(cycle, 99) * 1000, 3),
        "write_goal_met": max(cycle_ms, single_ms) < WRITE_GOAL_MS,
        "read_24h_all_envs_s": round(read_s, 3),
        "raw_rows": raw_rows,
        "rollup_rows": {str(tier): count for tier, count in rows},
        "machine": support.machine(),
    }
    support.save_results("store", numbers)
    support.print_table(
        "history store: 20 environments x 10 services, 5 s, 90 days",
        [
            ("file size (MB)", size_mb, f"<= {SIZE_GOAL_MB:.0f}", size_mb <= SIZE_GOAL_MB),
            ("write per poll, 20 per batch (ms)", cycle_ms, "< 1", cycle_ms < WRITE_GOAL_MS),
            ("write per poll, 1 per batch (ms)", single_ms, "< 1", single_ms < WRITE_GOAL_MS),
            ("read 24 h of 20 environments' charts (s)", read_s, "", None),
            ("raw rows", raw_rows, "", None),
        ],
    )


if __name__ == "__main__":
    main()
