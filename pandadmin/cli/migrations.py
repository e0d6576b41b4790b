"""`pandadmin migrations`: the revision-by-environment matrix for a terminal or a CI step.

Exit codes: 2 when an environment is ahead, diverged or has unmerged heads (someone must
look before deploying), 1 when one is behind, not initialized or could not be read (or is
named but has no Alembic scripts), 0 when every environment is up to date. Bad input is
exit 2 as for every command.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from pandadmin.cli.errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError
from pandadmin.cli.support import load_config, require_env
from pandadmin.core.migration_status import MigrationState

if TYPE_CHECKING:  # the handler imports these: `pandadmin --help` stays light
    from pandadmin.core.config import Config
    from pandadmin.core.migration_matrix import RevisionMatrix
    from pandadmin.core.migration_status import MigrationStatus


def register(parser: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin migrations` (main.py names the command and its one-line help)."""
    parser.add_argument("environments", nargs="*", metavar="ENV")
    parser.add_argument("--json", action="store_true", help="print the matrix as JSON")
    parser.add_argument(
        "--all", action="store_true", help="also list every revision applied everywhere"
    )
    parser.set_defaults(handler=run_migrations)


def run_migrations(args: argparse.Namespace) -> int:
    import asyncio

    from pandadmin.core.migration_matrix import KEEP_APPLIED, RevisionMatrix

    config = load_config(args.config)
    for name in args.environments:
        require_env(config, name)
    names = args.environments or [e.name for e in config.environments]
    if not names:
        raise UsageError("no environments configured: add one with `pandadmin env add`")
    statuses = asyncio.run(_read(config, names))
    matrix = RevisionMatrix.build(statuses, None if args.all else KEEP_APPLIED)
    print(json.dumps(matrix.to_json(), indent=2) if args.json else render(matrix))
    return exit_code(statuses, named=bool(args.environments))


async def _read(config: Config, names: list[str]) -> dict[str, MigrationStatus]:
    from pandadmin.core.migration_probe import read_statuses
    from pandadmin.core.secrets import AsyncSecrets, open_store

    secrets = AsyncSecrets(open_store(config))
    try:
        return await read_statuses(config, names, secrets)
    finally:
        secrets.close()


def exit_code(statuses: dict[str, MigrationStatus], *, named: bool) -> int:
    """2 if any environment needs a look, else 1 if any is not up to date, else 0.

    An environment without Alembic scripts counts only when it was named."""
    from pandadmin.core.migration_matrix import ODD

    considered = [
        s.status for s in statuses.values() if named or s.status != MigrationState.NOT_CONFIGURED
    ]
    if any(status in ODD for status in considered):
        return EXIT_USAGE  # the same number, another meaning: DESIGN's contract for this command
    if any(status != MigrationState.UP_TO_DATE for status in considered):
        return EXIT_FAILURE
    return EXIT_OK


def render(matrix: RevisionMatrix) -> str:
    """A plain-text table: revision, created, one column per environment, message last."""
    from pandadmin.core.migration_matrix import date_text

    envs = [c.environment for c in matrix.columns]
    rows = [("REVISION", "CREATED", *envs, "MESSAGE")]
    for row in matrix.rows:
        marks = ", ".join(m.replace("_", " ") for m in row.marks)
        revision = row.revision.revision + (f" ({marks})" if marks else "")
        cells = (c.replace("_", " ") for c in row.cells)
        rows.append((revision, date_text(row.revision.create_date), *cells, row.revision.message))
    lines = _aligned(rows)
    if matrix.folded:
        lines.append(f"... {matrix.folded} older revisions applied everywhere (--all lists them)")
    lines.append("")
    lines += [f"{c.environment}: {matrix.state_text(c)}" for c in matrix.columns]
    lines += [f"{name}: no Alembic scripts configured" for name in matrix.not_configured]
    return "\n".join(lines)


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]
        ).rstrip()
        for row in rows
    ]
