"""The main window: environments list (with its filter) and detail, the migration matrix
view, the empty state, menus and keys. It renders; the controller decides.

Reports are coalesced: `show_report` only keeps the report, and one render a frame
(RENDER_MS) brings the rows, the selected environment's detail and the matrix up to date.
Nothing renders while the window is hidden or minimised, nor the matrix while its tab is
hidden; showing them catches up with the latest reports at once."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pandadmin.core.config import Config
from pandadmin.core.history import HistoryStore
from pandadmin.core.models import Status
from pandadmin.core.report import EnvironmentReport
from pandadmin.qt import env_text, window_actions
from pandadmin.qt.dialogs.shortcuts import ShortcutsDialog
from pandadmin.qt.widgets.connections_chart import WINDOWS
from pandadmin.qt.widgets.detail import EnvironmentDetail
from pandadmin.qt.widgets.empty import EmptyState
from pandadmin.qt.widgets.env_filter import FilterBar
from pandadmin.qt.widgets.env_list import EnvironmentList
from pandadmin.qt.widgets.revision_matrix import MigrationMatrixView
from pandadmin.qt.window_state import WindowState

EMPTY_PAGE, MAIN_PAGE = 0, 1
RENDER_MS = 100  # reports are shown at most 10 times a second, however many arrive


class MainWindow(QMainWindow):
    """Emits user intents; `show_config` and `show_report` update what is on screen."""

    add_requested = Signal()
    edit_requested = Signal(str)
    remove_requested = Signal(str)
    poll_requested = Signal()
    quit_requested = Signal()
    signal_requested = Signal(str, int, bool)  # environment, pid, terminate
    rendered = Signal()  # the widgets caught up with the reports kept so far

    def __init__(self, history: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("pandadmin")
        self.history = history
        self.config = Config()
        self.reports: dict[str, EnvironmentReport] = {}
        self.reachable: dict[str, EnvironmentReport] = {}  # last report that had a sample
        self.allow_close = False
        self.environments = EnvironmentList(self)
        self.filter_bar = FilterBar(self)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.detail = EnvironmentDetail(self)
        self.matrix = MigrationMatrixView(self)
        self.empty = EmptyState(self)
        self.pages = QStackedWidget(self)
        self.tabs = QTabWidget(self)
        self.status_label = QLabel("", self)
        self.hidden_label = QLabel("", self)
        self.shortcuts: ShortcutsDialog | None = None
        self._auto_pick = True  # open on a critical environment until the user picks one
        self._picking = False
        self._stale: set[str] = set()  # environments whose row lags behind their report
        self._stale_detail = self._stale_matrix = False
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_MS)
        self._render_timer.timeout.connect(self.render_reports)
        self._build()
        self.actions_by_name = window_actions.build(self)
        self.filter_bar.changed.connect(self._filter_changed)
        self._filter_changed(self.filter_bar.row_filter())
        self.resize(1280, 800)

    def _build(self) -> None:
        split = self.split
        split.setObjectName("environments-split")
        split.addWidget(self._list_pane())
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([560, 720])
        self.tabs.addTab(split, "Environments")
        self.tabs.addTab(self.matrix, "Migration matrix")
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.tabs)
        self.setCentralWidget(self.pages)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.hidden_label)
        self.environments.selected.connect(self._selection_changed)
        self.environments.open_requested.connect(self._open_detail)
        self.environments.rows_changed.connect(self._update_hidden)
        self.empty.add_requested.connect(self.add_requested)
        self.detail.sessions.signal_requested.connect(self._signal_backend)
        self.tabs.currentChanged.connect(lambda _i: self.render_reports())

    def _list_pane(self) -> QWidget:
        pane = QWidget(self)
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.environments, 1)
        self.setTabOrder(self.filter_bar.text, self.filter_bar.status)
        self.setTabOrder(self.filter_bar.status, self.environments)
        return pane

    # rendering -----------------------------------------------------------------------

    def show_config(self, config: Config) -> None:
        selected = self.environments.current_name()
        self.config = config
        self.reports = {k: v for k, v in self.reports.items() if config.environment(k)}
        self.reachable = {k: v for k, v in self.reachable.items() if config.environment(k)}
        self.environments.source.set_config(config)
        self.pages.setCurrentIndex(MAIN_PAGE if config.environments else EMPTY_PAGE)
        for name in ("edit", "remove", "poll"):
            self.actions_by_name[name].setEnabled(bool(config.environments))
        names = [e.name for e in config.environments]
        if names:
            self.select(selected if selected in names else names[0])
        self._update_matrix()

    def show_report(self, report: EnvironmentReport) -> None:
        """Keep the report; the widgets show it at the next render (within RENDER_MS)."""
        self.reports[report.name] = report
        if report.limits is not None:
            self.reachable[report.name] = report
        self._stale.add(report.name)
        self._stale_matrix = True
        if report.name == self.environments.current_name():
            self._stale_detail = True
        self._open_on_critical(report)
        if self.on_screen() and not self._render_timer.isActive():
            self._render_timer.start()  # hidden: showEvent renders

    def on_screen(self) -> bool:
        return self.isVisible() and not self.isMinimized()

    def caught_up(self) -> bool:
        """The window is on screen and nothing shown lags behind the kept reports."""
        matrix = self._stale_matrix and self.tabs.currentWidget() is self.matrix
        pending = self._stale or self._stale_detail or matrix or not self.environments.fitted()
        return self.on_screen() and not pending

    def render_reports(self) -> None:
        """Bring what is on screen up to date with the kept reports; nothing while the
        window is hidden (showing it renders at once)."""
        if not self.on_screen():
            return
        stale, self._stale = self._stale, set()
        for name in stale:
            report = self.reports.get(name)
            if report is not None:
                self.environments.source.update_report(report)
        if self._stale_detail:
            self._stale_detail = False
            self.refresh_selected()
        if self._stale_matrix and self.tabs.currentWidget() is self.matrix:
            self._update_matrix()
        self.rendered.emit()

    def choose(self, name: str) -> bool:
        """Select an environment as the user's own choice: it is never moved for them."""
        self._auto_pick = False
        return self.environments.select(name)

    def select(self, name: str) -> bool:
        """Select an environment on the app's behalf (not a user's choice)."""
        self._picking = True
        try:
            return self.environments.select(name)
        finally:
            self._picking = False

    def _open_on_critical(self, report: EnvironmentReport) -> None:
        """Until the user picks an environment or every one has reported, a critical one is
        brought on screen (the first to arrive: later ones must not make it jump)."""
        if not self._auto_pick:
            return
        current = self.reports.get(self.environments.current_name() or "")
        if report.status == Status.CRITICAL and (
            current is None or current.status < Status.CRITICAL
        ):
            self.select(report.name)
        if len(self.reports) >= len(self.config.environments):
            self._auto_pick = False

    def set_status_message(self, text: str) -> None:
        self.status_label.setText(text)

    def _selection_changed(self, name: str) -> None:
        if not self._picking:
            self._auto_pick = False  # the user chose: never move the selection for them
        self._show_selected(name)

    def refresh_selected(self) -> None:
        """Redraw the environment on screen (after its history was loaded)."""
        name = self.environments.current_name()
        if name:
            self._show_selected(name)

    def _show_selected(self, name: str) -> None:
        self._stale_detail = not self.on_screen()
        env = self.config.environment(name)
        if env is not None and not self._stale_detail:
            report = self.reports.get(name)
            history, reference = self.history.get(name), self.reachable.get(name)
            self.detail.show_environment(self.config, env, report, history, reference)

    def _update_matrix(self) -> None:
        self._stale_matrix = False
        # In the configuration's order, not the order reports happened to arrive in.
        reports = (self.reports.get(env.name) for env in self.config.environments)
        self.matrix.show_statuses(
            {r.name: r.migrations for r in reports if r is not None and r.migrations is not None}
        )

    # intents ---------------------------------------------------------------------------

    def edit_selected(self) -> None:
        name = self.environments.current_name()
        if name:
            self.edit_requested.emit(name)

    def remove_selected(self) -> None:
        name = self.environments.current_name()
        if name:
            self.remove_requested.emit(name)

    def show_environments(self) -> None:
        self.tabs.setCurrentIndex(0)

    def show_drift(self) -> None:
        self.tabs.setCurrentWidget(self.matrix)

    def show_tab(self, number: int) -> None:
        """Ctrl+1..5: a tab of the detail (the environments page comes to the front)."""
        if 0 <= number < self.detail.tabs.count():
            self.show_environments()
            self.detail.tabs.setCurrentIndex(number)

    def step_range(self, step: int) -> None:
        chart = self.detail.chart
        current = next((n for n, (_l, s) in enumerate(WINDOWS) if s == chart.window_s), 0)
        chart.set_window_index(min(max(current + step, 0), len(WINDOWS) - 1))

    def describe_action(self, name: str, text: str) -> str:
        """The shortcuts dialog's words for an action (tab actions name their tab)."""
        if name.startswith("tab"):
            number = int(name.removeprefix("tab")) - 1
            return f"Show the {self.detail.tabs.tabText(number).replace('&', '')} tab"
        return text.rstrip("…")

    def show_shortcuts(self) -> None:
        dialog = ShortcutsDialog(window_actions.shortcut_rows(self), self)
        self.shortcuts = dialog
        dialog.open()

    def _open_detail(self, _name: str) -> None:
        """Enter on a row: the detail takes the keyboard focus (Ctrl+1..5 pick its tab)."""
        self.detail.tabs.setFocus()

    def _filter_changed(self, row_filter: env_text.RowFilter) -> None:
        self.environments.set_row_filter(row_filter)
        self.actions_by_name["clear_filter"].setEnabled(row_filter.active)

    def _update_hidden(self) -> None:
        total = self.environments.source.rowCount()
        self.hidden_label.setText(
            env_text.hidden_text(total - self.environments.hidden_count(), total)
        )

    def _signal_backend(self, pid: int, terminate: bool) -> None:
        name = self.environments.current_name()
        if name:
            self.signal_requested.emit(name, pid, terminate)

    def capture_state(self) -> WindowState:
        chart = self.detail.chart
        return WindowState(
            geometry=bytes(self.saveGeometry().data()),
            splitter=bytes(self.split.saveState().data()),
            selected=self.environments.current_name() or "",
            worst_first=self.actions_by_name["worst_first"].isChecked(),
            chart_range=next((label for label, s in WINDOWS if s == chart.window_s), ""),
        )

    def apply_state(self, state: WindowState) -> None:
        """Restore what `capture_state` saved; call after `show_config`."""
        if state.geometry:
            self.restoreGeometry(QByteArray(state.geometry))
        if state.splitter:
            self.split.restoreState(QByteArray(state.splitter))
        self.actions_by_name["worst_first"].setChecked(state.worst_first)
        labels = [label for label, _s in WINDOWS]
        if state.chart_range in labels:
            self.detail.chart.set_window_index(labels.index(state.chart_range))
        if state.selected:
            self.select(state.selected)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.render_reports()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange and self.on_screen():
            self.render_reports()  # restored from minimised

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close:
            event.accept()
            return
        event.ignore()  # the controller closes connections first, then the window
        self.quit_requested.emit()
