"""PgBouncer rules without a PgBouncer: parsing SHOW rows, the server cap, the attribution
of server connections, the status rules, and what history and /metrics keep of it."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest

from pandadmin.core.config import Config, Environment, Service, Thresholds
from pandadmin.core.metrics import LatestReports
from pandadmin.core.models import Budget, DatabaseResult, Status
from pandadmin.core.pooler import (
    PoolerResult,
    attribute_servers,
    parse_sample,
    pooler_findings,
    server_cap,
)
from pandadmin.core.report import build_report
from pandadmin.core.samples import sample_from_report
from pandadmin.core.status import FindingKind, limits
from tests.core.test_status import SAMPLE

CONFIG = [
    {"key": "max_client_conn", "value": "100"},
    {"key": "pool_mode", "value": "transaction"},
]
DATABASES = [
    {"name": "pgbouncer", "pool_size": 2, "reserve_pool": 0, "max_connections": 0},
    {"name": "app", "pool_size": 5, "reserve_pool": 1, "max_connections": 0},
    {"name": "other", "pool_size": 20, "reserve_pool": 0, "max_connections": 8},
]


def pool(database: str, user: str, **counts: Any) -> dict[str, Any]:
    return {"database": database, "user": user, "pool_mode": "transaction", **counts}


def make(waiting: int = 0, maxwait: float = 0.0, active: int = 10) -> PoolerResult:
    wait_s, wait_us = int(maxwait), round((maxwait % 1) * 1e6)
    pools = [
        pool("pgbouncer", "pgbouncer", cl_active=1),
        pool("app", "api", cl_active=active, cl_waiting=waiting, sv_active=5, sv_idle=1,
             maxwait=wait_s, maxwait_us=wait_us),
        pool("app", "worker", cl_active=2, sv_idle=1),
    ]  # fmt: skip
    servers = [{"remote_pid": 101}, {"remote_pid": 102}, {"remote_pid": None}]
    sample = parse_sample(pools, DATABASES, CONFIG, servers, 1.0)
    return PoolerResult("postgresql://admin:***@h:6432/pgbouncer", 1.0, sample)


def reasons(result: PoolerResult, worst_case: int = 0, limit: int = 50) -> list[tuple[Status, str]]:
    lim = limits(limit, replace(SAMPLE, total=10))
    found = pooler_findings(result, Thresholds(), Budget(worst_case), lim)
    return [(f.status, f.reason) for f in found]


def test_sample_sums_pools_and_reads_the_config() -> None:
    sample = make(waiting=3, maxwait=2.25).sample
    assert sample is not None
    assert sample.clients == {"active": 13, "waiting": 3, "total": 16}
    assert sample.servers["active"] == 5 and sample.servers["total"] == 7
    assert sample.max_wait_s == pytest.approx(2.25)
    assert (sample.max_client_conn, sample.pool_mode) == (100, "transaction")
    assert sample.server_pids == (101, 102)


def test_server_cap_per_user_pool_capped_by_max_db_connections() -> None:
    sample = make().sample
    assert sample is not None
    # app: (5 + 1) x 2 user pools = 12; other: 20 per pool but max_db_connections 8; admin: none
    assert server_cap(DATABASES, sample.pools) == 12 + 8 == sample.server_cap


@pytest.mark.parametrize(
    ("wait", "status"),
    [(0.0, None), (1.0, None), (1.01, Status.WARNING), (5.0, Status.WARNING),
     (5.01, Status.CRITICAL)],
)  # fmt: skip
def test_waiting_over_1_s_warns_over_5_s_is_critical(wait: float, status: Status | None) -> None:
    found = reasons(make(waiting=4, maxwait=wait))
    assert [s for s, _ in found] == ([status] if status else [])


def test_clients_against_max_client_conn() -> None:
    assert reasons(make(active=76)) == []  # 79 of 100 (with the admin and worker clients)
    warn = reasons(make(active=77))
    assert warn == [(Status.WARNING, "pooler clients at 80% of max_client_conn 100")]
    assert reasons(make(active=92))[0][0] == Status.CRITICAL  # 95 of 100


def test_worst_case_and_server_cap_name_both_numbers() -> None:
    found = dict((r, s) for s, r in reasons(make(), worst_case=150, limit=15))
    assert found == {
        "pools' worst case 150 connections exceeds the pooler's max_client_conn 100": (
            Status.WARNING
        ),
        "pooler may open 20 server connections, above the database's effective limit 15": (
            Status.WARNING
        ),
    }


def test_unreachable_and_unchecked_pooler() -> None:
    down = PoolerResult("u", 1.0, error="connection refused by h:6432")
    assert reasons(down) == [(Status.CRITICAL, "pooler unreachable: connection refused by h:6432")]
    unchecked = replace(down, error="keyring: locked", unchecked=True)
    assert reasons(unchecked) == [(Status.UNKNOWN, "pooler not checked: keyring: locked")]


def test_attribution_moves_server_connections_to_the_pooler() -> None:
    moved = attribute_servers({"api": 7, "pandadmin": 1}, {"api": 5, "": 1})
    assert moved == {"api": 2, "pandadmin": 1, "pgbouncer": 6}
    assert attribute_servers({"api": 5}, {"api": 5}) == {"pgbouncer": 5}
    assert attribute_servers({"api": 5}, {}) == {"api": 5}


def report_with(pooler: PoolerResult, worst_case_services: int = 1) -> Any:
    services = tuple(
        Service(f"s{i}", "http://h/health", 10, 10) for i in range(worst_case_services)
    )
    env = Environment("prod", connection_limit=15, services=services)
    db = DatabaseResult("postgresql://u:***@h/db", 1.0, replace(SAMPLE, total=10))
    return build_report(Config((env,)), env, (), db, None, time.time(), pooler)


def test_report_json_history_and_metrics_carry_the_pooler() -> None:
    report = report_with(make(waiting=4, maxwait=6.0), worst_case_services=1)
    assert report.status == Status.CRITICAL
    assert FindingKind.POOLER_WAIT in {f.kind for f in report.findings}
    # behind a pooler the worst case 20 > 15 is not a database finding any more
    assert FindingKind.BUDGET not in {f.kind for f in report.findings}
    pooler = report.to_json()["pooler"]
    assert pooler["status"] == "critical" and pooler["max_wait_s"] == 6.0
    assert pooler["clients"]["waiting"] == 4 and pooler["server_cap"] == 20
    values = sample_from_report(report).values
    assert values["pooler.clients.waiting"] == 4 and values["pooler.max_wait_s"] == 6.0
    assert values["pooler.server_cap"] == 20 and values["pooler.up"] == 1
    latest = LatestReports()
    latest.put(report)
    text = latest.exposition().decode()
    assert 'pandadmin_pooler_clients{environment="prod",state="waiting"} 4.0' in text
    assert 'pandadmin_pooler_servers{environment="prod",state="active"} 5.0' in text
    assert 'pandadmin_pooler_max_wait_seconds{environment="prod"} 6.0' in text
    assert "6432" not in text and "admin:" not in text


def test_no_pooler_means_null_in_json_and_nothing_in_history() -> None:
    env = Environment("prod")
    db = DatabaseResult("postgresql://u:***@h/db", 1.0, SAMPLE)
    report = build_report(Config((env,)), env, (), db, None, time.time())
    assert report.to_json()["pooler"] is None
    assert not any(k.startswith("pooler.") for k in sample_from_report(report).values)
    assert report.to_json()["database"]["status"] == "ok"


def test_wait_thresholds_are_per_environment() -> None:
    strict = Thresholds(pooler_wait_warning_s=0.5, pooler_wait_critical_s=2.0)
    lim = limits(50, replace(SAMPLE, total=10))
    found = pooler_findings(make(waiting=2, maxwait=2.5), strict, Budget(0), lim)
    assert [(f.status, f.reason) for f in found] == [
        (Status.CRITICAL, "2 pooler clients waiting, the longest for 2.5 s (critical above 2 s)")
    ]
    assert reasons(make(waiting=2, maxwait=2.5))[0][0] == Status.WARNING  # the defaults


def test_a_report_with_a_pooler_round_trips_through_the_store_codec() -> None:
    from pandadmin.core import report_codec

    report = report_with(make(waiting=4, maxwait=2.0))
    assert report_codec.loads(report_codec.dumps(report)) == report
