"""The one way settings are saved: the config file and its keyring entries change together.

Add, set, rename, remove and import, from the CLI and from the app, each build an `Edit`
(the config before and after, and the secrets to store) and `commit` it:

1. read the current value of every keyring entry the edit touches;
2. store the new secrets (a rename copies every entry of the environment to its new name);
3. save the config atomically;
4. delete the entries no environment owns any more (removed, renamed away, a removed
   service's headers): `core/secret_keys.py` says which entries an environment owns.

A failure at any step undoes the steps before it (old values back into the keyring, the
old file text back on disk) and is re-raised, so config and keyring change together or
not at all. A crash with no chance to undo leaves at worst an orphaned keyring entry,
never a config naming a secret that is gone: stores come before the save, deletes after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pandadmin.core import config as cfg
from pandadmin.core.secret_keys import database_url_key, environment_keys, renamed_keys
from pandadmin.core.secrets import AsyncSecrets, SecretStore, SecretStoreError


@dataclass(frozen=True, slots=True)
class Edit:
    """One save: the config before and after, the secrets to store, the renames."""

    before: cfg.Config
    after: cfg.Config
    secrets: Mapping[str, str] = field(default_factory=dict)  # keyring username -> value
    renamed: Mapping[str, str] = field(default_factory=dict)  # environment: old -> new name


@dataclass(frozen=True, slots=True)
class EnvironmentChange:
    """An environment as it should be (from the dialog or a command): `url` None keeps the
    stored DATABASE_URL; a `previous_name` other than `env.name` renames."""

    env: cfg.Environment
    url: str | None = None
    previous_name: str | None = None
    secrets: Mapping[str, str] = field(default_factory=dict)  # more entries, e.g. headers

    def edit(self, config: cfg.Config) -> Edit:
        secrets = dict(self.secrets)
        if self.url:
            secrets[database_url_key(self.env.name)] = self.url
        return put(config, self.env, secrets, self.previous_name)


def put(
    config: cfg.Config,
    env: cfg.Environment,
    secrets: Mapping[str, str] | None = None,
    previous_name: str | None = None,
) -> Edit:
    """`env` added last, or in place of `previous_name` (default: its own name), keeping the
    position; a different previous name renames it and its keyring entries."""
    old = previous_name or env.name
    renamed = {old: env.name} if old != env.name and config.environment(old) else {}
    return Edit(config, config.with_environment(env, old), dict(secrets or {}), renamed)


def rename(config: cfg.Config, old: str, new: str) -> Edit:
    env = config.environment(old)
    if env is None:
        raise KeyError(old)
    return put(config, replace(env, name=new), previous_name=old)


def remove(config: cfg.Config, name: str) -> Edit:
    """The environment gone from the file, and every keyring entry it owned."""
    return Edit(config, config.without_environment(name))


def commit(edit: Edit, store: SecretStore, path: Path) -> cfg.Config:
    """Apply `edit` to the keyring and the file at `path`, all or nothing (see the module)."""
    original = _read(path)
    writes = _writes(edit, store)
    before = {name: store.get(name) for name in writes}
    attempted: list[str] = []
    saved = False
    try:
        for name, value in writes.items():
            if value is not None:
                attempted.append(name)
                store.set(name, value)
        cfg.save(edit.after, path)
        saved = True
        for name in (n for n, v in writes.items() if v is None):
            attempted.append(name)
            store.delete(name)
    except BaseException:
        if saved:
            _restore_file(path, original)
        _restore_secrets(store, {name: before[name] for name in attempted})
        raise
    return edit.after


async def commit_async(edit: Edit, secrets: AsyncSecrets, path: Path) -> cfg.Config:
    """`commit` on the keyring's own thread: the event loop (and the UI) never waits."""
    return await secrets.call(lambda store: commit(edit, store, path))


def _writes(edit: Edit, store: SecretStore) -> dict[str, str | None]:
    """Username -> new value (None: delete) for every entry the edit changes."""
    writes: dict[str, str | None] = dict(edit.secrets)
    for old, new in edit.renamed.items():
        env = edit.after.environment(new)
        assert env is not None
        for source, target in renamed_keys(old, env).items():
            if target not in writes and (value := store.get(source)) is not None:
                writes[target] = value
    kept = {key for env in edit.after.environments for key in environment_keys(env)}
    for env in edit.before.environments:
        for key in environment_keys(env):
            if key not in kept:
                writes.setdefault(key, None)
    return writes


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _restore_file(path: Path, original: bytes | None) -> None:
    try:
        if original is None:
            path.unlink(missing_ok=True)
        else:
            cfg.save_text(original.decode("utf-8"), path)
    except OSError:
        pass  # the original failure is what the user needs to see


def _restore_secrets(store: SecretStore, previous: Mapping[str, str | None]) -> None:
    for name, value in previous.items():
        try:
            if value is None:
                store.delete(name)
            else:
                store.set(name, value)
        except SecretStoreError:
            pass  # the original failure is what the user needs to see
