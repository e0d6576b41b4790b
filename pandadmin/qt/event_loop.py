"""The app's asyncio loop on Qt: qasync's, with `call_soon` callbacks run in batches.

qasync turns every `call_soon` into a Qt timer of its own (startTimer, a timer event,
killTimer, plus an `iscoroutinefunction` check): ~30-40 us each, and the poller makes
~1,400 of them a second at the reference load (20 environments x 11 targets every second),
several percent of a core. Here they queue up, as in asyncio's own loop, and one zero
timer runs the whole queue, in order. The timer is qasync's own timer object, so nothing
here adds a Qt object (tests delete that one on the GUI thread: tests/qt/conftest.py).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication


class BatchedEventLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync has no types
    """qasync.QEventLoop whose ready callbacks share one Qt timer per batch."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._soon: deque[asyncio.Handle] = deque()
        self._drain_due = False

    def call_soon(
        self,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        handle = asyncio.Handle(callback, args, self, context=context)
        self._soon.append(handle)
        if not self._drain_due:
            self._drain_due = True
            self._timer.add_callback(asyncio.Handle(self._drain, (), self), 0)
        return handle

    def _drain(self) -> None:
        """Run what was queued before this batch began; later ones get the next batch, so
        Qt's own events (sockets, paints) come in between."""
        self._drain_due = False
        for _ in range(len(self._soon)):
            handle = self._soon.popleft()
            if not handle.cancelled():
                handle._run()


def new_loop(app: QApplication) -> asyncio.AbstractEventLoop:
    """The loop the app (and its benchmarks and tests) runs on."""
    return BatchedEventLoop(app)
