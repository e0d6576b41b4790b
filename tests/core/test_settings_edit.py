"""Applying an environment edit: secret first, then the config file; undone on failure."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pandadmin.core import config as cfg
from pandadmin.core.secrets import AsyncSecrets, MemoryStore
from pandadmin.core.settings_edit import (
    EnvironmentChange,
    apply_change,
    changed_config,
    check_alembic_path,
)

URL = "postgresql://app:pw@db:5432/app"


def _apply(
    store: MemoryStore, config: cfg.Config, change: EnvironmentChange, path: Path
) -> cfg.Config:
    secrets = AsyncSecrets(store)
    try:
        return asyncio.run(apply_change(config, change, secrets, path))
    finally:
        secrets.close()


def test_add_stores_the_url_and_saves_the_config(tmp_path: Path) -> None:
    store, path = MemoryStore(), tmp_path / "config.toml"
    new = _apply(store, cfg.Config(), EnvironmentChange(cfg.Environment("prod"), URL, None), path)
    assert store.values == {"prod": URL}
    assert cfg.load(path) == new and "pw" not in path.read_text()


def test_rename_moves_the_secret_and_keeps_the_order(tmp_path: Path) -> None:
    store = MemoryStore()
    store.set("b", URL)
    config = cfg.Config((cfg.Environment("a"), cfg.Environment("b"), cfg.Environment("c")))
    change = EnvironmentChange(cfg.Environment("b2"), None, "b")
    new = _apply(store, config, change, tmp_path / "config.toml")
    assert [e.name for e in new.environments] == ["a", "b2", "c"]
    assert store.values == {"b2": URL}


def test_a_failed_save_puts_the_secrets_back(tmp_path: Path) -> None:
    store = MemoryStore()
    store.set("prod", "postgresql://old@db/app")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    change = EnvironmentChange(cfg.Environment("prod"), URL, "prod")
    with pytest.raises(OSError):
        _apply(store, cfg.Config((cfg.Environment("prod"),)), change, blocker / "config.toml")
    assert store.values == {"prod": "postgresql://old@db/app"}


def test_changed_config_replaces_in_place() -> None:
    config = cfg.Config((cfg.Environment("a"), cfg.Environment("b")))
    change = EnvironmentChange(cfg.Environment("a", interval=9.0), None, "a")
    assert changed_config(config, change).environments[0].interval == 9.0


def test_alembic_path_must_exist_and_hold_versions(tmp_path: Path) -> None:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text("[alembic]\n")
    check_alembic_path(str(tmp_path / "migrations"))
    check_alembic_path(str(tmp_path / "alembic.ini"))
    with pytest.raises(ValueError, match="no versions/ folder"):
        check_alembic_path(str(tmp_path))
    with pytest.raises(ValueError, match="does not exist"):
        check_alembic_path(str(tmp_path / "missing.ini"))
