"""Certificate expiry and the TLS phase, against uvicorn serving real TLS from a test CA."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pandadmin.core.config import Service
from pandadmin.core.health import HealthProber
from pandadmin.core.models import HealthResult, Status


def check(test_ca: Any, service: Service) -> HealthResult:
    async def main() -> HealthResult:
        prober = HealthProber(timeout=5.0, verify=test_ca.context())
        try:
            return await prober.check(service)
        finally:
            await prober.close()

    return asyncio.run(main())


def test_certificate_expiring_in_two_days_is_critical_with_the_date(
    test_ca: Any, tls_servers: dict[str, str]
) -> None:
    result = check(test_ca, Service("api", tls_servers["2d"] + "/dialect/ok"))
    assert result.ok and result.status == Status.CRITICAL
    assert result.certificate_days_left == 2
    expires = result.certificate_expires_at
    assert expires is not None and 2 * 86400 < expires - result.checked_at <= 2 * 86400 + 3600
    date = time.strftime("%Y-%m-%d", time.gmtime(expires))  # the certificate's own date
    assert result.notes[0].text.startswith(f"certificate expires in 2 days ({date} ")
    document = result.to_json()
    assert document["status"] == "critical" and document["certificate_days_left"] == 2
    assert document["certificate_expires_at"].startswith(date)


def test_certificate_expiring_in_ten_days_is_a_warning(
    test_ca: Any, tls_servers: dict[str, str]
) -> None:
    result = check(test_ca, Service("api", tls_servers["10d"] + "/dialect/ok"))
    assert result.status == Status.WARNING and result.certificate_days_left == 10
    assert result.notes[0].text.startswith("certificate expires in 10 days (")


def test_per_service_certificate_thresholds(test_ca: Any, tls_servers: dict[str, str]) -> None:
    url = tls_servers["10d"] + "/dialect/ok"
    relaxed = check(test_ca, Service("api", url, cert_warning_days=7, cert_critical_days=1))
    assert relaxed.status == Status.OK and relaxed.certificate_days_left == 10
    strict = check(test_ca, Service("api", url, cert_warning_days=30, cert_critical_days=20))
    assert strict.status == Status.CRITICAL


def test_far_certificate_is_fine_and_tls_is_timed(
    test_ca: Any, tls_servers: dict[str, str]
) -> None:
    result = check(test_ca, Service("api", tls_servers["far"] + "/dialect/ietf-pass"))
    assert result.status == Status.OK and not result.notes
    assert result.certificate_days_left is not None and result.certificate_days_left > 300
    timing = result.timing
    assert timing is not None
    assert None not in (timing.dns_ms, timing.connect_ms, timing.tls_ms, timing.first_byte_ms)


def test_plain_http_has_no_certificate(dialects: str, test_ca: Any) -> None:
    result = check(test_ca, Service("api", dialects + "/dialect/ok"))
    assert result.certificate_days_left is None
    assert "certificate_days_left" not in result.to_json()


def test_untrusted_certificate_is_a_tls_error(tls_servers: dict[str, str]) -> None:
    async def main() -> HealthResult:
        prober = HealthProber(timeout=5.0)  # the system's CAs: the test CA is not among them
        try:
            return await prober.check(Service("api", tls_servers["far"] + "/dialect/ok"))
        finally:
            await prober.close()

    result = asyncio.run(main())
    assert not result.ok and result.error is not None and result.error.startswith("TLS error")
