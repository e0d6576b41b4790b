"""Where a health round trip spends its time (DNS, connect, TLS, first byte) and when the
server's certificate expires.

httpcore reports phases to a `trace` request extension ("connection.connect_tcp.started",
"connection.start_tls.complete", "http11.receive_response_headers.complete", ...), but its
connect_tcp includes the name lookup. `TimedBackend` wraps the pool's network backend to
resolve the name itself, timed, and then connects to the addresses it found; the stream it
returns carries the lookup time for the trace to pick up.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx

from pandadmin.core.models import Note, NoteKind, Status, Timing

DNS_INFO = "pandadmin_dns_ms"
DAY = 86400.0


class TimedStream(httpcore.AsyncNetworkStream):
    """A connected stream that remembers how long its name lookup took."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, dns_ms: float | None) -> None:
        self._inner, self.dns_ms = inner, dns_ms

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.start_tls(ssl_context, server_hostname, timeout)

    def get_extra_info(self, info: str) -> Any:
        return self.dns_ms if info == DNS_INFO else self._inner.get_extra_info(info)


class TimedBackend(httpcore.AsyncNetworkBackend):
    """Resolves names itself (timed), then lets the wrapped backend connect to each address."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if _is_address(host):
            stream = await self._inner.connect_tcp(
                host, port, timeout, local_address, socket_options
            )
            return TimedStream(stream, None)
        started = time.perf_counter()
        addresses = await _resolve(host, port, timeout)
        dns_ms = (time.perf_counter() - started) * 1000
        for number, address in enumerate(addresses):
            try:
                stream = await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
                return TimedStream(stream, dns_ms)
            except httpcore.ConnectError:
                if number == len(addresses) - 1:
                    raise
        raise httpcore.ConnectError(f"no address for {host}")  # pragma: no cover

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install_timing(transport: httpx.AsyncHTTPTransport) -> httpx.AsyncHTTPTransport:
    """Give the transport's pool a TimedBackend (httpx offers no public way to pass one)."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None and not isinstance(backend, TimedBackend):
        pool._network_backend = TimedBackend(backend)  # type: ignore[union-attr]
    return transport


class PhaseTrace:
    """The `trace` extension of one request; `timing()` once the headers are in."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.dns_ms: float | None = None

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        self.marks[event.split(".", 1)[1] if event.startswith("http") else event] = (
            time.perf_counter()
        )
        if event == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            if stream is not None:
                self.dns_ms = stream.get_extra_info(DNS_INFO)

    def timing(self) -> Timing:
        connect = self._span("connection.connect_tcp")
        return Timing(
            dns_ms=self.dns_ms,
            connect_ms=connect,
            tls_ms=self._span("connection.start_tls"),
            # from the request's first byte out to the answer's headers in: the server's part
            first_byte_ms=self._span("send_request_headers", "receive_response_headers"),
        )

    def _span(self, phase: str, until: str | None = None) -> float | None:
        started = self.marks.get(phase + ".started")
        done = self.marks.get((until or phase) + ".complete")
        if started is None or done is None:
            return None
        return (done - started) * 1000


def certificate_expiry(response: httpx.Response) -> float | None:
    """The verified server certificate's notAfter (epoch seconds), None over plain HTTP."""
    stream = response.extensions.get("network_stream")
    return certificate_not_after(stream.get_extra_info("ssl_object") if stream else None)


def certificate_not_after(ssl_object: ssl.SSLObject | None) -> float | None:
    """The verified peer certificate's notAfter (epoch seconds) of a TLS connection."""
    if ssl_object is None:
        return None
    not_after = (ssl_object.getpeercert() or {}).get("notAfter")
    return ssl.cert_time_to_seconds(not_after) if isinstance(not_after, str) else None


def certificate_note(
    expires_at: float | None, now: float, warning_days: float, critical_days: float
) -> Note | None:
    """Warning under `warning_days` left, critical under `critical_days` (with the date)."""
    if expires_at is None:
        return None
    left = (expires_at - now) / DAY
    if left >= warning_days:
        return None
    date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(expires_at))
    days = int(left)
    text = f"certificate expires in {days} day{'s' if days != 1 else ''} ({date})"
    status = Status.CRITICAL if left < critical_days else Status.WARNING
    return Note(status, text, NoteKind.CERTIFICATE)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


async def _resolve(host: str, port: int, timeout: float | None) -> list[str]:
    try:
        with anyio.fail_after(timeout):
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"name lookup of {host} timed out") from None
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from None
    addresses = [str(info[4][0]) for info in infos]
    return list(dict.fromkeys(addresses)) or [host]
