"""Health of each service: status, HTTP code, latency with a sparkline, and the last error."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pandadmin.core.history import EnvironmentHistory, ServiceTrace
from pandadmin.core.models import HealthResult, Status
from pandadmin.qt import present, theme

HEADERS = ("", "Service", "HTTP", "Latency", "Recent latency", "Last error")


class Sparkline(QWidget):
    """A tiny latency line; gaps (failed checks) break it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = np.empty(0)
        self.setMinimumSize(QSize(120, 22))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, values: np.ndarray) -> None:
        self.values = values
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        finite = self.values[np.isfinite(self.values)]
        if len(finite) < 2:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 1.2))
        for segment in _segments(self.values, float(finite.max()), self.width(), self.height()):
            painter.drawPolyline(segment)
        painter.end()


def _segments(values: np.ndarray, top: float, width: int, height: int) -> list[QPolygonF]:
    step = (width - 2) / max(len(values) - 1, 1)
    scale = (height - 4) / top if top > 0 else 0.0
    segments, current = [], QPolygonF()
    for i, value in enumerate(values):
        if not np.isfinite(value):
            if current.size() > 1:
                segments.append(current)
            current = QPolygonF()
            continue
        current.append(QPointF(1 + i * step, height - 2 - value * scale))
    if current.size() > 1:
        segments.append(current)
    return segments


class HealthPanel(QWidget):
    """One grid row per service, rebuilt when the services change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.empty = QLabel("No services configured: add one in Edit environment (Ctrl+E).", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self._rows: dict[str, tuple[QLabel, ...]] = {}
        self._sparks: dict[str, Sparkline] = {}

    def show_results(
        self, results: tuple[HealthResult, ...], history: EnvironmentHistory | None
    ) -> None:
        names = [r.service for r in results]
        if names != list(self._rows):
            self._rebuild(names)
        self.empty.setVisible(not results)
        for result in results:
            trace = history.services.get(result.service) if history else None
            self._update(result, trace)

    def _rebuild(self, names: list[str]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._rows, self._sparks = {}, {}
        for column, title in enumerate(HEADERS):
            self.grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for number, name in enumerate(names, start=1):
            labels = tuple(QLabel() for _ in range(5))
            for column, label in zip((0, 1, 2, 3, 5), labels, strict=True):
                self.grid.addWidget(label, number, column)
            labels[4].setWordWrap(True)
            self._sparks[name] = Sparkline()
            self.grid.addWidget(self._sparks[name], number, 4)
            self._rows[name] = labels
        self.grid.setColumnStretch(5, 1)

    def _update(self, result: HealthResult, trace: ServiceTrace | None) -> None:
        dot, name, http, latency, error = self._rows[result.service]
        dot.setPixmap(theme.dot_icon(result.status).pixmap(12, 12))
        name.setText(result.service)
        name.setToolTip(result.url)
        http.setText(str(result.http_status) if result.http_status is not None else "—")
        latency.setText(present.latency_text(result.latency_ms))
        error.setText(_error_text(result, trace))
        colour = theme.status_colour(Status.CRITICAL if not result.ok else None)
        error.setStyleSheet(f"color: {colour.name()}" if not result.ok else "")
        if trace is not None:
            self._sparks[result.service].set_values(trace.latencies())


def _error_text(result: HealthResult, trace: ServiceTrace | None) -> str:
    if not result.ok:
        return result.error or f"HTTP {result.http_status}"
    if trace is not None and trace.last_error:
        return f"ok now; last error {present.ago(trace.last_error_at)}: {trace.last_error}"
    return "—"
