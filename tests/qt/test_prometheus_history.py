"""The app fills what it did not see from a real Prometheus (prometheus_url), marks that
stretch on the chart, and keeps the live view going when Prometheus is down."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from pandadmin.core import config as cfg
from pandadmin.demo.pgserver import free_port
from tests.core.test_prometheus_history import openmetrics_hour
from tests.qt.conftest import AppHarness, environment, until
from tests.support.prometheus import PrometheusServer


def test_an_environment_never_polled_shows_the_last_hour_from_prometheus(
    pg: Any, harness: AppHarness, run: Any, tmp_path: Path
) -> None:
    """The backfilled hour is the team collector's; this app starts on a fresh data dir."""
    end = time.time() - 60
    text, truth = openmetrics_hour(end)
    prometheus = PrometheusServer(tmp_path / "prom", targets=[])
    prometheus.backfill(text)
    prometheus.start()
    env = environment("prod", interval=0.5, prometheus_url=prometheus.url)

    async def scenario() -> None:
        harness.write(cfg.Config((env,)), {"prod": pg.url("postgres")})
        controller = await harness.open()
        window, chart = controller.window, controller.window.detail.chart
        await until(lambda: window.reports.get("prod"), what="the first live report")
        chart.set_window_index(1)  # 1 h
        # Most of the hour before the app existed (the 5 min range asked first: wait for 1 h).
        remote = await until(
            lambda: _drawn(chart.remote_curve, since=end - 3000), 30, "Prometheus' hour"
        )
        assert chart.remote_region.isVisible()
        assert "from Prometheus" in chart.values.text()
        # Where the app has its own samples, its own curve is drawn, not Prometheus'.
        assert float(max(remote[0])) < chart.data.t[np.isfinite(chart.data.column(-1))][0]
        peak = max(sum(counts) for counts in truth.values())
        assert float(np.nanmax(remote[1])) == peak
        window.resize(1200, 800)
        shot = os.environ.get("PANDADMIN_PROM_SHOT") or str(tmp_path / "prometheus.png")
        assert window.grab().save(shot)

    try:
        run(scenario())
    finally:
        prometheus.stop()


def test_prometheus_down_is_one_line_and_the_live_view_goes_on(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    env = environment("prod", interval=0.5, prometheus_url=url)

    async def scenario() -> None:
        harness.write(cfg.Config((env,)), {"prod": pg.url("postgres")})
        controller = await harness.open()
        window, chart = controller.window, controller.window.detail.chart
        await until(lambda: "cannot be reached" in chart.values.text(), 30, "the one line")
        assert f"Prometheus at {url} cannot be reached" in chart.values.text()
        first = await until(lambda: window.reports.get("prod"), what="a live report")
        await until(lambda: window.reports["prod"].checked_at > first.checked_at, what="more")
        assert not chart.remote_region.isVisible()

    run(scenario())


def _drawn(curve: Any, since: float) -> tuple[Any, Any] | None:
    """The curve's finite points, once they reach back to `since`."""
    t, y = curve.getData()
    if t is None or not len(t) or not np.isfinite(y).any():
        return None
    keep = np.isfinite(y)
    return (t[keep], y[keep]) if t[keep][0] <= since else None
