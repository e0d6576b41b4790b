"""Keyboard only: the filter, the list, the detail's tabs, polling, the drift view, the chart
range, the dialogs and the shortcuts list are all reached without a mouse."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from pandadmin.core import config as cfg
from pandadmin.qt.dialogs.confirm import Confirmation
from pandadmin.qt.dialogs.environment import EnvironmentDialog
from pandadmin.qt.main_window import MainWindow
from tests.qt.conftest import AppHarness, environment, until

Key, Mod = Qt.Key, Qt.KeyboardModifier
CTRL, SHIFT = Mod.ControlModifier, Mod.ShiftModifier


def press(key: Key, modifiers: Any = Mod.NoModifier) -> None:
    """A key press where the keyboard focus is, as a user's would be."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    assert target is not None
    QTest.keyClick(target, key, modifiers)


def focus() -> QWidget | None:
    return QApplication.focusWidget()


def three(faults: str) -> cfg.Config:
    return cfg.Config(
        tuple(
            environment(name, interval=3600.0, services=(cfg.Service("api", f"{faults}/ok"),))
            for name in ("alpha", "beta", "gamma")
        )
    )


async def opened(harness: AppHarness, faults: str) -> MainWindow:
    harness.write(three(faults))
    controller = await harness.open()
    window = controller.window
    window.activateWindow()
    await until(lambda: QApplication.activeWindow() is window, what="active window")
    await until(lambda: len(window.reports) == 3, what="first reports")
    return window


async def back_to(window: MainWindow) -> None:
    """A closed dialog hands the focus back (the window manager's job; offscreen has none)."""
    window.activateWindow()
    await until(lambda: QApplication.activeWindow() is window, what="window active again")


def test_filter_list_and_detail_tabs_by_keyboard(
    faults: str, harness: AppHarness, run: Any
) -> None:
    async def scenario() -> None:
        window = await opened(harness, faults)
        view, bar = window.environments, window.filter_bar
        press(Key.Key_F, CTRL)
        assert focus() is bar.text
        QTest.keyClicks(bar.text, "gam")
        assert view.model().rowCount() == 1 and "2 of 3" in window.hidden_label.text()
        press(Key.Key_Escape)
        assert bar.text.text() == "" and view.model().rowCount() == 3
        press(Key.Key_Tab)
        press(Key.Key_Tab)
        assert focus() is view
        press(Key.Key_Slash)  # `/` also opens the filter, and types into it once there
        assert focus() is bar.text and bar.text.text() == ""
        QTest.keyClicks(bar.text, "a/b")
        press(Key.Key_Home)
        press(Key.Key_Delete)  # edits the filter; Remove (Del) is for the list
        assert bar.text.text() == "/b" and harness.controller and not harness.controller.pending
        press(Key.Key_Escape)
        view.setFocus()
        start = view.current_name()
        press(Key.Key_Down)
        assert view.current_name() != start
        press(Key.Key_Return)
        tabs = window.detail.tabs
        assert focus() is tabs.tabBar() or tabs.isAncestorOf(focus())
        for number in range(tabs.count()):
            press(getattr(Key, f"Key_{number + 1}"), CTRL)
            assert tabs.currentIndex() == number
        press(Key.Key_M, CTRL | SHIFT)
        assert window.tabs.currentWidget() is window.matrix
        press(Key.Key_1, CTRL)  # a detail tab brings the environments back
        assert window.tabs.currentIndex() == 0 and tabs.currentIndex() == 0

    run(scenario())


def test_actions_by_keyboard_and_all_listed(faults: str, harness: AppHarness, run: Any) -> None:
    async def scenario() -> None:
        window = await opened(harness, faults)
        controller = harness.controller
        assert controller is not None
        first = window.reports["alpha"].checked_at
        press(Key.Key_R, CTRL)
        await until(lambda: window.reports["alpha"].checked_at > first, what="Ctrl+R poll")
        press(Key.Key_W, CTRL | SHIFT)
        assert window.actions_by_name["worst_first"].isChecked()
        chart = window.detail.chart
        before = chart.window_s
        press(Key.Key_Equal, CTRL)
        assert chart.window_s > before
        press(Key.Key_Minus, CTRL)
        assert chart.window_s == before

        press(Key.Key_F1)
        dialog = await until(lambda: window.shortcuts, what="shortcuts dialog")
        await until(dialog.isVisible, what="shortcuts shown")
        rows = dict(dialog.rows())
        tabs = window.detail.tabs.count()
        for name, action in window.actions_by_name.items():
            assert action.shortcuts(), f"{name} has no key"
            if name.startswith("tab") and int(name[3:]) > tabs:
                continue  # Ctrl+5 waits for a fifth tab
            keys = rows[window.describe_action(name, action.text())]
            assert keys.split(", ")[0] == action.shortcuts()[0].toString(), name
        assert "Show the Sessions tab" in rows and rows["Poll now"].startswith("Ctrl+R")
        await until(lambda: QApplication.activeWindow() is dialog, what="shortcuts active")
        press(Key.Key_Escape)
        await until(lambda: not dialog.isVisible(), what="shortcuts closed")

        for key, modifiers in ((Key.Key_E, CTRL), (Key.Key_N, CTRL)):
            await back_to(window)
            press(key, modifiers)
            edit = await until(lambda: controller.dialog, what="dialog")
            assert isinstance(edit, EnvironmentDialog)
            await until(lambda e=edit: QApplication.activeWindow() is e, what="dialog active")
            press(Key.Key_Escape)
            await until(lambda e=edit: not e.isVisible(), what="dialog closed")
            controller.dialog = None

        await back_to(window)
        window.environments.setFocus()
        press(Key.Key_Delete)
        box = await until(lambda: controller.pending, what="remove confirmation")
        assert isinstance(box, Confirmation)
        await until(lambda: QApplication.activeWindow() is box, what="confirmation active")
        press(Key.Key_Escape)
        await until(lambda: not box.isVisible(), what="confirmation closed")
        assert len(controller.config.environments) == 3  # Escape removed nothing

    run(scenario())
