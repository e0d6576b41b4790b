"""Benchmark: repainting 24 hours of history at 1 Hz, against a naive pyqtgraph plot.

Goal 3 (issue 7): 20 series x 86,400 points (24 h at 1 Hz); time to repaint the plot,
median and p99 (goal < 16 ms), beside a naive pyqtgraph curve without downsampling in
the same run. pandadmin's side is the app's ConnectionsChart widget on its 24 h window:
its three curves fed by a real EnvironmentHistory, plus 17 more curves made the way the
chart makes its own and fed through the same min/max-per-bucket reduction
(core.history.MinMaxCache, as EnvironmentHistory.window uses it: closed buckets are
kept, only the two at the window's ends are reduced every second). The naive side is
a plain PlotWidget with 20 curves of 86,400 points each: no downsampling, no
clip-to-view, same 1 px pens.

Two timings per side, each a synchronous `viewport().repaint()` under QT_QPA_PLATFORM
(offscreen: Qt's raster engine, as on a desktop without OpenGL):
- tick: what happens every second: one new sample, `refresh()`/`setData`, repaint;
- repaint: a repaint with unchanged data (an expose or resize).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_chart.py [--runs 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import numpy as np
import pyqtgraph as pg
import support  # (puts the repo on sys.path)
from PySide6.QtWidgets import QApplication

from pandadmin.core.history import EnvironmentHistory, MinMaxCache, RingBuffer
from pandadmin.qt.widgets.connections_chart import ConnectionsChart

SERIES, POINTS = 20, 86_400
DAY_S = 86_400.0
SIZE = (1000, 420)
GOAL_MS = 16.0


def synthetic(points: int, width: int, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps at 1 Hz ending at `end`, and `width` noisy connection-count series."""
    rng = np.random.default_rng(7)
    t = end - points + 1 + np.arange(points, dtype=float)
    base = 20 + 10 * np.sin(np.linspace(0, 12 * np.pi, points))[:, None]
    values = np.round(base + rng.integers(0, 15, (points, width)) + np.arange(width) * 3)
    return t, values.astype(float)


def filled_history(t: np.ndarray, values: np.ndarray) -> EnvironmentHistory:
    """A real EnvironmentHistory at a 1 s interval holding the first four series."""
    history = EnvironmentHistory(1.0)
    buffer = history.connections
    size = len(t)
    buffer._t[:size], buffer._v[:size] = t, values[:, : buffer.width]  # bulk fill, no loop
    buffer._next, buffer._size = size % buffer.capacity, size
    return history


class PandadminSide:
    """The app's chart widget on its 24 h window, with 17 extra curves of the same kind."""

    def __init__(self, t: np.ndarray, values: np.ndarray) -> None:
        self.history = filled_history(t, values)
        self.extra = RingBuffer(POINTS + 1, SERIES - 3)
        for column, buffer in ((self.extra._t, t), (self.extra._v, values[:, 3:])):
            column[: len(t)] = buffer
        self.extra._next, self.extra._size = len(t), len(t)
        self.extra_reduced = MinMaxCache(self.extra)
        self.chart = ConnectionsChart()
        self.chart.resize(*SIZE)
        self.curves = [
            self.chart.item.plot(pen=pg.mkPen(pg.intColor(i), width=1), connect="finite",
                                 antialias=False)
            for i in range(SERIES - 3)
        ]  # fmt: skip
        self.chart.item.setDownsampling(auto=True, mode="peak")  # after addItem (#1855)
        self.chart.item.setClipToView(True)
        self.chart.show_environment(self.history, None, self.chart._thresholds)
        self.chart.set_window_index(2)  # 24 h
        self.view, self.window = self.chart.plot, self.chart

    def tick(self, now: float, row: np.ndarray) -> None:
        self.history.connections.append(now, row[:4].tolist())
        self.extra.append(now, row[3:].tolist())
        self.chart.refresh(now)
        window = self.extra_reduced.window(now - DAY_S, now, 800)
        for index, curve in enumerate(self.curves):
            curve.setData(window.t, window.column(index))


class NaiveSide:
    """A plain PlotWidget: every point of every series handed to pyqtgraph as is."""

    def __init__(self, t: np.ndarray, values: np.ndarray) -> None:
        self.t, self.values = t, values
        self.view = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.view.resize(*SIZE)
        self.window = self.view
        self.curves = [
            self.view.plot(t, values[:, i], pen=pg.mkPen(pg.intColor(i), width=1))
            for i in range(SERIES)
        ]

    def tick(self, now: float, row: np.ndarray) -> None:
        self.t = np.r_[self.t[1:], now]
        self.values = np.vstack((self.values[1:], row))
        for index, curve in enumerate(self.curves):
            curve.setData(self.t, self.values[:, index])


def tick_and_repaint(side: PandadminSide | NaiveSide, now: float, row: np.ndarray) -> None:
    side.tick(now, row)
    side.view.viewport().repaint()


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(side: PandadminSide | NaiveSide, runs: int, end: float) -> dict[str, Any]:
    app = QApplication.instance()
    side.window.show()
    app.processEvents()
    side.view.viewport().repaint()  # first paint builds caches; not what we measure
    rows = synthetic(runs, SERIES, end + runs)[1]
    ticks, repaints = [], []
    for i in range(runs):
        ticks.append(timed(partial(tick_and_repaint, side, end + 1 + i, rows[i])))
        repaints.append(timed(side.view.viewport().repaint))
        app.processEvents()
    side.window.hide()
    return {"tick": support.spread_ms(ticks), "repaint": support.spread_ms(repaints)}


def drawn_points(side: PandadminSide) -> int:
    """Points pandadmin hands to pyqtgraph per series (after its min/max reduction)."""
    return int(statistics.median(len(curve.xData) for curve in side.curves))


def run(runs: int, naive_runs: int) -> dict[str, Any]:
    QApplication.instance() or QApplication([])
    end = time.time()
    t, values = synthetic(POINTS, SERIES, end)
    ours_side = PandadminSide(t, values)
    ours = measure(ours_side, runs, end)
    naive = measure(NaiveSide(t, values), naive_runs, end)
    tick_p50, tick_p99 = ours["tick"]["p50_ms"], ours["tick"]["p99_ms"]
    return {
        "series": SERIES, "points_per_series": POINTS, "plot_size": list(SIZE),
        "pandadmin": ours, "naive": naive,
        "pandadmin_points_drawn_per_series": drawn_points(ours_side),
        "goal_ms": GOAL_MS,
        "goal_met": tick_p50 < GOAL_MS and tick_p99 < GOAL_MS,
        "naive_over_pandadmin_tick": round(naive["tick"]["p50_ms"] / tick_p50, 1),
        "machine": support.machine(),
    }  # fmt: skip


def report(n: dict[str, Any]) -> None:
    ours, naive = n["pandadmin"], n["naive"]
    met = n["goal_met"]
    support.print_table("chart: 20 series x 86,400 points (24 h at 1 Hz)", [
        ("pandadmin tick: update + repaint, p50 (ms)", ours["tick"]["p50_ms"], "< 16", met),
        ("pandadmin tick: update + repaint, p99 (ms)", ours["tick"]["p99_ms"], "< 16", met),
        ("pandadmin repaint only, p50 / p99 (ms)",
         f"{ours['repaint']['p50_ms']} / {ours['repaint']['p99_ms']}", "", None),
        ("pandadmin points drawn per series", n["pandadmin_points_drawn_per_series"], "", None),
        ("naive tick: setData + repaint, p50 (ms)", naive["tick"]["p50_ms"], "", None),
        ("naive tick: setData + repaint, p99 (ms)", naive["tick"]["p99_ms"], "", None),
        ("naive repaint only, p50 / p99 (ms)",
         f"{naive['repaint']['p50_ms']} / {naive['repaint']['p99_ms']}", "", None),
        ("naive / pandadmin (tick p50)", n["naive_over_pandadmin_tick"], "", None),
    ])  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--naive-runs", type=int, default=8)
    options = parser.parse_args()
    result = run(options.runs, options.naive_runs)
    report(result)
    support.save_results("chart", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
