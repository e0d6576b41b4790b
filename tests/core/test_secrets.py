"""The SecretStore implementations and the refusal of unusable keyrings."""

import asyncio
import threading

import keyring
import keyring.backends.fail
import pytest

from pandadmin.core import config as cfg
from pandadmin.core.secrets import (
    AsyncSecrets,
    KeyringStore,
    MemoryStore,
    SecretStoreError,
    open_store,
)
from tests.conftest import InMemoryKeyring


def test_keyring_store_uses_service_and_environment_name(memory_keyring: InMemoryKeyring) -> None:
    store = KeyringStore("pandadmin")
    store.set("prod", "postgresql://u:p@h/d")
    assert memory_keyring.values == {("pandadmin", "prod"): "postgresql://u:p@h/d"}
    assert store.get("prod") == "postgresql://u:p@h/d"
    assert store.get_many(["prod", "qa"]) == {"prod": "postgresql://u:p@h/d", "qa": None}
    store.delete("prod")
    store.delete("prod")  # idempotent
    assert store.get("prod") is None


def test_open_store_uses_the_configs_keyring_service() -> None:
    assert open_store(cfg.Config(keyring_service="pandadmin-demo")).service == "pandadmin-demo"
    assert open_store(cfg.Config()).service == KeyringStore().service


def test_service_name_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANDADMIN_KEYRING_SERVICE", "pandadmin-demo")
    assert KeyringStore().service == "pandadmin-demo"


def test_fail_backend_gives_one_sentence_and_no_fallback() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        with pytest.raises(SecretStoreError) as caught:
            KeyringStore().set("prod", "postgresql://u:secret@h/d")
    finally:
        keyring.set_keyring(previous)
    message = str(caught.value)
    assert "no system keyring is available" in message and "install" in message
    assert "secret" not in message.replace("Secret Service", "")


def test_locked_keyring_says_unlock(
    memory_keyring: InMemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: object) -> None:
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    with pytest.raises(SecretStoreError, match="locked: unlock it"):
        KeyringStore().get("prod")


def test_async_secrets_run_off_the_loop_thread() -> None:
    seen: list[str] = []

    class Recording(MemoryStore):
        def get(self, name: str) -> str | None:
            seen.append(threading.current_thread().name)
            return super().get(name)

    async def main() -> str | None:
        secrets = AsyncSecrets(Recording())
        await secrets.set("prod", "x")
        try:
            return await secrets.get("prod")
        finally:
            secrets.close()

    assert asyncio.run(main()) == "x"
    assert seen and seen[0].startswith("keyring") and seen[0] != threading.main_thread().name


def test_async_secrets_time_out_on_a_hung_keyring() -> None:
    release = threading.Event()

    class Hung(MemoryStore):
        def get(self, name: str) -> str | None:
            release.wait(10)
            return None

    async def main() -> None:
        secrets = AsyncSecrets(Hung(), timeout=0.2)
        try:
            await secrets.get("prod")
        finally:
            secrets.close()
            release.set()

    with pytest.raises(SecretStoreError, match="did not answer in time"):
        asyncio.run(main())
