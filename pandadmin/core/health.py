"""Health probe: GET each service's health URL, bounded in time and body size.

One shared httpx client does the full HTTP work (TLS set-up with HTTP/2 where offered,
redirects, any framing, error texts); the plain HTTP/1.1 answers that make up nearly every
poll go through the lean client of `core/lean_http.py` first, at a tenth of the CPU.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Mapping
from dataclasses import replace

import httpx

from pandadmin import __version__
from pandadmin.core.config import Service
from pandadmin.core.health_body import Answer, assess
from pandadmin.core.health_secrets import without_userinfo
from pandadmin.core.health_trace import PhaseTrace, certificate_expiry
from pandadmin.core.http_pool import PoolPerOrigin
from pandadmin.core.lean_http import LeanClient
from pandadmin.core.lean_http_wire import Declined
from pandadmin.core.models import HealthResult

MAX_BODY = 256 * 1024
MAX_REDIRECTS = 3
RETRY_PAUSE_S = 0.2
RETRY_BUDGET_S = 20.0  # all attempts of one check (the poller's ceiling is 30 s)


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
        ssl_context = httpx.create_ssl_context(verify)
        own = {"User-Agent": f"pandadmin/{__version__}", "Accept": "application/json"}
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            transport=PoolPerOrigin(ssl_context),
            headers=own,
        )
        # HTTP/1.1 answers the lean client understands skip httpx's per-request CPU.
        # Neither goes through a proxy: httpx ignores *_PROXY when given a transport.
        self._lean: LeanClient | None = LeanClient(own, connect_timeout, ssl_context)

    async def check(
        self, service: Service, headers: Mapping[str, str] | None = None
    ) -> HealthResult:
        """One check: a GET, retried at once up to `service.retries` times while it fails."""
        service, headers = without_userinfo(service, headers)
        started = time.monotonic()
        result = await self._attempt(service, headers)
        attempts = 1
        while not result.ok and attempts <= service.retries and self._may_retry(started):
            await asyncio.sleep(RETRY_PAUSE_S)
            attempts += 1
            result = await self._attempt(service, headers)
        return replace(result, attempts=attempts) if attempts > 1 else result

    def _may_retry(self, started: float) -> bool:
        """Another attempt must end within RETRY_BUDGET_S, well under the poll's ceiling."""
        return time.monotonic() - started + RETRY_PAUSE_S + self.timeout <= RETRY_BUDGET_S

    async def close(self) -> None:
        if self._lean is not None:
            await self._lean.close()
        await self._client.aclose()

    async def _attempt(self, service: Service, headers: Mapping[str, str] | None) -> HealthResult:
        """One GET, bounded in total by `timeout` (a slow-drip body cannot stretch it)."""
        started, wall, trace = time.perf_counter(), time.time(), PhaseTrace()
        try:
            async with asyncio.timeout(self.timeout):
                answer = await self._get(service.health_url, started, headers, trace)
        except (TimeoutError, httpx.TimeoutException):
            error = f"timed out after {self.timeout:g} s"
            return self._failed(service, wall, error, trace)
        except httpx.HTTPError as exc:
            return self._failed(service, wall, describe_http_error(exc), trace)
        return assess(service, answer, wall)

    async def _get(
        self, url: str, started: float, headers: Mapping[str, str] | None, trace: PhaseTrace
    ) -> Answer:
        if self._lean is not None:
            try:
                lean = await self._lean.get(url, headers, self.max_body)
                expires = lean.certificate_expires_at
                return Answer(lean.code, lean.body, lean.latency_ms, lean.timing, expires)
            except Declined:
                started = time.perf_counter()  # the full client's own round trip
        extensions = {"trace": trace}
        async with self._client.stream(
            "GET", url, headers=headers, extensions=extensions
        ) as response:
            latency = (time.perf_counter() - started) * 1000
            if self._lean is not None and response.http_version == "HTTP/1.1":
                self._lean.speaks_http11(str(response.url))
            expires = certificate_expiry(response)
            body = await self._read_capped(response)
            return Answer(response.status_code, body, latency, trace.timing(), expires)

    async def _read_capped(self, response: httpx.Response) -> bytes | None:
        """The body, or None when it exceeds the cap (the rest is never read)."""
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    def _failed(self, service: Service, wall: float, error: str, trace: PhaseTrace) -> HealthResult:
        timing = trace.timing()
        return HealthResult(
            service.name, service.health_url, False, wall, error=error, timing=timing
        )


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
