"""The pyqtgraph items the connections chart is made of besides its series (those are in
chart_series.py): limit lines and threshold bands, each created once and updated in place."""

from __future__ import annotations

import pyqtgraph as pg

from pandadmin.core.models import Status
from pandadmin.qt import theme


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
