"""The chart's series as a cached settled part plus a live tail: what a tick re-sets,
when the settled part is re-cut, and that the two together draw the whole window."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyqtgraph as pg

from pandadmin.core.history import EnvironmentHistory, Window
from pandadmin.qt.widgets import chart_series
from pandadmin.qt.widgets.chart_series import CUT_START, LIVE_POINTS, PathLayer, SeriesCurve
from pandadmin.qt.widgets.connections_chart import ConnectionsChart
from tests.qt.test_chart import ENV, chart_for, judged

DAY = 86_400.0
POINTS = 962  # what a 960 px plot asks for


def day_history(now: float) -> EnvironmentHistory:
    history = EnvironmentHistory(1.0)
    t = now - DAY + np.arange(86_400, dtype=float)
    total = 20.0 + (np.arange(86_400) * 7919) % 13  # noisy, every bucket different
    history.connections.extend(t, np.column_stack((np.zeros((86_400, 2)), total, total)))
    return history


def series(qtbot: Any) -> tuple[pg.PlotWidget, SeriesCurve]:
    """A series in a plot of its own (keep the plot: its scene owns the layers)."""
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    settled, live = PathLayer(cached=True), PathLayer(cached=False)
    plot.getPlotItem().addItem(settled)
    plot.getPlotItem().addItem(live)
    return plot, SeriesCurve(settled, live, pg.mkPen("r"))


def ticks(qtbot: Any, steps: int, spike_at: int = -1) -> Iterator[tuple[SeriesCurve, Window]]:
    """The total's 24 h window handed to a series after each new sample, 30 s apart (a new
    180 s bucket every 6 steps); a sample of 400 at step `spike_at`."""
    (_plot, curve), now = series(qtbot), 1_800_000_000.0
    history = day_history(now)
    for step in range(steps):
        now += 30.0
        history.connections.append(now, [0.0, 0.0, 20.0, 400.0 if step == spike_at else 20.0])
        window = history.window(DAY, now, POINTS)
        curve.set_points(window.t, window.column(3))
        yield curve, window


def assert_draws_the_window(curve: SeriesCurve, t: np.ndarray, y: np.ndarray) -> None:
    """Settled + live joined is the window (bar its oldest bucket, which the window's
    start cuts and the settled part keeps whole): no gap, no point twice, none lost."""
    drawn_t, drawn_y = curve.getData()
    inside = drawn_t >= t[CUT_START]
    assert np.array_equal(drawn_t[inside], t[CUT_START:])
    assert np.array_equal(drawn_y[inside], y[CUT_START:], equal_nan=True)


def test_a_tick_re_sets_only_the_live_tail_until_it_rolls_over(qtbot: Any) -> None:
    cuts, kept = [], []
    for curve, window in ticks(qtbot, 400):
        assert_draws_the_window(curve, window.t, window.column(3))
        cuts.append(curve.cuts)
        kept.append(len(curve._live_t))
    assert cuts[0] == 1  # the first window settles all but its newest buckets
    assert 1 < cuts[-1] <= 2 + 400 // ((LIVE_POINTS - chart_series.KEPT_LIVE) // 2 * 6)
    assert max(kept) <= LIVE_POINTS  # the tail stays short: a few dozen points per tick


def test_a_spike_is_drawn_live_and_still_drawn_once_settled(qtbot: Any) -> None:
    spikes = []
    for curve, _ in ticks(qtbot, 300, spike_at=3):
        spikes.append(int(np.sum(curve.getData()[1] == 400.0)))
    assert curve.cuts == 2 and np.sum(curve._y == 400.0) == 1  # now in the settled part
    assert spikes[3:] == [1] * (300 - 3)  # drawn all along, never twice, never lost


def test_another_window_re_cuts_the_settled_part(qtbot: Any) -> None:
    _plot, curve = series(qtbot)
    now = 1_800_000_000.0
    history = day_history(now)
    for seconds in (DAY, 3600.0, DAY):
        window = history.window(seconds, now, POINTS)
        before = curve.cuts
        curve.set_points(window.t, window.column(3))
        assert curve.cuts == before + 1
        assert_draws_the_window(curve, window.t, window.column(3))


def test_a_series_with_nothing_polled_draws_nothing(qtbot: Any) -> None:
    _plot, curve = series(qtbot)
    t = np.arange(100, dtype=float)
    curve.set_points(t, np.full(100, np.nan))
    assert curve.settled.boundingRect().isNull() and curve.live.boundingRect().isNull()
    curve.set_points(t, np.r_[np.full(50, np.nan), np.ones(50)])  # polled from half-way
    assert not curve.settled.boundingRect().isNull()
    assert_draws_the_window(curve, t, np.r_[np.full(50, np.nan), np.ones(50)])


def test_the_settled_layer_is_not_redrawn_by_ticks_nor_by_the_view_moving(
    qtbot: Any, monkeypatch: Any
) -> None:
    """A tick repaints the live tails; the settled curves come from Qt's pixmap cache,
    also when the view has moved by a pixel."""
    paints: dict[int, int] = {}
    draw = PathLayer.paint

    def counted(layer: PathLayer, *args: Any) -> None:
        paints[id(layer)] = paints.get(id(layer), 0) + 1
        draw(layer, *args)

    monkeypatch.setattr(PathLayer, "paint", counted)
    report = judged(total=30, by_state={"idle": 30})
    chart: ConnectionsChart = chart_for(qtbot, report)
    chart.resize(900, 300)
    qtbot.waitExposed(chart, timeout=20_000)
    chart.set_window_index(2)  # 24 h
    now = time.time()
    history = day_history(now)
    chart.show_environment(history, report, ENV.thresholds)
    settled, live = id(chart.settled), id(chart.live)
    qtbot.waitUntil(lambda: paints.get(settled, 0) > 0 and paints.get(live, 0) > 0)
    ranges = []
    for second in range(1, 260, 20):  # 20 s apart: the view moves every pixel (~96 s)
        history.connections.append(now + second, [0.0, 0.0, 20.0, 20.0])
        before = paints[live]
        chart.refresh(now + second)
        ranges.append(chart._ranges)
        qtbot.waitUntil(lambda before=before: paints[live] > before, timeout=20_000)
        if second == 1:  # the first tick's window is the first whole day (a new scale)
            drawn, cuts = paints[settled], chart.curves["total"].cuts
    assert len(set(ranges[1:])) > 1 and chart.curves["total"].cuts == cuts  # moved, not re-cut
    assert paints[settled] == drawn


def test_the_same_points_again_repaint_nothing(qtbot: Any) -> None:
    """A refresh without a new sample (another redraw of the same environment) changes
    no path, so nothing is scheduled for painting."""
    updates: list[PathLayer] = []
    _plot, curve = series(qtbot)
    t, y = np.arange(200, dtype=float), np.arange(200, dtype=float) % 7
    curve.set_points(t, y)
    for layer in (curve.settled, curve.live):
        layer.update = lambda layer=layer: updates.append(layer)  # type: ignore[method-assign]
    curve.set_points(t, y)
    assert updates == []
    curve.set_points(t, np.r_[y[:-1], 9.0])  # the open bucket's max went up
    assert updates == [curve.live]
