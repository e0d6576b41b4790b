"""The main window on a real PostgreSQL: counts, chart and row status follow real connections;
empty and unreachable states read well; keyboard shortcuts reach the controller."""

from __future__ import annotations

import math
from typing import Any

import asyncpg
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from pandadmin.core import config as cfg
from pandadmin.core.history import CONNECTION_SERIES
from pandadmin.core.models import Status
from pandadmin.demo.pgserver import free_port
from pandadmin.qt import theme
from pandadmin.qt.dialogs.environment import EnvironmentDialog
from pandadmin.qt.main_window import EMPTY_PAGE, MAIN_PAGE
from pandadmin.qt.widgets.env_list import CONNECTIONS, StatusRole
from tests.qt.conftest import AppHarness, environment, rendered, unique, until

TOTAL = CONNECTION_SERIES.index("total")


async def _cluster_connections(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        query = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        return int(await conn.fetchval(query)) - 1  # not this probe itself
    finally:
        await conn.close()


def test_counts_and_chart_follow_real_connections(pg: Any, harness: AppHarness, run: Any) -> None:
    database = unique("shop")
    pg.create_database(database)
    url = pg.url(database)

    async def scenario() -> None:
        baseline = await _cluster_connections(url)
        limit = baseline + 1 + 10  # our monitor plus ten slots to play with
        harness.write(
            cfg.Config((environment("prod", plan=None, connection_limit=limit),)), {"prod": url}
        )
        controller = await harness.open()
        window, model = controller.window, controller.window.environments.source

        def total() -> int | None:
            report = window.reports.get("prod")
            return report.limits.used if report and report.limits else None

        start = await until(total, what="first report")
        held = [await asyncpg.connect(url) for _ in range(3)]
        await until(lambda: total() == start + 3, what="three more connections")
        await rendered(window)
        index = model.index(0, CONNECTIONS)
        assert model.data(index) == f"{start + 3} / {limit}"
        chart = window.detail.chart
        assert chart.data.values[-1, TOTAL] == start + 3  # the chart follows
        assert f"total {start + 3}" in chart.hover_text(float(chart.data.t[-1]))  # hover
        assert model.data(index, StatusRole) == Status.OK

        needed = math.ceil(0.8 * limit) - (start + 3)
        held += [await asyncpg.connect(url) for _ in range(needed)]
        await until(lambda: model.data(index, StatusRole) == Status.WARNING, what="warning")
        background = model.data(index, Qt.ItemDataRole.BackgroundRole)
        assert background == theme.tint(Status.WARNING)
        assert any("connections at 8" in r for r in window.reports["prod"].reasons)

        for conn in held:
            await conn.close()
        await until(lambda: total() == start, what="connections released")
        await until(lambda: model.data(index, StatusRole) == Status.OK, what="back to ok")
        series = chart.data.column(TOTAL)
        # nanmax: a poll slowed by a loaded machine leaves a gap (NaN) in the series
        assert np.nanmax(series) >= start + 3 + needed and series[-1] == start

    run(scenario())


def test_empty_state_explains_and_ctrl_n_opens_the_dialog(harness: AppHarness, run: Any) -> None:
    async def scenario() -> None:
        harness.write(cfg.Config())
        controller = await harness.open()
        window = controller.window
        assert window.pages.currentIndex() == EMPTY_PAGE
        assert not window.actions_by_name["remove"].isEnabled()
        window.activateWindow()  # shortcuts only reach the active window
        await until(lambda: QApplication.activeWindow() is window, what="active window")
        QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        dialog = await until(lambda: controller.dialog, what="dialog")
        assert isinstance(dialog, EnvironmentDialog) and dialog.isVisible()
        dialog.reject()

    run(scenario())


def test_unreachable_database_shows_last_seen_and_error_and_a_gap(
    harness: AppHarness, run: Any
) -> None:
    url = f"postgresql://app:secret-pw@127.0.0.1:{free_port()}/app?connect_timeout=1"

    async def scenario() -> None:
        harness.write(cfg.Config((environment("dead"),)), {"dead": url})
        controller = await harness.open()
        window = controller.window
        report = await until(lambda: window.reports.get("dead"), what="report")
        assert report.status == Status.CRITICAL
        await rendered(window)
        banner = window.detail.banner
        assert banner.isVisibleTo(window)
        assert "Database unreachable" in banner.text() and "never reached" in banner.text()
        assert "connection refused" in banner.text()
        assert "secret-pw" not in banner.text() + window.detail.subtitle.text()
        model = window.environments.source
        assert model.data(model.index(0, CONNECTIONS)) == "unreachable"
        history = controller.history.get("dead")
        assert history is not None and np.isnan(history.connections.ordered()[1]).all()

    run(scenario())


def test_f5_polls_now_and_worst_first_sorts(pg: Any, harness: AppHarness, run: Any) -> None:
    database = unique("multi")
    pg.create_database(database)
    dead = f"postgresql://x:y@127.0.0.1:{free_port()}/x?connect_timeout=1"
    envs = (environment("alpha", interval=60), environment("zulu", interval=60))

    async def scenario() -> None:
        harness.write(cfg.Config(envs), {"alpha": pg.url(database), "zulu": dead})
        controller = await harness.open()
        window = controller.window
        await until(lambda: len(window.reports) == 2, what="first polls")
        first = window.reports["alpha"].checked_at
        window.activateWindow()
        await until(lambda: QApplication.activeWindow() is window, what="active window")
        QTest.keyClick(window, Qt.Key.Key_F5)
        await until(lambda: window.reports["alpha"].checked_at > first, what="F5 poll")
        await rendered(window)  # the rows show the reports the sort reads
        assert window.pages.currentIndex() == MAIN_PAGE
        view = window.environments
        assert view.model().index(0, 0).data() == "alpha"
        window.actions_by_name["worst_first"].setChecked(True)
        assert view.model().index(0, 0).data() == "zulu"  # critical first
        window.actions_by_name["worst_first"].setChecked(False)
        assert view.model().index(0, 0).data() == "alpha"

    run(scenario())


def test_database_lost_after_being_seen_keeps_last_known_limits_and_shows_a_gap(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    database, role = unique("lost"), unique("app")
    pg.create_role(role, "app-pw")
    pg.create_database(database, owner=role)

    async def scenario() -> None:
        url = pg.url(database, user=role, password="app-pw")
        harness.write(cfg.Config((environment("prod"),)), {"prod": url})
        controller = await harness.open()
        window = controller.window
        await until(lambda: "prod" in window.reachable, what="a first sample")
        pg.sql(f'ALTER ROLE "{role}" NOLOGIN')
        pg.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'")
        report = await until(
            lambda: (r := window.reports["prod"]).limits is None and r, what="the loss noticed"
        )
        assert report.status == Status.CRITICAL
        await rendered(window)
        banner = window.detail.banner.text()
        assert "last seen" in banner and "not permitted to log in" in banner
        chart = window.detail.chart
        assert chart.lines["limit"].isVisible()  # the last known ceiling stays drawn
        assert chart.values.text().startswith("Last known: effective limit")
        total = chart.data.column(TOTAL)
        assert np.isfinite(total[0]) and np.isnan(total[-1])  # data, then a gap

    run(scenario())
