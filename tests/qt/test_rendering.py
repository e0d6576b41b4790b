"""Nothing is drawn that nobody sees: a hidden window keeps its reports and paints nothing,
showing it brings the latest on screen at once; reports arriving together are rendered once;
a hidden tab is filled only when it is shown. Paint events are counted on the real widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QWidget

from pandadmin.core import config as cfg
from pandadmin.core.history import HistoryStore
from pandadmin.qt.main_window import MainWindow
from pandadmin.qt.widgets.env_list import CONNECTIONS
from tests.qt.conftest import AppHarness, environment, rendered, until
from tests.qt.test_chart import ENV, judged
from tests.support.fleet import fleet_config, fleet_reports


class PaintCounter(QObject):
    """Counts the paint events Qt delivers to `root` and its descendants."""

    def __init__(self, root: QWidget) -> None:
        super().__init__()
        self.root, self.count = root, 0
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        mine = isinstance(watched, QWidget) and (
            watched is self.root or self.root.isAncestorOf(watched)
        )
        if mine and event.type() == QEvent.Type.Paint:
            self.count += 1
        return False

    def remove(self) -> None:
        QApplication.instance().removeEventFilter(self)


def window_for(qtbot: Any, config: cfg.Config) -> MainWindow:
    window = MainWindow(HistoryStore())
    window.allow_close = True
    qtbot.addWidget(window)
    window.show_config(config)
    window.show()
    qtbot.waitExposed(window, timeout=20_000)
    return window


def connections_texts(window: MainWindow) -> list[str]:
    model = window.environments.source
    return [model.data(model.index(row, CONNECTIONS)) for row in range(model.rowCount())]


def test_a_hidden_window_paints_nothing_and_shows_the_latest_reports_when_shown(
    qtbot: Any,
) -> None:
    config = fleet_config(count=12)
    window = window_for(qtbot, config)
    window.hide()
    painted, changes = PaintCounter(window), []
    window.environments.source.dataChanged.connect(lambda *_: changes.append(1))
    try:
        for report in fleet_reports(config):
            window.show_report(report)
        window.render_reports()  # what the frame timer would do: nothing, nobody looks
        QApplication.processEvents()
        assert painted.count == 0 and changes == []
        assert connections_texts(window) == ["checking…"] * 12  # rows not touched
        assert len(window.reports) == 12  # the reports are kept (tray, summary, history)
        window.show()  # rendered at once, before the first paint
        expected = [r.limits and f"{r.limits.used} / {r.limits.effective_limit}"
                    for r in fleet_reports(config)]  # fmt: skip
        shown = connections_texts(window)
        assert [s.split(" (")[0] for s, e in zip(shown, expected, strict=True) if e] == [
            e for e in expected if e
        ]
        qtbot.waitUntil(window.caught_up, timeout=20_000)  # the columns fit on the next turn
        qtbot.waitUntil(lambda: painted.count > 0, timeout=20_000)
    finally:
        painted.remove()


def test_reports_arriving_together_are_rendered_once_with_the_last_one(qtbot: Any) -> None:
    window = window_for(qtbot, cfg.Config((ENV,)))
    changes: list[int] = []
    renders: list[int] = []
    window.environments.source.dataChanged.connect(lambda *_: changes.append(1))
    window.rendered.connect(lambda: renders.append(1))
    for total in (10, 20, 30, 41):
        window.show_report(judged(total=total))
    assert changes == []  # nothing rendered per report
    qtbot.waitUntil(window.caught_up, timeout=20_000)
    assert len(renders) == 1 and changes  # one render for the four
    assert connections_texts(window)[0].startswith("41 / ")
    assert "headroom 54" in window.detail.chart.values.text()  # 95 - 41: the last report


def test_a_hidden_tab_is_filled_only_when_it_is_shown(qtbot: Any) -> None:
    window = window_for(qtbot, cfg.Config((ENV,)))
    window.show_report(judged(total=12))
    qtbot.waitUntil(window.caught_up, timeout=20_000)
    sessions = window.detail.sessions
    assert sessions.note.text() == ""  # the Connections tab is on screen, Sessions untouched
    painted = PaintCounter(sessions)
    try:
        window.show_report(judged(total=13))
        qtbot.waitUntil(window.caught_up, timeout=20_000)
        QApplication.processEvents()
        assert painted.count == 0 and sessions.note.text() == ""
        window.show_tab(1)
        assert sessions.note.text().startswith("No long-running queries")
        qtbot.waitUntil(lambda: painted.count > 0, timeout=20_000)
    finally:
        painted.remove()


def test_a_hidden_app_keeps_polling_but_its_window_paints_nothing(
    faults: str, harness: AppHarness, run: Any
) -> None:
    service = cfg.Service("api", f"{faults}/ok")
    harness.write(cfg.Config((environment("prod", interval=0.1, services=(service,)),)))

    async def scenario() -> None:
        controller = await harness.open()
        window = controller.window
        await until(lambda: "prod" in window.reports, what="a first report")
        await rendered(window)
        window.hide()  # to the tray
        painted, reports = PaintCounter(window), []
        controller.report_shown.connect(reports.append)
        try:
            await until(lambda: len(reports) >= 5, what="polls while hidden")
            assert painted.count == 0
            assert controller.tray.status == window.reports["prod"].status
            history = controller.history.get("prod")
            assert history is not None and len(history.services["api"].latency) >= 5
            window.show()
            assert window.caught_up()
            last = window.reports["prod"]
            assert window.environments.source.rows[0].report is last
            await until(lambda: painted.count > 0, what="painted once shown")
        finally:
            painted.remove()

    run(scenario())


class PaintedRegions(QObject):
    """The rects of the paint events one widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.rects: list[Any] = []
        widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QPaintEvent):
            self.rects.append(event.rect())
        return False


def test_a_report_repaints_only_the_cells_whose_look_changed(qtbot: Any) -> None:
    window = window_for(qtbot, cfg.Config((ENV,)))
    view, model = window.environments, window.environments.source
    window.show_report(judged(total=10))
    qtbot.waitUntil(window.caught_up, timeout=20_000)
    cells: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda a, b: cells.append((a.row(), a.column(), b.row(), b.column())))
    window.show_report(judged(total=10))  # a new poll, the same figures
    qtbot.waitUntil(window.caught_up, timeout=20_000)
    assert cells == [] and model.rows[0].report is window.reports["prod"]
    QApplication.processEvents()
    painted = PaintedRegions(view.viewport())
    window.show_report(judged(total=11))
    qtbot.waitUntil(window.caught_up, timeout=20_000)
    assert cells == [(0, CONNECTIONS, 0, CONNECTIONS)]
    qtbot.waitUntil(lambda: bool(painted.rects), timeout=20_000)
    cell = view.visualRect(view.proxy.index(0, CONNECTIONS))
    assert all(cell.contains(rect) for rect in painted.rects)  # not the whole list
