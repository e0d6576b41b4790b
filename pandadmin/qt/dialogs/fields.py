"""Spin boxes made from the settings table: a value the file would refuse cannot be typed.

Each box's objectName is its field's name, so a test can find every ranged widget.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget

from pandadmin.core.settings import Field, field

Box = TypeVar("Box", QSpinBox, QDoubleSpinBox)


def int_spin_box(name: str, parent: QWidget | None = None) -> QSpinBox:
    row = _numeric(name, int)
    box = QSpinBox(parent)
    box.setRange(int(row.low or 0), int(row.high or 0))
    return _named(box, row)


def float_spin_box(name: str, parent: QWidget | None = None) -> QDoubleSpinBox:
    row = _numeric(name, float)
    box = QDoubleSpinBox(parent)
    box.setDecimals(2)
    box.setRange(row.low or 0.0, row.high or 0.0)
    return _named(box, row)


def _numeric(name: str, kind: type) -> Field:
    row = field(name)
    if row.kind is not kind or row.low is None or row.high is None:
        raise TypeError(f"settings field {name!r} is not a bounded {kind.__name__}")
    return row


def _named(box: Box, row: Field) -> Box:
    box.setObjectName(row.name)
    box.setToolTip(row.help)
    return box
