"""Health probe: GET each service's health URL on one shared, bounded httpx client."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections import OrderedDict

import httpx

from pandadmin import __version__
from pandadmin.core.config import Service
from pandadmin.core.models import HealthResult

MAX_BODY = 256 * 1024
MAX_REDIRECTS = 3
POOL_LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=2)


class PoolPerOrigin(httpx.AsyncBaseTransport):
    """The shared client's transport: one small connection pool per origin.

    httpcore's pool walks all of its connections on every request and every release,
    O(n^2) for n requests in flight (encode/httpcore#1035): with hundreds of services
    polled at once in one pool, that bookkeeping took most of a poll cycle. Here n is
    one service's connections. One SSL context serves every pool (building one costs ms).
    """

    def __init__(self, ssl_context: ssl.SSLContext, max_origins: int = 4096) -> None:
        self._ssl_context = ssl_context
        self._max_origins = max_origins
        self._pools: OrderedDict[tuple[bytes, bytes, int | None], httpx.AsyncHTTPTransport]
        self._pools = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = httpx.AsyncHTTPTransport(
                verify=self._ssl_context, limits=POOL_LIMITS
            )
            if len(self._pools) > self._max_origins:  # services removed long ago
                await self._pools.popitem(last=False)[1].aclose()
        self._pools.move_to_end(key)
        return await pool.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.aclose()


class HealthProber:
    """Owns the one `httpx.AsyncClient` shared by every health check; `close()` it."""

    def __init__(
        self,
        *,
        connect_timeout: float = 3.0,
        timeout: float = 5.0,
        max_body: int = MAX_BODY,
        verify: bool | ssl.SSLContext = True,
    ) -> None:
        self.timeout = timeout
        self.max_body = max_body
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            transport=PoolPerOrigin(httpx.create_ssl_context(verify)),
            headers={"User-Agent": f"pandadmin/{__version__}", "Accept": "application/json"},
        )

    async def check(self, service: Service) -> HealthResult:
        """One GET, bounded in total by `timeout` (a slow-drip body cannot stretch it)."""
        started, wall = time.perf_counter(), time.time()
        try:
            async with asyncio.timeout(self.timeout):
                status, body, latency = await self._get(service.health_url, started)
        except (TimeoutError, httpx.TimeoutException):
            return self._failed(service, wall, f"timed out after {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return self._failed(service, wall, describe_http_error(exc))
        ok, error = judge(status, body)
        return HealthResult(service.name, service.health_url, ok, wall, status, latency, error)

    async def close(self) -> None:
        await self._client.aclose()

    async def _get(self, url: str, started: float) -> tuple[int, bytes | None, float]:
        async with self._client.stream("GET", url) as response:
            latency = (time.perf_counter() - started) * 1000
            body = await self._read_capped(response)
            return response.status_code, body, latency

    async def _read_capped(self, response: httpx.Response) -> bytes | None:
        """The body, or None when it exceeds the cap (the rest is never read)."""
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _failed(self, service: Service, wall: float, error: str) -> HealthResult:
        return HealthResult(service.name, service.health_url, False, wall, error=error)


def judge(status: int, body: bytes | None) -> tuple[bool, str | None]:
    """2xx is healthy unless the body is JSON with a false `ok` key."""
    if not 200 <= status < 300:
        return False, f"HTTP {status}" + _reason_from(body)
    if body is None:
        return True, None  # too large to inspect: the status code decides
    try:
        document = json.loads(body)
    except ValueError:
        return True, None  # a plain-text "OK" is a fine health answer
    if isinstance(document, dict) and "ok" in document and not document["ok"]:
        return False, "reported not ok" + _reason_from(body)
    return True, None


def _reason_from(body: bytes | None) -> str:
    if not body:
        return ""
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    if isinstance(document, dict):
        for key in ("error", "detail", "message"):
            if isinstance(document.get(key), str):
                return f": {document[key][:120]}"
    return ""


def describe_http_error(exc: httpx.HTTPError) -> str:
    """A short, human sentence for a transport failure."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if (
            "name or service not known" in lowered
            or "nodename nor servname" in lowered
            or ("temporary failure in name resolution" in lowered)
        ):
            return f"cannot resolve host {exc.request.url.host}"
        if "refused" in lowered or "all connection attempts failed" in lowered:
            return "connection refused"
        if "certificate" in lowered or "ssl" in lowered:
            return f"TLS error: {text[:160]}"
    return f"{type(exc).__name__}: {text[:160]}"
