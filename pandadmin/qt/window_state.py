"""What the window remembers across restarts (QSettings): geometry, splitter, selected
environment, sort and chart range. Read and written off the UI thread (file I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings

GROUP = "main-window"


@dataclass(frozen=True, slots=True)
class WindowState:
    geometry: bytes = b""
    splitter: bytes = b""
    selected: str = ""
    worst_first: bool = False
    chart_range: str = ""


def _settings() -> QSettings:
    """The app's settings file; tests point it at a temp dir (QSettings.setPath)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "pandadmin", "window")


def load() -> WindowState:
    settings = _settings()
    settings.beginGroup(GROUP)
    try:
        return WindowState(
            geometry=_bytes(settings.value("geometry")),
            splitter=_bytes(settings.value("splitter")),
            selected=str(settings.value("selected", "") or ""),
            worst_first=str(settings.value("worst_first", "false")).lower() == "true",
            chart_range=str(settings.value("chart_range", "") or ""),
        )
    finally:
        settings.endGroup()


def save(state: WindowState) -> None:
    settings = _settings()
    settings.beginGroup(GROUP)
    settings.setValue("geometry", QByteArray(state.geometry))
    settings.setValue("splitter", QByteArray(state.splitter))
    settings.setValue("selected", state.selected)
    settings.setValue("worst_first", "true" if state.worst_first else "false")
    settings.setValue("chart_range", state.chart_range)
    settings.endGroup()
    settings.sync()


def _bytes(value: object) -> bytes:
    return bytes(value.data()) if isinstance(value, QByteArray) else b""
