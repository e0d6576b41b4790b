"""The pyqtgraph items the connections chart is made of: series curves, limit lines and
threshold bands, each created once and updated in place."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPen

from pandadmin.core.models import Status
from pandadmin.qt import theme


def series_curve(item: pg.PlotItem, pen: QPen) -> pg.PlotCurveItem:
    """A curve for one series of already reduced points, created once. 1 px pens without
    antialiasing keep dense curves cheap (pyqtgraph#533); NaN (nothing polled) is a gap."""
    curve = pg.PlotCurveItem(pen=pen, connect="finite", antialias=False)
    item.addItem(curve)
    return curve


def set_points(curve: pg.PlotCurveItem, t: np.ndarray, y: np.ndarray) -> None:
    """Draw (t, y). A series with no finite value draws nothing: pyqtgraph's bounds warn
    on an all-NaN one (All-NaN slice); a curve that is empty already is left alone."""
    if np.isfinite(y).any():
        curve.setData(t, y)
    elif curve.xData is not None and len(curve.xData):
        curve.setData(np.empty(0), np.empty(0))


def band_item(status: Status) -> pg.LinearRegionItem:
    brush = pg.mkBrush(theme.tint(status, 28))
    band = pg.LinearRegionItem(
        orientation="horizontal", movable=False, brush=brush, pen=pg.mkPen(None)
    )
    band.setZValue(-10)
    band.setVisible(False)
    return band


def limit_line(label: str, position: float, anchor: float) -> pg.InfiniteLine:
    """A horizontal ceiling line labelled above, at `position` along it; `_apply_palette`
    gives it its colour."""
    line = pg.InfiniteLine(
        angle=0,
        movable=False,
        label=label,
        labelOpts={"position": position, "anchors": [(anchor, 1), (anchor, 1)]},
    )
    line.setVisible(False)
    return line
