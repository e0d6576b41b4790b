"""Colours follow the application palette: light by default, dark when the system is dark."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from pandadmin.core.models import Status
from pandadmin.qt import theme
from pandadmin.qt.widgets.connections_chart import ConnectionsChart


def test_status_colours_and_chart_follow_a_dark_palette(qtbot: Any, qapp: Any) -> None:
    chart = ConnectionsChart()
    qtbot.addWidget(chart)
    light_ok = theme.status_colour(Status.OK)
    assert not theme.is_dark()
    previous = QApplication.palette()
    dark = QPalette(previous)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#17181a"))
    QApplication.setPalette(dark)
    try:
        qapp.processEvents()
        assert theme.is_dark()
        assert theme.status_colour(Status.OK) != light_ok
        assert chart.plot.backgroundBrush().color() == QColor("#17181a")
        assert chart.lines["limit"].pen.color() == theme.status_colour(Status.CRITICAL)
    finally:
        QApplication.setPalette(previous)
        qapp.processEvents()
    assert chart.plot.backgroundBrush().color() == previous.color(QPalette.ColorRole.Base)
