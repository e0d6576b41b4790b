"""Database probe: one persistent, read-only monitoring connection per environment.

The held connection is what lets pandadmin keep reporting when the server is full:
a saturated database refuses new connections, not the one already open. The
activity query runs through COPY ... TO STDOUT, the simple-query protocol, so a poll is
one round trip even with `statement_cache_size=0` (needed behind PgBouncer).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from typing import Any

import asyncpg

from pandadmin.core import queries
from pandadmin.core.backoff import Backoff
from pandadmin.core.db_errors import LOST_CONNECTION, NoPassword, describe_connect_error
from pandadmin.core.libpq_params import ConnectParams, resolve
from pandadmin.core.models import ActivitySample, Backend, DatabaseResult
from pandadmin.core.urls import DatabaseUrl, redact, scrub

APPLICATION_NAME = "pandadmin"
MIN_SERVER_VERSION = 120000


class DatabaseMonitor:
    """Samples one database; never runs two queries at once on its connection."""

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
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._last_error: DatabaseResult | None = None
        self.last_seen: float | None = None

    async def sample(self, *, sessions: bool = False) -> DatabaseResult:
        """One poll; a failure is a DatabaseResult with `error`, never an exception.

        `sessions` adds the drill-down list of non-idle sessions with their query text.
        """
        async with self._lock:
            if self._conn is None and self.backoff.waiting() and self._last_error:
                return self._last_error  # backing off: don't hammer a struggling server
            try:
                return self._succeeded(await self._sample_with_reconnect(sessions))
            except Exception as exc:  # every failure becomes a readable result
                return self._failed(exc)

    async def fetchval(self, query: str, *args: object) -> Any:
        async with self._lock:
            return await (await self._connection()).fetchval(query, *args)

    async def fetch(self, query: str, *args: object) -> list[Any]:
        async with self._lock:
            return list(await (await self._connection()).fetch(query, *args))

    async def signal_backend(self, pid: int, *, terminate: bool) -> bool:
        """pg_terminate_backend or pg_cancel_backend; True when the server did it."""
        function = "pg_terminate_backend" if terminate else "pg_cancel_backend"
        return bool(await self.fetchval(f"SELECT {function}($1)", pid))

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    # internals -----------------------------------------------------------------

    async def _sample_with_reconnect(self, sessions: bool) -> ActivitySample:
        fresh = self._conn is None
        try:
            return await self._query(await self._connection(), sessions)
        except LOST_CONNECTION:
            await self._drop()
            if fresh:
                raise
        # The server dropped an idle monitor (restart, pg_terminate_backend, idle timeout):
        # one immediate reconnect makes this poll truthful instead of a false alarm.
        return await self._query(await self._connection(), sessions)

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._conn = await connect(self.url, self.connect_timeout, self.command_timeout)
        return self._conn

    async def _query(self, conn: asyncpg.Connection, sessions: bool) -> ActivitySample:
        version = conn.get_server_version()
        number = version.major * 10000 + version.minor
        if number < MIN_SERVER_VERSION:
            raise UnsupportedServer(f"PostgreSQL {version.major} is not supported (12 or newer)")
        sql = queries.activity(number, sessions=sessions)
        chunks: list[bytes] = []

        async def collect(chunk: bytes) -> None:
            # An async sink: with a file object asyncpg writes each chunk via the executor.
            chunks.append(chunk)

        await conn.copy_from_query(sql, output=collect, format="csv", timeout=self.command_timeout)
        row = next(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"))))
        return parse_sample(json.loads(row[0]), time.time())

    def _succeeded(self, sample: ActivitySample) -> DatabaseResult:
        self.backoff.succeeded()
        self._last_error = None
        self.last_seen = sample.taken_at
        return DatabaseResult(
            redact(self.url),
            sample.taken_at,
            sample,
            last_seen=self.last_seen,
            ignored=self.url.ignored,
        )

    def _failed(self, exc: BaseException) -> DatabaseResult:
        self._terminate()
        self.backoff.failed()
        message, full = describe_connect_error(exc, self.url, self.connect_timeout)
        self._last_error = DatabaseResult(
            redact(self.url),
            time.time(),
            error=scrub(message, self.url),
            last_seen=self.last_seen,
            refused_full=full,
            ignored=self.url.ignored,
        )
        return self._last_error

    async def _drop(self) -> None:
        self._terminate()

    def _terminate(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()  # never wait on a dead socket


class UnsupportedServer(Exception):
    """The server is older than PostgreSQL 12."""


async def connect(url: DatabaseUrl, timeout: float, command_timeout: float) -> asyncpg.Connection:
    """The monitoring connection: read-only, bounded, identified as `pandadmin`.

    The URL is resolved (service file, PG* variables, .pgpass, certificates) in a worker
    thread; the connect itself is the driver's usual round trips, nothing added.
    """
    params = await asyncio.to_thread(resolve, url)
    settings = {**params.server_settings, **monitor_settings(command_timeout)}
    timeout = params.timeout or timeout
    try:
        return await _connect(params, timeout, command_timeout, settings)
    except asyncpg.ProtocolViolationError as exc:
        if "startup parameter" not in str(exc):
            raise
    # PgBouncer rejects unknown startup parameters (pgbouncer#907): set them after connecting.
    conn = await _connect(params, timeout, command_timeout, {"application_name": APPLICATION_NAME})
    settable = {k: v for k, v in settings.items() if k not in ("options", "application_name")}
    calls = ", ".join(
        f"set_config(${2 * i + 1}, ${2 * i + 2}, false)" for i in range(len(settable))
    )
    await conn.execute(f"SELECT {calls}", *[x for pair in settable.items() for x in pair])
    return conn


def monitor_settings(command_timeout: float) -> dict[str, str]:
    """What every monitoring session runs with; these win over the URL's `options`."""
    return {
        "application_name": APPLICATION_NAME,
        "statement_timeout": str(int(command_timeout * 1000)),
        "default_transaction_read_only": "on",
        "idle_in_transaction_session_timeout": "10000",
    }


async def _connect(
    params: ConnectParams, timeout: float, command_timeout: float, settings: dict[str, str]
) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(
            **params.driver_kwargs(),
            timeout=timeout,
            command_timeout=command_timeout,
            statement_cache_size=0,
            server_settings=settings,
        )
    except asyncpg.InvalidPasswordError as exc:
        if params.password is None:
            raise NoPassword(params.password_note or "no password given") from exc
        raise


def parse_sample(data: dict[str, Any], taken_at: float) -> ActivitySample:
    """The activity query's JSON object as a frozen ActivitySample."""
    backends = tuple(_backend(b) for b in data.pop("backends") or ())
    data.update(data.pop("limits"))
    return ActivitySample(
        taken_at=taken_at,
        backends=backends,
        **{
            **data,
            "server_version": str(data["server_version"]),
            "oldest_transaction_s": _float(data["oldest_transaction_s"]),
            "longest_idle_in_transaction_s": _float(data["longest_idle_in_transaction_s"]),
            "role_connection_limit": _int(data["role_connection_limit"], -1),
            "database_connection_limit": _int(data["database_connection_limit"], -1),
        },
    )


def _backend(row: dict[str, Any]) -> Backend:
    return Backend(
        pid=int(row["pid"]),
        application=row["application"],
        user=row["user"],
        database=row["database"],
        client_addr=row["client_addr"],
        state=row["state"],
        transaction_age_s=_float(row["transaction_age_s"]),
        state_age_s=_float(row["state_age_s"]),
        wait_event_type=row["wait_event_type"],
        blocked_by=tuple(row["blocked_by"] or ()),
        query=row["query"],
        signalable=bool(row.get("signalable")),
    )


def _float(value: object) -> float | None:
    return float(value) if value is not None else None  # type: ignore[arg-type]


def _int(value: object, default: int) -> int:
    return int(value) if value is not None else default  # type: ignore[call-overload]
