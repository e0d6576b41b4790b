"""Two GUI tests run by test_gui_gc.py in a child pytest (this module is not collected by
the suite itself): the first leaves a closed qasync loop whose cancelled callback still had
a Qt timer; the second collects from a worker thread, as an automatic collection there
would, and lets the loop run past that timer's due time."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

DUE_S = 1.0


def test_leaves_a_closed_loop_with_a_pending_qt_timer(run: Any) -> None:
    async def body() -> None:
        asyncio.get_running_loop().call_later(DUE_S, print).cancel()  # its Qt timer stays

    run(body())


def test_a_worker_threads_collection_then_the_timers_due_time(run: Any) -> None:
    async def body() -> None:
        await asyncio.to_thread(gc.collect)
        await asyncio.sleep(DUE_S + 0.5)

    run(body())
