"""Connect cost of a DATABASE_URL on the libpq grammar (issue 19), against a PostgreSQL
with TLS and SCRAM on loopback.

- resolving the URL (service file, PG* variables, .pgpass, certificates): the worker-thread
  step pandadmin adds before each connect; local only, no round trip;
- pandadmin's monitoring connect (resolve in a thread + asyncpg) next to a bare
  `asyncpg.connect(dsn)` with the same settings: the difference is the resolve step;
- a poll on the held connection (unchanged by the URL work: no connect per poll);
- libpq (psycopg 3) with `channel_binding=require`: the alternative route for the keyword
  asyncpg cannot honour, timed the same way, to weigh it.
Median of 3 rounds of 20 connects each.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path

import asyncpg
import psycopg
import support

from pandadmin.core.database import DatabaseMonitor, connect, monitor_settings
from pandadmin.core.libpq_params import resolve
from pandadmin.core.urls import parse
from tests.support.tls_postgres import tls_server

CONNECTS, ROUNDS = 20, 3
PASSWORD = "bench-Pa55"


async def timed_connects(
    open_: Callable[[], Awaitable[object]], close: Callable[[object], Awaitable[None]]
) -> float:
    started = time.perf_counter()
    for _ in range(CONNECTS):
        await close(await open_())
    return (time.perf_counter() - started) / CONNECTS * 1000


async def measure(url: str, dsn: str, libpq: str) -> dict[str, list[float]]:
    parsed = parse(url)
    settings = monitor_settings(3.0)

    async def ours() -> object:
        return await connect(parsed, 5.0, 3.0)

    async def bare() -> object:
        return await asyncpg.connect(dsn, statement_cache_size=0, server_settings=settings)

    async def via_libpq() -> object:
        return await psycopg.AsyncConnection.connect(libpq, autocommit=True)

    async def close_asyncpg(conn: object) -> None:
        await conn.close()  # type: ignore[attr-defined]

    async def close_psycopg(conn: object) -> None:
        await conn.close()  # type: ignore[attr-defined]

    numbers: dict[str, list[float]] = {
        "resolve": [],
        "ours": [],
        "bare": [],
        "libpq": [],
        "poll": [],
    }
    monitor = DatabaseMonitor(parsed)
    await monitor.sample()
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(200):
            resolve(parsed)
        numbers["resolve"].append((time.perf_counter() - started) / 200 * 1000)
        numbers["ours"].append(await timed_connects(ours, close_asyncpg))
        numbers["bare"].append(await timed_connects(bare, close_asyncpg))
        numbers["libpq"].append(await timed_connects(via_libpq, close_psycopg))
        started = time.perf_counter()
        for _ in range(CONNECTS):
            assert (await monitor.sample()).error is None
        numbers["poll"].append((time.perf_counter() - started) / CONNECTS * 1000)
    await monitor.close()
    return numbers


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        server, certs = tls_server(Path(folder))
        try:
            server.create_role("bench", PASSWORD, monitor=True)
            base = f"postgresql://bench:{PASSWORD}@localhost:{server.port}/postgres"
            tls = f"sslmode=verify-full&sslrootcert={certs.ca}"
            numbers = asyncio.run(
                measure(
                    f"{base}?{tls}&channel_binding=prefer&keepalives=1",
                    f"{base}?{tls}",
                    f"{base}?{tls}&channel_binding=require",
                )
            )
        finally:
            server.close()
    medians = {key: round(statistics.median(values), 3) for key, values in numbers.items()}
    results = {
        "median_ms": medians,
        "rounds_ms": {key: [round(v, 3) for v in values] for key, values in numbers.items()},
        "resolve_added_ms": round(medians["ours"] - medians["bare"], 3),
        "versions": {p: version(p) for p in ("asyncpg", "psycopg", "psycopg-binary")},
        "server": "Debian PostgreSQL (TLS, scram-sha-256) on loopback",
        "machine": support.machine(),
    }
    support.save_results("connect", results)
    support.print_table(
        "connect with the libpq grammar (verify-full TLS + SCRAM, loopback)",
        [
            ("resolve URL in the worker thread (ms)", medians["resolve"], "", None),
            ("pandadmin connect: resolve + asyncpg (ms)", medians["ours"], "", None),
            ("bare asyncpg.connect(dsn), same settings (ms)", medians["bare"], "", None),
            ("libpq/psycopg, channel_binding=require (ms)", medians["libpq"], "", None),
            ("poll on the held connection (ms)", medians["poll"], "", None),
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
