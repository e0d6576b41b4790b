"""The plain Alembic command lines that bring one environment's database to a revision.

Text for the clipboard or a terminal: pandadmin never runs them (nor any project code).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from pandadmin.core.migration_matrix import Column, RevisionMatrix

# What the Alembic CLI reads from its working directory when no `-c` is given. Its
# pyproject.toml default only applies beside no alembic.ini, so that one is always named.
DEFAULT_CONFIG = "alembic.ini"


def commands_for_all(matrix: RevisionMatrix, revision: str) -> str:
    """One block per environment that still needs `revision` (empty when none does)."""
    row = matrix.row(revision)
    needing = matrix.needed_by(row) if row else ()
    return "\n\n".join(upgrade_commands(matrix, revision, env) for env in needing)


def upgrade_commands(matrix: RevisionMatrix, revision: str, environment: str) -> str:
    """`alembic history -r` and `alembic upgrade` lines taking `environment` to `revision`."""
    column = next(c for c in matrix.columns if c.environment == environment)
    wanted = matrix.graph.ancestors([revision])
    missing = wanted - matrix.graph.ancestors(column.database_revisions)
    if not missing:
        return f"# {environment}: the database already has {revision}"
    alembic = _alembic(column)
    return "\n".join([
        f"# {environment}: {_where(column)}; upgrading to {revision} applies "
        f"{_count(len(missing))}",
        f"# (with env.py pointed at {environment}'s database)",
        *_cd(column),
        f"{alembic} history -r {_history_base(column, wanted)}:{revision}",
        f"{alembic} upgrade {revision}",
    ])  # fmt: skip


def _where(column: Column) -> str:
    rows = column.database_revisions
    return f"database at {', '.join(rows)}" if rows else "database not initialized"


def _count(number: int) -> str:
    return f"{number} revision{'s' if number != 1 else ''}"


def _history_base(column: Column, wanted: frozenset[str]) -> str:
    """The database's row below the target (history is inclusive); from base without one."""
    below = [row for row in column.database_revisions if row in wanted]
    return below[0] if below else ""


def _config(column: Column) -> Path | None:
    location = column.location
    return Path(location.config_file) if location and location.config_file else None


def _cd(column: Column) -> list[str]:
    # Alembic resolves a relative script_location from its working directory.
    config = _config(column)
    if config is None:
        return ["# (run from the folder holding the project's alembic.ini)"]
    return [f"cd {shlex.quote(str(config.parent))}"]


def _alembic(column: Column) -> str:
    config = _config(column)
    if config is None or config.name == DEFAULT_CONFIG:
        return "alembic"
    return f"alembic -c {shlex.quote(config.name)}"
