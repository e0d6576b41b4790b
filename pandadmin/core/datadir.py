"""The data folder: where the history store lives, opening it safely, and the collector lock.

`--data-dir DIR` or `PANDADMIN_DATA_DIR` override `platformdirs.user_data_dir("pandadmin")`.
A store that cannot be read is moved aside (never deleted) and a new one started; a store
from a newer pandadmin is left alone and history is off. Either way the caller gets one
line to show and keeps working live.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import platformdirs

from pandadmin.core.store import Store, StoreError
from pandadmin.core.store_schema import NewerStoreError

STORE_NAME = "history.sqlite3"
LOCK_NAME = "collect.lock"
ENV_VAR = "PANDADMIN_DATA_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override)
    from_env = os.environ.get(ENV_VAR)
    return Path(from_env) if from_env else Path(platformdirs.user_data_dir("pandadmin"))


@dataclass(frozen=True, slots=True)
class Opened:
    """The outcome of opening a store: the store (None when history is off) and, when
    something was wrong, the one line to show."""

    store: Store | None
    message: str | None = None


def open_store(folder: Path, *, readonly: bool = False) -> Opened:
    path = folder / STORE_NAME
    try:
        if not readonly:
            folder.mkdir(parents=True, exist_ok=True)
        return Opened(Store(path, readonly=readonly))
    except NewerStoreError as exc:
        return Opened(None, f"history off: {path} was {exc}; it was left untouched")
    except sqlite3.DatabaseError as exc:
        if readonly:
            return Opened(None, f"history off: {path} is unreadable ({exc})")
        return _set_aside(path, exc)
    except (OSError, sqlite3.Error) as exc:
        return Opened(None, f"history off: cannot open {path} ({exc})")


def _set_aside(path: Path, error: Exception) -> Opened:
    aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%dT%H%M%S')}")
    try:
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{path}{suffix}")
            if source.exists():
                source.rename(Path(f"{aside}{suffix}"))
        store = Store(path)
    except (OSError, sqlite3.Error) as exc:
        return Opened(None, f"history off: {path} is unreadable ({error}) and {exc}")
    return Opened(store, f"history store {path} was unreadable ({error}); moved to {aside.name}, "
                  "a new one starts now")  # fmt: skip


def set_aside_after(store: Store, error: StoreError) -> str:
    """A store that failed while in use: close it, move it aside, say so in one line."""
    with contextlib.suppress(sqlite3.Error):
        store.close()
    opened = _set_aside(store.path, error)
    if opened.store is not None:
        opened.store.close()
    return opened.message or str(error)


class CollectorLock:
    """An exclusive lock on `collect.lock` holding the collector's pid (one per data dir)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._file: IO[str] | None = None

    def acquire(self, attempts: int = 10) -> int | None:
        """Take the lock; returns None, or the pid of the collector already holding it.

        Retries briefly: an app probing the lock holds it for an instant (see `held_by`)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 (held open for the process's life)
        for attempt in range(attempts):
            if _try_lock(handle, exclusive=True):
                handle.seek(0)
                handle.truncate()
                handle.write(f"{os.getpid()}\n")
                handle.flush()
                self._file = handle
                return None
            if attempt + 1 < attempts:
                time.sleep(0.05)
        holder = _read_pid(self.path)
        handle.close()
        return holder if holder is not None else -1

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def collector_pid(folder: Path) -> int | None:
    """The pid of the collector running on `folder`, or None when there is none."""
    path = folder / LOCK_NAME
    if not path.exists():
        return None
    with open(path) as handle:
        if _try_lock(handle, exclusive=False):
            _unlock(handle)
            return None
    return _read_pid(path) or -1


def _read_pid(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().split()[0])
    return None


def _try_lock(handle: IO[str], exclusive: bool) -> bool:
    import fcntl

    flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    try:
        fcntl.flock(handle.fileno(), flags)
    except OSError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
