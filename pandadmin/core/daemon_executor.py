"""A one-thread executor whose worker never holds up interpreter exit.

ThreadPoolExecutor's workers are joined when Python exits, so a keyring call stuck in
D-Bus (an unlock prompt nobody answers) would keep a quitting app alive forever. This
executor runs calls on a single daemon thread instead; `shutdown(wait=False,
cancel_futures=True)` drops what is queued and lets the process go.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from pandadmin.core.secrets import AsyncSecrets, SecretStore

T = TypeVar("T")
_Job = tuple["Future[Any]", Callable[[], Any]]


class DaemonExecutor(ThreadPoolExecutor):
    """Same interface as a one-worker ThreadPoolExecutor; the worker is a daemon thread."""

    def __init__(self, thread_name: str) -> None:
        super().__init__(max_workers=1, thread_name_prefix=thread_name)  # its pool stays unused
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._closed = False
        self._guard = threading.Lock()
        self._worker = threading.Thread(target=self._work, name=thread_name, daemon=True)
        self._worker.start()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._guard:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            future: Future[T] = Future()
            self._jobs.put((future, partial(fn, *args, **kwargs)))
            return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._guard:
            self._closed = True
        if cancel_futures:
            self._cancel_queued()
        self._jobs.put(None)
        if wait:
            self._worker.join()
        super().shutdown(wait=False)

    def _cancel_queued(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job[0].cancel()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, call = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # handed to the waiting caller
                future.set_exception(exc)


class DesktopSecrets(AsyncSecrets):
    """AsyncSecrets for the desktop app: a stuck keyring call never blocks quitting."""

    def __init__(self, store: SecretStore, timeout: float = 15.0) -> None:
        super().__init__(store, timeout)
        self._executor.shutdown(wait=False)  # never started a thread
        self._executor = DaemonExecutor("keyring")
