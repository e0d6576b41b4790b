"""The environments list: a row per environment (status, health, `n / limit` with a bar, a
migration badge), columns sized to their content, a filter, optionally worst first."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from pandadmin.qt.env_text import RowFilter
from pandadmin.qt.widgets import env_delegate as paint
from pandadmin.qt.widgets.env_model import (
    CONNECTIONS,
    HEADERS,
    HEALTH,
    MIGRATIONS,
    NAME,
    EnvironmentModel,
    EnvironmentProxy,
    EnvRow,
    RowRole,
    StatusRole,
)

__all__ = ["CONNECTIONS", "HEADERS", "HEALTH", "MIGRATIONS", "NAME", "EnvironmentList"]
__all__ += ["RowRole", "StatusRole"]
ROW_HEIGHT = 36
NAME_MIN = 80
HEALTH_MIN = 96  # room for "12/12 up" and its dot
MAX_WIDTHS = 4096  # measured cell contents kept


class EnvironmentList(QTableView):
    """The table of environments; emits `selected(name)` when another environment becomes
    current and `open_requested(name)` on Enter."""

    selected = Signal(str)
    open_requested = Signal(str)
    rows_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = EnvironmentModel(self)
        self.proxy = EnvironmentProxy(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.delegate = paint.EnvironmentDelegate(self)
        self.setItemDelegate(self.delegate)
        self._shown: str | None = None
        self._widths: dict[tuple[int, object], int] = {}
        self._fit_timer = QTimer(self)  # once per burst of reports, not once per report
        self._fit_timer.setSingleShot(True)
        self._fit_timer.timeout.connect(self.fit_columns)
        self._configure_view()
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self.proxy.layoutChanged.connect(self._keep_current_visible)
        self.proxy.rowsRemoved.connect(self._keep_current_visible)
        self.proxy.dataChanged.connect(lambda *_: self._fit_timer.start())
        self.proxy.modelReset.connect(self._after_reset)
        for signal in (self.proxy.rowsRemoved, self.proxy.rowsInserted, self.proxy.modelReset):
            signal.connect(self.rows_changed)

    def _configure_view(self) -> None:
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the list (keyboard users reach the rest)
        self.setAccessibleName("Environments")
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(40)
        for column in range(len(HEADERS)):  # fit_columns() sizes them all
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
        header.setHighlightSections(False)

    # columns ------------------------------------------------------------------------

    def fit_columns(self) -> None:
        """Connections and Migrations as wide as their content; Name and Health share the
        rest: both whole when they fit (Name takes the slack), else Health gives way down to
        its summary's count, then Name (elided)."""
        widths = {c: self.content_width(c) for c in range(len(HEADERS))}
        room = self.viewport().width() - widths[CONNECTIONS] - widths[MIGRATIONS]
        if widths[NAME] + widths[HEALTH] <= room:
            widths[NAME] = room - widths[HEALTH]
        else:
            widths[HEALTH] = min(widths[HEALTH], max(HEALTH_MIN, room - widths[NAME]))
            widths[NAME] = max(room - widths[HEALTH], NAME_MIN)
        header = self.horizontalHeader()
        for column, width in widths.items():
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def fitted(self) -> bool:
        """No column fit is pending (cells a render changed are fitted on the next turn)."""
        return not self._fit_timer.isActive()

    def content_width(self, column: int) -> int:
        """The widest cell of `column` (all rows, filtered or not) or its header."""
        title = self.horizontalHeader().fontMetrics().horizontalAdvance(HEADERS[column]) + 24
        return max([title, *(self._cell_width(column, r) for r in self.source.rows)])

    def _cell_width(self, column: int, row: EnvRow) -> int:
        """Measured once per distinct content (a report rarely changes a text): the fit
        runs after every render that changed a cell."""
        key = (column, row.look[column])
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) > MAX_WIDTHS:
                self._widths.clear()
            width = self._widths[key] = self._measure(column, row) + 2 * paint.PAD_X + 2
        return width

    def _measure(self, column: int, row: EnvRow) -> int:
        fm = self.fontMetrics()
        if column == NAME:
            return paint.name_width(fm, row)
        if column == HEALTH:
            return paint.health_width(fm, row)
        if column == CONNECTIONS:
            return fm.horizontalAdvance(row.texts[CONNECTIONS])
        return paint.badge_width(fm, row)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._widths.clear()
        super().changeEvent(event)

    def _after_reset(self) -> None:
        self._shown = None  # the caller re-selects; the detail must then render afresh
        self.fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    # filter and order ------------------------------------------------------------------

    def set_row_filter(self, row_filter: RowFilter) -> None:
        self.proxy.set_row_filter(row_filter)
        self._keep_current_visible()
        self.rows_changed.emit()

    def hidden_count(self) -> int:
        return self.source.rowCount() - self.proxy.rowCount()

    def set_worst_first(self, enabled: bool) -> None:
        self.proxy.sort(0 if enabled else -1, Qt.SortOrder.AscendingOrder)
        self.proxy.setDynamicSortFilter(enabled)

    def worst_first(self) -> bool:
        return self.proxy.sortColumn() == 0

    def _keep_current_visible(self) -> None:
        """After a re-sort or a filter the selected environment stays selected and on screen;
        when the filter hid it, the first visible row becomes current."""
        index = self.currentIndex()
        if index.isValid():
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        elif self.proxy.rowCount():
            self._make_current(self.proxy.index(0, 0))

    # selection ---------------------------------------------------------------------------

    def current_name(self) -> str | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        # Not index.data(RowRole): a round trip through a QVariant and the model's Python
        # data(), once per report (~0.8 ms of wall time each in the app, under cProfile).
        return self.source.rows[self.proxy.mapToSource(index).row()].env.name

    def select(self, name: str) -> bool:
        source_row = self.source.row_of(name)
        index = self.proxy.mapFromSource(self.source.index(source_row, 0))
        if source_row < 0 or not index.isValid():
            return False
        self._make_current(index)
        return True

    def _make_current(self, index: QModelIndex) -> None:
        flags = QItemSelectionModel.SelectionFlag
        self.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        row: EnvRow = current.data(RowRole)
        if row.env.name != self._shown:  # a re-sort moves the row, it does not re-select it
            self._shown = row.env.name
            self.selected.emit(row.env.name)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        name = self.current_name()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and name:
            self.open_requested.emit(name)
            return
        super().keyPressEvent(event)
