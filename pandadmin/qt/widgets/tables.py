"""A small read-only table that is refilled on every poll (a few dozen rows at most)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

Cell = str | int | float


def read_only_rows(table: QTableView) -> None:
    """How pandadmin's tables behave: whole rows selected one at a time, no editing, no
    grid, one line per row."""
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(24)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setShowGrid(False)
    table.setWordWrap(False)


class SimpleTable(QTableWidget):
    """Columns fixed at construction; `fill` replaces the rows, keeping the selection."""

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        read_only_rows(self)
        self.setAlternatingRowColors(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        self._content: tuple[object, ...] = ()

    def fill(
        self,
        rows: Sequence[Sequence[Cell]],
        tints: Sequence[QColor | None] | None = None,
        keys: Sequence[object] | None = None,
    ) -> None:
        """Replace all rows; `keys` (one per row) keep the selected row selected. The same
        rows again (most polls) change nothing: no new items, no columns re-measured."""
        content = (
            tuple(map(tuple, rows)),
            tuple(t.rgba() if t is not None else None for t in tints or ()),
            tuple(keys or ()),
        )
        if content == self._content:
            return
        self._content = content
        selected = self.selected_key()
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.setItem(r, c, _item(value, tints[r] if tints else None, keys, r))
        if selected is not None and keys is not None and selected in keys:
            self.selectRow(list(keys).index(selected))
        elif selected is not None:
            self.clearSelection()

    def selected_key(self) -> object | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item else None


def _item(
    value: Cell, tint: QColor | None, keys: Sequence[object] | None, row: int
) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    if isinstance(value, int | float):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tint is not None:
        item.setBackground(tint)
    if keys is not None:
        item.setData(Qt.ItemDataRole.UserRole, keys[row])
    item.setToolTip(str(value))
    return item
