"""Migration status per environment: Alembic scripts read statically, compared with the
rows of the database's version table. The revision-by-environment matrix built from these
statuses is `pandadmin.core.migration_matrix`.

Status rules live in `pandadmin.core.revision_graph` (module docstring).
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import asyncpg

from pandadmin.core.alembic_config import ScriptLocation, ScriptLocationError
from pandadmin.core.alembic_scripts import Revision, RevisionReader, ScriptSet
from pandadmin.core.migration_status import MigrationState, MigrationStatus
from pandadmin.core.revision_graph import (
    ERROR,
    NOT_CONFIGURED,
    STATUSES,
    RevisionGraph,
    evaluate,
)

__all__ = [
    "DEFAULT_VERSION_TABLE",
    "STATUSES",
    "MigrationState",
    "MigrationStatus",
    "Revision",
    "RevisionReader",
    "compare",
    "migration_status",
    "qualified_table",
    "quote_ident",
    "read_database_revisions",
]

DEFAULT_VERSION_TABLE = "alembic_version"
_TABLE_EXISTS = "SELECT to_regclass($1) IS NOT NULL"
# Failures that mean "could not read the database", as opposed to bugs in pandadmin.
_DB_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class VersionConnection(Protocol):
    """The part of `asyncpg.Connection` this module uses."""

    async def fetchval(self, query: str, *args: object) -> Any: ...

    async def fetch(self, query: str, *args: object) -> list[Any]: ...


def quote_ident(name: str) -> str:
    """Quote one SQL identifier the way PostgreSQL reads it back (case kept, `"` doubled)."""
    if not name or "\x00" in name:
        raise ValueError(f"invalid SQL identifier {name!r}")
    return '"' + name.replace('"', '""') + '"'


def qualified_table(version_table: str | None) -> str:
    """`table` or `schema.table` as a quoted SQL name; unqualified follows search_path."""
    schema, dot, table = (version_table or DEFAULT_VERSION_TABLE).partition(".")
    if not dot:
        return quote_ident(schema)
    return f"{quote_ident(schema)}.{quote_ident(table)}"


async def read_database_revisions(
    conn: VersionConnection, version_table: str | None
) -> tuple[str, ...] | None:
    """The version table's rows, sorted; None when the table does not exist."""
    name = qualified_table(version_table)
    if not await conn.fetchval(_TABLE_EXISTS, name):
        return None
    rows = await conn.fetch(f"SELECT version_num FROM {name}")  # identifier quoted above
    return tuple(sorted(str(row[0]) for row in rows))


async def migration_status(
    conn: VersionConnection | None,
    alembic_path: str | None,
    version_table: str | None,
    reader_cache: RevisionReader | None = None,
) -> MigrationStatus:
    """Read scripts (in a worker thread) and the version table, and compare them.

    `conn` is None when the database is unreachable: the status is `error`, but the
    scripts' heads are still reported.
    """
    if not alembic_path:
        return MigrationStatus(NOT_CONFIGURED, (), (), (), None)
    scripts, script_error = await _read_scripts(reader_cache or RevisionReader(), alembic_path)
    rows, db_error = await _read_rows(conn, version_table)
    unreadable = tuple(f"{name}: {why}" for name, why in scripts.unreadable) if scripts else ()
    revisions, location = (scripts.revisions, scripts.location) if scripts else ((), None)
    errors = [e for e in (script_error, db_error) if e]
    if errors:
        heads = RevisionGraph.build(revisions).heads
        return MigrationStatus(
            ERROR, rows or (), heads, (), "; ".join(errors), unreadable,
            scripts=revisions, location=location,
        )  # fmt: skip
    return compare(revisions, rows, location, unreadable)


def compare(
    revisions: tuple[Revision, ...],
    rows: tuple[str, ...] | None,
    location: ScriptLocation | None = None,
    unreadable: tuple[str, ...] = (),
) -> MigrationStatus:
    """Where a database with version rows `rows` (None: no table) stands against scripts."""
    graph = RevisionGraph.build(revisions)
    verdict = evaluate(graph, rows)
    return MigrationStatus(
        status=verdict.status,
        database_revisions=rows or (),
        heads=graph.heads,
        pending=tuple(graph.revisions[r] for r in verdict.pending),
        error=verdict.detail if verdict.status == ERROR else None,
        unreadable=unreadable,
        warnings=graph.problems,
        detail=None if verdict.status == ERROR else verdict.detail,
        scripts=revisions,
        location=location,
    )


async def _read_scripts(reader: RevisionReader, path: str) -> tuple[ScriptSet | None, str | None]:
    try:
        # File reads and parsing block; keep them off the event loop (and the Qt thread).
        return await asyncio.to_thread(reader.read, path), None
    except ScriptLocationError as exc:
        return None, str(exc)


async def _read_rows(
    conn: VersionConnection | None, version_table: str | None
) -> tuple[tuple[str, ...] | None, str | None]:
    if conn is None:
        return None, "database unreachable"
    try:
        return await read_database_revisions(conn, version_table), None
    except ValueError as exc:
        return None, f"version table: {exc}"
    except _DB_ERRORS as exc:
        table = version_table or DEFAULT_VERSION_TABLE
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return None, f"cannot read {table}: {reason}"
