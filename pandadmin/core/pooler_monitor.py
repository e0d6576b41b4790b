"""One persistent admin-console connection per PgBouncer, re-opened with backoff.

The admin console speaks only the simple query protocol, which asyncpg cannot use for
a SELECT-like command ("extended query protocol not supported by admin console"), so
this side uses psycopg 3's AsyncConnection. Like the database monitor, a failure is a
PoolerResult with a readable error (never the password), never an exception.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import replace
from typing import Any, Protocol

import psycopg
from psycopg.rows import DictRow, dict_row

from pandadmin.core import queries
from pandadmin.core.backoff import Backoff
from pandadmin.core.models import DatabaseResult
from pandadmin.core.pooler import (
    PoolerResult,
    PoolerSample,
    attribute_servers,
    parse_sample,
)
from pandadmin.core.urls import DatabaseUrl, for_libpq, redact, scrub

Connection = psycopg.AsyncConnection[DictRow]
QUERIES = ("SHOW POOLS", "SHOW DATABASES", "SHOW CONFIG", "SHOW SERVERS")
LOST = (psycopg.OperationalError, psycopg.InterfaceError, TimeoutError)


class Fetcher(Protocol):
    """What the attribution needs from the database monitor."""

    async def fetch(self, query: str, *args: object) -> list[Any]: ...


class PoolerMonitor:
    """Samples one PgBouncer; never runs two commands at once on its connection."""

    def __init__(
        self,
        url: DatabaseUrl,
        *,
        connect_timeout: float = 5.0,
        command_timeout: float = 3.0,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
    ) -> None:
        self.url = url
        self.connect_timeout = url.connect_timeout or connect_timeout
        self.command_timeout = command_timeout
        self.backoff = Backoff(backoff_base, backoff_cap)
        self._conn: Connection | None = None
        self._lock = asyncio.Lock()
        self._last_error: PoolerResult | None = None
        self.last_seen: float | None = None

    async def sample(self) -> PoolerResult:
        async with self._lock:
            if self._conn is None and self.backoff.waiting() and self._last_error:
                return self._last_error  # backing off
            try:
                return self._succeeded(await self._sample_with_reconnect())
            except Exception as exc:  # every failure becomes a readable result
                return await self._failed(exc)

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    # internals -----------------------------------------------------------------

    async def _sample_with_reconnect(self) -> PoolerSample:
        fresh = self._conn is None
        try:
            return await self._query(await self._connection())
        except LOST:
            await self._drop()
            if fresh:
                raise
        # A restarted pooler (or an idle timeout) dropped the held connection: one
        # immediate reconnect makes this poll truthful instead of a false alarm.
        return await self._query(await self._connection())

    async def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            async with asyncio.timeout(self.connect_timeout + 1):
                self._conn = await psycopg.AsyncConnection.connect(
                    for_libpq(self.url),
                    autocommit=True,
                    row_factory=dict_row,
                    connect_timeout=max(1, round(self.connect_timeout)),
                )
        return self._conn

    async def _query(self, conn: Connection) -> PoolerSample:
        rows: list[list[DictRow]] = []
        async with asyncio.timeout(self.command_timeout):
            for query in QUERIES:
                cursor = await conn.execute(query)
                rows.append(await cursor.fetchall())
        pools, databases, config, servers = rows
        return parse_sample(pools, databases, config, servers, time.time())

    def _succeeded(self, sample: PoolerSample) -> PoolerResult:
        self.backoff.succeeded()
        self._last_error = None
        self.last_seen = sample.taken_at
        return PoolerResult(redact(self.url), sample.taken_at, sample, last_seen=self.last_seen)

    async def _failed(self, exc: BaseException) -> PoolerResult:
        await self._drop()
        self.backoff.failed()
        message = scrub(describe_error(exc, self.url, self.connect_timeout), self.url)
        self._last_error = PoolerResult(
            redact(self.url), time.time(), error=message, last_seen=self.last_seen
        )
        return self._last_error

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.closed:
            try:
                await asyncio.wait_for(conn.close(), 1.0)
            except Exception:  # a dead socket: nothing more to release
                pass


def describe_error(exc: BaseException, url: DatabaseUrl, timeout: float) -> str:
    """One sentence for a failed admin-console connect or command."""
    where = f"{url.host}:{url.port}"
    if isinstance(exc, TimeoutError):
        return f"no answer from {where} within {timeout:g} s"
    text = _server_message(str(exc))
    if "password authentication failed" in text:
        return f"admin console login failed for user {url.user!r}: wrong password"
    if "connection refused" in text.lower():
        return f"connection refused by {where}"
    if isinstance(exc, psycopg.Error) and _is_lost(text):
        return f"connection to {where} lost: {text}"
    return text or type(exc).__name__


def _server_message(text: str) -> str:
    """libpq's 'connection to server at "h", port p failed: FATAL:  why' reduced to 'why'."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = first.rsplit(" failed: ", 1)[-1]
    return re.sub(r"^(FATAL|ERROR):\s+", "", first)[:200]


def _is_lost(text: str) -> bool:
    lowered = text.lower()
    return any(k in lowered for k in ("closed the connection", "terminat", "consuming input"))


async def attribute_to_pooler(
    db: DatabaseResult, monitor: Fetcher, pooler: PoolerResult | None
) -> DatabaseResult:
    """The database result with the pooler's server connections shown under the pooler.

    One extra round trip (bound pids), only when both samples arrived; if it fails the
    breakdown stays as PostgreSQL reported it rather than failing the poll.
    """
    if db.sample is None or pooler is None or pooler.sample is None:
        return db
    pids = list(pooler.sample.server_pids)
    if not pids:
        return db
    try:
        rows = await monitor.fetch(queries.load("pooler_backends.sql"), pids)
    except Exception:  # the monitor reports its own failures on the next poll
        return db
    pooled = {str(r["application"]): int(r["n"]) for r in rows}
    by_application = attribute_servers(db.sample.by_application, pooled)
    return replace(db, sample=replace(db.sample, by_application=by_application))
