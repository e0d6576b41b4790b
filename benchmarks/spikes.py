"""Where the UI thread is when it is late: a sampler thread for bench_ui's `--spikes`.

Every 2 ms the sampler looks at how long ago the UI thread's lag probe last ticked; while
that is over `late_ms`, it records the UI thread's Python stack (`sys._current_frames`).
The counts say which code the late stretches were spent in; time inside Qt's C++ with no
Python frame of ours shows as the innermost Python frame that called it (for a paint: the
event loop's frame). A sampler needs the GIL too, so while another Python thread holds it
the sample is late as well: that shows as the other thread's stack being absent here and
the count of stretches without a sample.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

OURS = ("pandadmin", "pyqtgraph", "qasync", "asyncio", "sqlite3", "PySide6")


class StackSampler(threading.Thread):
    """Counts the UI thread's stacks during the stretches it is more than `late_ms` late."""

    def __init__(self, last_tick: Callable[[], float], late_ms: float = 30.0) -> None:
        super().__init__(name="spike-sampler", daemon=True)
        self._last_tick, self._late = last_tick, late_ms / 1000
        self._ui = threading.main_thread().ident
        self._halt = threading.Event()
        self.stacks: collections.Counter[tuple[str, ...]] = collections.Counter()
        self.other_threads: collections.Counter[str] = collections.Counter()

    def run(self) -> None:
        while not self._halt.wait(0.002):
            if time.perf_counter() - self._last_tick() > self._late:
                self._sample()

    def _sample(self) -> None:
        frames = sys._current_frames()
        frame = frames.get(self._ui or 0)
        if frame is not None:
            self.stacks[_short(traceback.extract_stack(frame))] += 1
        names = {t.ident: t.name for t in threading.enumerate()}
        for ident, other in frames.items():
            if ident not in (self._ui, self.ident) and _busy(other):
                self.other_threads[names.get(ident, str(ident))] += 1

    def stop(self) -> None:
        self._halt.set()
        self.join(1.0)

    def write(self, path: Path, top: int = 12) -> None:
        total = sum(self.stacks.values())
        lines = [f"{total} samples of the UI thread while it was late (every 2 ms)", ""]
        for stack, count in self.stacks.most_common(top):
            lines.append(f"{count:5d} ({100 * count / max(total, 1):.0f} %)")
            lines += [f"        {frame}" for frame in stack]
        lines += ["", "other threads running Python at those moments (samples):"]
        lines += [f"{count:5d}  {name}" for name, count in self.other_threads.most_common()]
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


def _short(stack: traceback.StackSummary, depth: int = 14) -> tuple[str, ...]:
    """The innermost `depth` frames as "package/module.py:function"."""
    return tuple(
        f"{'/'.join(Path(f.filename).parts[-2:])}:{f.lineno}:{f.name}" for f in stack[-depth:]
    )


def _busy(frame: object) -> bool:
    """Whether a thread is running code of ours rather than waiting in a queue or select."""
    name = getattr(getattr(frame, "f_code", None), "co_name", "")
    return name not in ("wait", "get", "select", "_wait_for_tstate_lock", "run")
