"""A fleet of 50 environments x 12 services and reports judged by the real status rules
from made-up probe results: the list's rendering at real size without 600 live endpoints
(the live probe path into the same list is covered in tests/qt/test_env_list.py)."""

from __future__ import annotations

import time

from pandadmin.core import config as cfg
from pandadmin.core.alembic_scripts import Revision
from pandadmin.core.migrations import MigrationStatus
from pandadmin.core.models import ActivitySample, DatabaseResult, HealthResult
from pandadmin.core.report import EnvironmentReport, build_report

SERVICES = (
    "api", "worker", "billing", "auth", "search", "notifications",
    "webhooks", "reports", "scheduler", "gateway", "media", "admin",
)  # fmt: skip
KINDS = ("prod", "staging", "dev", "qa", "demo")
REGIONS = ("eu-west-1", "us-east-2", "ap-south-1", "eu-central", "sa-east", "us-west")


def env_names(count: int = 50) -> list[str]:
    return [f"{KINDS[n % 5]}-{REGIONS[n // 5 % 6]}-{n:02d}" for n in range(count)]


def failing(number: int) -> set[str]:
    """Services of environment `number` that answer 503: a few environments have some down."""
    if number % 7 == 3:
        return {SERVICES[(number + k) % 12] for k in range(1 + number % 3)}
    return set()


def fleet_config(base_url: str = "https://svc.example.com", count: int = 50) -> cfg.Config:
    envs = []
    for number, name in enumerate(env_names(count)):
        services = tuple(
            cfg.Service(s, f"{base_url}/{name}/{s}/health", pool_size=2, max_overflow=1)
            for s in SERVICES
        )
        plan = ("premium", "pro", "pro", "free", "free")[number % 5]
        envs.append(cfg.Environment(name, plan=plan, interval=3600.0, services=services))
    return cfg.Config(tuple(envs))


def fleet_reports(config: cfg.Config) -> list[EnvironmentReport]:
    now = time.time()
    return [_report(config, env, number, now) for number, env in enumerate(config.environments)]


def _report(config: cfg.Config, env: cfg.Environment, number: int, now: float) -> EnvironmentReport:
    down = failing(number)
    services = tuple(_health(s, s.name in down, 12.0 + number % 9, now) for s in env.services)
    return build_report(
        config, env, services, _database(config, env, number, now), _migrations(number), now
    )


def _health(service: cfg.Service, down: bool, latency: float, now: float) -> HealthResult:
    status, error = (503, "HTTP 503") if down else (200, None)
    return HealthResult(service.name, service.health_url, not down, now, status, latency, error)


def _database(config: cfg.Config, env: cfg.Environment, number: int, now: float) -> DatabaseResult:
    url = f"postgresql://app:***@{env.name}.db.example.com:5432/app"
    if number % 11 == 5:
        return DatabaseResult(url, now, error="connection refused", last_seen=now - 300)
    limit = config.plan_limit(env)
    used = max(1, int(limit * (0.3 + (number * 37 % 70) / 100)))  # 30 % .. 99 % of the limit
    return DatabaseResult(url, now, _sample(now, used, max(limit + 3, 60)), last_seen=now)


def _sample(now: float, used: int, max_connections: int) -> ActivitySample:
    idle = used // 2
    return ActivitySample(
        now, "16.4", 160004, used, {"active": used - idle, "idle": idle}, {"api": used},
        {"app": used}, {"10.0.0.5": used}, {"app": used}, 4.0, None, 0, max_connections, 3, 0,
        -1, -1, used, used, "app", "app", True, True, True,
    )  # fmt: skip


def _migrations(number: int) -> MigrationStatus | None:
    if number % 4 == 0:
        return None
    if number % 6 == 1:
        pending = tuple(
            Revision(f"r{k}", (), (), (), f"step {k}", f"r{k}.py") for k in range(1 + number % 3)
        )
        return MigrationStatus("behind", ("r0",), (pending[-1].revision,), pending, None)
    return MigrationStatus("up_to_date", ("r9",), ("r9",), (), None)
