"""Connections over time against the real ceiling (pyqtgraph).

Curves and lines are created once and updated in place (recreating them per tick leaks:
pyqtgraph#2348, #2665). The history hands them windows already cut to the range and
reduced to min/max per bucket, about one point per pixel of the plot (pyqtgraph#3301).
The series are not pyqtgraph curves: every series' closed buckets are drawn by one
cached item and their live tails by another (chart_series.py), so a tick strokes a few
dozen points instead of 20 x ~960. A lone sample (no line yet) is a dot in one scatter
item.
"""

from __future__ import annotations

import html
import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from pandadmin.core.config import Thresholds
from pandadmin.core.history import (
    CONNECTION_SERIES,
    POOLER_SERIES,
    EnvironmentHistory,
    Window,
    bucket_width,
)
from pandadmin.core.models import Status
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.status import threshold_band
from pandadmin.qt import theme
from pandadmin.qt.widgets.chart_items import band_item, limit_line
from pandadmin.qt.widgets.chart_series import PathLayer, SeriesCurve
from pandadmin.qt.widgets.chart_text import legend, line_values, sample_text, values_text

# Up to 24 h from the in-memory history; 7 d and 30 d from the store's rollups.
WINDOWS = (
    ("5 min", 300.0),
    ("1 h", 3600.0),
    ("24 h", 86400.0),
    ("7 d", 7 * 86400.0),
    ("30 d", 30 * 86400.0),
)
LINE_STYLES = {
    "limit": (Status.CRITICAL, Qt.PenStyle.SolidLine),
    "max_connections": (Status.UNKNOWN, Qt.PenStyle.DashLine),
    "budget": (Status.WARNING, Qt.PenStyle.DashLine),
    "server_cap": (Status.UNKNOWN, Qt.PenStyle.DotLine),
}
SHOWN = ("active", "idle", "idle in transaction", "total")
MIN_SPAN_S = 60.0
MIN_POINTS = 200  # before the plot has a width (not laid out yet)


class ConnectionsChart(QWidget):
    """Active / idle / idle-in-transaction curves, limit lines, 80 % and 95 % bands."""

    range_changed = Signal(float)  # seconds shown, after the user picked a range

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_s = WINDOWS[0][1]
        self.data = Window(np.empty(0), np.empty((0, len(CONNECTION_SERIES))))
        self.pooler_data = Window(np.empty(0), np.empty((0, len(POOLER_SERIES))))
        self._history: EnvironmentHistory | None = None
        self._report: EnvironmentReport | None = None
        self._reference: EnvironmentReport | None = None  # last report with limits
        self._thresholds = Thresholds()
        self._ranges: tuple[tuple[float, float], tuple[float, float]] | None = None
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.item = self.plot.getPlotItem()
        self.hover = QLabel(" ", self)
        self.values = QLabel(" ", self)
        self._build_layout()
        self._build_plot()
        self._mouse = pg.SignalProxy(
            self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._moved
        )

    # construction ----------------------------------------------------------------

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        title = QLabel("<b>Connections</b>", self)
        bar.addWidget(title)
        bar.addSpacing(12)
        shown = QLabel(legend(SHOWN), self)
        shown.setWordWrap(True)  # a narrow window wraps it instead of growing for five ranges
        bar.addWidget(shown, 1)
        # Its own line under the bar, hidden (no room taken) unless there is a pooler.
        self.pooler_legend = QLabel("PgBouncer:&nbsp;&nbsp;" + legend(POOLER_SERIES), self)
        self.pooler_legend.setWordWrap(True)
        self.pooler_legend.setVisible(False)
        bar.addStretch(1)
        bar.addWidget(self.hover)
        bar.addSpacing(12)
        self.buttons = QButtonGroup(self)
        for number, (label, _seconds) in enumerate(WINDOWS):
            button = QToolButton(self)
            button.setText(label)
            button.setCheckable(True)
            button.setChecked(number == 0)
            self.buttons.addButton(button, number)
            bar.addWidget(button)
        self.buttons.idClicked.connect(self.set_window_index)
        self.hover.setTextFormat(Qt.TextFormat.PlainText)
        self.values.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.pooler_legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.values)

    def _build_plot(self) -> None:
        self._style_plot()
        self.warn_band, self.crit_band = band_item(Status.WARNING), band_item(Status.CRITICAL)
        # Labels at different places along the line: ceilings often coincide.
        self.lines = {
            "limit": limit_line("effective limit {value:.0f}", 0.01, 0.0),
            "max_connections": limit_line("max_connections {value:.0f}", 0.5, 0.5),
            "budget": limit_line("pools' worst case {value:.0f}", 0.99, 1.0),
            "server_cap": limit_line("pooler server cap {value:.0f}", 0.25, 0.25),
        }
        for item in (self.warn_band, self.crit_band, *self.lines.values()):
            self.item.addItem(item)
        # Every series' closed buckets (one cached pixmap) and, above, their live tails.
        self.settled, self.live = PathLayer(cached=True), PathLayer(cached=False)
        self.item.addItem(self.settled)
        self.item.addItem(self.live)
        self.curves = {name: self._curve(name) for name in SHOWN}
        self.pooler_curves = {name: self._curve(name) for name in POOLER_SERIES}
        self.lone = pg.ScatterPlotItem(size=5)  # a series' first sample, before it is a line
        self.item.addItem(self.lone)
        self._build_remote()
        grey = pg.mkPen((128, 128, 128), width=1)
        self.crosshair = pg.InfiniteLine(angle=90, movable=False, pen=grey)
        self.crosshair.setVisible(False)
        self.item.addItem(self.crosshair, ignoreBounds=True)
        self._apply_palette()

    def _build_remote(self) -> None:
        """What a team Prometheus saw and this app did not: a shaded stretch, dashed total."""
        self.remote_note = ""
        self.remote_region = pg.LinearRegionItem(movable=False)
        self.remote_region.setZValue(-20)
        for line in self.remote_region.lines:
            line.setPen(pg.mkPen(None))
        self.remote_region.setVisible(False)
        self.item.addItem(self.remote_region, ignoreBounds=True)
        colour = theme.SERIES_COLOURS["total"]
        pen = pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)
        self.remote_curve = self.item.plot(pen=pen, connect="finite", antialias=False)
        # Prometheus' range comes as it is (not reduced here): pyqtgraph cuts and thins it.
        self.remote_curve.setDownsampling(auto=True, method="peak")
        self.remote_curve.setClipToView(True)

    def set_remote_note(self, text: str) -> None:
        """One line about the Prometheus history source (shown under the chart)."""
        self.remote_note = text
        self._update_lines()

    def _curve(self, name: str) -> SeriesCurve:
        return SeriesCurve(self.settled, self.live, pg.mkPen(theme.SERIES_COLOURS[name], width=1))

    def _apply_palette(self) -> None:
        """Colours from the current (system light or dark) palette."""
        palette = self.palette()
        self.plot.setBackground(palette.color(QPalette.ColorRole.Base))
        for name in ("left", "bottom"):
            axis = self.item.getAxis(name)
            axis.setTextPen(palette.color(QPalette.ColorRole.Text))
            axis.setPen(palette.color(QPalette.ColorRole.Mid))
        for key, line in self.lines.items():
            status, style = LINE_STYLES[key]
            colour = theme.status_colour(status)
            line.setPen(pg.mkPen(colour, width=1, style=style))
            line.label.setColor(colour)
        self.remote_region.setBrush(pg.mkBrush(theme.tint(Status.UNKNOWN, 36)))
        self.warn_band.setBrush(pg.mkBrush(theme.tint(Status.WARNING, 28)))
        self.crit_band.setBrush(pg.mkBrush(theme.tint(Status.CRITICAL, 28)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "lines"):
            self._apply_palette()  # the system switched between light and dark
        super().changeEvent(event)

    def _style_plot(self) -> None:
        self.item.showGrid(x=True, y=True, alpha=0.12)
        # Grid lines at the labelled y ticks only: the unlabelled minor level (every 2 or 5
        # connections) tripled the repaint of a 20-curve, 24 h chart (~13 ms -> ~5 ms).
        self.item.getAxis("left").setStyle(maxTickLevel=1)
        self.item.setMouseEnabled(x=False, y=False)
        self.item.setMenuEnabled(False)
        self.item.hideButtons()
        self.item.setLabel("left", "connections")

    # updates -----------------------------------------------------------------------

    def set_window_index(self, number: int) -> None:
        self.window_s = WINDOWS[number][1]
        self.buttons.button(number).setChecked(True)
        self.refresh()
        self.range_changed.emit(self.window_s)

    def show_environment(
        self,
        history: EnvironmentHistory | None,
        report: EnvironmentReport | None,
        thresholds: Thresholds,
        reference: EnvironmentReport | None = None,
    ) -> None:
        """`reference`: the last report that reached the database, whose limits stay drawn
        while it is unreachable."""
        self._history, self._report, self._thresholds = history, report, thresholds
        self._reference = report if report is not None and report.limits else reference
        self.refresh()

    def refresh(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        if self._history is None:
            self.data = Window(np.empty(0), np.empty((0, len(CONNECTION_SERIES))))
        else:
            self.data = self._history.window(self.window_s, now, self.max_points())
        lone = []
        for name, curve in self.curves.items():
            column = self.data.column(CONNECTION_SERIES.index(name))
            curve.set_points(self.data.t, column)
            finite = np.flatnonzero(np.isfinite(column))
            if len(finite) == 1:
                colour = theme.SERIES_COLOURS[name]
                where = (float(self.data.t[finite[0]]), float(column[finite[0]]))
                lone.append({"pos": where, "brush": pg.mkBrush(colour), "pen": colour})
        if lone or len(self.lone.data):
            self.lone.setData(lone)
        self._refresh_pooler(now)
        self._draw_remote(now)
        self._update_lines()
        ranges = self._view_ranges(now)
        if ranges != self._ranges:  # a new range re-lays out the axes and every item
            self._ranges = ranges
            self.item.setRange(xRange=ranges[0], yRange=ranges[1], padding=0)

    def _view_ranges(self, now: float) -> tuple[tuple[float, float], tuple[float, float]]:
        """x ends on a whole pixel of the plot: the view moves when time has moved by a
        pixel (every ~90 s on the 24 h range), not by a fraction of one every second. A
        full window spans exactly its pixels, so every min/max bucket covers two of them:
        buckets drifting across the pixel grid drew seams in dense curves. A history
        shorter than the window spans whole pixels of the window too: its start stays put
        between two pixel steps (it moved every second, so the scale changed every tick
        and the cached settled curves were re-drawn every tick)."""
        pixel = self._pixel_seconds()
        end = math.ceil(now / pixel) * pixel
        start = self._start(now)
        if start <= now - self.window_s:
            start = end - pixel * max(self.item.vb.width(), 1.0)
        else:
            start = end - math.ceil((end - start) / pixel) * pixel
        return (start, end), (0.0, self._top())

    def _pixel_seconds(self) -> float:
        """Half a min/max bucket of the window (about a pixel of the plot)."""
        return bucket_width(self.window_s, self.max_points() // 2) / 2

    def max_points(self) -> int:
        """Points per curve the plot can show: min and max per 2 pixels (about one per pixel)."""
        width = float(self.item.vb.width())
        return 2 * (round(max(width, MIN_POINTS) / 2) + 1)

    def _refresh_pooler(self, now: float) -> None:
        """PgBouncer's clients and waiting clients, when the environment has a pooler."""
        empty = Window(np.empty(0), np.empty((0, len(POOLER_SERIES))))
        history = self._history
        if history is not None:
            self.pooler_data = history.pooler_window(self.window_s, now, self.max_points())
        else:
            self.pooler_data = empty
        shown = bool(np.isfinite(self.pooler_data.values).any())
        self.pooler_legend.setVisible(shown)
        for i, curve in enumerate(self.pooler_curves.values()):
            curve.set_points(self.pooler_data.t, self.pooler_data.column(i))

    def _draw_remote(self, now: float) -> None:
        remote = getattr(self._history, "remote", None)
        t, total = (remote.t, remote.values[:, -1]) if remote is not None else ((), ())
        seen = np.isfinite(total) & (np.asarray(t) >= now - self.window_s) if len(t) else ()
        if not len(t) or not np.any(seen):
            if self.remote_curve.xData is not None and len(self.remote_curve.xData):
                self.remote_curve.setData([], [])
            self.remote_region.setVisible(False)
            self._remote_start = None
            return
        self.remote_curve.setData(t, total)
        first, last = float(np.asarray(t)[seen][0]), float(np.asarray(t)[seen][-1])
        self.remote_region.setRegion((first, last))
        self.remote_region.setVisible(True)
        self._remote_start = first

    def _start(self, now: float) -> float:
        """The window's start, or the first sample when the history is shorter than it."""
        start = now - self.window_s
        first = [float(self.data.t[0])] if len(self.data.t) else []
        if getattr(self, "_remote_start", None) is not None:
            first.append(self._remote_start)  # type: ignore[arg-type]
        if first and min(first) > start:
            return min(min(first), now - MIN_SPAN_S)
        return start

    def _update_lines(self) -> None:
        values = line_values(self._reference)
        for key, line in self.lines.items():
            value = values.get(key)
            line.setVisible(value is not None)
            if value is not None:
                line.setValue(value)
        limit = values.get("limit")
        for band, low, high in (
            (self.warn_band, self._thresholds.warning_pct, self._thresholds.critical_pct),
            (self.crit_band, self._thresholds.critical_pct, 100.0),
        ):
            band.setVisible(limit is not None)
            if limit is not None:
                band.setRegion(threshold_band(limit, low, high))
        stale = self._reference is not self._report
        notes = [values_text(self._reference, stale)]
        if self.remote_region.isVisible():
            notes.append("shaded, dashed: from Prometheus (before this app was watching)")
        if self.remote_note:
            notes.append(html.escape(self.remote_note, quote=False))
        self.values.setText("<br>".join(notes))

    def _top(self) -> float:
        values = line_values(self._reference)
        limit = values.get("limit") or 10.0
        candidates = [limit] + [v for v in values.values() if v is not None and v <= 2 * limit]
        total = self.data.column(CONNECTION_SERIES.index("total"))
        for column in (total, self.pooler_data.column(0)):
            if np.isfinite(column).any():
                candidates.append(float(np.nanmax(column)))
        return max(candidates) * 1.12 + 1

    # hover -----------------------------------------------------------------------

    def _moved(self, event: tuple[QPointF]) -> None:
        position = event[0]
        if not self.item.sceneBoundingRect().contains(position):
            return
        x = self.item.vb.mapSceneToView(position).x()
        self.hover.setText(self.hover_text(x))

    def hover_text(self, x: float) -> str:
        """The values of the sample nearest to time `x` (what hovering shows)."""
        t = self.data.t
        if len(t) == 0:
            self.crosshair.setVisible(False)
            return " "
        i = int(np.clip(np.searchsorted(t, x), 1, len(t) - 1)) if len(t) > 1 else 0
        if len(t) > 1 and abs(t[i - 1] - x) < abs(t[i] - x):
            i -= 1
        self.crosshair.setValue(float(t[i]))
        self.crosshair.setVisible(True)
        return sample_text(float(t[i]), self.data.values[i])
