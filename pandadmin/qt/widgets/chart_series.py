"""The connections chart's series drawn as a settled layer plus short live tails.

Per tick only the newest bucket of a min/max window changes (and, at the window's
start, the oldest one is cut). Stroking ~960 points per curve for 20 curves every
second was most of the chart's tick, so the closed buckets of every series are drawn by
ONE item whose drawing Qt keeps as a pixmap (`DeviceCoordinateCache`: it survives the
view moving by whole pixels and is redrawn when its data or the view's scale changes;
one pixmap of the plot's size, not one per series, which QPixmapCache's 10 MB default
would not hold), and the last few buckets plus the open one are a short live curve per
series, re-set every tick. Settled and live parts share their boundary point (no gap).
A series' settled part is re-cut only when its tail has grown past `LIVE_POINTS` or
when the window's closed buckets are no longer the ones it holds (another window,
environment, width or range).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

LIVE_POINTS = 64  # the live tail's longest: 32 buckets (~1.5 h on 24 h), then re-cut
KEPT_LIVE = 4  # points left live after a re-cut: the open bucket and the newest closed one
CUT_START = 2  # the window's oldest bucket (cut by its start) may differ from the kept one


class PathLayer(pg.GraphicsObject):  # type: ignore[misc]
    """One part (settled or live) of every series in one item: a path and a pen each,
    drawn in the order the series were added. `cached`: Qt keeps the drawing as a pixmap."""

    def __init__(self, cached: bool) -> None:
        super().__init__()
        self._pens: list[QPen] = []
        self._paths: list[tuple[QPainterPath, QRectF] | None] = []
        self._drawn: list[bytes] = []  # each series' points as last set
        self._rect: QRectF | None = QRectF()
        if cached:
            self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def add(self, pen: QPen) -> int:
        """A new series, drawn above the ones before it; its key."""
        self._pens.append(pen)
        self._paths.append(None)
        self._drawn.append(b"")
        return len(self._pens) - 1

    def set_path(self, key: int, t: np.ndarray, y: np.ndarray) -> bool:
        """Series `key`'s points (NaN is a gap); no finite point draws nothing. False when
        nothing changed: the same points as last time are not drawn again (no repaint)."""
        drawn = t.tobytes() + y.tobytes()
        if drawn == self._drawn[key]:
            return False
        self._drawn[key] = drawn
        finite = np.isfinite(y)
        if not finite.any():
            if self._paths[key] is None:
                return False
            self._paths[key] = None
        else:
            path = pg.arrayToQPath(t, y, connect="finite")
            self._paths[key] = (path, _bounds(t[finite], y[finite]))
        self.prepareGeometryChange()
        self._rect = None
        self.update()
        return True

    def boundingRect(self) -> QRectF:
        if self._rect is None:
            rect = QRectF()
            for drawn in self._paths:
                if drawn is not None:
                    rect = rect.united(drawn[1])
            x, y = self.pixelVectors()  # room for the 1 px pen: 2 px around the points
            dx, dy = (2 * x.length(), 2 * y.length()) if x is not None else (0.0, 0.0)
            self._rect = rect.adjusted(-dx, -dy, dx, dy) if not rect.isNull() else rect
        return QRectF(self._rect)

    def viewTransformChanged(self) -> None:
        """A pixel is another length in data units: the padded bounds change."""
        super().viewTransformChanged()
        self._rect = None
        self.prepareGeometryChange()

    def paint(self, painter: QPainter, _o: QStyleOptionGraphicsItem, _w: QWidget) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        # With a clip rect, Qt's raster engine strokes these paths ~3x faster than without
        # one (which is how it paints into an item's cache pixmap): 13 -> 3.5 ms here.
        painter.setClipRect(self.boundingRect(), Qt.ClipOperation.IntersectClip)
        for pen, drawn in zip(self._pens, self._paths, strict=True):
            if drawn is not None:
                painter.setPen(pen)
                painter.drawPath(drawn[0])


def _bounds(t: np.ndarray, y: np.ndarray) -> QRectF:
    low, high = float(y.min()), float(y.max())
    return QRectF(float(t[0]), low, float(t[-1]) - float(t[0]), high - low)


class SeriesCurve:
    """One series: its settled part in one layer, its live tail in the other."""

    def __init__(self, settled: PathLayer, live: PathLayer, pen: QPen) -> None:
        self.settled, self.live = settled, live
        self._settled_key, self._live_key = settled.add(pen), live.add(pen)
        self._t: np.ndarray = np.empty(0)
        self._y: np.ndarray = np.empty(0)
        self._live_t: np.ndarray = np.empty(0)
        self._live_y: np.ndarray = np.empty(0)
        self.cuts = 0  # how often the settled part was re-drawn

    def set_points(self, t: np.ndarray, y: np.ndarray) -> None:
        """Draw the window (t, y): only the live tail unless the settled part moved on."""
        joined = self._joined(t, y)
        if joined is None:
            joined = self._cut(t, y)
        self._live_t, self._live_y = t[joined:], y[joined:]
        self.live.set_path(self._live_key, self._live_t, self._live_y)

    def _joined(self, t: np.ndarray, y: np.ndarray) -> int | None:
        """Where the live tail starts in (t, y) when the settled part is still its head."""
        kept = len(self._t)
        if kept < 2:
            return None
        end = int(np.searchsorted(t, self._t[-1], side="right"))
        shared = end - CUT_START
        if shared < 1 or shared > kept or len(t) - end >= LIVE_POINTS:
            return None
        if t[end - 1] != self._t[-1]:
            return None
        # Byte for byte (NaN equals NaN; a NaN of another bit pattern only costs a re-cut).
        for new, old in ((t, self._t), (y, self._y)):
            if new[CUT_START:end].tobytes() != old[kept - shared :].tobytes():
                return None
        return end - 1

    def _cut(self, t: np.ndarray, y: np.ndarray) -> int:
        """Settle all but the last `KEPT_LIVE` points; the live tail starts at the last one."""
        cut = max(len(t) - KEPT_LIVE, 0)
        cut -= cut % 2  # two points per bucket: the cut falls between buckets
        if cut < 2:
            cut = 0
        self._t, self._y = t[:cut], y[:cut]
        self.cuts += self.settled.set_path(self._settled_key, self._t, self._y)
        return max(cut - 1, 0)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        """What is handed to be drawn, settled and live joined (their shared point once)."""
        if not len(self._t):
            return self._live_t, self._live_y
        return np.r_[self._t, self._live_t[1:]], np.r_[self._y, self._live_y[1:]]
