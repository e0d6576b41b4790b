"""The health probe against a real uvicorn server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import json
import time
import tracemalloc

import pytest

from pandadmin.core.config import Service
from pandadmin.core.health import HealthProber
from pandadmin.core.health_body import judge
from pandadmin.core.models import HealthResult, Status
from pandadmin.core.settings import parse_accepted


def probe(url: str, timeout: float = 1.0) -> HealthResult:
    async def main() -> HealthResult:
        prober = HealthProber(timeout=timeout, connect_timeout=timeout)
        try:
            return await prober.check(Service("api", url))
        finally:
            await prober.close()

    return asyncio.run(main())


def test_ok_json(faults: str) -> None:
    result = probe(faults + "/ok")
    assert result.ok and result.http_status == 200 and result.error is None
    assert result.latency_ms is not None and 0 < result.latency_ms < 1000


def test_plain_text_body_is_fine(faults: str) -> None:
    result = probe(faults + "/plain")
    assert result.ok and result.http_status == 200


def test_ok_false_with_200_is_unhealthy(faults: str) -> None:
    result = probe(faults + "/not-ok")
    assert not result.ok and result.http_status == 200
    assert result.error == "reported not ok: database unavailable"


def test_non_2xx_is_unhealthy_with_reason(faults: str) -> None:
    result = probe(faults + "/error")
    assert not result.ok and result.error == "HTTP 503: maintenance"


def test_hung_endpoint_is_bounded_by_timeout(faults: str) -> None:
    started = time.perf_counter()
    result = probe(faults + "/hang", timeout=0.5)
    assert time.perf_counter() - started < 2.0
    assert not result.ok and result.error == "timed out after 0.5 s"


class HugeBody:
    """A raw HTTP server on 127.0.0.1 answering 200 with a 50 MB body; counts the bytes the
    socket accepted (it blocks once the client stops reading and its buffers are full)."""

    SIZE, CHUNK = 50 * 2**20, 64 * 1024

    def __init__(self) -> None:
        self.accepted = 0
        self.ended = asyncio.Event()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {self.SIZE}\r\n\r\n".encode())
        try:
            for _ in range(self.SIZE // self.CHUNK):
                writer.write(b"x" * self.CHUNK)
                await writer.drain()
                self.accepted += self.CHUNK
        except (ConnectionError, OSError):
            pass  # the client hung up: what it never read stays unsent
        finally:
            writer.close()
            self.ended.set()


def test_big_body_is_not_read_beyond_the_cap() -> None:
    """A 50 MB body against a 64 KB cap: the server can hand over only what the socket
    buffers take before the client hangs up, and the client's memory stays flat."""
    body = HugeBody()

    async def main() -> tuple[HealthResult, int]:
        server = await asyncio.start_server(body.serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        prober = HealthProber(timeout=20.0, max_body=64 * 1024)
        tracemalloc.start()
        try:
            result = await prober.check(Service("api", f"http://127.0.0.1:{port}/health"))
            peak = tracemalloc.get_traced_memory()[1]
            await asyncio.wait_for(body.ended.wait(), 30)
            return result, peak
        finally:
            tracemalloc.stop()
            await prober.close()
            server.close()

    result, peak = asyncio.run(main())
    assert result.ok and result.http_status == 200  # the status decides; the rest is unread
    assert peak < 8 * 2**20, f"client memory peaked at {peak / 2**20:.1f} MB"
    assert body.accepted < 20 * 2**20, f"{body.accepted / 2**20:.1f} MB of 50 were sent"


def test_redirect_loop(faults: str) -> None:
    result = probe(faults + "/loop")
    assert not result.ok and result.error == "more than 3 redirects"


def test_connection_refused() -> None:
    result = probe("http://127.0.0.1:9/health")
    assert not result.ok and result.error == "connection refused"


def test_unresolvable_host() -> None:
    result = probe("http://no-such-host.invalid/health", timeout=3.0)
    assert not result.ok and result.error == "cannot resolve host no-such-host.invalid"


def test_one_client_serves_concurrent_checks(faults: str) -> None:
    async def main() -> list[HealthResult]:
        prober = HealthProber(timeout=1.0)
        try:
            urls = [faults + "/ok"] * 20 + [faults + "/hang"]
            return await asyncio.gather(
                *(prober.check(Service(f"s{i}", u)) for i, u in enumerate(urls))
            )
        finally:
            await prober.close()

    results = asyncio.run(main())
    assert sum(r.ok for r in results) == 20
    assert results[-1].error == "timed out after 1 s"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b'{"ok": true}', (Status.OK, None)),
        (204, b"", (Status.OK, None)),
        (200, b'{"status": "pass"}', (Status.OK, None)),
        (200, b'{"status": "PASS", "ok": false}', (Status.CRITICAL, "reported not ok")),
        (200, b'{"ok": 0}', (Status.CRITICAL, "reported not ok")),
        (200, b'{"status": "WaRn"}', (Status.WARNING, "reported warn")),
        (200, b'{"status": "starting"}', (Status.OK, None)),  # not a word we know
        (
            200,
            b'{"checks": {"db": [{"status": "fail"}]}}',
            (Status.CRITICAL, "reported not ok (db: fail)"),
        ),
        (200, b"[1, 2]", (Status.OK, None)),
        (200, None, (Status.OK, None)),
        (301, b"", (Status.CRITICAL, "HTTP 301")),
        (500, b"<html>", (Status.CRITICAL, "HTTP 500")),
    ],
)
def test_judge(status: int, body: bytes | None, expected: tuple[Status, str | None]) -> None:
    verdict = judge(status, body)
    assert (verdict.status, verdict.reason) == expected


def test_accepted_status_spec() -> None:
    assert parse_accepted("200-299, 418") == ((200, 299), (418, 418))
    for bad, message in (("2xx", "invalid status code range '2xx'"), ("300-200", "within")):
        with pytest.raises(ValueError, match=message):
            parse_accepted(bad)


def test_nested_actuator_components_and_cap() -> None:
    body = {
        "status": "UP",
        "components": {
            "db": {"status": "UP", "components": {"primary": {"status": "UP"}}},
            **{f"c{i}": {"status": "UP"} for i in range(80)},
        },
    }
    verdict = judge(200, json.dumps(body).encode())
    assert [c.name for c in verdict.checks[:3]] == ["db", "db/primary", "c0"]
    assert len(verdict.checks) == 50
