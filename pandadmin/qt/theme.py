"""Status colours that read on the system's light or dark palette, and small painting helpers."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap

from pandadmin import resources
from pandadmin.core.models import Status

_LIGHT = {
    Status.OK: "#2e9d4f",
    Status.UNKNOWN: "#8a8f98",
    Status.WARNING: "#d08700",
    Status.CRITICAL: "#d23c3c",
}
_DARK = {
    Status.OK: "#4cc373",
    Status.UNKNOWN: "#9aa0aa",
    Status.WARNING: "#f0b020",
    Status.CRITICAL: "#ff6b6b",
}
SERIES_COLOURS = {
    "active": "#3b82f6",
    "idle": "#14b8a6",
    "idle in transaction": "#f97316",
    "total": "#a855f7",
    "pooler clients": "#64748b",
    "pooler waiting": "#e11d48",
}


def is_dark() -> bool:
    """True when the application palette is dark (follows the system colour scheme)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def status_colour(status: Status | None) -> QColor:
    table = _DARK if is_dark() else _LIGHT
    return QColor(table[status if status is not None else Status.UNKNOWN])


def tint(status: Status | None, alpha: int = 40) -> QColor:
    """A faint background of the status colour (row highlight)."""
    colour = status_colour(status)
    colour.setAlpha(alpha)
    return colour


def muted_text() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)


def app_icon() -> QIcon:
    """The app's icon at every size it ships (PNGs: no SVG plugin needed when frozen).

    Read once at start-up and kept by the application (`setWindowIcon`), never in a
    module-level cache: a QIcon outliving the QApplication crashes at exit."""
    icon = QIcon()
    for path in resources.icon_files():
        icon.addFile(str(path))
    return icon


def badged_icon(status: Status | None, size: int = 64) -> QIcon:
    """The app icon with a status-coloured badge: the tray's worst status at a glance."""
    base = QGuiApplication.windowIcon()
    pixmap = (app_icon() if base.isNull() else base).pixmap(size, size)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("white"), size / 16))
    painter.setBrush(status_colour(status))
    painter.drawEllipse(QRectF(size * 0.52, size * 0.52, size * 0.44, size * 0.44))
    painter.end()
    return QIcon(pixmap)


def dot_icon(status: Status | None, size: int = 14) -> QIcon:
    """A filled circle of the status colour, for tray and tab icons."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(status_colour(status))
    painter.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    painter.end()
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)  # the status colour, not dimmed by the selection
    return icon


def status_text(status: Status | None) -> str:
    return (status if status is not None else Status.UNKNOWN).label  # OK is 0: falsy
