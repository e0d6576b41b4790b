"""The revision-by-environment matrix: every revision any environment's scripts know, newest
first, against every environment's database; what is applied everywhere is folded.

It is a function of the environments' `MigrationStatus` values (scripts read statically,
version-table rows), so the drift tab and `pandadmin migrations --json` cannot disagree.
Revisions are joined across environments by id: one checkout may be newer than another,
and what a database holds is judged with every checkout's knowledge (a row unknown to its
own scripts may be known to another environment's).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pandadmin.core.alembic_config import ScriptLocation
from pandadmin.core.alembic_scripts import Revision
from pandadmin.core.migration_status import MigrationState, MigrationStatus
from pandadmin.core.revision_graph import RevisionGraph

KEEP_APPLIED = 3  # revisions applied everywhere still shown above the fold
# An environment somewhere unexpected: someone should look before deploying.
ODD = (MigrationState.AHEAD, MigrationState.DIVERGED, MigrationState.MULTIPLE_HEADS)


class Cell(StrEnum):
    """One revision in one environment."""

    APPLIED = "applied"
    PENDING = "pending"
    NOT_IN_SCRIPTS = "not_in_scripts"  # this environment's checkout does not have it
    APPLIED_NOT_IN_SCRIPTS = "applied_not_in_scripts"  # the database has it, the checkout not
    UNKNOWN = "unknown"  # the environment's state could not be read


class Mark(StrEnum):
    """Where a revision sits in the graph of all checkouts."""

    HEAD = "head"
    MERGE = "merge"
    BRANCH_POINT = "branch_point"


@dataclass(frozen=True, slots=True)
class Column:
    """One environment: its migration status and why it is where it is."""

    environment: str
    status: MigrationState
    detail: str | None  # the reason for ahead / diverged / multiple_heads, or the error
    database_revisions: tuple[str, ...]
    heads: tuple[str, ...]
    location: ScriptLocation | None

    @property
    def odd(self) -> bool:
        return self.status in ODD


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One revision, its marks, and one cell per column (in column order)."""

    revision: Revision
    marks: tuple[Mark, ...]
    cells: tuple[Cell, ...]

    @property
    def file_name(self) -> str:
        return Path(self.revision.path).name


@dataclass(frozen=True, slots=True)
class RevisionMatrix:
    """Shown rows newest first; `folded` more revisions are applied everywhere."""

    columns: tuple[Column, ...]
    rows: tuple[MatrixRow, ...]
    folded: int
    not_configured: tuple[str, ...]
    graph: RevisionGraph  # every checkout's revisions joined by id

    @classmethod
    def build(
        cls, statuses: Mapping[str, MigrationStatus], keep_applied: int | None = KEEP_APPLIED
    ) -> RevisionMatrix:
        """`keep_applied=None` shows every revision (nothing folded)."""
        configured = {
            n: s for n, s in statuses.items() if s.status != MigrationState.NOT_CONFIGURED
        }
        graph = RevisionGraph.build(_joined(s.scripts for s in configured.values()))
        columns = tuple(_column(name, status) for name, status in configured.items())
        judges = [_Judge(graph, status) for status in configured.values()]
        marks = _marks(graph)
        rows = [
            MatrixRow(graph.revisions[rid], marks.get(rid, ()), tuple(j.cell(rid) for j in judges))
            for rid in newest_first(graph)
        ]
        shown, folded = _fold(rows, keep_applied)
        not_configured = tuple(n for n in statuses if n not in configured)
        return cls(columns, shown, folded, not_configured, graph)

    def row(self, revision: str) -> MatrixRow | None:
        return next((r for r in self.rows if r.revision.revision == revision), None)

    def needed_by(self, row: MatrixRow) -> tuple[str, ...]:
        """Environments whose database still lacks this revision."""
        return tuple(
            c.environment for c, cell in zip(self.columns, row.cells, strict=True)
            if cell is Cell.PENDING
        )  # fmt: skip

    def pending(self, environment: str) -> tuple[str, ...]:
        """What `environment` still needs, in upgrade order (pending rows are never folded,
        and oldest-first is an upgrade order: newest-first puts dependants first)."""
        index = [c.environment for c in self.columns].index(environment)
        return tuple(
            r.revision.revision for r in reversed(self.rows) if r.cells[index] is Cell.PENDING
        )

    def state_text(self, column: Column, *, why: bool = True) -> str:
        """One environment in a few words: `2 pending`, `up to date`, `ahead: why`."""
        words = column.status.replace("_", " ")
        if column.odd or column.status == MigrationState.ERROR:
            return f"{words}: {column.detail}" if column.detail and why else words
        count = len(self.pending(column.environment))
        if column.status == MigrationState.NOT_INITIALIZED:
            return f"{words}, {count} pending"
        return f"{count} pending" if count else words

    def to_json(self) -> dict[str, Any]:
        """The document `pandadmin migrations --json` prints."""
        return {
            "environments": [self._column_json(c) for c in self.columns],
            "revisions": [self._row_json(r) for r in self.rows],
            "folded": self.folded,
            "not_configured": list(self.not_configured),
        }

    def _column_json(self, column: Column) -> dict[str, Any]:
        return {
            "name": column.environment,
            "status": column.status.value,
            "detail": column.detail,
            "database_revisions": list(column.database_revisions),
            "heads": list(column.heads),
            "pending": list(self.pending(column.environment)),
            "config": column.location.config_file if column.location else None,
        }

    def _row_json(self, row: MatrixRow) -> dict[str, Any]:
        rev = row.revision
        return {
            "revision": rev.revision,
            "message": rev.message,
            "create_date": rev.create_date.isoformat() if rev.create_date else None,
            "file": rev.path,
            "down_revisions": list(rev.down_revisions),
            "branch_labels": list(rev.branch_labels),
            "depends_on": list(rev.depends_on),
            "marks": [str(m) for m in row.marks],
            "cells": {
                c.environment: str(cell) for c, cell in zip(self.columns, row.cells, strict=True)
            },
            "needed_by": list(self.needed_by(row)),
        }


# --- building ---------------------------------------------------------------------------


def _joined(script_sets: Iterable[tuple[Revision, ...]]) -> list[Revision]:
    """Every checkout's revisions, one per id (the first environment's copy wins)."""
    by_id: dict[str, Revision] = {}
    for revisions in script_sets:
        for rev in revisions:
            by_id.setdefault(rev.revision, rev)
    return list(by_id.values())


def _column(name: str, status: MigrationStatus) -> Column:
    detail = status.error if status.status == MigrationState.ERROR else status.detail
    return Column(
        name, status.status, detail, status.database_revisions, status.heads, status.location
    )


class _Judge:
    """Decides the cells of one environment against the joined graph."""

    def __init__(self, graph: RevisionGraph, status: MigrationStatus) -> None:
        self.own = frozenset(r.revision for r in status.scripts)
        self.applied = graph.ancestors(status.database_revisions)
        self.error = status.status == MigrationState.ERROR
        # Ahead with rows no checkout knows: what lies below them cannot be told.
        unknown_rows = any(r not in graph.revisions for r in status.database_revisions)
        self.unsure = status.status == MigrationState.AHEAD and unknown_rows

    def cell(self, revision: str) -> Cell:
        if self.error:
            return Cell.UNKNOWN
        if revision in self.applied:
            return Cell.APPLIED if revision in self.own else Cell.APPLIED_NOT_IN_SCRIPTS
        if revision not in self.own:
            return Cell.NOT_IN_SCRIPTS
        return Cell.UNKNOWN if self.unsure else Cell.PENDING


def _marks(graph: RevisionGraph) -> dict[str, tuple[Mark, ...]]:
    """The marked revisions only (most have none), in HEAD, MERGE, BRANCH_POINT order."""
    marks: dict[str, tuple[Mark, ...]] = {}
    for mark, revisions in (
        (Mark.HEAD, graph.heads),
        (Mark.MERGE, graph.merge_points),
        (Mark.BRANCH_POINT, graph.branch_points),
    ):
        for revision in revisions:
            marks[revision] = (*marks.get(revision, ()), mark)
    return marks


def newest_first(graph: RevisionGraph) -> list[str]:
    """Every revision after everything that builds on it; among those free to go next,
    the latest `Create Date` first (then the id), so a linear history reads top-down."""
    waiting_on = {r: 0 for r in graph.revisions}  # descendants not yet placed
    for rid in graph.revisions:
        for below in graph.parents[rid] + graph.dependencies[rid]:
            waiting_on[below] += 1
    ready = [(_age_key(graph.revisions[r]), r) for r, n in waiting_on.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, rid = heapq.heappop(ready)
        order.append(rid)
        for below in graph.parents[rid] + graph.dependencies[rid]:
            waiting_on[below] -= 1
            if waiting_on[below] == 0:
                heapq.heappush(ready, (_age_key(graph.revisions[below]), below))
    placed = set(order)
    return order + sorted(r for r in graph.revisions if r not in placed)  # cycles last


def _age_key(revision: Revision) -> float:
    """Smaller is newer; undated revisions come after dated ones."""
    created = revision.create_date
    if created is None:
        return math.inf
    aware = created if created.tzinfo else created.replace(tzinfo=UTC)  # Alembic's default
    return -aware.timestamp()


def _fold(rows: list[MatrixRow], keep_applied: int | None) -> tuple[tuple[MatrixRow, ...], int]:
    """Keep every unsettled row and the newest `keep_applied` settled ones."""
    if keep_applied is None:
        return tuple(rows), 0
    shown: list[MatrixRow] = []
    kept = folded = 0
    for row in rows:
        if not _settled(row):
            shown.append(row)
        elif kept < keep_applied:
            shown.append(row)
            kept += 1
        else:
            folded += 1
    return tuple(shown), folded


def _settled(row: MatrixRow) -> bool:
    """Applied in every environment whose state is known (and known somewhere)."""
    known = [cell for cell in row.cells if cell is not Cell.UNKNOWN]
    return bool(known) and all(cell is Cell.APPLIED for cell in known)


def date_text(created: datetime | None) -> str:
    """A Create Date as people read it: to the minute, with its offset when it has one."""
    if created is None:
        return ""
    return created.strftime("%Y-%m-%d %H:%M") + (created.strftime(" %z") if created.tzinfo else "")
