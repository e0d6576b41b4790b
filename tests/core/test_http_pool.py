"""The health client against hung services sharing an origin with healthy ones."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pandadmin.core.config import Service
from pandadmin.core.health import HealthProber
from pandadmin.core.models import HealthResult
from tests.support.servers import HypercornProcess
from tests.support.tls import TestCA

HUNG, HEALTHY = 10, 10


async def hung_then_healthy(prober: HealthProber, base: str) -> list[HealthResult]:
    """HUNG services that never answer, then HEALTHY ones, all at once on one origin."""
    urls = [f"{base}/hang?s={i}" for i in range(HUNG)]
    urls += [f"{base}/ok?s={i}" for i in range(HEALTHY)]
    services = [Service(f"s{i}", url) for i, url in enumerate(urls)]
    try:
        return await asyncio.gather(*(prober.check(service) for service in services))
    finally:
        await prober.close()


def test_hung_services_delay_no_other_service_on_their_origin(faults: str) -> None:
    results = asyncio.run(hung_then_healthy(HealthProber(timeout=2.0), faults))
    hung, healthy = results[:HUNG], results[HUNG:]
    assert [r.error for r in healthy] == [None] * HEALTHY
    assert all(r.ok for r in healthy)
    assert {r.error for r in hung} == {"timed out after 2 s"}


@pytest.fixture(scope="module")
def faults_h2(test_ca: TestCA) -> Iterator[HypercornProcess]:
    """The fault app over TLS, offering HTTP/2, with a certificate from the test CA."""
    cert = test_ca.ca.issue_cert("127.0.0.1")
    chain, key = test_ca.folder / "h2.pem", test_ca.folder / "h2.key"
    cert.cert_chain_pems[0].write_to_path(str(chain))
    cert.private_key_pem.write_to_path(str(key))
    server = HypercornProcess("tests.support.fault_app:app", (str(chain), str(key)))
    server.wait_ready("/ok")
    yield server
    server.close()


def test_http2_where_the_server_offers_it(faults_h2: HypercornProcess, test_ca: TestCA) -> None:
    async def main() -> list[HealthResult]:
        prober = HealthProber(timeout=5.0, verify=test_ca.context())
        service = Service("api", faults_h2.url + "/http2-only")
        try:  # twice: an HTTP/2 origin stays with httpx (the lean client speaks HTTP/1.1)
            return [await prober.check(service) for _ in range(2)]
        finally:
            await prober.close()

    results = asyncio.run(main())
    assert [(r.ok, r.error) for r in results] == [(True, None)] * 2


def test_hung_streams_delay_no_other_service_over_http2(
    faults_h2: HypercornProcess, test_ca: TestCA
) -> None:
    # 4 s: twenty TLS + HTTP/2 set-ups against a Python server on 2 loaded cores took over 2 s
    # once; a healthy stream stuck behind a hung one would still time out with the hung ones.
    prober = HealthProber(timeout=4.0, verify=test_ca.context())
    results = asyncio.run(hung_then_healthy(prober, faults_h2.url))
    assert [r.error for r in results[HUNG:]] == [None] * HEALTHY
    assert {r.error for r in results[:HUNG]} == {"timed out after 4 s"}
