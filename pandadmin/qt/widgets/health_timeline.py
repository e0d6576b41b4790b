"""Each service's up/down strip over the chart's range, from the history store: green where
every check passed, red where one failed, nothing where nobody was polling."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from pandadmin.core.models import Status
from pandadmin.qt import present, theme

ROW_H, LABEL_W, GAP = 16, 130, 4


class HealthTimeline(QWidget):
    """One strip per service; `show_timeline` gives it (t, up fraction per service)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services: tuple[str, ...] = ()
        self.t, self.values = np.empty(0), np.empty((0, 0))
        self.start, self.end = 0.0, 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def show_timeline(
        self,
        services: tuple[str, ...],
        series: tuple[np.ndarray, np.ndarray] | None,
        start: float,
        end: float,
    ) -> None:
        self.services, self.start, self.end = services, start, end
        self.t, self.values = series if series is not None else (np.empty(0), np.empty((0, 0)))
        self.setFixedHeight((len(services) + 1) * (ROW_H + GAP) if services else 0)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(400, (len(self.services) + 1) * (ROW_H + GAP))

    def columns(self, width: int) -> np.ndarray:
        """Per service and pixel column: the worst up fraction there (NaN: no data). A
        column between two samples shows the state of the one before it, unless they are
        more than three sampling steps apart (then nothing was polling)."""
        width = max(width, 1)
        out = np.full((len(self.services), width), np.nan)
        if not len(self.t) or self.values.shape[1] != len(self.services):
            return out
        span = max(self.end - self.start, 1e-9)
        step = float(np.median(np.diff(self.t))) if len(self.t) > 1 else span
        starts = self.start + np.arange(width) * span / width
        before = np.searchsorted(self.t, starts, side="right") - 1
        fresh = (before >= 0) & (starts - self.t[np.maximum(before, 0)] <= 3 * step)
        where = ((self.t - self.start) / span * width).astype(int)
        inside = (where >= 0) & (where < width)
        for row in range(len(self.services)):
            carried = np.where(fresh, self.values[np.maximum(before, 0), row], np.nan)
            np.fmin.at(out[row], where[inside], self.values[inside, row])
            out[row] = np.fmin(out[row], carried)
        return out

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self.services:
            return
        painter = QPainter(self)
        width = max(self.width() - LABEL_W, 1)
        text = self.palette().color(QPalette.ColorRole.Text)
        colours = {
            True: theme.status_colour(Status.OK),
            False: theme.status_colour(Status.CRITICAL),
        }
        for row, (name, cells) in enumerate(zip(self.services, self.columns(width), strict=True)):
            y = row * (ROW_H + GAP)
            painter.setPen(text)
            painter.drawText(QRectF(0, y, LABEL_W - 8, ROW_H), Qt.AlignmentFlag.AlignVCenter, name)
            for begin, end, up in _runs(cells):
                painter.fillRect(QRectF(LABEL_W + begin, y, end - begin, ROW_H), colours[up])
        painter.setPen(text)
        y = len(self.services) * (ROW_H + GAP)
        painter.drawText(
            QRectF(LABEL_W, y, width, ROW_H), Qt.AlignmentFlag.AlignLeft, present.clock(self.start)
        )
        painter.drawText(QRectF(LABEL_W, y, width, ROW_H), Qt.AlignmentFlag.AlignRight, "now")
        painter.end()


def _runs(cells: np.ndarray) -> list[tuple[int, int, bool]]:
    """(first column, end column, up) of each run of known, equally judged columns."""
    known = np.isfinite(cells)
    state = np.where(known, cells >= 1.0, False)
    edges = np.flatnonzero(np.diff(np.r_[-1, known * (1 + state), -1]) != 0)
    return [(int(a), int(b), bool(state[a])) for a, b in itertools.pairwise(edges) if known[a]]
