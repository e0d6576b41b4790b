"""Apply an edit of one environment: its DATABASE_URL into the keyring, then the config file.

Used by the GUI's add/edit dialog. The keyring runs on AsyncSecrets' own thread and the
file write on a worker thread, so the caller's event loop never blocks; if the config
cannot be written, the keyring entries touched are put back.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

from pandadmin.core import config as cfg
from pandadmin.core.secrets import AsyncSecrets


@dataclass(frozen=True, slots=True)
class EnvironmentChange:
    """The environment as it should be; `url` None keeps the stored one; a different
    `previous_name` renames (the secret moves with it)."""

    env: cfg.Environment
    url: str | None
    previous_name: str | None


def check_alembic_path(path: str) -> None:
    """Raise ValueError unless `path` is a file or a script folder with `versions/`."""
    where = Path(path).expanduser()
    if where.is_dir():
        if not (where / "versions").is_dir():
            raise ValueError(
                f"{where} has no versions/ folder: give alembic.ini or the script folder"
            )
    elif not where.is_file():
        raise ValueError(f"Alembic path {where} does not exist")


async def save_config(config: cfg.Config, path: Path) -> None:
    await asyncio.to_thread(cfg.save, config, path)


def changed_config(config: cfg.Config, change: EnvironmentChange) -> cfg.Config:
    """The config with the environment added, replaced, or renamed in place."""
    old = change.previous_name
    if old is None or old == change.env.name:
        return config.with_environment(change.env)
    envs = tuple(change.env if e.name == old else e for e in config.environments)
    return replace(config, environments=envs)


async def apply_change(
    config: cfg.Config, change: EnvironmentChange, secrets: AsyncSecrets, path: Path
) -> cfg.Config:
    """Store the secret(s), then save the config; returns the new config."""
    new_config = changed_config(config, change)
    writes = await _secret_writes(change, secrets)
    before = {name: await secrets.get(name) for name in writes}
    try:
        await _write(secrets, writes)
        await save_config(new_config, path)
    except Exception:
        await _write(secrets, before)
        raise
    return new_config


async def _secret_writes(change: EnvironmentChange, secrets: AsyncSecrets) -> dict[str, str | None]:
    name, old = change.env.name, change.previous_name
    renamed = old is not None and old != name
    writes: dict[str, str | None] = {}
    if change.url is not None:
        writes[name] = change.url
    elif renamed and old is not None:
        writes[name] = await secrets.get(old)
    if renamed and old is not None:
        writes[old] = None
    return writes


async def _write(secrets: AsyncSecrets, values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            await secrets.delete(name)
        else:
            await secrets.set(name, value)
