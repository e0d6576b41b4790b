"""Benchmark: how responsive the real main window stays while it polls a big load.

Goal 2 (issues 7, 16): the app's own controller and main window (offscreen, visible)
polling 200 health endpoints (100 ms each) and 20 databases (20 environments, every 1 s)
for 60 s; event-loop lag measured by a 5 ms precise QTimer: how late each tick fires,
p50 / p99 / max (goals p99 < 16 ms, one frame at 60 Hz, and max < 50 ms); the app's CPU
over the same 60 s (process CPU time / wall time, goal <= 20 % of one core) and the
garbage collector's pauses. `--hidden` runs the same load with the window hidden (tray
only): the difference is what rendering costs. `--profile` adds a pyinstrument profile of
the run, written to benchmarks/profiles/ui.txt (not committed).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_ui.py [--seconds 60] [--hidden]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import psutil
import support  # (puts the repo on sys.path)
from PySide6.QtCore import QObject, Qt, QTimer

from pandadmin.core import config as cfg
from pandadmin.demo.pgserver import EmbeddedPostgres
from pandadmin.qt.app import application, open_controller
from pandadmin.qt.event_loop import new_loop

TIMER_MS = 5
GOAL_P99_MS = 16.0
GOAL_MAX_MS = 50.0
GOAL_CPU_PERCENT = 20.0
PROFILES = Path(__file__).with_name("profiles")


class LagProbe(QObject):
    """A precise 5 ms timer; records how late each tick arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.lags: list[float] = []
        self._last = 0.0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TIMER_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags.append(max(0.0, now - self._last - TIMER_MS / 1000))
        self._last = now


def thread_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds of each of this process's threads (Linux /proc), by native id -> (name, s)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, tuple[str, float]] = {}
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            tid = int(task.name)
            out[tid] = (names.get(tid, "Qt/C"), (int(fields[11]) + int(fields[12])) / tick)
    return out


def thread_shares(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], elapsed: float
) -> dict[str, float]:
    """% of one core per thread name over the run (threads of one name summed)."""
    shares: dict[str, float] = {}
    for tid, (name, seconds) in after.items():
        spent = seconds - before.get(tid, (name, 0.0))[1]
        shares[name] = shares.get(name, 0.0) + 100 * spent / elapsed
    return {name: round(v, 2) for name, v in sorted(shares.items()) if v >= 0.05}


class GcPauses:
    """Durations of the garbage collector's runs (gc.callbacks), while started."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._began = 0.0

    def __call__(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._began)

    def start(self) -> None:
        gc.callbacks.append(self)

    def stop(self) -> None:
        gc.callbacks.remove(self)


async def watch(
    config_path: Path, db_urls: list[str], seconds: float, hidden: bool
) -> dict[str, Any]:
    config = cfg.load(config_path)
    controller = await open_controller(
        config_path, support.secrets_for(config, db_urls), remember=False
    )
    if hidden:
        controller.window.hide()  # to the tray: polling goes on, nothing is drawn
    reports: list[float] = []
    controller.report_shown.connect(lambda _name: reports.append(time.monotonic()))
    probe, process, pauses = LagProbe(), psutil.Process(), GcPauses()
    await asyncio.sleep(2.0)  # first polls connect; measure the steady state
    threads_before = thread_cpu()
    cpu_before, started = process.cpu_times(), time.monotonic()
    probe.start()
    pauses.start()
    try:
        await asyncio.sleep(seconds)
    finally:
        probe.stop()
        pauses.stop()
        cpu_after = process.cpu_times()
        elapsed = time.monotonic() - started
        threads_after = thread_cpu()
        await controller.close()
    cpu = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
    return {
        "lags": probe.lags,
        "gc_pauses": pauses.pauses,
        "reports": sum(t >= started for t in reports),
        "cpu_percent_of_one_core": round(100 * cpu / elapsed, 1),
        "threads": thread_shares(threads_before, threads_after, elapsed),
        "environments": len(config.environments),
        "window": "hidden" if hidden else "visible",
    }


def run_app(
    config_path: Path, db_urls: list[str], seconds: float, hidden: bool = False
) -> dict[str, Any]:
    app = application()
    with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
        return runner.run(watch(config_path, db_urls, seconds, hidden))


def measure(seconds: float, profile: bool, hidden: bool = False) -> dict[str, Any]:
    with (
        support.HealthFarm(200, 0.1) as farm,
        EmbeddedPostgres(max_connections=60) as server,
        tempfile.TemporaryDirectory(prefix="pandadmin-bench-") as folder,
    ):
        db_urls = asyncio.run(support.create_databases(server, support.numbered("ui", 20)))
        config_path = Path(folder) / "config.toml"
        cfg.save(support.build_config(support.split(farm.urls, 20), interval=1.0), config_path)
        with profiled(profile):
            return run_app(config_path, db_urls, seconds, hidden)


@contextlib.contextmanager
def profiled(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.002)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        PROFILES.mkdir(exist_ok=True)
        (PROFILES / "ui.txt").write_text(profiler.output_text(unicode=False, color=False))
        print(f"profile written to {PROFILES / 'ui.txt'}")


def numbers(raw: dict[str, Any], seconds: float) -> dict[str, Any]:
    lag = support.spread_ms(raw["lags"])
    pauses = raw["gc_pauses"]
    cpu = raw["cpu_percent_of_one_core"]
    return {
        "environments": raw["environments"],
        "targets": "200 health endpoints (100 ms) + 20 databases, polled every 1 s",
        "seconds": seconds,
        "timer_ms": TIMER_MS,
        "lag": lag,
        "ticks_expected": int(seconds * 1000 / TIMER_MS),
        "reports_shown": raw["reports"],
        "window": raw["window"],
        "cpu_percent_of_one_core": cpu,
        "goal_cpu_percent": GOAL_CPU_PERCENT,
        "cpu_goal_met": cpu <= GOAL_CPU_PERCENT,
        "cpu_percent_by_thread": raw["threads"],
        "gc": support.spread_ms(pauses) if pauses else {"n": 0},
        "goal_p99_ms": GOAL_P99_MS,
        "goal_met": lag["p99_ms"] < GOAL_P99_MS,
        "goal_max_ms": GOAL_MAX_MS,
        "lag_max_goal_met": lag["max_ms"] < GOAL_MAX_MS,
        "machine": support.machine(),
    }


def report(n: dict[str, Any]) -> None:
    lag, gcs = n["lag"], n["gc"]
    title = f"UI responsiveness: {n['seconds']:.0f} s of polling, window {n['window']}"
    support.print_table(title, [
        ("event-loop lag p50 (ms)", lag["p50_ms"], "", None),
        ("event-loop lag p99 (ms)", lag["p99_ms"], "< 16", n["goal_met"]),
        ("event-loop lag max (ms)", lag["max_ms"], "< 50", n["lag_max_goal_met"]),
        ("5 ms ticks seen / expected", f"{lag['n']} / {n['ticks_expected']}", "", None),
        ("reports shown", n["reports_shown"], "", None),
        ("app CPU (% of one core)", n["cpu_percent_of_one_core"], "<= 20",
         n["cpu_goal_met"]),
        ("  by thread (% of one core)", n["cpu_percent_by_thread"], "", None),
        ("GC runs / pause p99 / max (ms)",
         f"{gcs['n']} / {gcs.get('p99_ms', '-')} / {gcs.get('max_ms', '-')}", "", None),
        ("load average (1, 5, 15 min)", n["machine"]["load_average"], "", None),
    ])  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--hidden", action="store_true", help="window hidden (tray only)")
    options = parser.parse_args()
    raw = measure(options.seconds, options.profile, options.hidden)
    result = numbers(raw, options.seconds)
    report(result)
    support.save_results("ui_hidden" if options.hidden else "ui", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
