"""The main window: environments list and detail, the migration drift view, the empty
state, and the keyboard actions. It renders; the controller decides."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStackedWidget, QTabWidget, QWidget

from pandadmin.core.config import Config
from pandadmin.core.history import HistoryStore
from pandadmin.core.report import EnvironmentReport
from pandadmin.qt.widgets.detail import EnvironmentDetail
from pandadmin.qt.widgets.empty import EmptyState
from pandadmin.qt.widgets.env_list import EnvironmentList
from pandadmin.qt.widgets.migrations import MigrationMatrixView

EMPTY_PAGE, MAIN_PAGE = 0, 1


class MainWindow(QMainWindow):
    """Emits user intents; `show_config` and `show_report` update what is on screen."""

    add_requested = Signal()
    edit_requested = Signal(str)
    remove_requested = Signal(str)
    poll_requested = Signal()
    quit_requested = Signal()
    signal_requested = Signal(str, int, bool)  # environment, pid, terminate

    def __init__(self, history: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("pandadmin")
        self.history = history
        self.config = Config()
        self.reports: dict[str, EnvironmentReport] = {}
        self.reachable: dict[str, EnvironmentReport] = {}  # last report that had a sample
        self.allow_close = False
        self.environments = EnvironmentList(self)
        self.detail = EnvironmentDetail(self)
        self.matrix = MigrationMatrixView(self)
        self.empty = EmptyState(self)
        self.pages = QStackedWidget(self)
        self.tabs = QTabWidget(self)
        self.status_label = QLabel("", self)
        self._build()
        self._build_actions()
        self.resize(1280, 800)

    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.environments)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([430, 850])
        self.tabs.addTab(split, "Environments")
        self.tabs.addTab(self.matrix, "Migration drift")
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.tabs)
        self.setCentralWidget(self.pages)
        self.statusBar().addWidget(self.status_label, 1)
        self.environments.selected.connect(self._show_selected)
        self.empty.add_requested.connect(self.add_requested)
        self.detail.sessions.signal_requested.connect(self._signal_backend)

    def _build_actions(self) -> None:
        bar = self.addToolBar("Main")
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.actions_by_name: dict[str, QAction] = {}
        for name, text, keys, slot in (
            ("add", "Add…", QKeySequence.StandardKey.New, self.add_requested.emit),
            ("edit", "Edit…", QKeySequence("Ctrl+E"), self._edit),
            ("remove", "Remove…", QKeySequence(Qt.Key.Key_Delete), self._remove),
            ("poll", "Poll now", QKeySequence(Qt.Key.Key_F5), self.poll_requested.emit),
            ("quit", "Quit", QKeySequence("Ctrl+Q"), self.quit_requested.emit),
        ):
            action = QAction(text, self)
            action.setShortcut(keys)
            action.setToolTip(f"{text.rstrip('…')} ({action.shortcut().toString()})")
            action.triggered.connect(slot)
            self.addAction(action)
            if name != "quit":
                bar.addAction(action)
            self.actions_by_name[name] = action
        worst = QAction("Worst first", self)
        worst.setCheckable(True)
        worst.toggled.connect(self.environments.set_worst_first)
        bar.addSeparator()
        bar.addAction(worst)
        self.actions_by_name["worst_first"] = worst

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
            self.environments.select(selected if selected in names else names[0])
        self._update_matrix()

    def show_report(self, report: EnvironmentReport) -> None:
        self.reports[report.name] = report
        if report.limits is not None:
            self.reachable[report.name] = report
        self.environments.source.update_report(report)
        if report.name == self.environments.current_name():
            self._show_selected(report.name)
        self._update_matrix()

    def set_status_message(self, text: str) -> None:
        self.status_label.setText(text)

    def _show_selected(self, name: str) -> None:
        env = self.config.environment(name)
        if env is not None:
            report = self.reports.get(name)
            history, reference = self.history.get(name), self.reachable.get(name)
            self.detail.show_environment(self.config, env, report, history, reference)

    def _update_matrix(self) -> None:
        statuses: Mapping[str, object] = {
            name: r.migrations for name, r in self.reports.items() if r.migrations is not None
        }
        self.matrix.show_statuses(statuses)  # type: ignore[arg-type]

    # intents ---------------------------------------------------------------------------

    def _edit(self) -> None:
        name = self.environments.current_name()
        if name:
            self.edit_requested.emit(name)

    def _remove(self) -> None:
        name = self.environments.current_name()
        if name:
            self.remove_requested.emit(name)

    def _signal_backend(self, pid: int, terminate: bool) -> None:
        name = self.environments.current_name()
        if name:
            self.signal_requested.emit(name, pid, terminate)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.allow_close:
            event.accept()
            return
        event.ignore()  # the controller closes connections first, then the window
        self.quit_requested.emit()
