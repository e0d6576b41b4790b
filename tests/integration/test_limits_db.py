"""Each connection limit counts its own connections, on a real server that sets them all.

A server with `superuser_reserved_connections` and `reserved_connections` (PostgreSQL 16+)
above zero, a role with `rolconnlimit` and a database with `datconnlimit`; connections
opened for real. The monitor's report must show, for the binding limit, its own count:
a role limit counts that role's connections, a database limit that database's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from pandadmin.cli.check import render_table
from pandadmin.core.config import Config, Environment
from pandadmin.core.database import DatabaseMonitor
from pandadmin.core.models import DatabaseResult
from pandadmin.core.report import build_report
from pandadmin.core.urls import parse
from pandadmin.demo.pgserver import EmbeddedPostgres

MAX_CONNECTIONS, SUPERUSER_RESERVED, RESERVED = 40, 2, 3
SERVER_LIMIT = MAX_CONNECTIONS - SUPERUSER_RESERVED - RESERVED  # 35
ROLE_LIMIT, DATABASE_LIMIT = 6, 8


@pytest.fixture(scope="module")
def lpg() -> Iterator[EmbeddedPostgres]:
    settings = {
        "superuser_reserved_connections": str(SUPERUSER_RESERVED),
        "reserved_connections": str(RESERVED),
    }
    server = EmbeddedPostgres(max_connections=MAX_CONNECTIONS, settings=settings)
    server.start()
    server.create_role("capped", "capped-pw", monitor=True, connection_limit=ROLE_LIMIT)
    server.create_role("plain", "plain-pw", monitor=True)
    server.create_database("limited")
    server.sql(f"ALTER DATABASE limited CONNECTION LIMIT {DATABASE_LIMIT}")
    server.create_database("spacious")
    yield server
    server.close()


@asynccontextmanager
async def held(urls: list[str]) -> AsyncIterator[None]:
    """Connections open (idle) for the duration of the block."""
    conns = await asyncio.gather(*(asyncpg.connect(url) for url in urls))
    try:
        yield
    finally:
        await asyncio.gather(*(conn.close() for conn in conns))


async def settled_sample(monitor: DatabaseMonitor, total: int) -> DatabaseResult:
    """A sample once the server shows `total` client connections: backends of connections
    closed by an earlier test leave the server a moment after the client closed them."""
    deadline = time.monotonic() + 30
    while True:
        result = await monitor.sample()
        assert result.error is None and result.sample is not None
        if result.sample.total == total or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)


async def database_json(url: str, plan_limit: int, total: int) -> dict[str, Any]:
    """One real sample by the monitor, judged and rendered as `check --json` renders it."""
    monitor = DatabaseMonitor(parse(url))
    try:
        result = await settled_sample(monitor, total)
    finally:
        await monitor.close()
    env = Environment("prod", plan=None, connection_limit=plan_limit)
    report = build_report(Config((env,)), env, (), result, None, time.time())
    database = report.to_json()["database"]
    database["reasons"] = list(report.reasons)
    database["table"] = render_table([report])
    return database


def judged(lpg: EmbeddedPostgres, monitor_url: str, others: list[str], plan: int) -> Any:
    """The monitor's report while `others` are connected (the monitor's own is one more)."""

    async def main() -> dict[str, Any]:
        async with held(others):
            return await database_json(monitor_url, plan, total=len(others) + 1)

    return asyncio.run(main())


def usage(database: dict[str, Any]) -> tuple[str, int, int, float]:
    return (
        database["limit_source"],
        database["effective_limit"],
        database["headroom"],
        database["utilization"],
    )


def test_the_server_reads_every_limit(lpg: EmbeddedPostgres) -> None:
    database = judged(lpg, lpg.url("limited", "capped", "capped-pw"), [], plan=1000)
    assert database["server_version"].split(".")[0] >= "16"
    assert database["max_connections"] == MAX_CONNECTIONS
    limits = {c["source"]: (c["limit"], c["used"]) for c in database["limits"]}
    assert limits == {
        "plan": (1000, 1),
        "server": (SERVER_LIMIT, 1),
        "role": (ROLE_LIMIT, 1),
        "database": (DATABASE_LIMIT, 1),
    }


def test_a_role_limit_counts_only_that_roles_connections(lpg: EmbeddedPostgres) -> None:
    """The role capped at 6 has 4 connections among 20 on the server: 4/6, not 20/6."""
    mine = [lpg.url("spacious", "capped", "capped-pw")] * 3  # + the monitor's own = 4
    others = [lpg.url("spacious")] * 16
    database = judged(lpg, lpg.url("spacious", "capped", "capped-pw"), mine + others, plan=1000)
    assert database["connections"]["total"] == 20
    assert usage(database) == ("role", ROLE_LIMIT, 2, round(4 / 6, 4))
    assert database["status"] == "ok"  # 67 % of the role's limit
    assert " 4/6 (67%, role limit) " in database["table"]


def test_a_database_limit_counts_only_that_databases_connections(
    lpg: EmbeddedPostgres,
) -> None:
    """`limited` (8) has 7 connections among 20: 7/8 and a warning, not 20/8."""
    mine = [lpg.url("limited")] * 6  # + the monitor's own = 7
    others = [lpg.url("spacious", "plain", "plain-pw")] * 13
    database = judged(lpg, lpg.url("limited", "plain", "plain-pw"), mine + others, plan=1000)
    assert database["connections"]["total"] == 20
    assert usage(database) == ("database", DATABASE_LIMIT, 1, round(7 / 8, 4))
    assert database["reasons"] == ["connections at 88% of limit 8 (database limit)"]


def test_the_plan_binds_when_its_headroom_is_the_least(lpg: EmbeddedPostgres) -> None:
    """The role's limit (6) is the lowest number, but the role has 1 connection: the plan
    (22, 20 in use) has the least headroom and binds, 20/22."""
    others = [lpg.url("spacious")] * 19
    database = judged(lpg, lpg.url("spacious", "capped", "capped-pw"), others, plan=22)
    assert usage(database) == ("plan", 22, 2, round(20 / 22, 4))
    assert database["reasons"] == ["connections at 91% of limit 22"]


def test_reserved_slots_make_the_server_bind(lpg: EmbeddedPostgres) -> None:
    """max_connections 40 - 2 superuser-reserved - 3 reserved = 35 usable slots."""
    others = [lpg.url("spacious")] * 29
    database = judged(lpg, lpg.url("spacious", "plain", "plain-pw"), others, plan=1000)
    assert usage(database) == ("server", SERVER_LIMIT, 5, round(30 / 35, 4))
    assert database["reasons"] == ["connections at 86% of limit 35 (server limit)"]
