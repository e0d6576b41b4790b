"""Reading a secret straight from the Secret Service, when that is where `keyring` reads it.

Importing `keyring` and letting it pick a backend costs about 0.1 s of every command that
reads a secret (`pandadmin env list`): its import pulls `urllib.request`, `http.client`
and `email` through `jaraco.context`, and its discovery reads the entry points of every
installed distribution and imports every backend it ships. On Linux, when keyring would
certainly pick its own Secret Service backend, a read goes to the Secret Service directly
(secretstorage, keyring's own dependency, with the attributes keyring stores), so keyring
is not imported at all. Keyring decides everything else: writes and deletes, other
platforms, a backend chosen by PYTHON_KEYRING_BACKEND or keyringrc.cfg, a third-party
backend (keyrings.alt, ...), KWallet or libsecret that could be chosen, and any process
that has imported keyring already (a backend set with `keyring.set_keyring` wins).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from secretstorage import Collection

# The backends keyring 25 declares in its own entry points; another set (a new keyring,
# a plugin) means its discovery could choose differently, so it is asked.
KEYRING_BACKENDS = frozenset(
    {"KWallet", "SecretService", "Windows", "chainer", "libsecret", "macOS"}
)
# Modules whose presence makes keyring's KWallet (dbus-python) or libsecret (PyGObject)
# backend viable, and then possibly preferred or chained before the Secret Service.
OTHER_LINUX_BACKENDS = ("dbus", "gi")


class Unavailable(Exception):
    """No Secret Service on this session bus (keyring would fall back to its fail backend)."""


class Locked(Exception):
    """The collection or item stayed locked (the unlock prompt was dismissed)."""


class Failed(Exception):
    """The Secret Service (or the bus) answered with an error: `cause`."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(type(cause).__name__)
        self.cause = cause


def keyring_would_use_it() -> bool:
    """True when keyring's own choice here is certainly its Secret Service backend."""
    return (
        "keyring" not in sys.modules
        and sys.platform == "linux"
        and "PYTHON_KEYRING_BACKEND" not in os.environ
        and not _keyring_config_exists()
        and not any(importlib.util.find_spec(name) for name in OTHER_LINUX_BACKENDS)
        and _declared_backends(tuple(sys.path)) == {"keyring": KEYRING_BACKENDS}
    )


def read(service: str, usernames: Sequence[str]) -> dict[str, str | None]:
    """What keyring's SecretService backend returns for `get_password(service, name)`, for
    each name: over one connection and one encrypted session (each session is a
    Diffie-Hellman exchange, ~10-20 ms; keyring opens one per secret)."""
    import secretstorage
    from jeepney.wrappers import DBusErrorResponse
    from secretstorage.exceptions import SecretServiceNotAvailableException, SecretStorageException

    try:
        bus = secretstorage.dbus_init()
    except SecretServiceNotAvailableException:
        raise Unavailable from None
    with closing(bus):
        try:
            if not secretstorage.check_service_availability(bus):
                raise Unavailable
            collection = _unlocked(secretstorage.get_default_collection(bus))
            return {name: _first_secret(collection, service, name) for name in usernames}
        except (SecretStorageException, DBusErrorResponse, OSError) as exc:
            raise Failed(exc) from None


def _unlocked(collection: Collection) -> Collection:
    """As keyring does it: ask to unlock a locked collection (a prompt), fail if it stays so."""
    if collection.is_locked():
        collection.unlock()
        if collection.is_locked():
            raise Locked
    return collection


def _first_secret(collection: Collection, service: str, username: str) -> str | None:
    """The first item keyring's attributes find; the collection's session is opened for the
    first secret read and shared by the rest."""
    from secretstorage.util import open_session

    for item in collection.search_items({"username": username, "service": service}):
        item.unlock()
        if item.is_locked():
            raise Locked
        collection.session = collection.session or open_session(collection.connection)
        item.session = collection.session
        return item.get_secret().decode("utf-8")
    return None


def _keyring_config_exists() -> bool:
    """keyring's keyringrc.cfg (`keyring.util.platform_.config_root()` on Linux)."""
    try:
        root = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
        return Path(root, "python_keyring", "keyringrc.cfg").exists()
    except (RuntimeError, OSError):  # no home folder: let keyring decide
        return True


@functools.cache
def _declared_backends(path: tuple[str, ...]) -> dict[str, frozenset[str]] | None:
    """Project name -> the `keyring.backends` entry points it declares, for every
    distribution in the folders of `path`; None when an entry is an archive (a zip or
    egg: only importlib.metadata reads those, so keyring must look)."""
    found: dict[str, frozenset[str]] = {}
    for entry in path:
        folder = Path(entry or ".")
        if folder.is_file():
            return None
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                backends = _backends_in(folder / name / "entry_points.txt")
                if backends:
                    project = name.rpartition(".")[0].split("-")[0].lower().replace("_", "-")
                    found[project] = found.get(project, frozenset()) | backends
    return found


def _backends_in(entry_points: Path) -> frozenset[str]:
    try:
        text = entry_points.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return frozenset()
    names, inside = set(), False
    for line in map(str.strip, text.splitlines()):
        if line.startswith("[") and line.endswith("]"):
            inside = line[1:-1].strip() == "keyring.backends"
        elif inside and "=" in line:
            names.add(line.partition("=")[0].strip())
    return frozenset(names)
