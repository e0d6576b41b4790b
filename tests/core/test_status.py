"""Status rules, limits and budget math (pure)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core.config import Config, Environment, Service, Thresholds
from pandadmin.core.migration_status import MigrationState
from pandadmin.core.migrations import MigrationStatus, Revision
from pandadmin.core.models import ActivitySample, DatabaseResult, HealthResult, Status
from pandadmin.core.report import build_report
from pandadmin.core.status import (
    MIGRATION_ATTENTION,
    FindingKind,
    budget,
    budget_status,
    limits,
    services_budget,
    threshold_band,
    usage_status,
)

SAMPLE = ActivitySample(
    taken_at=0.0,
    server_version="16.4",
    server_version_num=160004,
    total=10,
    by_state={"idle": 10},
    by_application={"api": 10},
    by_user={"app": 10},
    by_client_addr={"10.0.0.1": 10},
    by_database={"app": 10},
    oldest_transaction_s=None,
    longest_idle_in_transaction_s=None,
    lock_waiters=0,
    max_connections=100,
    superuser_reserved_connections=3,
    reserved_connections=2,
    role_connection_limit=-1,
    database_connection_limit=-1,
    role_connections=10,
    database_connections=10,
    current_user="app",
    current_database="app",
    sees_all_sessions=True,
    can_signal_backends=False,
    tls=True,
)


def report(
    env: Environment,
    sample: ActivitySample | None = SAMPLE,
    services: tuple[HealthResult, ...] = (),
    migrations: MigrationStatus | None = None,
    error: str | None = None,
):  # type: ignore[no-untyped-def]
    db = DatabaseResult("postgresql://app:***@h:5432/app", 0.0, sample, error)
    return build_report(Config((env,)), env, services, db, migrations, time.time())


def test_effective_limit_is_the_lowest_ceiling() -> None:
    assert limits(50, SAMPLE).effective_limit == 50
    assert limits(300, SAMPLE).effective_limit == 95  # 100 - 3 - 2
    assert limits(300, SAMPLE).binding == "server"
    assert limits(300, replace(SAMPLE, role_connection_limit=20)).binding == "role"
    assert limits(300, replace(SAMPLE, database_connection_limit=12)).effective_limit == 12
    assert limits(50, replace(SAMPLE, total=42)).headroom == 8


@pytest.mark.parametrize(
    ("total", "status", "reason"),
    [
        (39, Status.OK, None),
        (40, Status.WARNING, "connections at 80% of limit 50"),
        (42, Status.WARNING, "connections at 84% of limit 50"),
        (48, Status.CRITICAL, "connections at 96% of limit 50"),
        (60, Status.CRITICAL, "connections at 120% of limit 50"),
    ],
)
def test_utilization_thresholds(total: int, status: Status, reason: str | None) -> None:
    env = Environment("prod", plan="free")
    result = report(env, replace(SAMPLE, total=total))
    assert result.status is status
    assert (result.reasons[0] if result.reasons else None) == reason


def test_an_ok_database_is_ok_in_json() -> None:
    assert report(Environment("prod", plan="pro")).to_json()["database"]["status"] == "ok"


def test_each_limit_counts_its_own_connections() -> None:
    """A role capped at 6 with 4 of its connections among 40: 4/6 (and no alarm at 67 %)."""
    capped = replace(SAMPLE, total=40, role_connection_limit=6, role_connections=4)
    lim = limits(300, capped)
    assert (lim.binding, lim.used, lim.effective_limit, lim.headroom) == ("role", 4, 6, 2)
    assert report(Environment("prod", plan="pro"), capped).status is Status.OK
    # The other way round: the role's 6 is the lowest number, but the plan has less room.
    lim = limits(50, replace(capped, total=48, role_connections=1))
    assert (lim.binding, lim.used, lim.effective_limit, lim.headroom) == ("plan", 48, 50, 2)
    crowded = replace(SAMPLE, total=40, database_connection_limit=10, database_connections=9)
    assert limits(300, crowded).binding == "database" and limits(300, crowded).used == 9


def test_per_environment_thresholds() -> None:
    env = Environment("prod", plan="free", thresholds=Thresholds(50, 60, 10))
    assert report(env, replace(SAMPLE, total=26)).status is Status.WARNING
    assert report(env, replace(SAMPLE, total=30)).status is Status.CRITICAL


def test_budget_over_limit_is_a_warning() -> None:
    api = Service("api", "http://h/health", pool_size=5, max_overflow=10, workers=2, replicas=2)
    env = Environment("prod", plan="free", services=(api,))
    assert budget(env).worst_case == 60
    healthy = HealthResult("api", api.health_url, True, 0.0, 200, 5.0)
    result = report(env, services=(healthy,))
    assert result.status is Status.WARNING
    assert result.reasons == ("pools' worst case 60 connections exceeds limit 50",)


def test_idle_in_transaction_and_health_and_unreachable() -> None:
    env = Environment("prod", plan="pro")
    idle = report(env, replace(SAMPLE, longest_idle_in_transaction_s=61.0))
    assert idle.status is Status.WARNING and "idle in transaction for 61 s" in idle.reasons[0]
    assert report(env, replace(SAMPLE, longest_idle_in_transaction_s=59.0)).status is Status.OK
    failing = HealthResult("api", "http://h/health", False, 0.0, error="timed out after 5 s")
    sick = report(env, services=(failing,))
    assert sick.status is Status.CRITICAL
    assert sick.reasons[0] == "service api unhealthy: timed out after 5 s"
    down = report(env, sample=None, error="connection refused by h:5432")
    assert down.status is Status.CRITICAL and down.database_status is Status.CRITICAL


def test_migrations_behind_is_a_warning() -> None:
    env = Environment("prod", plan="pro")
    rev = Revision("b2", ("a1",), (), (), "add index", "b2.py")
    behind = MigrationStatus("behind", ("a1",), ("b2",), (rev,), None)
    result = report(env, migrations=behind)
    assert result.status is Status.WARNING
    assert result.reasons == ("migrations behind: 1 revision pending",)
    assert result.to_json()["migrations"]["pending"] == ["b2"]


def test_unknown_when_nothing_is_configured() -> None:
    env = Environment("empty")
    result = build_report(Config((env,)), env, (), None, None, time.time())
    assert result.status is Status.UNKNOWN and result.to_json()["database"] is None
    assert Status.UNKNOWN.exit_code == 3 and Status.WARNING.exit_code == 1


@given(total=st.integers(0, 2000), plan=st.integers(1, 1000), max_conn=st.integers(5, 2000))
def test_status_matches_utilization(total: int, plan: int, max_conn: int) -> None:
    env = Environment("prod", plan=None, connection_limit=plan)
    sample = replace(SAMPLE, total=total, max_connections=max_conn)
    result = report(env, sample)
    assert result.limits is not None
    effective = min(plan, max_conn - 5)
    assert result.limits.effective_limit == max(effective, 0)
    pct = total / effective * 100 if effective > 0 else 100.0
    expected = Status.CRITICAL if pct >= 95 else Status.WARNING if pct >= 80 else Status.OK
    assert result.status is expected


def test_each_finding_names_its_kind() -> None:
    env = Environment("prod", plan="pro")
    failing = HealthResult("api", "http://h/health", False, 0.0, error="timed out")
    kinds = {
        "down": report(env, sample=None, error="refused"),
        "idle": report(env, replace(SAMPLE, longest_idle_in_transaction_s=61.0)),
        "full": report(env, replace(SAMPLE, total=300)),
        "sick": report(env, services=(failing,)),
        "hidden": report(env, replace(SAMPLE, sees_all_sessions=False)),
    }
    assert {name: r.findings[0].kind for name, r in kinds.items()} == {
        "down": FindingKind.DATABASE_UNREACHABLE,
        "idle": FindingKind.IDLE_IN_TRANSACTION,
        "full": FindingKind.USAGE,
        "sick": FindingKind.SERVICE_DOWN,
        "hidden": FindingKind.VISIBILITY,
    }
    empty = build_report(Config((Environment("e"),)), Environment("e"), (), None, None, 0.0)
    assert [f.kind for f in empty.findings] == [FindingKind.NOTHING_CONFIGURED]


def test_helpers_are_the_rules_the_findings_use() -> None:
    env = Environment("prod", plan="free", thresholds=Thresholds(50, 60, 10))
    for total, expected in ((20, Status.OK), (26, Status.WARNING), (30, Status.CRITICAL)):
        judged = report(env, replace(SAMPLE, total=total))
        assert judged.limits is not None
        assert usage_status(judged.limits, env.thresholds) is expected is judged.status
    api = Service("api", "http://h/health", pool_size=5, max_overflow=10, workers=2, replicas=2)
    assert services_budget([api, replace(api, name="web")]).worst_case == 120
    assert budget_status(120, 100) is Status.WARNING and budget_status(100, 100) is Status.OK
    assert threshold_band(50, 80, 95) == (40.0, 47.5)
    assert MigrationStatus("behind", (), (), (), None).status is MigrationState.BEHIND
    assert set(MIGRATION_ATTENTION) == set(MigrationState)
