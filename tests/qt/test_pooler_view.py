"""The app with a real PgBouncer: waiting clients in the list, the Pooler tab's pools, and
the pooler's client and waiting curves and server cap on the environment's chart."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import numpy as np

from pandadmin.core import config as cfg
from pandadmin.core.secret_keys import pgbouncer_key
from pandadmin.qt.widgets.env_list import CONNECTIONS
from tests.conftest import Pooled
from tests.qt.conftest import AppHarness, environment, rendered, until

CLIENTS = 9  # on 5 server connections: 4 wait


async def _hold(url: str) -> tuple[list[asyncpg.Connection], list[asyncio.Task[Any]]]:
    conns = [await asyncpg.connect(url, statement_cache_size=0) for _ in range(CLIENTS)]

    async def loop(conn: asyncpg.Connection) -> None:
        while True:
            await conn.execute("SELECT pg_sleep(2)")

    return conns, [asyncio.create_task(loop(c)) for c in conns]


def test_waiting_clients_show_in_list_tab_and_chart(
    pg: Any, pooled: Pooled, harness: AppHarness, run: Any
) -> None:
    async def scenario() -> None:
        urls = {"prod": pooled.direct_url(pg), pgbouncer_key("prod"): pooled.bouncer.admin_url()}
        harness.write(cfg.Config((environment("prod", connection_limit=25),)), urls)
        controller = await harness.open()
        window = controller.window
        conns, tasks = await _hold(pooled.client_url())
        try:

            def waiting() -> int:
                report = window.reports.get("prod")
                sample = report.pooler.sample if report and report.pooler else None
                return sample.clients["waiting"] if sample else 0

            await until(lambda: waiting() > 0, timeout=30, what="clients waiting")
            await rendered(window)
            model = window.environments.source
            text = model.data(model.index(0, CONNECTIONS))
            assert text.endswith(" waiting") and " · " in text
            panel = window.detail.pooler
            window.detail.tabs.setCurrentWidget(panel)  # a hidden tab is filled when shown
            assert "waiting" in panel.summary.text() and "pool_mode" in panel.summary.text()
            rows = {panel.pools.item(r, 0).text() for r in range(panel.pools.rowCount())}
            assert rows == {pooled.database}  # the admin console's own pool is not listed
            window.detail.tabs.setCurrentIndex(0)
            chart = window.detail.chart
            chart.refresh()
            assert np.nanmax(chart.pooler_data.column(1)) > 0  # the waiting curve
            assert chart.pooler_legend.isVisibleTo(chart)
            cap = chart.lines["server_cap"]
            assert cap.isVisible() and cap.value() == 5
            assert pooled.bouncer.admin_password not in panel.summary.text()
            holders = window.detail.holders.applications
            budgets = {
                holders.item(r, 0).text(): holders.item(r, 2).text()
                for r in range(holders.rowCount())
            }
            assert budgets.get("pgbouncer") == "5"  # its server connections against its cap
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for conn in conns:
                conn.terminate()

    run(scenario())
