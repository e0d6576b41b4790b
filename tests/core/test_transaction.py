"""The save transaction: every keyring write and the file write are failed in turn, and
config and keyring are found exactly as before each time (and as intended on success)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from pandadmin.core import config as cfg
from pandadmin.core import transaction
from pandadmin.core.alembic_config import normalise_path
from pandadmin.core.secrets import AsyncSecrets, MemoryStore, SecretStoreError
from pandadmin.core.transaction import Edit, EnvironmentChange

URL, NEW_URL = "postgresql://app:pw@db:5432/app", "postgresql://app:new@db:5432/app"
API = cfg.Service("api", "http://h/health")
CONFIG = cfg.Config(
    (cfg.Environment("a"), cfg.Environment("prod", services=(API,)), cfg.Environment("c"))
)
SECRETS = {
    "prod": URL,
    "prod/pgbouncer": "postgresql://admin:pw@h:6432/pgbouncer",
    "prod/service/api/headers": '{"Authorization": "Bearer t"}',
    "c": "postgresql://c:pw@db/c",
}


class FailingStore(MemoryStore):
    """A MemoryStore whose `fail_at`-th set/delete (counting from 0) raises."""

    def __init__(self, values: dict[str, str], fail_at: int | None = None) -> None:
        super().__init__()
        self.values = dict(values)
        self.fail_at, self.writes = fail_at, 0

    def set(self, name: str, value: str) -> None:
        self._tick()
        super().set(name, value)

    def delete(self, name: str) -> None:
        self._tick()
        super().delete(name)

    def _tick(self) -> None:
        self.writes += 1
        if self.fail_at is not None and self.writes - 1 == self.fail_at:
            raise SecretStoreError("the system keyring failed (simulated)")


@dataclass(frozen=True)
class Scenario:
    name: str
    edit: Callable[[cfg.Config], Edit]
    environments: list[str]  # after success, in order
    secrets: dict[str, str]  # after success


def _without(*names: str) -> dict[str, str]:
    return {k: v for k, v in SECRETS.items() if k not in names}


SCENARIOS = [
    Scenario(
        "add",
        lambda c: transaction.put(c, cfg.Environment("new"), {"new": NEW_URL}),
        ["a", "prod", "c", "new"],
        {**SECRETS, "new": NEW_URL},
    ),
    Scenario(
        "set",
        lambda c: EnvironmentChange(cfg.Environment("prod", services=(API,)), NEW_URL).edit(c),
        ["a", "prod", "c"],
        {**SECRETS, "prod": NEW_URL},
    ),
    Scenario(
        "rename",
        lambda c: transaction.rename(c, "prod", "live"),
        ["a", "live", "c"],
        {
            **_without("prod", "prod/pgbouncer", "prod/service/api/headers"),
            "live": URL,
            "live/pgbouncer": SECRETS["prod/pgbouncer"],
            "live/service/api/headers": SECRETS["prod/service/api/headers"],
        },
    ),
    Scenario(
        "remove",
        lambda c: transaction.remove(c, "prod"),
        ["a", "c"],
        _without("prod", "prod/pgbouncer", "prod/service/api/headers"),
    ),
    Scenario(
        "remove-service",
        lambda c: transaction.put(c, cfg.Environment("prod")),
        ["a", "prod", "c"],
        _without("prod/service/api/headers"),
    ),
    Scenario(
        "import",
        lambda c: transaction.put(c, cfg.Environment("a"), {"a": NEW_URL}),
        ["a", "prod", "c"],
        {**SECRETS, "a": NEW_URL},
    ),
]


def _start(tmp_path: Path, fail_at: int | None = None) -> tuple[Path, FailingStore, bytes]:
    path = tmp_path / "config.toml"
    cfg.save(CONFIG, path)
    return path, FailingStore(SECRETS, fail_at), path.read_bytes()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_success_changes_config_and_keyring_together(tmp_path: Path, scenario: Scenario) -> None:
    path, store, _ = _start(tmp_path)
    after = transaction.commit(scenario.edit(CONFIG), store, path)
    assert cfg.load(path) == after
    assert [e.name for e in after.environments] == scenario.environments
    assert store.values == scenario.secrets


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_each_failed_keyring_write_leaves_both_untouched(
    tmp_path: Path, scenario: Scenario
) -> None:
    path, counting, _ = _start(tmp_path)
    transaction.commit(scenario.edit(CONFIG), counting, path)
    assert counting.writes >= 1
    for fail_at in range(counting.writes):
        path, store, before = _start(tmp_path, fail_at)
        with pytest.raises(SecretStoreError):
            transaction.commit(scenario.edit(CONFIG), store, path)
        assert path.read_bytes() == before, f"write {fail_at} failed, file changed"
        assert store.values == SECRETS, f"write {fail_at} failed, keyring changed"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_a_failed_file_write_leaves_both_untouched(
    tmp_path: Path, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, store, before = _start(tmp_path)

    def disk_full(config: cfg.Config, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cfg, "save", disk_full)
    with pytest.raises(OSError, match="No space"):
        transaction.commit(scenario.edit(CONFIG), store, path)
    assert path.read_bytes() == before
    assert store.values == SECRETS


def test_a_new_file_is_removed_when_the_keyring_fails_after_the_save(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "config.toml"
    store = FailingStore(SECRETS, fail_at=0)  # the one delete after the save
    config = cfg.Config((cfg.Environment("c"),))
    with pytest.raises(SecretStoreError):
        transaction.commit(transaction.remove(config, "c"), store, path)
    assert not path.exists() and store.values == SECRETS


def test_rename_keeps_the_position_and_the_dialog_draft_renames_too(tmp_path: Path) -> None:
    path, store, _ = _start(tmp_path)
    draft = EnvironmentChange(replace(CONFIG.environments[1], name="p2"), None, "prod")
    after = transaction.commit(draft.edit(CONFIG), store, path)
    assert [e.name for e in after.environments] == ["a", "p2", "c"]
    assert store.values["p2"] == URL and "prod" not in store.values


def test_commit_async_runs_on_the_keyring_thread(tmp_path: Path) -> None:
    path, store, _ = _start(tmp_path)
    secrets = AsyncSecrets(store)
    try:
        edit = transaction.put(CONFIG, cfg.Environment("new"), {"new": NEW_URL})
        after = asyncio.run(transaction.commit_async(edit, secrets, path))
    finally:
        secrets.close()
    assert cfg.load(path) == after and store.values["new"] == NEW_URL


def test_alembic_path_is_stored_absolute_and_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "alembic.ini").write_text("[alembic]\n")
    monkeypatch.chdir(tmp_path)
    assert normalise_path("migrations") == str(tmp_path / "migrations")
    assert normalise_path(str(tmp_path / "alembic.ini")) == str(tmp_path / "alembic.ini")
    with pytest.raises(ValueError, match="no versions/ folder"):
        normalise_path(str(tmp_path))
    with pytest.raises(ValueError, match="does not exist"):
        normalise_path(str(tmp_path / "missing.ini"))
