"""The lean HTTP/1.1 path of the health client against raw servers that answer exactly as
told: keep-alive reuse, a kept-alive connection the server dropped, answers it leaves to
httpx (chunked, redirects), close-delimited bodies, the request it sends."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pandadmin import __version__
from pandadmin.core.config import Service
from pandadmin.core.health import HealthProber
from pandadmin.core.lean_http import target_of
from pandadmin.core.models import HealthResult

OK = b'{"ok": true}'
Answer = Callable[[int, bytes], bytes | None]  # (request number on its connection, head)


def length_answer(body: bytes = OK, extra: bytes = b"") -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra
    return head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


class RawServer:
    """Counts connections and records request heads; `answer` decides each reply (None:
    close the connection without answering; an HTTP/1.0 reply closes it after the body)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.heads: list[bytes] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            for number in range(100):
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                reply = self.answer(number, head)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                if reply.startswith(b"HTTP/1.0"):
                    break  # the body ends with the connection
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def with_server(
    answer: Answer,
    body: Callable[[str, HealthProber], Awaitable[list[HealthResult]]],
    tls: tuple[ssl.SSLContext, ssl.SSLContext] | None = None,  # (server's, client's)
) -> tuple[RawServer, list[HealthResult]]:
    raw = RawServer(answer)
    server = await asyncio.start_server(raw.serve, "127.0.0.1", 0, ssl=tls and tls[0])
    scheme = "https" if tls else "http"
    url = f"{scheme}://127.0.0.1:{server.sockets[0].getsockname()[1]}/health"
    prober = HealthProber(timeout=5.0, verify=tls[1] if tls else True)
    try:
        return raw, await body(url, prober)
    finally:
        await prober.close()
        server.close()


def checks(answer: Answer, count: int = 3) -> tuple[RawServer, list[HealthResult]]:
    """`count` checks one after another on one prober."""

    async def body(url: str, prober: HealthProber) -> list[HealthResult]:
        return [await prober.check(Service("api", url)) for _ in range(count)]

    return asyncio.run(with_server(answer, body))


def lean(head: bytes) -> bool:
    """httpx always sends Accept-Encoding; the lean client never does."""
    return b"accept-encoding" not in head.lower()


def test_keep_alive_connection_is_reused() -> None:
    raw, results = checks(lambda n, head: length_answer())
    assert [r.ok for r in results] == [True] * 3
    assert raw.connections == 1 and all(lean(h) for h in raw.heads)
    fresh, reused = results[0].timing, results[1].timing
    assert fresh is not None and fresh.connect_ms is not None and fresh.first_byte_ms is not None
    assert reused is not None and reused.connect_ms is None and reused.first_byte_ms is not None


def test_a_dropped_keep_alive_connection_is_retried_on_a_new_one() -> None:
    """The server closes each connection at its second request without answering (its
    keep-alive timeout hit as the request went out): every check still reports ok."""
    raw, results = checks(lambda n, head: length_answer() if n == 0 else None)
    assert [(r.ok, r.error) for r in results] == [(True, None)] * 3
    assert raw.connections == 3 and len(raw.heads) == 5  # 3 answered + 2 dropped
    assert all(lean(h) for h in raw.heads)  # retried by the lean client, not left to httpx


def test_bytes_nobody_asked_for_are_never_taken_for_an_answer() -> None:
    """An idle kept-alive connection that received an unasked answer (here a 503) is not
    reused: the next check gets its own answer on a new connection."""
    answered, written = asyncio.Event(), asyncio.Event()
    connections: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(length_answer())
            await writer.drain()
            if len(connections) == 1:
                await answered.wait()  # the client has kept the connection for later
                writer.write(b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                written.set()
            await reader.read()  # until the client closes
        finally:
            writer.close()

    async def main() -> list[HealthResult]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        service = Service("api", f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/h")
        prober = HealthProber(timeout=5.0)
        try:
            first = await prober.check(service)
            answered.set()
            await asyncio.wait_for(written.wait(), 10)
            for _ in range(20):  # let the client's connection read what was written
                await asyncio.sleep(0)
            return [first, await prober.check(service)]
        finally:
            await prober.close()
            server.close()

    results = asyncio.run(main())
    assert [(r.http_status, r.error) for r in results] == [(200, None)] * 2
    assert len(connections) == 2


def test_the_request_sent() -> None:
    async def body(url: str, prober: HealthProber) -> list[HealthResult]:
        service = Service("api", url + "?deep=1")
        return [await prober.check(service, {"Authorization": "Bearer t0ken"})]

    raw, results = asyncio.run(with_server(lambda n, head: length_answer(), body))
    assert results[0].ok
    port = results[0].url.split(":")[2].split("/")[0]
    assert raw.heads == [
        f"GET /health?deep=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"User-Agent: pandadmin/{__version__}\r\nAccept: application/json\r\n"
        "Authorization: Bearer t0ken\r\n\r\n".encode()
    ]


def test_chunked_answers_go_to_httpx_and_stay_there() -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked += b"%x\r\n%s\r\n0\r\n\r\n" % (len(b'{"ok": false}'), b'{"ok": false}')
    raw, results = checks(lambda n, head: chunked)
    assert [r.error for r in results] == ["reported not ok"] * 3  # the body was read
    assert [lean(h) for h in raw.heads] == [True, False, False, False]


def test_redirects_are_followed_by_httpx() -> None:
    def answer(number: int, head: bytes) -> bytes:
        if head.startswith(b"GET /health "):
            return b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
        return length_answer(b'{"status": "down"}')

    raw, results = checks(answer, count=1)
    assert (results[0].http_status, results[0].error) == (200, "reported down")
    assert raw.heads[-1].startswith(b"GET /elsewhere ")


def test_close_delimited_body() -> None:
    body = b'{"ok": false, "error": "disk full"}'
    raw, results = checks(lambda n, head: b"HTTP/1.0 200 OK\r\n\r\n" + body, count=2)
    assert [r.error for r in results] == ["reported not ok: disk full"] * 2
    assert raw.connections == 2 and all(lean(h) for h in raw.heads)


def test_connection_close_is_honoured() -> None:
    raw, results = checks(lambda n, head: length_answer(extra=b"Connection: close\r\n"))
    assert all(r.ok for r in results) and raw.connections == 3


def test_https_after_httpx_had_an_http11_answer(test_ca: Any) -> None:
    """The first check of an https origin goes through httpx (it would negotiate HTTP/2
    where offered); once it answered over HTTP/1.1, the lean client takes the origin over,
    certificate expiry and TLS timing included."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    test_ca.ca.issue_cert("127.0.0.1").configure_cert(server_context)

    async def body(url: str, prober: HealthProber) -> list[HealthResult]:
        return [await prober.check(Service("api", url)) for _ in range(3)]

    tls = (server_context, test_ca.context())
    raw, results = asyncio.run(with_server(lambda n, head: length_answer(), body, tls))
    assert [(r.ok, r.error) for r in results] == [(True, None)] * 3
    assert [lean(h) for h in raw.heads] == [False, True, True]
    assert raw.connections == 2  # httpx's, then the lean client's one kept alive
    days = [r.certificate_days_left for r in results]
    assert days[0] is not None and days[0] > 300 and days == [days[0]] * 3
    first_lean, reused = results[1].timing, results[2].timing
    assert first_lean is not None and first_lean.tls_ms is not None
    assert reused is not None and reused.tls_ms is None and reused.first_byte_ms is not None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/health",
        "http://example.com/a b",
        "http://user:pw@example.com/health",
        "http://example.com/a/../health",
        "http://example.com/%zz",
        "http://exämple.com/health",
        "http://example.com:99999/health",
        "http://example.com/health?",
    ],
)
def test_urls_left_to_httpx(url: str) -> None:
    assert target_of(url, b"") is None


@pytest.mark.parametrize(
    ("url", "host", "port", "line"),
    [
        ("http://Example.com/h", "example.com", 80, b"GET /h HTTP/1.1\r\nHost: example.com\r\n"),
        ("http://example.com:80", "example.com", 80, b"GET / HTTP/1.1\r\nHost: example.com\r\n"),
        ("http://[::1]:8080/h?x=1#f", "::1", 8080, b"GET /h?x=1 HTTP/1.1\r\nHost: [::1]:8080\r\n"),
    ],
)  # fmt: skip
def test_targets(url: str, host: str, port: int, line: bytes) -> None:
    target = target_of(url, b"")
    assert target is not None and (target.host, target.port, target.head) == (host, port, line)
