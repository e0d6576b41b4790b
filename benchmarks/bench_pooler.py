"""Benchmark: what watching a PgBouncer costs per poll.

A real PgBouncer (transaction mode, default_pool_size 5) in front of the embedded
PostgreSQL with 30 clients connected through it; `PoolerMonitor.sample()` (SHOW POOLS,
DATABASES, CONFIG, SERVERS on one held admin connection) timed N times, and the extra
round trip that attributes the pooler's server connections to it. Reported as p50 / p99 /
max with the load average (no goal: the number is for the notes and for regressions).

    python benchmarks/bench_pooler.py [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from importlib.metadata import version

import asyncpg
import support

from pandadmin.core.database import DatabaseMonitor
from pandadmin.core.pooler import parse_admin_url
from pandadmin.core.pooler_monitor import PoolerMonitor, attribute_to_pooler
from pandadmin.core.urls import parse
from pandadmin.demo.pgbouncer import PgBouncer
from pandadmin.demo.pgserver import EmbeddedPostgres

CLIENTS = 30


async def measure(bouncer: PgBouncer, direct: str, runs: int) -> dict[str, dict[str, float]]:
    clients = [
        await asyncpg.connect(bouncer.url("shop", "app"), statement_cache_size=0)
        for _ in range(CLIENTS)
    ]
    await asyncio.gather(*(c.execute("SELECT 1") for c in clients))
    pooler = PoolerMonitor(parse_admin_url(bouncer.admin_url()))
    database = DatabaseMonitor(parse(direct))
    polls, attributions = [], []
    try:
        db = await database.sample()
        for _ in range(runs):
            started = time.perf_counter()
            result = await pooler.sample()
            polls.append(time.perf_counter() - started)
            started = time.perf_counter()
            await attribute_to_pooler(db, database, result)
            attributions.append(time.perf_counter() - started)
    finally:
        await pooler.close()
        await database.close()
        for conn in clients:
            await conn.close()
    return {
        "pooler_sample": support.spread_ms(polls),
        "attribution": support.spread_ms(attributions),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    with EmbeddedPostgres(max_connections=40) as server:
        server.create_role("app", "app-pw", monitor=True)
        server.create_database("shop", owner="app")
        target = f"host=127.0.0.1 port={server.port} dbname=shop"
        with PgBouncer({"shop": target}, {"app": "app-pw"}, max_client_conn=100) as bouncer:
            numbers = asyncio.run(measure(bouncer, server.url("shop", "app", "app-pw"), runs))
    numbers["machine"] = support.machine()  # type: ignore[assignment]
    numbers["versions"] = {"psycopg": version("psycopg"), "pgbouncer": "system"}  # type: ignore[assignment]
    support.save_results("pooler", numbers)
    support.print_table(
        "pooler poll",
        [
            (f"{name} {key}", value, "", None)
            for name in ("pooler_sample", "attribution")
            for key, value in numbers[name].items()
        ],
    )


if __name__ == "__main__":
    main()
