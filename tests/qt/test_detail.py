"""The detail pane's header and panels: what the user reads, once, as plain words."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel

from pandadmin.core.config import Config
from pandadmin.core.history import EnvironmentHistory
from pandadmin.qt.widgets.detail import EnvironmentDetail
from tests.qt.test_chart import ENV, judged


def shown(label: QLabel) -> str:
    """The label's text as displayed (what the accessibility layer reads out)."""
    interface = QAccessible.queryAccessibleInterface(label)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


def test_a_reason_with_an_apostrophe_reads_as_words_and_the_advice_is_given_once(
    qtbot: Any,
) -> None:
    report = judged(sees_all_sessions=False, current_user="app")
    detail = EnvironmentDetail()
    qtbot.addWidget(detail)
    history = EnvironmentHistory(1.0)
    history.record(report)
    detail.show_environment(Config((ENV,)), ENV, report, history)
    detail.show()
    reasons = shown(detail.reasons)
    assert "role app cannot see other sessions' state" in reasons
    assert "&#x27;" not in reasons and "&" not in reasons
    advice = [
        label
        for label in detail.findChildren(QLabel)
        if label.isVisible() and "GRANT pg_monitor TO app" in shown(label)
    ]
    assert advice == [detail.reasons]
