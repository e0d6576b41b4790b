"""The keyring store and the save transaction against the real Secret Service
(gnome-keyring under dbus-run-session)."""

import gc
import uuid
import warnings
from pathlib import Path

import pytest

from pandadmin.core import config as cfg
from pandadmin.core import transaction
from pandadmin.core.secrets import LOCKED, KeyringStore, SecretStoreError
from tests.support.keyring_lock import locked_collection

pytestmark = pytest.mark.usefixtures("secret_service")


def test_store_read_rename_delete_through_secret_service(tmp_path: Path) -> None:
    service = f"pandadmin-test-{uuid.uuid4().hex[:8]}"
    store, path = KeyringStore(service), tmp_path / "config.toml"
    config = cfg.Config((cfg.Environment("prod"),), keyring_service=service)
    url = "postgresql://app:p%40ss:w0rd/ü@db.example.com:5432/app"
    config = transaction.commit(
        transaction.put(config, config.environments[0], {"prod": url}), store, path
    )
    assert store.get("prod") == url
    config = transaction.commit(transaction.rename(config, "prod", "production"), store, path)
    assert store.get("prod") is None
    assert store.get("production") == url
    transaction.commit(transaction.remove(config, "production"), store, path)
    assert store.get("production") is None
    assert cfg.load(path) == cfg.Config(keyring_service=service)


def test_a_locked_collection_is_one_clear_error_and_leaks_no_connection() -> None:
    """Locked through the Secret Service API; keyring's backend used to leave its D-Bus
    socket to the garbage collector on every attempt (a ResourceWarning each poll)."""
    store = KeyringStore(f"pandadmin-test-{uuid.uuid4().hex[:8]}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with locked_collection():
            for _ in range(3):
                with pytest.raises(SecretStoreError) as error:
                    store.get("prod")
                assert str(error.value) == LOCKED
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
