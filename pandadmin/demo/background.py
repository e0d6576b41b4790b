"""An asyncio loop on its own thread for the demo's router and traffic, and the router.

The router is a round-robin TCP proxy standing in for a PaaS load balancer: a service
with two replicas has one health URL, as it would in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
HOST = "127.0.0.1"


class BackgroundLoop:
    """A daemon thread running an event loop; `close()` cancels everything and joins it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._servers: list[asyncio.Server] = []
        self._thread = threading.Thread(target=self._run, name="pandadmin-demo", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def spawn(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def start_router(self, ports: Sequence[int]) -> int:
        """Start a round-robin proxy to `ports` on 127.0.0.1; returns its own port."""
        server = self.run(_start_router(ports))
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    def close(self, timeout: float = 5.0) -> None:
        if self.loop.is_closed() or not self._thread.is_alive():
            return
        with contextlib.suppress(TimeoutError, RuntimeError):
            self.run(self._shutdown(), timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.set_exception_handler(_quiet_cancellation)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        current = asyncio.current_task()
        # A cancelled task may start others (anyio's happy-eyeballs connects under httpx);
        # left pending, the closed loop reports them as "coroutine was never awaited".
        for _ in range(10):
            tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
            if not tasks:
                return
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def _quiet_cancellation(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Cancelling the router's connection tasks at shutdown is normal, not an error.

    Before Python 3.12.2 asyncio's stream callback reports a cancelled handler task as an
    exception (CPython gh-113538); everything else is reported as usual.
    """
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


async def _start_router(ports: Sequence[int]) -> asyncio.Server:
    turns = itertools.count()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = next(turns) % len(ports)  # round robin; the others are fallbacks, in order
        await _proxy(reader, writer, [*ports[first:], *ports[:first]])

    return await asyncio.start_server(handle, HOST, 0)


async def _proxy(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ports: Sequence[int]
) -> None:
    upstream = await _connect_any(ports)
    if upstream is None:
        writer.close()
        return
    up_reader, up_writer = upstream
    await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _connect_any(
    ports: Sequence[int],
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
    """The first replica that accepts, in round-robin order (a dead one is skipped)."""
    for port in ports:
        with contextlib.suppress(OSError, TimeoutError):
            return await asyncio.wait_for(asyncio.open_connection(HOST, port), 3.0)
    return None


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()
