"""The environment list at real size. 50 environments x 12 services (reports judged by the
real status rules from made-up probe results): no painted part leaves its cell at any
width, the connections figure is never cut, the filter narrows. Live (uvicorn health
endpoints, a real and an unreachable database): the summary, tooltip and the words a
screen reader gets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QStyleOptionViewItem

from pandadmin.core import config as cfg
from pandadmin.core.history import HistoryStore
from pandadmin.core.models import Status
from pandadmin.demo.pgserver import free_port
from pandadmin.qt.env_text import STATUS_CHOICES
from pandadmin.qt.main_window import MainWindow
from pandadmin.qt.widgets.env_list import CONNECTIONS, HEALTH, MIGRATIONS, NAME, EnvironmentList
from tests.qt.conftest import AppHarness, environment, unique, until
from tests.support.fleet import SERVICES, env_names, fleet_config, fleet_reports

STATUS_LABELS = [label for label, _statuses in STATUS_CHOICES]


def fleet_window(qtbot: Any) -> MainWindow:
    """The real window fed 50 x 12 reports judged by the real status rules."""
    window = MainWindow(HistoryStore())
    window.allow_close = True
    qtbot.addWidget(window)
    config = fleet_config()
    window.show_config(config)
    for report in fleet_reports(config):
        window.show_report(report)
    window.resize(1280, 800)
    window.show()
    return window


def live_config(faults: str) -> cfg.Config:
    """Three environments x 12 services on the real fault app."""
    envs = []
    for number, name in enumerate(("prod", "staging", "dev")):
        down = {"auth"} if name == "staging" else set()
        services = tuple(
            cfg.Service(
                s, f"{faults}/{'error' if s in down else 'ok'}", pool_size=1, max_overflow=0
            )
            for s in SERVICES
        )
        envs.append(environment(name, interval=3600.0 + number, services=services))
    return cfg.Config(tuple(envs))


def cell_option(view: EnvironmentList, row: int, column: int) -> tuple[QStyleOptionViewItem, Any]:
    index = view.model().index(row, column)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    return option, index


def columns_fit(view: EnvironmentList) -> bool:
    header = view.horizontalHeader()
    return all(header.sectionSize(c) >= view.content_width(c) for c in (HEALTH, CONNECTIONS))


def assert_parts_inside_their_cells(view: EnvironmentList) -> int:
    checked = 0
    for row in range(view.model().rowCount()):
        for column in (NAME, HEALTH, CONNECTIONS, MIGRATIONS):
            option, index = cell_option(view, row, column)
            cell = QRectF(option.rect)
            parts = view.delegate.parts(option, index)
            assert parts, f"nothing painted in row {row} column {column}"
            for part in parts:
                assert cell.contains(part.rect), (row, column, part, cell)
                checked += 1
            if column == CONNECTIONS:
                text = parts[0]
                assert text.text == index.data(), "the connections figure is never elided"
                assert option.fontMetrics.horizontalAdvance(text.text) <= text.rect.width()
    return checked


def test_fifty_by_twelve_paints_inside_cells_at_any_width(qtbot: Any, tmp_path: Path) -> None:
    window = fleet_window(qtbot)
    view = window.environments
    qtbot.waitUntil(lambda: view.viewport().width() > 300, timeout=20_000)
    assert view.model().rowCount() == 50
    assert assert_parts_inside_their_cells(view) > 50 * 4
    _save(window, tmp_path / "fifty.png")
    for width in (700, 300):  # a narrower list: columns shrink, nothing overlaps
        window.split.setSizes([width, 1280 - width])
        qtbot.waitUntil(lambda w=width: abs(view.width() - w) < 40, timeout=20_000)
        assert_parts_inside_their_cells(view)
        header = view.horizontalHeader()
        assert header.sectionSize(CONNECTIONS) >= view.content_width(CONNECTIONS)
    _save(window, tmp_path / "fifty-narrow.png")


def test_filter_narrows_rows_and_the_status_bar_counts_the_hidden(qtbot: Any) -> None:
    window = fleet_window(qtbot)
    view, bar = window.environments, window.filter_bar
    bar.text.setText("prod eu-west")
    shown = [view.model().index(r, NAME).data() for r in range(view.model().rowCount())]
    assert shown == [n for n in env_names() if n.startswith("prod-eu-west")] != []
    assert window.hidden_label.text() == (
        f"{50 - len(shown)} of 50 environments hidden by the filter (Esc clears)"
    )
    bar.clear()
    assert view.model().rowCount() == 50 and window.hidden_label.text() == ""
    bar.text.setText("notif")  # a service's name: every environment has one
    assert view.model().rowCount() == 50
    bar.text.setText("")
    bar.status.setCurrentIndex(STATUS_LABELS.index("Critical"))
    critical = [n for n, r in window.reports.items() if r.status == Status.CRITICAL]
    assert 0 < view.model().rowCount() == len(critical) < 50
    assert view.current_name() in critical  # the selection follows into what is shown


def test_live_health_summary_tooltip_and_accessible_names(
    pg: Any, faults: str, harness: AppHarness, run: Any
) -> None:
    database = unique("fleet")
    pg.create_database(database)
    dead = f"postgresql://app:pw@127.0.0.1:{free_port()}/app?connect_timeout=1"

    async def scenario() -> None:
        harness.write(live_config(faults), {"prod": pg.url(database), "dev": dead})
        controller = await harness.open()
        window, view = controller.window, controller.window.environments
        await until(lambda: len(window.reports) == 3, timeout=30, what="first reports")
        rendered = lambda: all(r.report is not None for r in view.source.rows)  # noqa: E731
        await until(rendered, what="the rows show the reports (within a frame)")
        await until(lambda: columns_fit(view), what="columns fit the last report")
        row = view.proxy.mapFromSource(view.source.index(1, 0)).row()
        option, index = cell_option(view, row, HEALTH)
        texts = [p.text for p in view.delegate.parts(option, index) if p.kind == "text"]
        assert texts == ["11/12 up · auth"]
        lines = index.data(Qt.ItemDataRole.ToolTipRole).splitlines()
        assert lines[0] == "staging: 11/12 up" and lines[1].startswith("• auth: critical")
        assert "HTTP 503" in lines[1]
        assert all(any(line.startswith(f"• {s}:") for line in lines) for s in SERVICES)
        assert_parts_inside_their_cells(view)

        report = window.reports["prod"]
        assert report.limits is not None
        spoken = _accessible_texts(view)
        used, limit = report.limits.used, report.limits.effective_limit
        assert report.limits.binding == "server"  # the session server's 30 - 3 reserved
        assert f"prod, {report.status.label}, {used} of {limit} (server)" in spoken
        assert "prod, 12 of 12 services up" in spoken
        assert "staging, 11 of 12 services up, trouble: auth" in spoken
        assert "dev, critical, unreachable" in spoken

    run(scenario(), timeout=90)


def _accessible_texts(view: EnvironmentList) -> set[str]:
    table = QAccessible.queryAccessibleInterface(view)
    assert table is not None
    texts = set()
    for number in range(table.childCount()):
        child = table.child(number)
        if child is not None:
            texts.add(child.text(QAccessible.Text.Name))
    return texts


def _save(window: Any, path: Path) -> None:
    """PANDADMIN_SHOTS=DIR keeps the rendering for a look."""
    folder = os.environ.get("PANDADMIN_SHOTS")
    window.grab().save(str(Path(folder) / path.name if folder else path))
