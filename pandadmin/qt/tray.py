"""The tray icon (worst status of all environments) and desktop notifications.

When to notify is decided by `pandadmin.core.alerts` (hysteresis); this module only shows.
Without a system tray (e.g. offscreen) the icon is skipped but `notified` still fires.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from pandadmin.core.alerts import Alert
from pandadmin.core.models import Status
from pandadmin.qt import theme


class Tray(QObject):
    """Worst-status icon with a small menu; `notify` shows an alert."""

    notified = Signal(str, str, str)  # environment, kind, message
    show_requested = Signal()
    poll_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.status = Status.UNKNOWN
        self.history: list[Alert] = []
        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(theme.badged_icon(Status.UNKNOWN), parent)
            self.icon.setContextMenu(self._menu(parent))
            self.icon.activated.connect(lambda _reason: self.show_requested.emit())
            self.icon.setToolTip("pandadmin")

    def _menu(self, parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        menu.addAction("Show pandadmin", self.show_requested.emit)
        menu.addAction("Poll now", self.poll_requested.emit)
        menu.addSeparator()
        menu.addAction("Quit", self.quit_requested.emit)
        return menu

    def show(self) -> None:
        if self.icon is not None:
            self.icon.show()

    def hide(self) -> None:
        if self.icon is not None:
            self.icon.hide()

    def set_status(self, status: Status, summary: str) -> None:
        """Only what changed goes to the tray (a new icon is a round trip to the panel)."""
        changed, self.status = status != self.status, status
        if self.icon is None:
            return
        if changed:
            self.icon.setIcon(theme.badged_icon(status))
        tip = f"pandadmin: {status.label}\n{summary}"
        if tip != self.icon.toolTip():
            self.icon.setToolTip(tip)

    def notify(self, alert: Alert) -> None:
        self.history.append(alert)
        del self.history[:-50]
        self.notified.emit(alert.environment, alert.kind, alert.message)
        if self.icon is not None and self.icon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if alert.kind == "critical"
                else QSystemTrayIcon.MessageIcon.Information
            )
            self.icon.showMessage(alert.title, alert.message, icon, 10_000)
