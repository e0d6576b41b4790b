"""Benchmark: what the app costs while nobody looks (issue 16: window hidden, tray only).

The real app (controller, hidden main window, poller, history store) polls 5 environments
x (10 health endpoints + 1 database) at the 5 s default for 5 minutes; its CPU is process
CPU time / wall time, child processes included (goal <= 1 % of one core). Paint events
the hidden window received are counted too (should be 0).

Three app processes are measured at once, each on its own environments, databases and
data folder (the servers run outside them): each uses ~1 % of a core, so on 2 cores they
do not disturb each other, and three runs take 5 minutes instead of 15. run_all.py runs
this script once and takes each process as one run.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_hidden.py [--seconds 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import psutil
import support  # (puts the repo on sys.path)
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from pandadmin.core import config as cfg
from pandadmin.demo.pgserver import EmbeddedPostgres

ENVIRONMENTS, SERVICES, INTERVAL_S = 5, 10, 5.0
WARM_UP_S = 10.0  # connections opened, history store created, start-up freeze done
GOAL_CPU_PERCENT = 1.0


# one app process ------------------------------------------------------------------------


class PaintCounter(QObject):
    """Paint events Qt delivers to `root` or any widget inside it (a filter on each widget,
    not on the application: that one would see every timer event and cost CPU itself)."""

    def __init__(self, root: QWidget) -> None:
        super().__init__()
        self.count = 0
        self.widgets = [root, *root.findChildren(QWidget)]
        for widget in self.widgets:
            widget.installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        self.count += event.type() == QEvent.Type.Paint
        return False

    def remove(self) -> None:
        for widget in self.widgets:
            widget.removeEventFilter(self)


def cpu_seconds(process: psutil.Process) -> float:
    """User + system time of the process, its waited-for children and its live ones."""
    own = process.cpu_times()
    total = own.user + own.system + own.children_user + own.children_system
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


async def watch_hidden(folder: Path, seconds: float) -> dict[str, Any]:
    from pandadmin.qt.app import open_controller

    config_path = folder / "config.toml"
    urls = json.loads((folder / "urls.json").read_text())
    config = cfg.load(config_path)
    secrets = support.secrets_for(config, urls)
    controller = await open_controller(
        config_path, secrets, remember=False, data_dir=folder / "data"
    )
    controller.window.hide()  # to the tray: polling, history and notifications go on
    reports: list[float] = []
    controller.report_shown.connect(lambda _name: reports.append(time.monotonic()))
    await asyncio.sleep(WARM_UP_S)
    process, painted = psutil.Process(), PaintCounter(controller.window)
    before, started = cpu_seconds(process), time.monotonic()
    await asyncio.sleep(seconds)
    cpu, elapsed = cpu_seconds(process) - before, time.monotonic() - started
    painted.remove()
    threads = {t.native_id: t.name for t in threading.enumerate()}
    by_thread = {
        threads.get(t.id, str(t.id)): round(t.user_time + t.system_time, 2)
        for t in process.threads()
    }
    await controller.close()
    return {
        "cpu_percent": round(100 * cpu / elapsed, 2),
        "seconds": round(elapsed, 1),
        "reports": sum(t >= started for t in reports),
        "paint_events": painted.count,
        "cpu_s_by_thread_whole_life": by_thread,
    }


def child(folder: Path, seconds: float) -> int:
    from pandadmin.qt.app import application
    from pandadmin.qt.event_loop import new_loop

    app = application()
    with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
        print(json.dumps(runner.run(watch_hidden(folder, seconds))), flush=True)
    return 0


# the measurement ------------------------------------------------------------------------


def prepare(root: Path, runs: int, farm: support.HealthFarm, server: EmbeddedPostgres) -> None:
    """A folder per app process: its config (own endpoints), DATABASE_URLs, data folder."""
    names = support.numbered("hidden", runs * ENVIRONMENTS)
    db_urls = asyncio.run(support.create_databases(server, names))
    groups = support.split(farm.urls, runs * ENVIRONMENTS)
    for run in range(runs):
        folder = root / f"app-{run}"
        (folder / "data").mkdir(parents=True)
        mine = slice(run * ENVIRONMENTS, (run + 1) * ENVIRONMENTS)
        cfg.save(support.build_config(groups[mine], interval=INTERVAL_S), folder / "config.toml")
        (folder / "urls.json").write_text(json.dumps(db_urls[mine]))


def start_app(folder: Path, seconds: float) -> subprocess.Popen[str]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(folder)]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [*command, "--seconds", str(seconds)], env=env, stdout=subprocess.PIPE, text=True
    )


def measure(seconds: float, runs: int) -> list[dict[str, Any]]:
    with (
        support.HealthFarm(runs * ENVIRONMENTS * SERVICES, 0.1) as farm,
        EmbeddedPostgres(max_connections=40) as server,
        tempfile.TemporaryDirectory(prefix="pandadmin-bench-") as folder,
    ):
        root = Path(folder)
        prepare(root, runs, farm, server)
        apps = [start_app(root / f"app-{run}", seconds) for run in range(runs)]
        outputs = [app.communicate()[0] for app in apps]
    if any(app.returncode for app in apps):
        raise SystemExit(f"an app process failed: exit codes {[a.returncode for a in apps]}")
    return [json.loads(out.strip().splitlines()[-1]) for out in outputs]


def numbers(per_app: list[dict[str, Any]], seconds: float, load_start: list[float]) -> Any:
    cpu = [app["cpu_percent"] for app in per_app]
    median = statistics.median(cpu)
    return {
        "shape": f"{ENVIRONMENTS} environments x ({SERVICES} services + 1 database), "
        f"every {INTERVAL_S:g} s, window hidden",
        "seconds": seconds,
        "concurrent_app_processes": len(per_app),
        "method": "app processes measured at the same time, each on its own targets and "
        "data folder; process CPU time (children included) / wall time",
        "cpu_percent_runs": cpu,
        "cpu_percent_median": median,
        "cpu_percent_spread": [min(cpu), max(cpu)],
        "reports": [app["reports"] for app in per_app],
        "paint_events_while_hidden": [app["paint_events"] for app in per_app],
        "goal_cpu_percent": GOAL_CPU_PERCENT,
        "goal_met": median <= GOAL_CPU_PERCENT,
        "load_average_at_start": load_start,
        "machine": support.machine(),
    }


def report(n: dict[str, Any]) -> None:
    support.print_table(f"Hidden window: {n['shape']}, {n['seconds']:.0f} s", [
        ("app CPU, median (% of one core)", n["cpu_percent_median"], "<= 1", n["goal_met"]),
        ("app CPU, each process (%)", " / ".join(map(str, n["cpu_percent_runs"])), "", None),
        ("reports per process", " / ".join(map(str, n["reports"])), "", None),
        ("paint events while hidden", " / ".join(map(str, n["paint_events_while_hidden"])),
         "0", all(p == 0 for p in n["paint_events_while_hidden"])),
        ("load average at start / end", f"{n['load_average_at_start']} / "
         f"{n['machine']['load_average']}", "", None),
    ])  # fmt: skip
    print(f"({n['concurrent_app_processes']} {n['method']}.)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=3, help="app processes, measured at once")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        return child(options.child, options.seconds)
    load_start = [round(x, 2) for x in os.getloadavg()]
    result = numbers(measure(options.seconds, options.runs), options.seconds, load_start)
    report(result)
    support.save_results("hidden", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
