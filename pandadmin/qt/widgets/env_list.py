"""The environments list: status colour, a health dot per service, `n / limit` with a bar,
a migration badge; optionally sorted worst first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from pandadmin.core.config import Config, Environment
from pandadmin.core.models import Status
from pandadmin.core.report import EnvironmentReport
from pandadmin.qt import present, theme

Index = QModelIndex | QPersistentModelIndex
NAME, HEALTH, CONNECTIONS, MIGRATIONS = range(4)
HEADERS = ("Environment", "Health", "Connections", "Migrations")
StatusRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2


@dataclass(slots=True)
class EnvRow:
    """What one row shows: the environment's settings and its latest report."""

    env: Environment
    plan_limit: int
    report: EnvironmentReport | None = None

    @property
    def status(self) -> Status:
        return self.report.status if self.report else Status.UNKNOWN

    def health(self) -> list[Status | None]:
        if self.report is None or not self.report.services:
            return [None] * len(self.env.services)
        return [r.status for r in self.report.services]


class EnvironmentModel(QAbstractTableModel):
    """Rows in config order; `update_report` refreshes one row in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[EnvRow] = []

    def set_config(self, config: Config) -> None:
        reports = {r.env.name: r.report for r in self.rows}
        self.beginResetModel()
        self.rows = [
            EnvRow(e, config.plan_limit(e), reports.get(e.name)) for e in config.environments
        ]
        self.endResetModel()

    def update_report(self, report: EnvironmentReport) -> None:
        for number, row in enumerate(self.rows):
            if row.env.name == report.name:
                row.report = report
                self.dataChanged.emit(self.index(number, 0), self.index(number, len(HEADERS) - 1))

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.env.name == name), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == StatusRole:
            return int(row.status)
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.BackgroundRole:
            return theme.tint(row.status) if row.status >= Status.WARNING else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row)
        return self._cell(row, index.column(), role)

    def _cell(self, row: EnvRow, column: int, role: int) -> Any:
        if column == NAME and role == Qt.ItemDataRole.DisplayRole:
            return row.env.name
        if column == NAME and role == Qt.ItemDataRole.DecorationRole:
            return theme.dot_icon(row.status)
        if column == CONNECTIONS and role == Qt.ItemDataRole.DisplayRole:
            return present.connections_text(row.report)
        if column == MIGRATIONS and role == Qt.ItemDataRole.DisplayRole:
            badge = present.migration_badge(row.report.migrations if row.report else None)
            return badge[0] if badge else "—"
        return None


def _tooltip(row: EnvRow) -> str:
    if row.report is None:
        return f"{row.env.name}: not checked yet"
    reasons = "\n".join(f"• {r}" for r in row.report.reasons) or "• all good"
    return f"{row.env.name}: {row.status.label}\n{reasons}"


class WorstFirstProxy(QSortFilterProxyModel):
    """Sorts by status (worst first), then by name; unsorted keeps the config order."""

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        a, b = model.data(left, StatusRole), model.data(right, StatusRole)
        if a != b:
            return bool(a > b)
        return bool(left.row() < right.row())


class EnvironmentDelegate(QStyledItemDelegate):
    """Paints the health dots, the usage bar and the migration badge."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row: EnvRow = index.data(RowRole)
        column = index.column()
        if column == NAME or row is None:
            super().paint(painter, option, index)
            return
        self._background(painter, option, index)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(8, 4, -8, -4)
        if column == HEALTH:
            _paint_dots(painter, rect, row.health())
        elif column == CONNECTIONS:
            _paint_usage(painter, rect, row, option)
        else:
            _paint_badge(painter, rect, row, option.palette)
        painter.restore()

    def _background(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)


def _paint_dots(painter: QPainter, rect: QRect, statuses: list[Status | None]) -> None:
    size, y = 11, rect.center().y() - 5
    painter.setPen(Qt.PenStyle.NoPen)
    if not statuses:
        painter.setPen(theme.muted_text())
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, "no services")
        return
    for number, status in enumerate(statuses[:12]):
        painter.setBrush(theme.status_colour(status))
        painter.drawEllipse(QRectF(rect.left() + number * (size + 5), y, size, size))


def _paint_usage(painter: QPainter, rect: QRect, row: EnvRow, option: QStyleOptionViewItem) -> None:
    palette = option.palette
    text_rect = QRect(rect.left(), rect.top(), rect.width(), rect.height() - 7)
    limits = row.report.limits if row.report else None
    colour = palette.color(QPalette.ColorRole.Text)
    if row.report is not None and row.report.database is not None and limits is None:
        colour = theme.status_colour(Status.CRITICAL)
    painter.setPen(colour)
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, present.connections_text(row.report))
    if limits is None:
        return
    track = QRectF(rect.left(), rect.bottom() - 4, rect.width(), 5)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color(QPalette.ColorRole.Mid))
    painter.drawRoundedRect(track, 2, 2)
    fill = QRectF(track)
    fill.setWidth(track.width() * min(limits.utilization, 1.0))
    painter.setBrush(theme.status_colour(present.usage_status(limits, row.env.thresholds)))
    painter.drawRoundedRect(fill, 2, 2)


def _paint_badge(painter: QPainter, rect: QRect, row: EnvRow, palette: QPalette) -> None:
    badge = present.migration_badge(row.report.migrations if row.report else None)
    if badge is None:
        painter.setPen(theme.muted_text())
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, "—")
        return
    text, status = badge
    width = painter.fontMetrics().horizontalAdvance(text) + 14
    pill = QRectF(rect.left(), rect.center().y() - 9, min(width, rect.width()), 18)
    painter.setPen(Qt.PenStyle.NoPen)
    # An opaque base under the tint keeps the pill legible on a selected (blue) row.
    for brush in (palette.color(QPalette.ColorRole.Base), theme.tint(status, 60)):
        painter.setBrush(brush)
        painter.drawRoundedRect(pill, 9, 9)
    painter.setPen(theme.status_colour(status))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)


class EnvironmentList(QTableView):
    """The table of environments; emits `selected(name)` when the current row changes."""

    selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = EnvironmentModel(self)
        self.proxy = WorstFirstProxy(self)
        self.proxy.setSourceModel(self.source)
        self.setModel(self.proxy)
        self.setItemDelegate(EnvironmentDelegate(self))
        self._configure_view()
        self.selectionModel().currentRowChanged.connect(self._current_changed)

    def _configure_view(self) -> None:
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(36)
        header = self.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in ((HEALTH, 90), (CONNECTIONS, 110), (MIGRATIONS, 120)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setHighlightSections(False)

    def set_worst_first(self, enabled: bool) -> None:
        self.proxy.sort(0 if enabled else -1, Qt.SortOrder.AscendingOrder)
        self.proxy.setDynamicSortFilter(enabled)

    def current_name(self) -> str | None:
        index = self.currentIndex()
        if not index.isValid():
            return None
        row: EnvRow = index.data(RowRole)
        return row.env.name

    def select(self, name: str) -> None:
        source_row = self.source.row_of(name)
        if source_row < 0:
            return
        index = self.proxy.mapFromSource(self.source.index(source_row, 0))
        self.setCurrentIndex(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            row: EnvRow = current.data(RowRole)
            self.selected.emit(row.env.name)
