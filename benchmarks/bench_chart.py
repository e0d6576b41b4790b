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
pandadmin's ticks are also measured with half a day polled so far on the 24 h range
(the data stretched over the plot, as after a start without a history store).

Two timings per side under QT_QPA_PLATFORM=offscreen (Qt's raster engine, as on a
desktop without OpenGL):
- tick: what happens every second: one new sample, `refresh()`/`setData`, then the event
  loop runs until the view has painted the new frame (the paint the app would do; the
  number of paints per tick is reported: more than one is wasted work);
- repaint: a synchronous `viewport().repaint()` with unchanged data (an expose).

Garbage collection runs as in the app (qt/gui_gc.py: automatic collection off, a timer
collects generation by generation, objects alive after start-up frozen), so a collection
that lands in a tick is part of that tick's time. Every collection during the ticks is
timed through `gc.callbacks` and reported by generation, and one full collection after
the ticks is timed as well: the longest pause the collector can add to a frame.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_chart.py [--runs 300]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from importlib.metadata import version
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import numpy as np
import pyqtgraph as pg
import support  # (puts the repo on sys.path)
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from pandadmin.core.history import EnvironmentHistory, MinMaxCache, RingBuffer
from pandadmin.qt.gui_gc import GuiThreadCollector
from pandadmin.qt.widgets.chart_series import SeriesCurve
from pandadmin.qt.widgets.connections_chart import ConnectionsChart

SERIES, POINTS = 20, 86_400
DAY_S = 86_400.0
SIZE = (1000, 420)
GOAL_MS = 16.0
WARM_UP = 3  # ticks before the measured ones


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
            SeriesCurve(self.chart.settled, self.chart.live, pg.mkPen(pg.intColor(i), width=1))
            for i in range(SERIES - 3)
        ]
        self.chart.show_environment(self.history, None, self.chart._thresholds)
        self.chart.set_window_index(2)  # 24 h
        self.view, self.window = self.chart.plot, self.chart

    def cuts(self) -> int:
        """How often a series' settled part was re-set (re-drawn from scratch), all series."""
        curves = [*self.chart.curves.values(), *self.chart.pooler_curves.values(), *self.curves]
        return sum(curve.cuts for curve in curves)

    def redraw(self) -> None:
        """A tick whose settled parts must be stroked again (a re-cut, a new scale)."""
        self.chart.settled.update()
        self.view.viewport().repaint()

    def tick(self, now: float, row: np.ndarray) -> None:
        self.history.connections.append(now, row[:4].tolist())
        self.extra.append(now, row[3:].tolist())
        self.chart.refresh(now)
        # As EnvironmentHistory.window does for the chart's own curves.
        window = self.extra_reduced.window(now - DAY_S, now, self.chart.max_points() // 2)
        for index, curve in enumerate(self.curves):
            curve.set_points(window.t, window.column(index))


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


class PaintCounter(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget: Any) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


class GcPauses:
    """Every garbage collection's generation and duration (through `gc.callbacks`)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def summary(self) -> dict[str, Any]:
        by_generation = {}
        for generation in range(3):
            seconds = [s for g, s in self.pauses if g == generation]
            by_generation[f"gen{generation}"] = {
                "count": len(seconds),
                "max_ms": round(max(seconds, default=0.0) * 1000, 2),
                "total_ms": round(sum(seconds) * 1000, 2),
            }
        return by_generation


def tick_until_painted(
    app: Any, side: Side, painted: PaintCounter, now: float, row: np.ndarray
) -> None:
    """One tick: new data in, then the event loop until the view has painted it."""
    before = painted.count
    side.tick(now, row)
    for _ in range(1000):  # the scene's update reaches the view within a few passes
        app.processEvents()
        if painted.count > before:
            return
    raise RuntimeError("the view never painted the tick")


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(side: Side, runs: int, end: float) -> dict[str, Any]:
    app = QApplication.instance()
    side.window.show()
    app.processEvents()
    side.view.viewport().repaint()  # first paint builds caches; not what we measure
    painted = PaintCounter(side.view.viewport())
    rows = synthetic(runs + WARM_UP, SERIES, end + runs + WARM_UP)[1]
    walls, cpus, repaints = [], [], []
    collector = GuiThreadCollector()
    collector.start()  # as the app does once its window is up
    # The first ticks at the shown size reduce the whole day once (MinMaxCache): timed
    # apart, it happens when the range or the plot's width changes, not every second.
    first = timed(partial(tick_until_painted, app, side, painted, end + 1, rows[0]))
    for i in range(1, WARM_UP):
        tick_until_painted(app, side, painted, end + 1 + i, rows[i])
    end += WARM_UP
    cuts = getattr(side, "cuts", lambda: 0)
    with GcPauses() as pauses:
        first_paint, first_cuts = painted.count, cuts()
        for i in range(runs):
            wall, cpu = time.perf_counter(), time.thread_time()
            tick_until_painted(app, side, painted, end + 1 + i, rows[WARM_UP + i])
            walls.append(time.perf_counter() - wall)
            cpus.append(time.thread_time() - cpu)
        paints, recuts = painted.count - first_paint, cuts() - first_cuts
        redraws = [timed(side.redraw) for _ in range(20)] if isinstance(side, PandadminSide) else []
        for _ in range(min(runs, 60)):
            started = time.perf_counter()
            side.view.viewport().repaint()
            repaints.append(time.perf_counter() - started)
        started = time.perf_counter()
        gc.collect()
        full_collection = time.perf_counter() - started
    collector.stop()
    side.window.hide()
    return {
        "first_tick_ms": round(first * 1000, 2),
        "tick": support.spread_ms(walls), "tick_cpu": support.spread_ms(cpus),
        "repaint": support.spread_ms(repaints), "paints_per_tick": round(paints / runs, 2),
        "settled_recuts": recuts,
        "full_redraw": support.spread_ms(redraws) if redraws else None,
        "gc_during_ticks": pauses.summary(),
        "full_collection_ms": round(full_collection * 1000, 2),
    }  # fmt: skip


def drawn_points(side: PandadminSide) -> int:
    """Points pandadmin hands to pyqtgraph per series (after its min/max reduction)."""
    return int(statistics.median(len(curve.getData()[0]) for curve in side.curves))


Side = PandadminSide | NaiveSide


def run(runs: int, naive_runs: int) -> dict[str, Any]:
    QApplication.instance() or QApplication([])
    end = time.time()
    t, values = synthetic(POINTS, SERIES, end)
    ours_side = PandadminSide(t, values)
    ours = measure(ours_side, runs, end)
    # Half a day polled so far on the 24 h range: the data is stretched over the plot.
    half = measure(PandadminSide(t[-POINTS // 2 :], values[-POINTS // 2 :]), runs, end)
    naive = measure(NaiveSide(t, values), naive_runs, end)
    tick_p50, tick_p99 = ours["tick"]["p50_ms"], ours["tick"]["p99_ms"]
    # The worst frame the collector can cause: a typical tick plus a full collection.
    with_full_collection = round(tick_p50 + ours["full_collection_ms"], 2)
    return {
        "series": SERIES, "points_per_series": POINTS, "plot_size": list(SIZE),
        "pandadmin": ours, "naive": naive, "pandadmin_half_day": half,
        "pandadmin_points_drawn_per_series": drawn_points(ours_side),
        "goal_ms": GOAL_MS,
        "tick_p50_plus_full_collection_ms": with_full_collection,
        "goal_met": max(tick_p50, tick_p99, with_full_collection) < GOAL_MS,
        "gc_goal_met": with_full_collection < GOAL_MS,
        "naive_over_pandadmin_tick": round(naive["tick"]["p50_ms"] / tick_p50, 1),
        "versions": {p: version(p) for p in ("PySide6-Essentials", "pyqtgraph", "numpy")},
        "machine": support.machine(),
    }  # fmt: skip


def report(n: dict[str, Any]) -> None:
    ours, naive, half = n["pandadmin"], n["naive"], n["pandadmin_half_day"]["tick"]
    support.print_table("chart: 20 series x 86,400 points (24 h at 1 Hz)", [
        ("pandadmin tick: update + repaint, p50 (ms)", ours["tick"]["p50_ms"], "< 16",
         ours["tick"]["p50_ms"] < GOAL_MS),
        ("pandadmin tick: update + repaint, p99 (ms)", ours["tick"]["p99_ms"], "< 16",
         ours["tick"]["p99_ms"] < GOAL_MS),
        ("pandadmin tick CPU (thread time), p50 / p99 (ms)",
         f"{ours['tick_cpu']['p50_ms']} / {ours['tick_cpu']['p99_ms']}", "", None),
        ("pandadmin tick + a full collection (ms)", n["tick_p50_plus_full_collection_ms"],
         "< 16", n["gc_goal_met"]),
        ("pandadmin paints per tick", ours["paints_per_tick"], "", None),
        ("pandadmin first tick on the 24 h range (ms)", ours["first_tick_ms"], "", None),
        *gc_rows(ours),
        ("pandadmin settled parts re-cut during the ticks (all series)", ours["settled_recuts"],
         "", None),
        ("pandadmin repaint, settled parts stroked again, p50 / p99 (ms)",
         f"{ours['full_redraw']['p50_ms']} / {ours['full_redraw']['p99_ms']}", "", None),
        ("pandadmin repaint only, p50 / p99 (ms)",
         f"{ours['repaint']['p50_ms']} / {ours['repaint']['p99_ms']}", "", None),
        ("pandadmin, 12 h polled on the 24 h range: tick p50 / p99 (ms)",
         f"{half['p50_ms']} / {half['p99_ms']}", "", None),
        ("pandadmin points drawn per series", n["pandadmin_points_drawn_per_series"], "", None),
        ("naive tick: setData + repaint, p50 (ms)", naive["tick"]["p50_ms"], "", None),
        ("naive tick: setData + repaint, p99 (ms)", naive["tick"]["p99_ms"], "", None),
        ("naive repaint only, p50 / p99 (ms)",
         f"{naive['repaint']['p50_ms']} / {naive['repaint']['p99_ms']}", "", None),
        ("naive / pandadmin (tick p50)", n["naive_over_pandadmin_tick"], "", None),
    ])  # fmt: skip


def gc_rows(side: dict[str, Any]) -> list[tuple[str, str, str, None]]:
    rows = []
    for generation, pauses in side["gc_during_ticks"].items():
        text = f"{pauses['count']} / {pauses['max_ms']}"
        rows.append((f"collections during the ticks, {generation}: count / max (ms)", text, "",
                     None))  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--naive-runs", type=int, default=8)
    options = parser.parse_args()
    result = run(options.runs, options.naive_runs)
    report(result)
    support.save_results("chart", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
