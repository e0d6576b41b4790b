"""The health client's transport: per-origin pools where a hung request delays no other.

Many services often sit behind one gateway (one host, many paths). A fixed number of
connections per origin let 8 hung services queue every other one behind them. Here an
origin's requests are spread over shards, each a small httpx pool with `SHARD_SIZE`
requests in flight at most, and a new shard opens whenever every shard is busy (idle
shards keep their connections alive for the next poll). HTTP/2 is negotiated where a TLS
server offers it; one connection then carries a shard's requests as independent streams,
so once an origin has answered over HTTP/2 its shards take `SHARD_STREAMS` requests each.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable

import httpx

from pandadmin.core.health_trace import install_timing

# httpcore's pool walks all of its connections and queued requests on every request and
# every release, O(n^2) for n in flight (encode/httpcore#1035): keep n small per pool.
# Client CPU for 200 requests on one origin by shard size (benchmarks/bench_shared_origin.py):
# 1: 0.19 s (as much as on 200 origins), 4: 0.23 s, 8: 0.30 s, 16: 0.41 s.
SHARD_SIZE = 1
SHARD_LIMITS = httpx.Limits(max_connections=SHARD_SIZE, max_keepalive_connections=SHARD_SIZE)
# Streams per HTTP/2 shard: below the 100 concurrent streams servers commonly allow.
SHARD_STREAMS = 32

Origin = tuple[bytes, bytes, int | None]


class _Shard:
    """One httpx transport and the number of requests it has in flight."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self.transport = install_timing(
            httpx.AsyncHTTPTransport(verify=ssl_context, http2=True, limits=SHARD_LIMITS)
        )
        self.in_flight = 0

    def release(self) -> None:
        self.in_flight -= 1


class _ReleasingStream(httpx.AsyncByteStream):
    """A response body that gives its shard's place back once, when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


class OriginPools:
    """The shards of one origin; a request goes to the first one with a free place."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl_context = ssl_context
        self._shards: list[_Shard] = []
        self._per_shard = SHARD_SIZE

    def _free_shard(self) -> _Shard:
        for shard in self._shards:
            if shard.in_flight < self._per_shard:
                return shard
        shard = _Shard(self._ssl_context)
        self._shards.append(shard)
        return shard

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shard = self._free_shard()
        shard.in_flight += 1
        try:
            response = await shard.transport.handle_async_request(request)
        except BaseException:
            shard.release()
            raise
        if response.extensions.get("http_version") == b"HTTP/2":
            self._per_shard = SHARD_STREAMS
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _ReleasingStream(response.stream, shard.release)
        return response

    async def aclose(self) -> None:
        shards, self._shards = self._shards, []
        for shard in shards:
            await shard.transport.aclose()


class PoolPerOrigin(httpx.AsyncBaseTransport):
    """The shared client's transport: `OriginPools` per origin, least recently used dropped.

    One SSL context serves every pool (building one costs milliseconds).
    """

    def __init__(self, ssl_context: ssl.SSLContext, max_origins: int = 4096) -> None:
        self._ssl_context = ssl_context
        self._max_origins = max_origins
        self._pools: OrderedDict[Origin, OriginPools] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        pools = self._pools.get(key)
        if pools is None:
            pools = self._pools[key] = OriginPools(self._ssl_context)
            if len(self._pools) > self._max_origins:  # services removed long ago
                await self._pools.popitem(last=False)[1].aclose()
        self._pools.move_to_end(key)
        return await pools.handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for origin in pools:
            await origin.aclose()
