"""The /metrics exposition: names and labels of DESIGN.md, stale series dropped, no secrets,
accepted by the real `promtool`; the shipped rules and dashboard checked against it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from pandadmin.core.config import Config, Environment, Service
from pandadmin.core.metrics import METRICS, LatestReports, MetricsServer, exposition, parse_listen
from pandadmin.core.models import DatabaseResult, HealthResult
from pandadmin.core.report import EnvironmentReport, build_report
from tests.core.test_status import SAMPLE

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool missing: install the Debian package prometheus (make test does)")
    return path


def make_report(name: str, services: tuple[str, ...] = ("api", "worker")) -> EnvironmentReport:
    env = Environment(
        name=name,
        connection_limit=50,
        services=tuple(Service(s, f"https://{s}.internal.example/health") for s in services),
    )
    health = tuple(
        HealthResult(s, f"https://{s}.internal.example/health", s != "worker", 0.0, 200, 41.7)
        for s in services
    )
    sample = replace(
        SAMPLE,
        total=42,
        by_state={"active": 3, "idle": 35, "idle in transaction": 4},
        by_application={"api": 40, "pandadmin": 1, "": 1},
        oldest_transaction_s=73.2,
    )
    db = DatabaseResult("postgresql://metrics_user:***@db.internal.example:5432/app", 0.0, sample)
    return build_report(Config((env,)), env, health, db, None, time.time())


def families(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            out.setdefault(line.split("{")[0].split(" ")[0], []).append(line)
    return out


def test_exposition_has_the_design_names_and_values() -> None:
    latest = LatestReports()
    latest.put(make_report("prod"))
    text = exposition(latest).decode()
    series = families(text)
    assert 'pandadmin_connections{environment="prod",state="idle in transaction"} 4.0' in text
    assert 'pandadmin_connections_by_application{application="",environment="prod"} 1.0' in text
    assert 'pandadmin_connection_limit{environment="prod"} 50.0' in text
    assert 'pandadmin_health_up{environment="prod",service="worker"} 0.0' in text
    assert 'pandadmin_health_latency_seconds{environment="prod",service="api"} 0.0417' in text
    assert 'pandadmin_status{environment="prod"} 2.0' in text  # worker down: critical
    assert 'pandadmin_database_up{environment="prod"} 1.0' in text
    assert len(series["pandadmin_connections"]) == 3
    assert set(series) <= set(METRICS)


def test_stale_series_go_with_their_environment_and_service() -> None:
    latest = LatestReports()
    latest.put(make_report("prod"))
    latest.put(make_report("staging"))
    assert 'environment="staging"' in exposition(latest).decode()
    latest.keep_only(["prod"])
    latest.put(make_report("prod", services=("api",)))
    text = exposition(latest).decode()
    assert 'environment="staging"' not in text
    assert 'service="worker"' not in text and 'service="api"' in text


def test_unreachable_database_is_down_without_stale_counts() -> None:
    latest = LatestReports()
    report = make_report("prod")
    assert report.database is not None
    down = replace(report.database, sample=None, error="database unreachable: refused")
    latest.put(replace(report, database=down, limits=None))
    text = exposition(latest).decode()
    assert 'pandadmin_database_up{environment="prod"} 0.0' in text
    assert "pandadmin_connections{" not in text
    assert "pandadmin_connection_limit{" not in text


def test_no_url_host_user_or_password_in_metrics() -> None:
    latest = LatestReports()
    latest.put(make_report("prod"))
    text = exposition(latest).decode()
    report = latest.snapshot()[0]
    assert report.database is not None and "db.internal.example" in report.database.url
    for secret in ("metrics_user", "db.internal.example", "internal.example", "://"):
        assert secret not in text, secret


def test_promtool_accepts_the_exposition(tmp_path: Path) -> None:
    latest = LatestReports()
    latest.put(make_report("prod"))
    latest.put(make_report("dev", services=()))
    done = subprocess.run(
        [promtool(), "check", "metrics"], input=exposition(latest), capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()


def test_server_serves_metrics_on_loopback() -> None:
    latest = LatestReports()
    latest.put(make_report("prod"))
    server = MetricsServer(latest, "127.0.0.1", 0)
    server.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as r:
            body = r.read().decode()
        assert 'pandadmin_connection_limit{environment="prod"} 50.0' in body
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("127.0.0.1:9464", ("127.0.0.1", 9464)), ("[::1]:80", ("::1", 80)), (":9", ("127.0.0.1", 9))],
)
def test_parse_listen(value: str, expected: tuple[str, int]) -> None:
    assert parse_listen(value) == expected


@pytest.mark.parametrize("value", ["9464", "host:", "host:99999", "host:port"])
def test_parse_listen_refuses_with_one_line(value: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT") as caught:
        parse_listen(value)
    assert "\n" not in str(caught.value)


def test_shipped_rules_pass_promtool_check_and_unit_tests() -> None:
    folder = RESOURCES / "prometheus"
    for args in (
        ["check", "rules", "pandadmin.rules.yml"],
        ["test", "rules", "pandadmin.rules.test.yml"],
    ):
        done = subprocess.run([promtool(), *args], cwd=folder, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_rules_and_dashboard_use_only_metrics_that_exist() -> None:
    dashboard = json.loads((RESOURCES / "grafana" / "pandadmin.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    exprs.append(dashboard["templating"]["list"][0]["query"]["query"])
    rules = (RESOURCES / "prometheus" / "pandadmin.rules.yml").read_text()
    used = set()
    for text in [*exprs, rules]:
        used |= {word for word in _words(text) if word.startswith("pandadmin_")}
    assert used, "no pandadmin metric referenced"
    assert used <= set(METRICS), used - set(METRICS)
    assert {"pandadmin_connections", "pandadmin_connection_limit", "pandadmin_health_up"} <= used


def _words(text: str) -> set[str]:
    import re

    return set(re.findall(r"[a-z_]+", text))


def test_pooler_series_when_pgbouncer_is_configured() -> None:
    from pandadmin.core.pooler import Pool, PoolerResult, PoolerSample

    servers = {"active": 5, "idle": 0, "used": 0, "tested": 0, "login": 0}
    pool = Pool("shop", "app", 5, 25, servers, 6.5, "transaction")
    sample = PoolerSample(0.0, (pool,), 100, 20, "transaction")
    pooler = PoolerResult(
        "postgresql://pgb_operator:***@pooler.internal:6432/pgbouncer", 0.0, sample
    )
    latest = LatestReports()
    latest.put(replace(make_report("prod"), pooler=pooler))
    text = exposition(latest).decode()
    assert 'pandadmin_pooler_clients{environment="prod",state="waiting"} 25.0' in text
    assert 'pandadmin_pooler_clients{environment="prod",state="active"} 5.0' in text
    assert 'pandadmin_pooler_servers{environment="prod",state="active"} 5.0' in text
    assert 'pandadmin_pooler_max_wait_seconds{environment="prod"} 6.5' in text
    assert "pooler.internal" not in text and "pgb_operator" not in text
    done = subprocess.run(
        [promtool(), "check", "metrics"], input=text.encode(), capture_output=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
