"""The services of an environment in the add/edit dialog, with a live pool budget line:
each service's worst case and their sum against the limit (`core/status.services_budget`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pandadmin.core.config import Service
from pandadmin.core.health_secrets import split_userinfo
from pandadmin.core.models import Status
from pandadmin.core.settings import POOL_FIELDS, check_health_url, check_name
from pandadmin.core.status import budget_status, services_budget
from pandadmin.qt import theme
from pandadmin.qt.dialogs.fields import int_spin_box
from pandadmin.qt.dialogs.service_health import (
    ServiceHealthForm,
    Values,
    apply,
    typed_headers,
    values_of,
)

HEADERS = ("Name", "Health URL", *POOL_FIELDS)
DRAFT_ROLE = Qt.ItemDataRole.UserRole + 1  # on the name item: the health form's values


class ServicesEditor(QWidget):
    """A table of services; `changed` fires on every edit (for the budget line)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("Add service", self)
        self.remove_button = QPushButton("Remove service", self)
        self.budget = QLabel(" ", self)
        self.budget.setWordWrap(True)
        self.health = ServiceHealthForm(self)
        self._shown: QTableWidgetItem | None = None
        self._build()

    def _build(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.budget)
        layout.addWidget(self.health)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_health(row))
        self.health.changed.connect(self._keep_health)
        self.add_button.clicked.connect(lambda: self.add_service(Service("api", "http://")))
        self.remove_button.clicked.connect(self._remove_selected)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())

    def add_service(self, service: Service) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(service.name)
        name.setData(Qt.ItemDataRole.UserRole, service)  # keeps the fields not in the table
        self.table.setItem(row, 0, name)
        self.table.setItem(row, 1, QTableWidgetItem(service.health_url))
        for column, key in enumerate(POOL_FIELDS, start=2):
            spin = int_spin_box(key, self.table)
            spin.setValue(getattr(service, key))
            spin.valueChanged.connect(lambda _v: self.changed.emit())
            self.table.setCellWidget(row, column, spin)
        self.changed.emit()

    def set_services(self, services: tuple[Service, ...]) -> None:
        self.table.setRowCount(0)
        for service in services:
            self.add_service(service)
        if services:
            self.table.setCurrentCell(0, 0)

    def services(self) -> tuple[Service, ...]:
        """The services as typed; raises ValueError naming the first bad field."""
        out = [self._service(row) for row in range(self.table.rowCount())]
        names = [s.name for s in out]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            raise ValueError(f"two services are named {duplicate!r}")
        return tuple(out)

    def _service(self, row: int) -> Service:
        name = check_name("service", self._text(row, 0))
        url = check_health_url(self._text(row, 1))
        ints: dict[str, Any] = {k: self._int(row, col) for col, k in enumerate(POOL_FIELDS, 2)}
        item = self.table.item(row, 0)
        original = item.data(Qt.ItemDataRole.UserRole) if item else None
        base = original if isinstance(original, Service) else Service(name, url)
        clean, _basic = split_userinfo(url)
        service = replace(base, name=name, health_url=clean, **ints)
        draft = _draft(item)
        return apply(service, draft) if draft is not None else service

    def header_changes(self) -> dict[str, dict[str, str]]:
        """Service name -> headers for the keyring ({} forgets them): typed in the form,
        or basic auth moved out of a health URL."""
        changes = {}
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            draft = _draft(item)
            try:
                typed = typed_headers(draft) if draft is not None else None
            except ValueError as exc:
                raise ValueError(f"service {self._text(row, 0)}: request headers: {exc}") from None
            _clean, basic = split_userinfo(self._text(row, 1))
            if typed is not None or basic:
                changes[self._text(row, 0)] = {**basic, **(typed or {})}
        return changes

    def _show_health(self, row: int) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        self._shown = item
        if item is None:
            self.health.load(None)
            return
        original = item.data(Qt.ItemDataRole.UserRole)
        stored = values_of(original) if isinstance(original, Service) else None
        self.health.load(_draft(item) or stored, item.text())

    def _keep_health(self) -> None:
        if self._shown is not None:
            self._shown.setData(DRAFT_ROLE, self.health.values())

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item else ""

    def _int(self, row: int, column: int) -> int:
        widget = self.table.cellWidget(row, column)
        return widget.value() if isinstance(widget, QSpinBox) else 0

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows or [self.table.rowCount() - 1]:
            if row >= 0:
                self.table.removeRow(row)
        self.changed.emit()

    def update_budget(self, limit: int) -> int:
        """Refresh the budget line against `limit`; returns the worst case."""
        drafts = [self._draft(row) for row in range(self.table.rowCount())]
        parts = [
            f"{s.name}: ({s.pool_size} + {s.max_overflow}) × {s.workers} × {s.replicas}"
            f" = {s.worst_case_connections}"
            for s in drafts
        ]
        total = services_budget(drafts).worst_case
        self.budget.setText(_budget_text(parts, total, limit))
        return total

    def _draft(self, row: int) -> Service:
        """The row as typed, unvalidated (for the budget line)."""
        ints: dict[str, Any] = {k: self._int(row, col) for col, k in enumerate(POOL_FIELDS, 2)}
        name = self._text(row, 0) or f"service {row + 1}"
        return Service(name, self._text(row, 1), **ints)


def _budget_text(parts: list[str], total: int, limit: int) -> str:
    if not parts:
        return "No services: add one to see the pools' worst case against the limit."
    status = budget_status(total, limit)
    colour = theme.status_colour(status).name()
    verdict = "exceeds" if status is Status.WARNING else "fits within"
    return (
        "<br>".join(parts)
        + f"<br><span style='color:{colour}'><b>Worst case {total} connections {verdict}"
        f" the limit of {limit}</b></span>"
    )


def _draft(item: QTableWidgetItem | None) -> Values | None:
    value = item.data(DRAFT_ROLE) if item is not None else None
    return value if isinstance(value, dict) else None
