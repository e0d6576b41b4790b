"""One reading of some environments' migration state, for `pandadmin migrations`: the same
`migration_status` the poller runs, on one short-lived monitoring connection each."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

from pandadmin.core.config import Config, Environment
from pandadmin.core.database import DatabaseMonitor
from pandadmin.core.migration_status import MigrationState, MigrationStatus
from pandadmin.core.migrations import migration_status
from pandadmin.core.secrets import AsyncSecrets, SecretStoreError
from pandadmin.core.urls import UrlError, parse


async def read_statuses(
    config: Config, names: list[str], secrets: AsyncSecrets
) -> dict[str, MigrationStatus]:
    """Every named environment at once; every connection is closed before returning."""
    environments = [env for name in names if (env := config.environment(name)) is not None]
    statuses = await asyncio.gather(*(_read(env, secrets) for env in environments))
    return {env.name: status for env, status in zip(environments, statuses, strict=True)}


async def _read(env: Environment, secrets: AsyncSecrets) -> MigrationStatus:
    if not env.alembic:
        return MigrationStatus(MigrationState.NOT_CONFIGURED, (), (), (), None)
    try:
        raw = await secrets.get(env.name)
        monitor = DatabaseMonitor(parse(raw)) if raw else None
    except SecretStoreError as exc:
        return await _without_database(env, f"keyring: {exc}")
    except UrlError as exc:
        return await _without_database(env, f"the DATABASE_URL in the keyring is invalid: {exc}")
    if monitor is None:
        return await _without_database(env, "no DATABASE_URL stored for this environment")
    try:
        return await migration_status(monitor, env.alembic, env.version_table)
    finally:
        with contextlib.suppress(Exception):  # closing must not hide the status
            await monitor.close()


async def _without_database(env: Environment, why: str) -> MigrationStatus:
    """The scripts are still read (the matrix shows them), with `why` as the error."""
    status = await migration_status(None, env.alembic, env.version_table)
    return replace(status, error=(status.error or "").replace("database unreachable", why))
