"""The health strip: a failed check shows red, the state carries between samples, and a
stretch with no samples stays empty."""

from __future__ import annotations

from typing import Any

import numpy as np

from pandadmin.qt.widgets.health_timeline import HealthTimeline


def test_columns_carry_state_between_samples_and_leave_gaps_empty(qtbot: Any) -> None:
    strip = HealthTimeline()
    qtbot.addWidget(strip)
    t = np.array([0.0, 10, 20, 30, 40, 100, 110])  # nothing polled between 40 and 100
    up = np.array([[1.0], [1], [0], [1], [1], [1], [1]])
    strip.show_timeline(("api",), (t, up), 0.0, 120.0)
    cells = strip.columns(12)[0]  # one column per 10 s
    assert cells[:2].tolist() == [1.0, 1.0] and cells[2] == 0.0  # the failed check
    assert np.isnan(cells[8:10]).all()  # the closed stretch (after three steps of carry)
    assert cells[10] == 1.0 and cells[11] == 1.0  # carried until the end
