"""The keyring store against the real Secret Service (gnome-keyring under dbus-run-session)."""

import uuid

import pytest

from pandadmin.core.secrets import KeyringStore, rename

pytestmark = pytest.mark.usefixtures("secret_service")


def test_store_read_rename_delete_through_secret_service() -> None:
    store = KeyringStore(f"pandadmin-test-{uuid.uuid4().hex[:8]}")
    url = "postgresql://app:p%40ss:w0rd/ü@db.example.com:5432/app"
    store.set("prod", url)
    assert store.get("prod") == url
    rename(store, "prod", "production")
    assert store.get("prod") is None
    assert store.get("production") == url
    store.delete("production")
    assert store.get("production") is None
