"""`pandadmin collect --metrics-listen`: a real collector on two real environments, scraped
every second by a real Prometheus, agreeing with `check --json`; no secret in /metrics."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from pandadmin.demo.pgserver import EmbeddedPostgres, free_port
from tests.cli import test_collect
from tests.cli.test_collect import Setup, stop, wait_until
from tests.support.prometheus import PrometheusServer, tool

pytestmark = pytest.mark.usefixtures("secret_service")
cpg, setups = test_collect.cpg, test_collect.setups  # that module's fixtures, used here too


def scrape(port: int) -> str:
    return httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text


def by_environment(server: PrometheusServer, expr: str) -> dict[str, float]:
    return {
        str(item["metric"]["environment"]): float(item["value"][1])  # type: ignore[index]
        for item in server.query(expr)
    }


def test_prometheus_scrapes_what_check_reports(
    setups: Callable[..., Setup], cpg: EmbeddedPostgres, tmp_path: Path
) -> None:
    setup = setups("prod", "staging", plan=None, connection_limit=15, interval=0.5)
    port = free_port()
    collector = setup.start("--no-notify", "--metrics-listen", f"127.0.0.1:{port}")
    prometheus = PrometheusServer(tmp_path / "prom", [f"127.0.0.1:{port}"], "1s")
    try:
        wait_until(lambda: "pandadmin_connection_limit{" in _safe_scrape(port, collector),
                   what="the collector's first reports on /metrics")  # fmt: skip
        prometheus.start()
        wait_until(
            lambda: len(by_environment(prometheus, "pandadmin_connection_limit")) == 2,
            what="two environments' limits in Prometheus",
        )
        wait_until(lambda: prometheus.query("count_over_time(pandadmin_status[30s]) >= 3"),
                   what="a few scrapes")  # fmt: skip
        check = json.loads(setup.run("check", "--json").stdout)
        limits = by_environment(prometheus, "pandadmin_connection_limit")
        totals = by_environment(prometheus, "sum by (environment) (pandadmin_connections)")
        body = scrape(port)
    finally:
        prometheus.stop()
        code, err = stop(collector)
    assert code == 0, err
    assert f"serving Prometheus metrics at http://127.0.0.1:{port}/metrics" in err
    for env in check["environments"]:
        database = env["database"]
        assert limits[env["name"]] == database["effective_limit"] == 15
        # check's own monitoring connection is one more than the collector saw
        assert abs(totals[env["name"]] - database["connections"]["total"]) <= 2, (totals, env)
    for secret in ("c0llect-S3cret", "127.0.0.1", str(cpg.port), "postgresql://"):
        assert secret not in body, secret
    assert "app" not in _label_values(body, "application") - {"app"}  # no user names leak
    linted = subprocess.run([tool("promtool"), "check", "metrics"], input=body.encode(),
                            capture_output=True)  # fmt: skip
    assert linted.returncode == 0, linted.stdout + linted.stderr


def _safe_scrape(port: int, collector: subprocess.Popen[str]) -> str:
    if collector.poll() is not None:
        raise AssertionError(f"collector exited {collector.returncode}: {collector.stderr.read()}")
    try:
        return scrape(port)
    except httpx.TransportError:
        return ""


def _label_values(body: str, label: str) -> set[str]:
    import re

    return set(re.findall(rf'{label}="([^"]*)"', body))


@pytest.mark.parametrize(
    ("listen", "message"),
    [("9464", "--metrics-listen wants HOST:PORT"), ("127.0.0.1:99999", "HOST:PORT")],
)
def test_a_malformed_listen_address_is_one_line_and_exit_2(
    setups: Callable[..., Setup], listen: str, message: str
) -> None:
    setup = setups("prod")
    done = setup.run("collect", "--no-notify", "--metrics-listen", listen)
    assert done.returncode == 2 and message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_busy_port_is_one_line_and_exit_2(setups: Callable[..., Setup]) -> None:
    import socket

    setup = setups("prod")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = setup.run("collect", "--no-notify", "--metrics-listen", f"127.0.0.1:{port}")
    assert done.returncode == 2, done.stderr
    assert f"cannot serve /metrics on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
