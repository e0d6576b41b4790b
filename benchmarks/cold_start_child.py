"""Child process of bench_cold_start.py: the real `pandadmin` command, plus a stopwatch.

Runs `pandadmin --config PATH` exactly as the console script does, with one addition: an
event filter that notices the main window's first paint, prints the CLOCK_MONOTONIC time
once that paint has finished, then asks the app to quit (which closes it cleanly).
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

import pandadmin.qt.app as qt_app
from pandadmin.cli import main


class FirstPaint(QObject):
    """Prints when the first paint of a main-window widget has completed, then quits."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.seen and event.type() == QEvent.Type.Paint and _in_main_window(watched):
            self.seen = True
            QTimer.singleShot(0, self._painted)  # runs after this paint has been done
        return False

    def _painted(self) -> None:
        print(f"painted {time.monotonic():.6f}", flush=True)
        QTimer.singleShot(200, QApplication.quit)


def _in_main_window(watched: QObject) -> bool:
    return isinstance(watched, QWidget) and isinstance(watched.window(), QMainWindow)


def with_stopwatch(make_app):  # type: ignore[no-untyped-def]
    def application() -> QApplication:
        app = make_app()
        if not hasattr(app, "_bench_first_paint"):
            app._bench_first_paint = FirstPaint()  # type: ignore[attr-defined]
            app.installEventFilter(app._bench_first_paint)  # type: ignore[attr-defined]
        return app

    return application


if __name__ == "__main__":
    qt_app.application = with_stopwatch(qt_app.application)
    sys.exit(main(sys.argv[1:]))
