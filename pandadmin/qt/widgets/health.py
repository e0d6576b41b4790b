"""Health of each service: status, HTTP code, latency with a sparkline, the last error, and
below it the service's sub-checks, timing split and certificate."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pandadmin.core.history import EnvironmentHistory, ServiceTrace
from pandadmin.core.models import HealthResult, Status
from pandadmin.qt import present, theme
from pandadmin.qt.widgets.health_details import details_html
from pandadmin.qt.widgets.health_timeline import HealthTimeline

HEADERS = ("", "Service", "HTTP", "Latency", "Recent latency", "Problem")


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
        self.timeline_title = QLabel("<b>Up / down over the chart's range</b>", self)
        self.timeline = HealthTimeline(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid)
        layout.addSpacing(10)
        layout.addWidget(self.timeline_title)
        layout.addWidget(self.timeline)
        layout.addStretch(1)
        self._rows: dict[str, tuple[QLabel, ...]] = {}
        self._sparks: dict[str, Sparkline] = {}
        self._details: dict[str, QLabel] = {}

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

    def show_timeline(
        self,
        services: tuple[str, ...],
        series: tuple[np.ndarray, np.ndarray] | None,
        start: float,
        end: float,
    ) -> None:
        """Each service's up/down history (from the store) between `start` and `end`."""
        self.timeline_title.setVisible(bool(services))
        self.timeline.show_timeline(services, series, start, end)

    def _rebuild(self, names: list[str]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._rows, self._sparks, self._details = {}, {}, {}
        for column, title in enumerate(HEADERS):
            self.grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for number, name in enumerate(names):
            self._add_row(name, 1 + 2 * number)
        self.grid.setColumnStretch(5, 1)

    def _add_row(self, name: str, row: int) -> None:
        labels = tuple(QLabel() for _ in range(5))
        for column, label in zip((0, 1, 2, 3, 5), labels, strict=True):
            self.grid.addWidget(label, row, column)
        labels[4].setWordWrap(True)
        self._sparks[name] = Sparkline()
        self.grid.addWidget(self._sparks[name], row, 4)
        details = QLabel()
        details.setWordWrap(True)
        details.setStyleSheet(f"color: {theme.muted_text().name()}")
        self.grid.addWidget(details, row + 1, 1, 1, len(HEADERS) - 1)
        self._rows[name], self._details[name] = labels, details

    def _update(self, result: HealthResult, trace: ServiceTrace | None) -> None:
        dot, name, http, latency, error = self._rows[result.service]
        dot.setPixmap(theme.dot_icon(result.status).pixmap(12, 12))
        name.setText(result.service)
        name.setToolTip(result.url)
        http.setText(str(result.http_status) if result.http_status is not None else "—")
        latency.setText(present.latency_text(result.latency_ms))
        error.setText(_error_text(result, trace))
        bad = result.status in (Status.WARNING, Status.CRITICAL)
        error.setStyleSheet(f"color: {theme.status_colour(result.status).name()}" if bad else "")
        details = details_html(result)
        self._details[result.service].setText(details)
        self._details[result.service].setVisible(bool(details))
        if trace is not None:
            self._sparks[result.service].set_values(trace.latencies())


def _error_text(result: HealthResult, trace: ServiceTrace | None) -> str:
    if not result.ok:
        tries = f" (after {result.attempts} attempts)" if result.attempts > 1 else ""
        return (result.error or f"HTTP {result.http_status}") + tries
    if result.notes:
        return "; ".join(n.text for n in result.notes if n.status != Status.OK)
    if trace is not None and trace.last_error:
        return f"ok now; last error {present.ago(trace.last_error_at)}: {trace.last_error}"
    return "—"
