"""Lock the real Secret Service's default collection through its own API, and unlock it
again with the password scripts/with-secret-service.sh gave it (gnome-keyring's
UnlockWithMasterPassword: there is no prompter to type it into in a test session)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import secretstorage
from jeepney import DBusAddress, new_method_call
from secretstorage.util import format_secret, open_session

TEST_KEYRING_PASSWORD = b"pandadmin-test"  # scripts/with-secret-service.sh
GNOME_KEYRING = DBusAddress(
    "/org/freedesktop/secrets",
    bus_name="org.freedesktop.secrets",
    interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
)


@contextmanager
def locked_collection() -> Iterator[None]:
    """The default collection locked for the duration of the block."""
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        collection.lock()
        assert collection.is_locked()
        try:
            yield
        finally:
            secret = format_secret(open_session(connection), TEST_KEYRING_PASSWORD, "text/plain")
            unlock = new_method_call(
                GNOME_KEYRING,
                "UnlockWithMasterPassword",
                "o(oayays)",
                (collection.collection_path, secret),
            )
            connection.send_and_get_reply(unlock)
            assert not collection.is_locked(), "the test keyring stayed locked"
    finally:
        connection.close()
