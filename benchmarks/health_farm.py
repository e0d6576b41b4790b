"""A load-test target: many tiny HTTP health endpoints on 127.0.0.1, one per port.

Every port answers `GET` with `{"ok": true}` after a fixed delay (HTTP/1.1 keep-alive),
except paths under `/hang` (many services behind one gateway, some of them hung);
"hang" ports accept the connection and never answer. One asyncio process serves them
all, so the benchmark's client process is measured without the servers' CPU inside it.
Prints one JSON line `{"ports": [...], "hang_ports": [...]}` once every port listens.

    python benchmarks/health_farm.py --ports 200 --delay 0.1 [--hang 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

BODY = b'{"ok": true}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)
HEAD_LIMIT = 16 * 1024


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Serve requests on one connection until the client closes it."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if head.startswith(b"GET /hang"):
                return await never_answer(reader, writer)
            await asyncio.sleep(delay)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Read the request and keep the connection open without a reply (a hung app)."""
    try:
        while await reader.read(HEAD_LIMIT):
            pass
    except ConnectionError:
        pass
    finally:
        writer.close()


async def listen(count: int, handler) -> list[asyncio.Server]:  # type: ignore[no-untyped-def]
    servers = []
    for _ in range(count):
        servers.append(await asyncio.start_server(handler, "127.0.0.1", 0, backlog=512))
    return servers


def ports_of(servers: list[asyncio.Server]) -> list[int]:
    return [server.sockets[0].getsockname()[1] for server in servers]


async def serve(count: int, delay: float, hang: int) -> None:
    healthy = await listen(count, lambda r, w: answer(r, w, delay))
    hung = await listen(hang, never_answer)
    print(json.dumps({"ports": ports_of(healthy), "hang_ports": ports_of(hung)}), flush=True)
    # Stop when the parent closes our stdin (or dies): never outlive the benchmark.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds before each answer")
    parser.add_argument("--hang", type=int, default=0, help="ports that never answer")
    options = parser.parse_args()
    asyncio.run(serve(options.ports, options.delay, options.hang))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
