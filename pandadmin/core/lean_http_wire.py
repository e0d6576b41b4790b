"""One HTTP/1.1 exchange on a keep-alive asyncio connection, for the lean health client
(`core/lean_http.py`): the request out, a status line, headers and a Content-Length or
close-delimited body in. Anything else raises `Declined` (the caller asks httpx)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, replace

from pandadmin.core.models import Timing

MAX_HEAD = 64 * 1024
FIELD_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


class Declined(Exception):
    """This request or its answer is not for the lean client; `remember`: never for it."""

    def __init__(self, remember: bool = False) -> None:
        super().__init__()
        self.remember = remember


class Stale(Declined):
    """The connection was closed before any byte of the answer came."""


@dataclass(frozen=True, slots=True)
class LeanAnswer:
    code: int
    body: bytes | None  # None: larger than the cap, left unread
    latency_ms: float
    timing: Timing
    certificate_expires_at: float | None = None


class Connection(asyncio.Protocol):
    """One keep-alive TCP (or TLS) connection; one request at a time awaits its answer."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.closed = False  # the peer closed (EOF) or the connection was lost
        self.idle_since = 0.0
        self.expires_at: float | None = None  # the server certificate's notAfter (https)
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()
        if not self.lost.done():
            self.lost.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def more(self) -> None:
        """Wait for more data; `Declined` if the peer has closed."""
        if self.closed:
            raise Declined()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


async def read_answer(
    connection: Connection,
    request: bytes,
    max_body: int,
    started: float,
    timing: Timing | None,
) -> LeanAnswer:
    assert connection.transport is not None
    sent = time.perf_counter()
    connection.transport.write(request)
    buffer = connection.buffer
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        if len(buffer) > MAX_HEAD:
            raise Declined(remember=True)
        if connection.closed:
            raise Declined() if buffer else Stale()
        await connection.more()
    now = time.perf_counter()
    code, length, keep_alive = _parse_head(bytes(buffer[:end]))
    del buffer[: end + 4]
    body = await _read_body(connection, length, max_body)
    if not keep_alive or body is None:
        connection.close()
    first_byte_ms = (now - sent) * 1000
    phases = replace(timing or Timing(), first_byte_ms=first_byte_ms)
    return LeanAnswer(code, body, (now - started) * 1000, phases, connection.expires_at)


def _parse_head(head: bytes) -> tuple[int, int | None, bool]:
    """(status, Content-Length or None when the body ends with the connection, keep-alive);
    Declined (remembered) for anything but a plain final answer with a simple framing."""
    lines = head.split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    status = rest[:3]
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or not status.isdigit():
        raise Declined(remember=True)
    code = int(status)
    if code < 200 or 300 <= code < 400:  # informational, redirects: httpx handles them
        raise Declined(remember=True)
    length, keep_alive = None, version == b"HTTP/1.1"
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not FIELD_NAME.fullmatch(name):
            raise Declined(remember=True)  # folded or malformed field
        key = name.lower()
        if key == b"content-length":
            if not value.strip().isdigit() or (length is not None and length != int(value)):
                raise Declined(remember=True)
            length = int(value)
        elif key == b"transfer-encoding" or (key == b"content-encoding" and value.strip()):
            if value.strip().lower() != b"identity":
                raise Declined(remember=True)
        elif key == b"connection":
            keep_alive = _keeps_alive(value, keep_alive)
    if code == 204:
        length = 0
    return code, length, keep_alive and length is not None


def _keeps_alive(value: bytes, default: bool) -> bool:
    tokens = {t.strip().lower() for t in value.split(b",")}
    if b"close" in tokens:
        return False
    return default or b"keep-alive" in tokens


async def _read_body(connection: Connection, length: int | None, cap: int) -> bytes | None:
    """The body, or None when it is larger than the cap (the rest is never read)."""
    buffer = connection.buffer
    if length is not None:
        if length > cap:
            return None
        while len(buffer) < length:
            await connection.more()  # Declined if the peer closed before the end
        body = bytes(buffer[:length])
        del buffer[:length]
        return body
    while not connection.closed:  # delimited by the end of the connection
        if len(buffer) > cap:
            return None
        await connection.more()
    if len(buffer) > cap:
        return None
    body = bytes(buffer)
    buffer.clear()
    return body
