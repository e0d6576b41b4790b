"""Migration status per environment: Alembic scripts read statically, compared with the
rows of the database's version table; plus the environment matrix the GUI shows.

Status rules live in `pandadmin.core.revision_graph` (module docstring).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg

from pandadmin.core.alembic_config import ScriptLocationError
from pandadmin.core.alembic_scripts import Revision, RevisionReader, ScriptSet
from pandadmin.core.revision_graph import (
    ERROR,
    NOT_CONFIGURED,
    NOT_INITIALIZED,
    STATUSES,
    UP_TO_DATE,
    RevisionGraph,
    evaluate,
)

__all__ = [
    "DEFAULT_VERSION_TABLE",
    "STATUSES",
    "MatrixRow",
    "MigrationMatrix",
    "MigrationStatus",
    "Revision",
    "RevisionReader",
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


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    """Where one environment's database stands against its scripts."""

    status: str
    database_revisions: tuple[str, ...]
    heads: tuple[str, ...]
    pending: tuple[Revision, ...]
    error: str | None
    unreadable: tuple[str, ...] = ()  # "file.py: reason" for files that could not be read
    warnings: tuple[str, ...] = ()  # graph problems Alembic would warn about or refuse
    detail: str | None = None  # why ahead / diverged / multiple_heads

    def to_json(self) -> dict[str, Any]:
        """The `migrations` object of `check --json` (DESIGN.md) plus extra keys."""
        return {
            "status": self.status,
            "database_revisions": list(self.database_revisions),
            "heads": list(self.heads),
            "pending": [rev.revision for rev in self.pending],
            "error": self.error,
            "pending_messages": [rev.message for rev in self.pending],
            "unreadable": list(self.unreadable),
            "warnings": list(self.warnings),
            "detail": self.detail,
        }


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
    graph = RevisionGraph.build(scripts.revisions if scripts else ())
    unreadable = tuple(f"{name}: {why}" for name, why in scripts.unreadable) if scripts else ()
    errors = [e for e in (script_error, db_error) if e]
    if errors:
        found = rows or ()
        return MigrationStatus(ERROR, found, graph.heads, (), "; ".join(errors), unreadable)
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


# --- the environment matrix -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One environment in the migrations matrix."""

    environment: str
    database_revisions: tuple[str, ...]
    heads: tuple[str, ...]
    pending_count: int
    status: str


@dataclass(frozen=True, slots=True)
class MigrationMatrix:
    """Environments side by side, and which ones drift from the others.

    The reference state is the database revisions of the environments that are up to
    date (else the most common state); `drifted` are the environments elsewhere.
    Environments whose state is unknown (error, not configured) are never counted.
    """

    rows: tuple[MatrixRow, ...]
    reference: tuple[str, ...] | None
    drifted: tuple[str, ...]
    unknown: tuple[str, ...]
    summary: str

    @classmethod
    def from_statuses(cls, statuses: Mapping[str, MigrationStatus]) -> MigrationMatrix:
        rows = tuple(_row(env, status) for env, status in statuses.items())
        known = {r.environment: r.database_revisions for r in rows if _is_known(r.status)}
        reference = _reference(rows, known)
        drifted = tuple(env for env, revs in known.items() if revs != reference)
        unknown = tuple(r.environment for r in rows if not _is_known(r.status))
        return cls(rows, reference, drifted, unknown, _summary(known, drifted))

    @property
    def in_sync(self) -> bool:
        return not self.drifted


def _row(env: str, status: MigrationStatus) -> MatrixRow:
    return MatrixRow(
        env, status.database_revisions, status.heads, len(status.pending), status.status
    )


def _is_known(status: str) -> bool:
    return status not in (ERROR, NOT_CONFIGURED)


def _reference(
    rows: tuple[MatrixRow, ...], known: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...] | None:
    current = [known[r.environment] for r in rows if r.status == UP_TO_DATE]
    candidates = current or list(known.values())
    if not candidates:
        return None
    # most_common keeps first-seen order on ties, i.e. the caller's environment order.
    return Counter(candidates).most_common(1)[0][0]


def _summary(known: Mapping[str, tuple[str, ...]], drifted: tuple[str, ...]) -> str:
    if not known:
        return "no database state known"
    groups: dict[tuple[str, ...], list[str]] = {}
    for env, revs in known.items():
        groups.setdefault(revs, []).append(env)
    if not drifted:
        return f"all at {_revs(next(iter(groups)))}"
    return "; ".join(f"{', '.join(envs)} at {_revs(revs)}" for revs, envs in groups.items())


def _revs(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else NOT_INITIALIZED.replace("_", " ")
