"""Benchmark: pandadmin's footprint on the database it monitors.

Goal 5 (issue 7): connections held by pandadmin per database (must be 1) while it polls,
and the server time of its monitoring query with 500 client backends connected, beside
pg_activity's header query (read from the pg-activity wheel) on the same server in the
same run (goal: ratio <= 1.0). Server time = planning + execution time reported by
EXPLAIN (ANALYZE, TIMING OFF) (no per-node clock calls), median of N runs, interleaved.

    python benchmarks/bench_footprint.py [--backends 500] [--runs 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import asyncpg
import pg_activity_sql
import support

from pandadmin.core import queries
from pandadmin.core.poller import Poller
from pandadmin.demo.pgserver import EmbeddedPostgres

DATABASES = ("shop", "billing", "search")
APPLICATIONS = ("api", "worker", "cron", "admin")
IDLE_IN_TRANSACTION, ACTIVE = 20, 10
RATIO_GOAL = 1.0


# 500 client backends ----------------------------------------------------------------


class Crowd:
    """`count` client connections: mostly idle, some idle in transaction, some active."""

    def __init__(self, server: EmbeddedPostgres, count: int) -> None:
        self.server, self.count = server, count
        self.conns: list[asyncpg.Connection] = []
        self.sleepers: list[asyncio.Task[Any]] = []

    async def open(self) -> float:
        started = time.perf_counter()
        gate = asyncio.Semaphore(16)
        self.conns = list(await asyncio.gather(*(self._one(i, gate) for i in range(self.count))))
        for conn in self.conns[:IDLE_IN_TRANSACTION]:
            await conn.execute("BEGIN; SELECT 1")
        active = self.conns[IDLE_IN_TRANSACTION : IDLE_IN_TRANSACTION + ACTIVE]
        self.sleepers = [asyncio.create_task(c.execute("SELECT pg_sleep(600)")) for c in active]
        return time.perf_counter() - started

    async def _one(self, number: int, gate: asyncio.Semaphore) -> asyncpg.Connection:
        url = self.server.url(DATABASES[number % len(DATABASES)])
        application = APPLICATIONS[number % len(APPLICATIONS)]
        async with gate:
            return await asyncpg.connect(url, server_settings={"application_name": application})

    def close(self) -> None:
        for task in self.sleepers:
            task.cancel()
        for conn in self.conns:
            conn.terminate()  # the server is thrown away right after


# server time ------------------------------------------------------------------------


async def server_ms(conn: asyncpg.Connection, sql: str) -> tuple[float, float]:
    """(planning, execution) time of one run of `sql` in ms, as the server measured it."""
    plan = await conn.fetchval(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql.rstrip('; ')}")
    top = json.loads(plan)[0]
    return float(top["Planning Time"]), float(top["Execution Time"])


async def compare(conn: asyncpg.Connection, contenders: dict[str, str], runs: int) -> dict:
    """Median server time of each query, runs interleaved so that noise hits all alike."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    for sql in contenders.values():
        await server_ms(conn, sql)  # warm the catalog caches once
    for _ in range(runs):
        for name, sql in contenders.items():
            times[name].append(await server_ms(conn, sql))
    return {name: summary(values) for name, values in times.items()}


def summary(values: list[tuple[float, float]]) -> dict[str, float]:
    totals = [plan + execute for plan, execute in values]
    return {
        "median_ms": round(statistics.median(totals), 3),
        "p90_ms": round(support.percentile(totals, 90), 3),
        "planning_median_ms": round(statistics.median(p for p, _ in values), 3),
        "execution_median_ms": round(statistics.median(e for _, e in values), 3),
    }


async def client_round_trip_ms(url: str, runs: int) -> float:
    """pandadmin's whole sample as its monitor sees it: query, COPY transfer, parsing."""
    from pandadmin.core.database import DatabaseMonitor
    from pandadmin.core.urls import parse

    monitor = DatabaseMonitor(parse(url))
    try:
        await monitor.sample()
        durations = []
        for _ in range(runs):
            started = time.perf_counter()
            result = await monitor.sample()
            durations.append(time.perf_counter() - started)
            assert result.sample is not None, result.error
    finally:
        await monitor.close()
    return round(statistics.median(durations) * 1000, 3)


def contenders(server_version_num: int) -> tuple[dict[str, str], str | None, str | None]:
    """The queries to time; pg_activity's only when its wheel could be fetched."""
    ours = {
        "pandadmin": queries.activity(server_version_num),
        # The drill-down variant runs only for the environment whose detail is on screen.
        "pandadmin_with_sessions": queries.activity(server_version_num, sessions=True),
    }
    try:
        version, sql = pg_activity_sql.download()
    except pg_activity_sql.Unavailable as exc:
        return ours, None, str(exc)
    ours |= {
        "pg_activity_header": pg_activity_sql.header_query(sql, server_version_num, False),
        "pg_activity_header_db_size": pg_activity_sql.header_query(sql, server_version_num, True),
        "pg_activity_activity_list": pg_activity_sql.activity_query(sql, server_version_num),
    }
    return ours, version, None


# connections held -------------------------------------------------------------------


async def held_connections(server: EmbeddedPostgres, seconds: float) -> dict[str, int]:
    """pandadmin's backends per database after polling every 0.2 s for `seconds`."""
    urls = [server.url(name) for name in DATABASES]
    config = support.build_config([[] for _ in DATABASES], interval=0.2)
    poller = Poller(config, support.secrets_for(config, urls), lambda r: None)
    poller.start()
    try:
        await asyncio.sleep(seconds)
        conn = await asyncpg.connect(server.url())
        try:
            rows = await conn.fetch(
                "SELECT datname, count(*) AS n FROM pg_stat_activity "
                "WHERE application_name = 'pandadmin' GROUP BY datname"
            )
        finally:
            await conn.close()
    finally:
        await poller.close()
    return {name: next((r["n"] for r in rows if r["datname"] == name), 0) for name in DATABASES}


# the run ------------------------------------------------------------------------------


async def measure(server: EmbeddedPostgres, backends: int, runs: int) -> dict[str, Any]:
    await support.create_databases(server, DATABASES)
    crowd = Crowd(server, backends)
    try:
        open_s = await crowd.open()
        held = await held_connections(server, seconds=3.0)
        conn = await asyncpg.connect(server.url(DATABASES[0]))
        try:
            number = int(await conn.fetchval("SHOW server_version_num"))
            clients = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
            )
            queries_by_name, version, problem = contenders(number)
            timings = await compare(conn, queries_by_name, runs)
        finally:
            await conn.close()
        round_trip = await client_round_trip_ms(server.url(DATABASES[0]), runs)
    finally:
        crowd.close()
    return {
        "client_backends": clients, "open_backends_s": round(open_s, 1), "held": held,
        "server_times": timings, "pg_activity_version": version, "pg_activity_problem": problem,
        "pandadmin_round_trip_ms": round_trip, "server_version_num": number, "runs": runs,
    }  # fmt: skip


def numbers(raw: dict[str, Any]) -> dict[str, Any]:
    times = raw["server_times"]
    ours = times["pandadmin"]["median_ms"]
    header = times.get("pg_activity_header", {}).get("median_ms")
    ratio = round(ours / header, 2) if header else None
    # pg_activity's every refresh sends its header query and its activity list query.
    listing = times.get("pg_activity_activity_list", {}).get("median_ms")
    refresh_ratio = round(ours / (header + listing), 2) if header and listing else None
    return {
        **raw,
        "connections_per_database_max": max(raw["held"].values()),
        "one_connection_per_database": set(raw["held"].values()) == {1},
        "pandadmin_server_ms": ours,
        "pandadmin_with_sessions_server_ms": times["pandadmin_with_sessions"]["median_ms"],
        "pg_activity_header_server_ms": header,
        "ratio_to_pg_activity_header": ratio,
        "ratio_to_pg_activity_refresh": refresh_ratio,
        "ratio_goal": RATIO_GOAL,
        "ratio_goal_met": None if ratio is None else ratio <= RATIO_GOAL,
        "method": "EXPLAIN (ANALYZE, TIMING OFF) planning+execution, median of interleaved runs",
        "machine": support.machine(),
    }


def report(n: dict[str, Any]) -> None:
    held = " ".join(f"{name}={count}" for name, count in n["held"].items())
    rows: list[tuple[object, object, object, bool | None]] = [
        ("client backends connected", n["client_backends"], "", None),
        ("pandadmin connections per database", held, "1 each", n["one_connection_per_database"]),
        ("pandadmin sample, client round trip (ms)", n["pandadmin_round_trip_ms"], "", None),
    ]
    for name, values in n["server_times"].items():
        rows.append((f"{name}: server time (ms)", values["median_ms"], "", None))
    ratio = n["ratio_to_pg_activity_header"]
    rows.append(("pandadmin / pg_activity header", ratio, "<= 1.0", n["ratio_goal_met"]))
    rows.append(("pandadmin / pg_activity refresh", n["ratio_to_pg_activity_refresh"], "", None))
    if n["pg_activity_problem"]:
        rows.append(("pg_activity SQL", "unavailable: " + n["pg_activity_problem"], "", None))
    support.print_table(f"footprint at {n['client_backends']} client backends", rows)


async def run(backends: int, runs: int) -> dict[str, Any]:
    with EmbeddedPostgres(max_connections=backends + 30) as server:
        return numbers(await measure(server, backends, runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", type=int, default=500)
    parser.add_argument("--runs", type=int, default=40)
    options = parser.parse_args()
    result = asyncio.run(run(options.backends, options.runs))
    report(result)
    support.save_results("footprint", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
