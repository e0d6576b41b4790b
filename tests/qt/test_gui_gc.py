"""Garbage holding Qt objects is freed on the GUI thread: the collector's stop() collects
there and puts automatic collection back as start() found it; a GUI test's closed loop
leaves no Qt timer that a collection in a worker thread could orphan."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import weakref
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QTimer

from pandadmin.qt.gui_gc import GuiThreadCollector


class Cyclic(QObject):
    """A parentless QObject with a running Qt timer, reachable only through a cycle."""

    def __init__(self) -> None:
        super().__init__()
        self.me = self
        self.timer = QTimer(self)
        self.timer.start(60_000)


def _garbage(freed_in: list[threading.Thread]) -> weakref.ref[Any]:
    garbage = Cyclic()
    weakref.finalize(garbage, lambda: freed_in.append(threading.current_thread()))
    return weakref.ref(garbage)


@pytest.mark.parametrize("enabled", [True, False])
def test_stop_collects_on_the_gui_thread_and_restores_the_setting(qapp: Any, enabled: bool) -> None:
    freed_in: list[threading.Thread] = []
    before = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    collector = GuiThreadCollector()
    collector.start()
    assert not gc.isenabled()
    ref = _garbage(freed_in)
    assert ref() is not None  # only a collection frees it
    collector.stop()
    now = gc.isenabled()
    (gc.enable if before else gc.disable)()
    assert ref() is None and freed_in == [threading.main_thread()]
    assert now is enabled


def test_the_timer_collects_past_the_threshold(qapp: Any) -> None:
    freed_in: list[threading.Thread] = []
    collector = GuiThreadCollector()
    collector.start()
    ref = _garbage(freed_in)
    collector.thresholds = (0, 0, 0)  # any allocation is past them
    collector.collect()
    assert ref() is None and freed_in == [threading.main_thread()]
    collector.stop()


def test_what_existed_at_start_is_frozen_then_freed_on_the_gui_thread_at_stop(
    qapp: Any,
) -> None:
    freed_in: list[threading.Thread] = []
    holder = [Cyclic()]  # alive when the app starts, garbage later
    weakref.finalize(holder[0], lambda: freed_in.append(threading.current_thread()))
    ref = weakref.ref(holder[0])
    collector = GuiThreadCollector()
    collector.start()
    assert gc.get_freeze_count() > 0
    holder.clear()
    gc.collect()  # even a full collection leaves frozen objects alone (that is the point)
    assert ref() is not None
    collector.stop()
    assert ref() is None and freed_in == [threading.main_thread()]
    assert gc.get_freeze_count() == 0


def test_a_worker_threads_collection_after_a_gui_test_orphans_no_qt_timer(tmp_path: Path) -> None:
    """gc_probe.py in a child pytest: a collection in a worker thread right after a GUI test
    used to free that test's loop there and leave its Qt timers registered; the first to
    fire then segfaulted (or, at least, Qt warned that timers cannot be stopped from
    another thread)."""
    root = Path(__file__).resolve().parents[2]
    probe = Path(__file__).with_name("gc_probe.py").relative_to(root)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)]
        + [f"--basetemp={tmp_path / 'child'}"],  # not the shared numbered temp dirs
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert child.returncode == 0, (
        f"exit {child.returncode}:\n{child.stdout[-3000:]}{child.stderr[-2000:]}"
    )
