"""Services of an environment with their latest health: matched by name, troubled first."""

from __future__ import annotations

from pandadmin.core import config as cfg
from pandadmin.core.models import HealthResult, Status
from pandadmin.core.service_health import overview


def _env(*names: str) -> cfg.Environment:
    return cfg.Environment("prod", services=tuple(cfg.Service(n, f"http://x/{n}") for n in names))


def _result(name: str, ok: bool) -> HealthResult:
    return HealthResult(name, f"http://x/{name}", ok, 0.0, 200 if ok else 503)


def test_results_match_by_name_and_unchecked_services_stay_unknown() -> None:
    env = _env("api", "auth", "billing", "new")
    results = [_result("billing", False), _result("api", True), _result("auth", False)]
    results.append(_result("removed-since", False))  # a report older than an edit
    health = overview(env, results)
    assert [s.name for s in health.services] == ["api", "auth", "billing", "new"]
    assert (health.total, health.up, health.checked) == (4, 1, True)
    assert [s.name for s in health.worst_first()] == ["auth", "billing", "api", "new"]
    assert [s.name for s in health.troubled()] == ["auth", "billing"]
    assert health.services[3].status is None and not health.services[3].up


def test_nothing_checked_yet() -> None:
    health = overview(_env("api", "worker"))
    assert (health.total, health.up, health.checked, health.troubled()) == (2, 0, False, [])
    assert overview(_env()).total == 0


def test_a_degraded_service_is_up_but_troubled() -> None:
    from pandadmin.core.service_health import ServiceHealth

    degraded = ServiceHealth("search", Status.WARNING)
    assert degraded.up and ServiceHealth("auth", Status.CRITICAL).up is False
