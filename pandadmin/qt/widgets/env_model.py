"""The environment list's model: one row per environment with its latest report, and the
proxy that filters it and keeps the troubled ones on top."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QWidget

from pandadmin.core.config import Config, Environment
from pandadmin.core.models import Status
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.service_health import HealthOverview, overview
from pandadmin.qt import env_text, present, theme

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
    health: HealthOverview | None = None
    texts: dict[int, str] = field(default_factory=dict)  # each column's words, once per report
    summary: str = ""  # the health summary: `11/12 up · auth`
    look: tuple[object, ...] = ()  # what each column paints (see `looks`)

    def __post_init__(self) -> None:
        self._judge()

    def set_report(self, report: EnvironmentReport) -> None:
        self.report = report
        self._judge()

    def _judge(self) -> None:
        self.health = overview(self.env, self.report.services if self.report else ())
        badge = self.badge()
        self.texts = {
            NAME: self.env.name,
            HEALTH: env_text.health_count(self.health),
            CONNECTIONS: present.connections_text(self.report),
            MIGRATIONS: badge[0] if badge else "—",
        }
        troubled = env_text.troubled_names(self.health)
        count = self.texts[HEALTH]
        self.summary = f"{count} · {troubled}" if troubled else count
        self.look = self.looks()

    @property
    def status(self) -> Status:
        return self.report.status if self.report else Status.UNKNOWN

    @property
    def services(self) -> HealthOverview:
        assert self.health is not None  # set in __post_init__
        return self.health

    def badge(self) -> tuple[str, Status] | None:
        return present.migration_badge(self.report.migrations if self.report else None)

    def looks(self) -> tuple[object, ...]:
        """What each column paints (the status tints the whole row): a report that leaves
        a column's look alone does not repaint it."""
        limits = self.report.limits if self.report else None
        usage = (limits.used, limits.effective_limit, limits.utilization) if limits else None
        database = self.report.database if self.report else None
        dots = tuple(s.status for s in self.services.services)
        return (
            (self.status, self.texts[NAME]),
            (self.status, self.summary, dots),
            (self.status, self.texts[CONNECTIONS], usage, database is None),
            (self.status, self.badge()),
        )


class EnvironmentModel(QAbstractTableModel):
    """Rows in config order; `update_report` refreshes one row in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[EnvRow] = []
        self._icons: dict[tuple[Status, bool], QIcon] = {}  # painted once, not per repaint

    def icon(self, status: Status) -> QIcon:
        key = (status, theme.is_dark())
        if key not in self._icons:
            self._icons[key] = theme.dot_icon(status)
        return self._icons[key]

    def set_config(self, config: Config) -> None:
        reports = {r.env.name: r.report for r in self.rows}
        self.beginResetModel()
        self.rows = [
            EnvRow(e, config.plan_limit(e), reports.get(e.name)) for e in config.environments
        ]
        self.endResetModel()

    def update_report(self, report: EnvironmentReport) -> None:
        """Only the cells whose look changed are announced, one by one: a view repaints a
        single changed cell, but its whole viewport for a range (QAbstractItemView)."""
        number = self.row_of(report.name)
        if number < 0:
            return
        row = self.rows[number]
        before = row.look
        row.set_report(report)
        for column, (old, new) in enumerate(zip(before, row.look, strict=True)):
            if old != new:
                cell = self.index(number, column)
                self.dataChanged.emit(cell, cell)

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
            return theme.tint(row.status) if row.status.needs_attention else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, index.column())
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return _spoken(row, index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts.get(index.column())
        if role == Qt.ItemDataRole.DecorationRole and index.column() == NAME:
            return self.icon(row.status)
        return None


def _tooltip(row: EnvRow, column: int) -> str:
    if column == HEALTH:
        return env_text.health_tooltip(row.env.name, row.services)
    if row.report is None:
        return f"{row.env.name}: not checked yet"
    reasons = "\n".join(f"• {r}" for r in row.report.reasons) or "• all good"
    return f"{row.env.name}: {row.status.label}\n{reasons}"


def _spoken(row: EnvRow, column: int) -> str:
    name = row.env.name
    if column == HEALTH:
        return env_text.accessible_health(name, row.services)
    if column == CONNECTIONS:
        return env_text.accessible_connections(name, row.status, row.report)
    if column == MIGRATIONS:
        return env_text.accessible_migrations(name, row.badge())
    return env_text.accessible_name(name, row.status)


class EnvironmentProxy(QSortFilterProxyModel):
    """Filters rows by `row_filter`; sorted, it puts the worst status first (then config
    order); unsorted it keeps the config order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row_filter = env_text.RowFilter()

    def set_row_filter(self, row_filter: env_text.RowFilter) -> None:
        if row_filter != self.row_filter:
            self.beginFilterChange()  # invalidateFilter() is deprecated since Qt 6.10
            self.row_filter = row_filter
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, _parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, EnvironmentModel) or not self.row_filter.active:
            return True
        row = model.rows[source_row]
        services = tuple(s.name for s in row.env.services)
        return self.row_filter.accepts(row.env.name, services, row.status)

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        a, b = model.data(left, StatusRole), model.data(right, StatusRole)
        if a != b:
            return bool(a > b)
        return bool(left.row() < right.row())
