"""Reading the Secret Service directly (`core/secret_service.py`) only where keyring would.

The reads are checked against keyring's own SecretService backend on the real Secret
Service; the choice is checked against each thing that makes keyring choose otherwise.
"""

from __future__ import annotations

import gc
import sys
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import secretstorage.util

from pandadmin.core import secret_service
from pandadmin.core.secrets import KeyringStore
from tests.support.keyring_lock import locked_collection


@pytest.fixture
def service() -> Iterator[str]:
    name = f"pandadmin-test-direct-{uuid.uuid4().hex[:8]}"
    yield name
    for user in ("prod", "prod/pgbouncer"):
        KeyringStore(name).delete(user)


@pytest.mark.usefixtures("secret_service")
def test_reads_what_keyrings_secret_service_backend_wrote_in_one_session(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    KeyringStore(service).set("prod", "postgresql://u:p%40ss@h:5432/d")
    keyring.set_password(service, "prod/pgbouncer", "postgresql://u:q@h:6432/pgbouncer")
    sessions: list[object] = []
    real_open_session = secretstorage.util.open_session
    monkeypatch.setattr(
        secretstorage.util,
        "open_session",
        lambda bus: sessions.append(real_open_session(bus)) or sessions[-1],
    )
    assert secret_service.read(service, ["prod", "prod/pgbouncer", "qa"]) == {
        "prod": "postgresql://u:p%40ss@h:5432/d",
        "prod/pgbouncer": keyring.get_password(service, "prod/pgbouncer"),
        "qa": None,
    }
    assert len(sessions) == 1  # one Diffie-Hellman exchange for every secret read
    assert secret_service.read(f"{service}-other", ["prod"]) == {"prod": None}
    KeyringStore(service).delete("prod")
    assert secret_service.read(service, ["prod"]) == {"prod": None}


def test_no_session_bus_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(secret_service.Unavailable):
        secret_service.read("pandadmin-test", ["prod"])


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A process as `pandadmin env list` starts: keyring not imported, no keyring settings."""
    monkeypatch.delitem(sys.modules, "keyring")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.mark.skipif(sys.platform != "linux", reason="the direct read is for Linux only")
@pytest.mark.usefixtures("fresh")
def test_keyrings_own_choice_is_read_directly_and_anything_else_is_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert secret_service.keyring_would_use_it()
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "keyring", keyring)  # set_keyring may have chosen a backend
        assert not secret_service.keyring_would_use_it()
    with monkeypatch.context() as m:
        m.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
        assert not secret_service.keyring_would_use_it()
    config = tmp_path / "config" / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text("[backend]\ndefault-keyring=keyrings.alt.file.PlaintextKeyring\n")
    assert not secret_service.keyring_would_use_it()
    config.unlink()
    assert secret_service.keyring_would_use_it()


@pytest.mark.skipif(sys.platform != "linux", reason="the direct read is for Linux only")
@pytest.mark.usefixtures("fresh")
@pytest.mark.parametrize(
    "files",
    [
        # a third-party backend (keyrings.alt declares its backends this way)
        {"keyrings.alt-5.0.2.dist-info/entry_points.txt": "[keyring.backends]\nfile = x.file\n"},
        # KWallet becomes viable with dbus-python, libsecret with PyGObject
        {"dbus/__init__.py": ""},
        {"gi/__init__.py": ""},
        # a keyring whose own backends differ from the ones this module knows
        {"keyring-99.0.dist-info/entry_points.txt": "[keyring.backends]\nnew = keyring.new\n"},
    ],
    ids=["plugin", "kwallet", "libsecret", "other-keyring"],
)
def test_another_possible_backend_leaves_the_choice_to_keyring(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, files: dict[str, str]
) -> None:
    folder = tmp_path / "site"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    monkeypatch.syspath_prepend(str(folder))
    assert not secret_service.keyring_would_use_it()


@pytest.mark.usefixtures("secret_service")
def test_a_locked_collection_is_locked_and_leaks_no_connection(service: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with locked_collection(), pytest.raises(secret_service.Locked):
            secret_service.read(service, ["prod"])
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
