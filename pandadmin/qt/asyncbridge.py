"""The one place that creates asyncio tasks on behalf of Qt code.

It keeps strong references (the loop only keeps weak ones), names every task by a key
so that a new request for the same key cancels the stale one, logs failures instead of
losing them, and treats CancelledError as the normal end of a superseded or closed task
(qasync's asyncSlot lets it escape: qasync#126).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
ErrorHandler = Callable[[str, BaseException], None]


class TaskBridge:
    """Runs coroutines as keyed tasks on the running (qasync) loop."""

    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._on_error = on_error
        self._closed = False

    def run(
        self,
        key: str,
        coro: Coroutine[Any, Any, T],
        on_done: Callable[[T], None] | None = None,
    ) -> asyncio.Task[T] | None:
        """Start `coro` as the task for `key`, cancelling the one it replaces."""
        if self._closed:
            coro.close()  # never awaited on purpose: the app is shutting down
            return None
        stale = self._tasks.pop(key, None)
        if stale is not None and not stale.done():
            stale.cancel()
        task = asyncio.get_running_loop().create_task(coro, name=f"pandadmin:{key}")
        self._tasks[key] = task
        task.add_done_callback(lambda t: self._finished(key, t, on_done))
        return task

    def running(self, key: str) -> bool:
        task = self._tasks.get(key)
        return task is not None and not task.done()

    def cancel(self, key: str) -> None:
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()

    async def close(self, timeout: float = 2.0) -> None:
        """Cancel every task and give them `timeout` seconds to finish."""
        self._closed = True
        tasks = [t for t in self._tasks.values() if not t.done()]
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    def _finished(
        self, key: str, task: asyncio.Task[T], on_done: Callable[[T], None] | None
    ) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self._report(key, error)
        elif on_done is not None:
            try:
                on_done(task.result())
            except Exception as exc:  # a broken callback must not kill the loop
                self._report(key, exc)

    def _report(self, key: str, error: BaseException) -> None:
        log.error("task %s failed", key, exc_info=(type(error), error, error.__traceback__))
        if self._on_error is not None:
            self._on_error(key, error)
