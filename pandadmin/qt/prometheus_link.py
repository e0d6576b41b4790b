"""History from a team Prometheus for the environment on screen: what this app did not see
(before it started, while it was closed) drawn from `query_range` on the collector's metrics.

Fetched when the environment or the range changes and once a minute while shown; never on
the UI thread's time (an async task), and a Prometheus that cannot be reached is one line
in the status bar and the chart: the live view goes on.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from pandadmin.core.history import GAP_FACTOR
from pandadmin.core.prometheus_history import PrometheusError, connection_history, where_missing

if TYPE_CHECKING:
    from pandadmin.qt.controller import Controller

REFRESH_S = 60.0


class PrometheusLink:
    """Keeps `history.remote` of the environment on screen filled from its Prometheus."""

    def __init__(self, controller: Controller) -> None:
        self.c = controller
        self._client: httpx.AsyncClient | None = None
        self.error: str | None = None

    def start(self) -> None:
        self.c.window.detail.chart.range_changed.connect(lambda _s: self.refresh_soon())
        self.c.window.environments.selected.connect(lambda _n: self.refresh_soon())
        self.c.bridge.run("prometheus-loop", self._loop())

    def refresh_soon(self) -> None:
        self.c.bridge.run("prometheus", self.refresh())

    async def _loop(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(REFRESH_S)

    async def refresh(self) -> None:
        name = self.c.window.environments.current_name()
        env = self.c.config.environment(name) if name else None
        url = self.c.config.prometheus_for(env) if env else None
        if env is None or url is None:
            return
        chart = self.c.window.detail.chart
        seconds, now = chart.window_s, time.time()
        try:
            series = await connection_history(self._http(), url, env.name, now - seconds, now)
        except PrometheusError as exc:
            self._said(str(exc))
            return
        self.error = None
        history = self.c.history.ensure(env.name, env.interval)
        local = history.window(seconds, now)
        # Local points closer than this cover Prometheus' point (two steps: the reduced
        # 7 d / 30 d windows hold about one point per step).
        gap = max(GAP_FACTOR * env.interval, 2 * series.step)
        history.remote = where_missing(series, local.t, local.column(-1), gap)
        if self.c.window.environments.current_name() == env.name:
            self.c.window.refresh_selected()

    def _said(self, message: str) -> None:
        if message != self.error:
            self.error = message
            self.c.window.set_status_message(message)
        self.c.window.detail.chart.set_remote_note(message)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
