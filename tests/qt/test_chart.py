"""The connections chart and list figures: which limit binds, and what is drawn."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtGui import QColor

from pandadmin.core.config import Config, Environment
from pandadmin.core.history import EnvironmentHistory
from pandadmin.core.models import DatabaseResult
from pandadmin.core.report import EnvironmentReport, build_report
from pandadmin.qt import env_text, present, theme
from pandadmin.qt.widgets.connections_chart import ConnectionsChart
from tests.core.test_status import SAMPLE

ENV = Environment("prod", plan="pro")


def judged(**sample: Any) -> EnvironmentReport:
    now = time.time()
    taken = replace(SAMPLE, taken_at=now, **sample)
    db = DatabaseResult("postgresql://app:***@h:5432/app", now, taken)
    return build_report(Config((ENV,)), ENV, (), db, None, now)


def chart_for(qtbot: Any, report: EnvironmentReport) -> ConnectionsChart:
    chart = ConnectionsChart()
    qtbot.addWidget(chart)
    history = EnvironmentHistory(1.0)
    history.record(report)
    chart.show_environment(history, report, ENV.thresholds)
    chart.show()
    return chart


def test_a_binding_role_limit_shows_its_own_count(qtbot: Any) -> None:
    """A role capped at 6 with 4 of its connections among 40 on the server."""
    report = judged(total=40, role_connection_limit=6, role_connections=4)
    assert present.connections_text(report) == "4 / 6 (role)"
    assert (
        env_text.accessible_connections("prod", report.status, report) == "prod, ok, 4 of 6 (role)"
    )
    chart = chart_for(qtbot, report)
    assert chart.values.text().startswith(
        "effective limit 6 (role limit: 4 of its connections in use)"
    )
    # The curves are the server's 40: a line at 6 (and bands under it) would mislead.
    assert not chart.lines["limit"].isVisible() and not chart.crit_band.isVisible()


def test_a_plan_limit_draws_its_line_against_the_total(qtbot: Any) -> None:
    report = judged(total=40, role_connection_limit=6, role_connections=1, max_connections=50)
    assert report.limits is not None and report.limits.binding == "server"
    assert present.connections_text(report) == "40 / 45 (server)"
    chart = chart_for(qtbot, report)
    assert chart.lines["limit"].isVisible() and chart.lines["limit"].value() == 45


def painted(chart: ConnectionsChart, colour: str) -> int:
    """Pixels of `colour` in the plot as painted."""
    image = chart.plot.grab().toImage()
    wanted = QColor(colour).rgb()
    return sum(
        image.pixel(x, y) == wanted for x in range(image.width()) for y in range(image.height())
    )


def test_one_sample_so_far_draws_its_point(qtbot: Any) -> None:
    chart = chart_for(qtbot, judged(total=30, by_state={"idle": 30}))
    chart.resize(400, 240)
    qtbot.waitExposed(chart, timeout=20_000)
    assert painted(chart, theme.SERIES_COLOURS["total"]) > 0
    assert len(chart.lone.data) == len(chart.curves)  # one dot per series (zeros too)


def test_the_lone_dots_go_once_the_second_sample_makes_a_line(qtbot: Any) -> None:
    first = judged(total=30, by_state={"idle": 30})
    chart = chart_for(qtbot, first)
    assert len(chart.lone.data) == len(chart.curves)
    history = EnvironmentHistory(1.0)
    history.record(first)
    later = replace(first, checked_at=first.checked_at + 1)
    sample = replace(first.database.sample, taken_at=first.checked_at + 1)  # type: ignore[union-attr]
    history.record(replace(later, database=replace(first.database, sample=sample)))  # type: ignore[arg-type]
    chart.show_environment(history, later, ENV.thresholds)
    assert len(chart.lone.data) == 0
    assert len(chart.curves["total"].getData()[0]) == 2


def test_a_day_is_drawn_with_about_a_point_per_pixel_and_keeps_its_spike(qtbot: Any) -> None:
    report = judged(total=30, by_state={"idle": 30})
    chart = chart_for(qtbot, report)
    chart.resize(900, 300)
    qtbot.waitExposed(chart, timeout=20_000)
    history = EnvironmentHistory(1.0)
    now = time.time()
    t = now - 86_400 + np.arange(86_400, dtype=float)
    total = 20.0 + np.arange(86_400) % 5
    total[50_000] = 400.0  # one second of a connection storm
    rows = np.column_stack((np.zeros((86_400, 2)), total - 20, total))
    history.connections.extend(t, rows)
    chart.set_window_index(2)  # 24 h
    chart.show_environment(history, report, ENV.thresholds)
    curve = chart.curves["total"]
    x, y = curve.getData()
    width = chart.item.vb.width()
    assert 0.5 * width <= len(x) <= width + 4  # min and max per 2 pixels
    assert np.nanmax(y) == 400.0 and np.nanmin(y) == 20.0
    assert chart.item.viewRange()[1][1] > 400.0  # the spike is in view


def test_the_view_moves_by_whole_pixels_and_keeps_the_newest_sample_in_view(qtbot: Any) -> None:
    report = judged(total=30, by_state={"idle": 30})
    chart = chart_for(qtbot, report)
    chart.resize(900, 300)
    qtbot.waitExposed(chart, timeout=20_000)
    chart.set_window_index(2)  # 24 h: one pixel is ~100 s
    pixel = 86_400 / chart.item.vb.width()
    now = math.ceil(1_800_000_000.0 / pixel) * pixel + 0.5  # just past a pixel's start
    seen = []
    for step in (0.0, 1.0, 2.0, pixel + 2.0):
        chart.refresh(now + step)
        seen.append(tuple(chart.item.viewRange()[0]))
        assert seen[-1][0] < now + step - 86_000 and seen[-1][1] >= now + step
    assert seen[1] == seen[2]  # a second later: not a pixel, no new range
    assert seen[3][1] > seen[2][1]


def test_a_history_shorter_than_the_range_keeps_its_view_between_pixel_steps(
    qtbot: Any,
) -> None:
    """The range starts at the first sample and stays put for a second or two (a new
    scale every second re-drew every cached curve every tick)."""
    report = judged(total=30, by_state={"idle": 30})
    chart = chart_for(qtbot, report)
    chart.resize(900, 300)
    qtbot.waitExposed(chart, timeout=20_000)
    history = EnvironmentHistory(1.0)
    pixel = 86_400 / chart.item.vb.width()
    now = math.ceil(1_800_000_000.0 / pixel) * pixel + 0.5  # just past a pixel's start
    t = now - 43_200 + np.arange(43_200, dtype=float)  # half a day polled so far
    history.connections.extend(t, np.column_stack((np.zeros((43_200, 3)), 20 + t % 7)))
    chart.show_environment(history, report, ENV.thresholds)
    chart.set_window_index(2)  # 24 h
    seen = []
    for step in (0.0, 1.0, 2.0, pixel + 2.0):
        chart.refresh(now + step)
        seen.append(tuple(chart.item.viewRange()[0]))
        assert t[0] - pixel <= seen[-1][0] <= t[0] and seen[-1][1] >= now + step
    assert seen[0] == seen[1] == seen[2]  # within a pixel: the same range
    assert seen[3][1] > seen[2][1]
