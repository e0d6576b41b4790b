"""Scrape cost of the collector's `/metrics` at 20 environments x 10 services.

Three numbers: rendering one environment's report to exposition lines (paid once per poll,
when the report arrives), joining the cached lines (what a scrape costs the collector's
CPU) and a full HTTP GET of `/metrics` on loopback, as Prometheus would scrape it.
Median and spread of 3 rounds of 200 scrapes each. Target: < 5 ms per scrape.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from importlib.metadata import version

import httpx
import support

from pandadmin.core.config import Config, Environment, Service
from pandadmin.core.metrics import LatestReports, MetricsServer, exposition
from pandadmin.core.models import ActivitySample, DatabaseResult, HealthResult
from pandadmin.core.report import build_report

ENVIRONMENTS, SERVICES, SCRAPES, ROUNDS = 20, 10, 200, 3
STATES = {"active": 7, "idle": 30, "idle in transaction": 2, "unknown": 1}


def sample(total: int) -> ActivitySample:
    return ActivitySample(
        taken_at=time.time(), server_version="16.4", server_version_num=160004, total=total,
        by_state=STATES, by_application={f"svc{i}": 4 for i in range(SERVICES)},
        by_user={"app": total}, by_client_addr={"10.0.0.1": total}, by_database={"app": total},
        oldest_transaction_s=12.5, longest_idle_in_transaction_s=3.0, lock_waiters=0,
        max_connections=100, superuser_reserved_connections=3, reserved_connections=0,
        role_connection_limit=-1, database_connection_limit=-1, role_connections=total,
        database_connections=total, current_user="app", current_database="app",
        sees_all_sessions=True, can_signal_backends=True, tls=True,
    )  # fmt: skip


def latest_reports() -> LatestReports:
    latest = LatestReports()
    for e in range(ENVIRONMENTS):
        names = [f"svc{i}" for i in range(SERVICES)]
        env = Environment(
            name=f"env{e:02d}",
            connection_limit=50,
            services=tuple(Service(n, f"http://h/{n}/health") for n in names),
        )
        health = tuple(HealthResult(n, f"http://h/{n}/health", True, 0.0, 200, 12.0) for n in names)
        db = DatabaseResult("postgresql://u:***@h:5432/app", 0.0, sample(40))
        report = build_report(Config((env,)), env, health, db, None, time.time())
        latest.put(replace(report))
    return latest


def timed(action, count: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - started) / count * 1000.0


def main() -> int:
    latest = latest_reports()
    series = sum(1 for line in exposition(latest).decode().splitlines() if line[:1] != "#")
    server = MetricsServer(latest, "127.0.0.1", 0)
    server.start()
    url = f"http://127.0.0.1:{server.port}/metrics"
    reports = latest.snapshot()
    build, scrape, render = [], [], []
    with httpx.Client() as client:
        client.get(url).raise_for_status()
        for _ in range(ROUNDS):
            build.append(timed(lambda: exposition(latest), SCRAPES))
            render.append(timed(lambda: [latest.put(r) for r in reports], 20) / len(reports))
            scrape.append(timed(lambda: client.get(url).raise_for_status(), SCRAPES))
    server.stop()
    numbers = {
        "environments": ENVIRONMENTS,
        "services_per_environment": SERVICES,
        "series": series,
        "render_per_report_ms": {"median": round(statistics.median(render), 3), "rounds": render},
        "exposition_ms": {"median": round(statistics.median(build), 3), "rounds": build},
        "scrape_ms": {"median": round(statistics.median(scrape), 3), "rounds": scrape},
        "goal_met": statistics.median(scrape) < 5.0,
        "versions": {"prometheus-client": version("prometheus-client"), "httpx": version("httpx")},
        "machine": support.machine(),
    }
    support.save_results("metrics", numbers)
    support.print_table(
        "metrics scrape, 20 environments x 10 services",
        [
            ("series per scrape", series, "", None),
            ("render one report at poll time, median (ms)",
             numbers["render_per_report_ms"]["median"], "", None),
            ("join exposition at scrape, median (ms)",
             numbers["exposition_ms"]["median"], "", None),
            ("HTTP GET /metrics, median (ms)", numbers["scrape_ms"]["median"], "< 5",
             numbers["goal_met"]),
        ],
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
