"""Health dialects, conditions and retries against a real uvicorn server (HTTP 200 bodies)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping

import pytest

from pandadmin.core.config import Service
from pandadmin.core.health import HealthProber
from pandadmin.core.models import HealthResult, Status


def check(
    service: Service, headers: Mapping[str, str] | None = None, timeout: float = 5.0
) -> HealthResult:
    async def main() -> HealthResult:
        prober = HealthProber(timeout=timeout)
        try:
            return await prober.check(service, headers)
        finally:
            await prober.close()

    return asyncio.run(main())


DIALECTS = {
    "ok-false": (Status.CRITICAL, "reported not ok: database unavailable"),
    "ietf-pass": (Status.OK, None),
    "ietf-warn": (Status.WARNING, None),
    "ietf-fail": (Status.CRITICAL, "reported fail (db:connection: fail)"),
    "actuator-up": (Status.OK, None),
    "actuator-down": (Status.CRITICAL, "reported down (db: down)"),
    "degraded": (Status.WARNING, None),
    "error": (Status.CRITICAL, "reported error"),
    "unhealthy": (Status.CRITICAL, "reported unhealthy"),
    "critical": (Status.CRITICAL, "reported critical"),
    "healthy": (Status.OK, None),
    "ok": (Status.OK, None),
}


def test_each_dialect_served_with_200(dialects: str) -> None:
    async def main() -> list[HealthResult]:
        prober = HealthProber(timeout=5.0)
        try:
            return await asyncio.gather(
                *(prober.check(Service(n, f"{dialects}/dialect/{n}")) for n in DIALECTS)
            )
        finally:
            await prober.close()

    results = asyncio.run(main())
    assert {r.service: (r.status, r.error) for r in results} == DIALECTS
    assert all(r.http_status == 200 and r.ok == (r.status != Status.CRITICAL) for r in results)


def test_ietf_sub_checks_with_latency_reach_the_json(dialects: str) -> None:
    result = check(Service("api", f"{dialects}/dialect/ietf-warn"))
    db, cache = result.checks
    assert (db.name, db.status, db.latency_ms, db.output) == (
        "db:responseTime",
        "fail",
        1204.0,
        "slow queries",
    )
    assert (cache.name, cache.status, cache.latency_ms) == ("cache:connections", "pass", None)
    document = result.to_json()
    assert document["status"] == "warning"
    assert document["checks"] == {"db:responseTime": "fail", "cache:connections": "pass"}
    assert document["notes"] == ["reported warn (db:responseTime: fail)"]


def test_actuator_components_are_sub_checks(dialects: str) -> None:
    result = check(Service("api", f"{dialects}/dialect/actuator-down"))
    assert result.to_json()["checks"] == {"db": "down", "diskSpace": "up"}
    assert result.checks[0].output == "Connection refused"


def test_timing_split_over_a_fresh_connection(dialects: str) -> None:
    timing = check(Service("api", f"{dialects}/slow?ms=200")).timing
    assert timing is not None
    assert timing.dns_ms is not None and timing.dns_ms >= 0  # "localhost" was looked up
    assert timing.connect_ms is not None and timing.tls_ms is None  # plain http
    # the server waits 200 ms after the request reached it: a lower bound by causality
    assert timing.first_byte_ms is not None and timing.first_byte_ms >= 190


def test_accepted_status_codes(dialects: str) -> None:
    url = f"{dialects}/protected"
    refused = check(Service("api", url))
    assert not refused.ok and refused.error == "HTTP 401: missing or wrong bearer token"
    accepted = check(Service("api", url, accepted_status="200-299,401", json_key=None))
    assert accepted.http_status == 401
    # the code is accepted, but the body still speaks for itself
    assert (
        accepted.status == Status.CRITICAL
        and accepted.error == "reported fail: missing or wrong bearer token"
    )


def test_json_key_condition(dialects: str) -> None:
    url = f"{dialects}/dialect/actuator-up"
    good = check(Service("api", url, json_key="components.db.status", json_value="UP"))
    assert good.ok
    wrong = check(Service("api", url, json_key="components.db.status", json_value="DOWN"))
    assert not wrong.ok and wrong.error == "components.db.status is 'UP', expected 'DOWN'"
    missing = check(Service("api", url, json_key="components.cache.status", json_value="UP"))
    assert not missing.ok and missing.error == "no components.cache.status in the body"


def test_latency_threshold_with_a_slow_server(dialects: str) -> None:
    slow = check(Service("api", f"{dialects}/slow?ms=400", latency_warning_ms=200))
    assert slow.ok and slow.status == Status.WARNING
    assert slow.notes[0].text.startswith("latency ") and slow.notes[0].text.endswith(
        "ms above 200 ms"
    )
    fast_enough = check(Service("api", f"{dialects}/slow?ms=0", latency_warning_ms=5000))
    assert fast_enough.status == Status.OK and not fast_enough.notes


def test_retries_before_down(dialects: str) -> None:
    def flaky(fail: int, retries: int) -> HealthResult:
        url = f"{dialects}/flaky/{uuid.uuid4().hex}?fail={fail}"
        return check(Service("api", url, retries=retries))

    recovered = flaky(fail=2, retries=2)
    assert recovered.ok and recovered.attempts == 3 and recovered.to_json()["attempts"] == 3
    down = flaky(fail=2, retries=1)
    assert not down.ok and down.attempts == 2 and down.error == "HTTP 503"
    assert flaky(fail=1, retries=0).attempts == 1


def test_retries_with_a_server_too_slow_for_the_timeout(dialects: str) -> None:
    result = check(Service("api", f"{dialects}/slow?ms=3000", retries=1), timeout=0.5)
    assert not result.ok and result.attempts == 2
    assert result.error == "timed out after 0.5 s"


def test_retries_stop_within_the_budget(dialects: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pandadmin.core.health.RETRY_BUDGET_S", 1.3)
    result = check(Service("api", f"{dialects}/slow?ms=3000", retries=10), timeout=0.5)
    assert not result.ok and result.attempts == 2  # a third would end after 1.3 s
