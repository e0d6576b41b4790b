"""Garbage collection on the GUI thread only, from a timer.

Worker threads (asyncio's executor reading Alembic files, resolving hosts, the keyring)
allocate too; if the collector ran there it could free a cycle holding Qt objects off the
GUI thread, or in the middle of Qt dispatching an event to them, and Qt crashes. So the
automatic collector is off while the app runs and a timer collects, generation by
generation, at the thresholds Python would use (pyqtgraph's GarbageCollector pattern).
Stopping collects once more here, on the GUI thread, before the previous setting comes
back: otherwise the app's last garbage would wait for whichever thread allocates next.

What exists when the app has started (modules, widgets, pyqtgraph's items) is frozen
(`gc.freeze()`): an oldest-generation collection walked all of it, ~35-100 ms on the GUI
thread, a stalled frame every few minutes; frozen, a collection sees only what came
later. Stopping unfreezes it first, so whatever of it became garbage is freed here too.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """`start()` turns automatic collection off, freezes what exists and collects from a
    timer; `stop()` collects what is left (frozen or not) and restores automatic collection
    as `start()` found it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)
        self.was_enabled = gc.isenabled()

    def start(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()
        gc.freeze()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.unfreeze()
        gc.collect()
        if self.was_enabled:
            gc.enable()

    def collect(self) -> None:
        counts = gc.get_count()
        for generation in range(3):
            if counts[generation] <= self.thresholds[generation]:
                return
            gc.collect(generation)
