"""The app's loop runs ready callbacks in batches: in order, one Qt timer per batch (not
one per callback, as qasync does), cancelled ones skipped, later ones in the next batch."""

from __future__ import annotations

import asyncio
from typing import Any

from pandadmin.qt.event_loop import BatchedEventLoop
from tests.qt.conftest import until


def test_ready_callbacks_share_one_qt_timer_run_in_order_and_skip_cancelled(loop: Any) -> None:
    assert isinstance(loop, BatchedEventLoop)
    timers: list[float] = []
    register = loop._timer.add_callback
    loop._timer.add_callback = lambda handle, delay=0: (
        timers.append(delay),
        register(handle, delay),
    )[1]
    ran: list[object] = []
    handles = [loop.call_soon(ran.append, n) for n in range(100)]
    handles[2].cancel()
    loop.call_soon(lambda: loop.call_soon(ran.append, "next batch"))
    assert timers == [0]  # 101 callbacks, one Qt timer
    loop.run_until_complete(until(lambda: "next batch" in ran, what="both batches"))
    assert ran == [n for n in range(100) if n != 2] + ["next batch"]


def test_asyncio_works_on_it_as_usual(loop: Any) -> None:
    async def scenario() -> list[int]:
        queue: asyncio.Queue[int] = asyncio.Queue()

        async def produce() -> None:
            for n in range(50):
                await queue.put(n)
                await asyncio.sleep(0)

        task = asyncio.create_task(produce())
        got = [await asyncio.wait_for(queue.get(), 10) for _ in range(50)]
        await task
        return got

    assert loop.run_until_complete(scenario()) == list(range(50))
