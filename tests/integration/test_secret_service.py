"""The keyring store and the save transaction against the real Secret Service
(gnome-keyring under dbus-run-session)."""

import uuid
from pathlib import Path

import pytest

from pandadmin.core import config as cfg
from pandadmin.core import transaction
from pandadmin.core.secrets import KeyringStore

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
