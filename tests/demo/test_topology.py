"""The demo's numbers tell the story they are meant to: limits that bind, a prod that
crosses the warning band in bursts without reaching critical, pools that could overrun."""

from __future__ import annotations

from pandadmin.core.config import BUILTIN_PLANS
from pandadmin.demo.topology import TOPOLOGY, EnvironmentSpec
from pandadmin.demo.traffic import FIRST_BURST_S, in_burst, wanted

SUPERUSER_RESERVED = 3  # pgserver's superuser_reserved_connections


def plan_limit(env: EnvironmentSpec) -> int:
    return env.connection_limit or BUILTIN_PLANS[env.plan or "free"]


def peak_connections(env: EnvironmentSpec) -> int:
    """Slow requests at the peak, plus the leaked transaction and one monitor."""
    leaks = sum(1 for s in env.services if s.leaks)
    return sum(s.load.peak for s in env.services) + leaks + 1


def test_the_plan_limit_binds_not_the_server() -> None:
    for env in TOPOLOGY:
        assert env.max_connections - SUPERUSER_RESERVED > plan_limit(env), env.name


def test_prod_crosses_the_warning_band_in_bursts_but_stays_under_critical() -> None:
    prod = next(e for e in TOPOLOGY if e.name == "prod")
    limit = plan_limit(prod)
    assert 0.8 * limit <= peak_connections(prod) < 0.95 * limit - 2  # room for 2 more monitors
    assert all(peak_connections(e) < 0.8 * plan_limit(e) for e in TOPOLOGY if e is not prod)


def test_prods_pools_could_exceed_its_plan_and_its_api_has_two_replicas() -> None:
    prod = next(e for e in TOPOLOGY if e.name == "prod")
    worst = sum((s.pool_size + s.max_overflow) * s.replicas for s in prod.services)
    assert worst > plan_limit(prod)
    assert [s.replicas for s in prod.services if s.name == "api"] == [2]


def test_each_replica_can_serve_its_share_of_a_burst() -> None:
    for env in TOPOLOGY:
        for s in env.services:
            per_replica = -(-s.load.peak // s.replicas) + int(s.leaks)
            assert per_replica <= s.pool_size + s.max_overflow, (env.name, s.name)


def test_bursts_come_early_and_then_periodically() -> None:
    load = TOPOLOGY[0].services[0].load
    assert wanted(load, 0.0) == load.base
    assert in_burst(load, FIRST_BURST_S + 0.1)
    assert not in_burst(load, FIRST_BURST_S + load.burst_s + 0.1)
    assert in_burst(load, FIRST_BURST_S + load.period_s + 0.1)
