"""The filter above the environments list: words matched against environment and service
names, and a status choice."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from pandadmin.qt.env_text import STATUS_CHOICES, RowFilter


class FilterBar(QWidget):
    """Emits `changed(RowFilter)` as the user types or picks a status."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("Filter environments and services  (Ctrl+F or /)")
        self.text.setClearButtonEnabled(True)
        self.text.setAccessibleName("Filter by environment or service name")
        self.status = QComboBox(self)
        self.status.setAccessibleName("Filter by status")
        for label, _statuses in STATUS_CHOICES:
            self.status.addItem(label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        self.text.textChanged.connect(self._emit)
        self.status.currentIndexChanged.connect(self._emit)

    def row_filter(self) -> RowFilter:
        return RowFilter(self.text.text(), STATUS_CHOICES[self.status.currentIndex()][1])

    def clear(self) -> None:
        self.text.clear()
        self.status.setCurrentIndex(0)

    def focus(self) -> None:
        self.text.setFocus()
        self.text.selectAll()

    def _emit(self) -> None:
        self.changed.emit(self.row_filter())
