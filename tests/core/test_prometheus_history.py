"""History read back from a real Prometheus: backfilled with promtool, scraped live from
the exposition, and down."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from pandadmin.core.config import dumps, load
from pandadmin.core.config_schema import ConfigError
from pandadmin.core.metrics import LatestReports, MetricsServer
from pandadmin.core.prometheus_history import (
    PrometheusError,
    RangeSeries,
    connection_history,
    display_url,
    step_for,
    where_missing,
)
from pandadmin.demo.pgserver import free_port
from tests.core.test_metrics import make_report
from tests.support.prometheus import PrometheusServer


def openmetrics_hour(end: float) -> tuple[str, dict[int, tuple[int, int, int]]]:
    """prod's connections each minute for the hour before `end`: (active, idle, idle in tx)."""
    lines, truth = [], {}
    for minute in range(60):
        stamp = int(end // 60 * 60) - 3600 + minute * 60
        truth[stamp] = (minute % 7, 12 + minute % 5, 1 if minute > 40 else 0)
    lines.append("# TYPE pandadmin_connections gauge")
    for index, state in enumerate(("active", "idle", "idle in transaction")):
        for stamp, counts in truth.items():
            lines.append(
                f'pandadmin_connections{{environment="prod",state="{state}"}} '
                f"{counts[index]} {stamp}"
            )
    lines.append("# EOF")
    return "\n".join(lines) + "\n", truth


def history(url: str, environment: str, start: float, end: float):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        async with httpx.AsyncClient() as client:
            return await connection_history(client, url, environment, start, end)

    return asyncio.run(run())


def test_a_backfilled_hour_comes_back_by_state_with_totals(tmp_path: Path) -> None:
    end = time.time() - 120
    text, truth = openmetrics_hour(end)
    server = PrometheusServer(tmp_path, targets=[])
    server.backfill(text)
    server.start()
    try:
        series = history(server.url, "prod", end - 3600, end)
    finally:
        server.stop()
    checked = 0
    for stamp, (active, idle, iit) in truth.items():
        index = np.searchsorted(series.t, stamp)
        if index < len(series.t) and series.t[index] == stamp:
            assert tuple(series.values[index]) == (active, idle, iit, active + idle + iit)
            checked += 1
    assert checked >= 50
    assert len(series.covered()) > 200  # every 15 s step within the hour has a value
    assert np.isnan(history_of_unknown(series)).all()


def history_of_unknown(series):  # type: ignore[no-untyped-def]
    """Steps after the backfilled hour's last sample plus lookback: nothing there."""
    last = series.covered().max()
    return series.values[series.t > last + 400, -1]


def test_live_scrapes_of_the_exposition_come_back(tmp_path: Path) -> None:
    latest = LatestReports()
    latest.put(make_report("prod"))
    exporter = MetricsServer(latest, "127.0.0.1", 0)
    exporter.start()
    server = PrometheusServer(tmp_path, targets=[f"127.0.0.1:{exporter.port}"]).start()
    try:
        server.wait_for('pandadmin_connection_limit{environment="prod"}')
        limit = server.query('pandadmin_connection_limit{environment="prod"}')
        assert limit[0]["value"][1] == "50"  # type: ignore[index]
        now = time.time()
        series = history(server.url, "prod", now - 300, now + 15)
    finally:
        server.stop()
        exporter.stop()
    covered = ~np.isnan(series.values[:, -1])
    assert covered.any()
    assert set(series.values[covered, -1]) == {42.0}
    assert set(series.values[covered, 2]) == {4.0}


def test_prometheus_down_is_one_line_without_credentials() -> None:
    url = f"http://watcher:hunter2@127.0.0.1:{free_port()}"
    with pytest.raises(PrometheusError) as caught:
        history(url, "prod", time.time() - 3600, time.time())
    message = str(caught.value)
    assert message.startswith(f"Prometheus at {display_url(url)} cannot be reached")
    assert "hunter2" not in message and "watcher" not in message and "\n" not in message


def test_steps_stay_bounded() -> None:
    assert step_for(300) == 15
    assert step_for(30 * 86400) == 1728
    assert 30 * 86400 / step_for(30 * 86400) <= 1500


def test_prometheus_url_top_level_or_per_environment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'prometheus_url = "http://team-prometheus:9090"\n'
        "[environments.prod]\n"
        "[environments.dev]\n"
        'prometheus_url = "http://dev-prometheus:9090"\n'
    )
    config = load(path)
    prod, dev = config.environment("prod"), config.environment("dev")
    assert prod is not None and dev is not None
    assert config.prometheus_for(prod) == "http://team-prometheus:9090"
    assert config.prometheus_for(dev) == "http://dev-prometheus:9090"
    assert load_text(tmp_path, dumps(config)) == config
    path.write_text('prometheus_url = "ftp://nope"\n')
    with pytest.raises(ConfigError, match="Prometheus URL"):
        load(path)


def load_text(folder: Path, text: str):  # type: ignore[no-untyped-def]
    again = folder / "again.toml"
    again.write_text(text)
    return load(again)


def test_prometheus_fills_only_what_the_app_did_not_see() -> None:
    t = np.arange(0.0, 3600.0, 15.0)
    values = np.tile(np.array([1.0, 2.0, 3.0, 6.0]), (len(t), 1))
    remote = RangeSeries(t, values)
    local_t = np.arange(1800.0, 2400.0, 5.0)  # the app polled from 30 to 40 minutes
    local_total = np.full(len(local_t), 6.0)
    local_total[:10] = np.nan  # database unreachable at first: not "seen"
    filled = where_missing(remote, local_t, local_total, gap=15.0)
    kept = ~np.isnan(filled.values[:, -1])
    assert kept[t < 1830].all() and kept[t > 2415].all()
    assert not kept[(t >= 1850) & (t <= 2390)].any()
    assert (filled.values[kept] == values[kept]).all()
    assert where_missing(remote, np.empty(0), np.empty(0), 15.0) is remote
