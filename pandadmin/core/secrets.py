"""Where DATABASE_URLs live: the OS keyring, behind a small SecretStore protocol.

There is no plaintext fallback: when no real keyring is available every call raises
SecretStoreError with one sentence saying what to install or unlock.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from pandadmin.core.config import Config

# `keyring` is imported on first use: finding its backends (D-Bus, cryptography) costs
# more than everything else `pandadmin --version` or `env export` needs; a read skips it
# when keyring would read the Secret Service anyway (`core/secret_service.py`).

T = TypeVar("T")
DEFAULT_SERVICE = "pandadmin"
NO_KEYRING = (
    "no system keyring is available: install and start a Secret Service "
    "(e.g. gnome-keyring, KWallet or KeePassXC) in your desktop session and retry"
)
LOCKED = "the system keyring is locked: unlock it (e.g. log in to your desktop session) and retry"
PLAINTEXT = "the configured keyring backend stores secrets in plaintext; pandadmin refuses it"


class SecretStoreError(Exception):
    """The keyring cannot be used; the message is one sentence and holds no secret."""


class SecretStore(Protocol):
    """Stores one DATABASE_URL per environment name."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


def service_name() -> str:
    """The keyring service; the demo and tests use their own so user entries stay untouched."""
    return os.environ.get("PANDADMIN_KEYRING_SERVICE") or DEFAULT_SERVICE


def open_store(config: Config) -> KeyringStore:
    """The one way to reach a config's secrets: its keyring service (None: the default)."""
    return KeyringStore(config.keyring_service)


class KeyringStore:
    """SecretStore on the `keyring` package: service `pandadmin`, username = environment."""

    def __init__(self, service: str | None = None) -> None:
        self.service = service or service_name()

    def get(self, name: str) -> str | None:
        return self.get_many([name])[name]

    def get_many(self, names: Sequence[str]) -> dict[str, str | None]:
        """Several secrets at once (`env list`): one Secret Service session for all of them
        when keyring would read the Secret Service anyway (`core/secret_service.py`)."""
        from pandadmin.core import secret_service

        if secret_service.keyring_would_use_it():  # the same reads, without keyring's import
            return _read_secret_service(self.service, names)
        import keyring

        read = functools.partial(keyring.get_password, self.service)
        return {name: _guard(functools.partial(read, name)) for name in names}

    def set(self, name: str, value: str) -> None:
        import keyring

        _guard(lambda: keyring.set_password(self.service, name, value))

    def delete(self, name: str) -> None:
        import keyring
        import keyring.errors

        def delete() -> None:
            try:
                keyring.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                pass  # already absent: deleting is idempotent

        _guard(delete)


class MemoryStore:
    """In-process SecretStore for tests and the GUI's own unit tests."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


class AsyncSecrets:
    """Runs a SecretStore off the event loop, on its own single thread, with a timeout.

    Its own executor keeps a hung unlock prompt from blocking the loop's default
    executor, which qasync waits for on close (qasync#115).
    """

    def __init__(self, store: SecretStore, timeout: float = 15.0) -> None:
        self.store = store
        self.timeout = timeout
        from concurrent.futures import ThreadPoolExecutor  # not needed by the synchronous CLI

        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keyring")

    async def get(self, name: str) -> str | None:
        return await self._run(lambda: self.store.get(name))

    async def set(self, name: str, value: str) -> None:
        await self._run(lambda: self.store.set(name, value))

    async def delete(self, name: str) -> None:
        await self._run(lambda: self.store.delete(name))

    async def call(self, work: Callable[[SecretStore], T]) -> T:
        """`work(store)` on the keyring thread: several calls in a row (a save transaction)."""
        return await self._run(lambda: work(self.store))

    async def _run(self, call: Callable[[], T]) -> T:
        import asyncio

        future = asyncio.get_running_loop().run_in_executor(self._executor, call)
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            raise SecretStoreError(
                "the system keyring did not answer in time: is it waiting to be unlocked?"
            ) from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _guard(call: Callable[[], T]) -> T:
    import keyring.errors

    _check_backend()
    try:
        return call()
    except keyring.errors.KeyringLocked as exc:
        _close_abandoned_bus(exc)
        raise SecretStoreError(LOCKED) from None
    except keyring.errors.NoKeyringError:
        raise SecretStoreError(NO_KEYRING) from None
    except keyring.errors.KeyringError as exc:
        raise SecretStoreError(f"the system keyring failed ({_describe(exc)})") from None


def _read_secret_service(service: str, names: Sequence[str]) -> dict[str, str | None]:
    """`core/secret_service.read`, its failures in `_guard`'s words."""
    from pandadmin.core import secret_service as direct

    try:
        return direct.read(service, names)
    except direct.Unavailable:
        raise SecretStoreError(NO_KEYRING) from None
    except direct.Locked:
        raise SecretStoreError(LOCKED) from None
    except direct.Failed as exc:
        raise SecretStoreError(f"the system keyring failed ({_describe(exc.cause)})") from None


def _close_abandoned_bus(exc: BaseException) -> None:
    """Close the D-Bus connection keyring's SecretService backend opened for this call.

    Its `get_preferred_collection` raises KeyringLocked before the caller's
    `closing(collection.connection)`, so the socket was left to the garbage collector
    (one ResourceWarning per poll while the collection stays locked).
    """
    tb = exc.__traceback__
    while tb is not None:
        close = getattr(tb.tb_frame.f_locals.get("bus"), "close", None)
        if callable(close):
            close()
        tb = tb.tb_next


def _check_backend() -> None:
    _skip_foreign_backends()
    import keyring

    backend = keyring.get_keyring()
    if type(backend).__name__ == "ChainerBackend":
        chained = getattr(backend, "backends", [])
        if not chained:
            raise SecretStoreError(NO_KEYRING)
        backend = chained[0]  # the one that receives new secrets
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail"):
        raise SecretStoreError(NO_KEYRING)
    if "plaintext" in type(backend).__name__.lower() or module.startswith("keyrings.alt.file"):
        raise SecretStoreError(PLAINTEXT)


def _skip_foreign_backends() -> None:
    """keyring imports every backend it ships to pick one; on Linux its macOS backend's
    import searches for the Security framework (ctypes.util.find_library runs ldconfig and
    gcc: ~45 ms of every command) and then fails anyway. Fail it at once instead."""
    if sys.platform != "darwin":
        sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]


def _describe(exc: Exception) -> str:
    # Backend messages may quote D-Bus details but never the secret itself; keep them short.
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
