"""Benchmark: opening the app on a filled history store paints 24 h of 20 environments.

Issue 13's goal: < 0.5 s. The store is filled once by bench_store.py's filler (20
environments x 10 services at 5 s, 37 series per poll: 1-minute and 15-minute rollups in
bulk, then the last `--hours` through the write path, which also closes the 1-minute
rollups; the app reads raw rows for the last hour and 1-minute envelopes before it, so the
default 3 h of raw rows serve the same reads as the full 48 h; `--hours 48.5` fills those).

Each open is a fresh process (qt/app.py's `open_controller`, the real Controller and
window, offscreen) on that store's folder with a config of the same 20 environments (no
DATABASE_URLs: what is measured is the history load and paint, not polling), an in-memory
keyring and remember=False; the chart is switched to its 24 h range at once. Measured from
just before `open_controller` to the chart of the environment on screen painted (a
synchronous `grab()`) right after HistoryLink redrew with all 20 environments' last 24 h in
the in-memory history. Also: the environment on screen first (it is loaded first).
`--profile` saves a cProfile of one open to benchmarks/profiles/ (not committed).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_history_open.py [--opens 5]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import support  # (puts the repo on sys.path)
from bench_store import ENVS, fill_raw, fill_rollups

from pandadmin.core import config as cfg
from pandadmin.core.history import DAY_S
from pandadmin.core.store import RAW_KEEP_S, Store

GOAL_S = 0.5
PROFILES = Path(__file__).with_name("profiles")


def fill(folder: Path, hours: float) -> float:
    """The 90-day store of bench_store.py, ending now; returns seconds taken."""
    began, rng = time.perf_counter(), np.random.default_rng(13)
    store = Store(folder / "history.sqlite3")
    raw_start = (time.time() - hours * 3600) // 900 * 900
    fill_rollups(store, raw_start + RAW_KEEP_S, rng)
    fill_raw(store, raw_start, time.time(), rng)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    envs = tuple(cfg.Environment(f"env{e:02d}") for e in range(ENVS))
    cfg.save(cfg.Config(envs), folder / "config.toml")
    return time.perf_counter() - began


# one open (child process) ----------------------------------------------------------------


def all_loaded(controller: object, since: float) -> bool:
    """Every environment's in-memory history reaches back (about) 24 h."""
    for env in controller.config.environments:  # type: ignore[attr-defined]
        history = controller.history.get(env.name)  # type: ignore[attr-defined]
        oldest = history.connections.oldest() if history is not None else None
        if oldest is None or oldest > since:
            return False
    return True


async def open_once(folder: Path, png: Path | None) -> dict[str, float]:
    from pandadmin.core.secrets import AsyncSecrets, MemoryStore
    from pandadmin.qt.app import open_controller
    from pandadmin.qt.history_link import HistoryLink

    marks: dict[str, float] = {}
    redraw = HistoryLink._redraw

    def timed_redraw(link: HistoryLink) -> None:
        redraw(link)
        if "all_s" in marks:
            return
        chart = link.c.window.detail.chart
        pixmap = chart.grab()  # a synchronous paint of what the user sees
        marks.setdefault("shown_s", time.perf_counter() - began)
        if all_loaded(link.c, time.time() - DAY_S + 1800):
            marks["all_s"] = time.perf_counter() - began
            marks["points_on_chart"] = float(len(chart.data.t))
            if png is not None:
                pixmap.save(str(png))

    HistoryLink._redraw = timed_redraw  # type: ignore[method-assign]
    began = time.perf_counter()
    controller = await open_controller(
        folder / "config.toml", AsyncSecrets(MemoryStore()), remember=False, data_dir=folder
    )
    controller.window.detail.chart.set_window_index(2)  # 24 h
    marks["window_s"] = time.perf_counter() - began
    while "all_s" not in marks and time.perf_counter() - began < 60:
        await asyncio.sleep(0.005)
    await controller.close()
    return marks


def child(folder: Path, png: Path | None, profile: Path | None) -> None:
    import qasync

    from pandadmin.qt.app import application

    app = application()
    profiler = cProfile.Profile() if profile else None
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        if profiler:
            profiler.enable()
        marks = runner.run(open_once(folder, png))
        if profiler and profile:
            profiler.disable()
            profiler.dump_stats(profile)
    print(json.dumps(marks), flush=True)


# the benchmark ---------------------------------------------------------------------------


def one_open(folder: Path, *extra: str) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(folder), *extra]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--hours", type=float, default=3.0, help="raw hours via Store.write")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--png", type=Path)
    parser.add_argument("--store", type=Path, help="keep the filled store here (reused)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.png, args.profile_to)
    with tempfile.TemporaryDirectory() as name:
        folder = args.store or Path(name)
        reuse = (folder / "history.sqlite3").exists() and args.store is not None
        fill_s = 0.0 if reuse else fill(folder, args.hours)
        size_mb = (folder / "history.sqlite3").stat().st_size / 1e6
        png = ["--png", str(args.png)] if args.png else []
        opens = [one_open(folder, *png) for _ in range(args.opens)]
        if args.profile:
            PROFILES.mkdir(exist_ok=True)
            one_open(folder, "--profile-to", str(PROFILES / "history_open.prof"))
    report(opens, fill_s, size_mb, args.hours)


def report(opens: list[dict[str, float]], fill_s: float, size_mb: float, hours: float) -> None:
    every = [o["all_s"] for o in opens if "all_s" in o]
    shown = [o["shown_s"] for o in opens if "shown_s" in o]
    median = statistics.median(every) if len(every) == len(opens) else None
    numbers = {
        "median_s": None if median is None else round(median, 3),
        "min_s": round(min(every), 3) if every else None,
        "max_s": round(max(every), 3) if every else None,
        "opens_s": [round(s, 3) for s in every],
        "shown_env_median_s": round(statistics.median(shown), 3) if shown else None,
        "window_median_s": round(statistics.median(o["window_s"] for o in opens), 3),
        "points_on_chart": opens[-1].get("points_on_chart"),
        "goal_met": median is not None and median < GOAL_S,
        "store_mb": round(size_mb, 1),
        "raw_hours": hours,
        "fill_s": round(fill_s, 1),
        "versions": {p: version(p) for p in ("PySide6-Essentials", "pyqtgraph", "numpy")},
        "machine": support.machine(),
    }
    support.save_results("history_open", numbers)
    met = numbers["goal_met"]
    support.print_table(
        f"opening the app on a 90-day store of 20 environments ({len(opens)} opens)",
        [
            ("24 h of 20 environments painted, median (s)", median, f"< {GOAL_S}", met),
            ("  min / max (s)", f"{numbers['min_s']} / {numbers['max_s']}", "", None),
            ("environment on screen painted, median (s)", numbers["shown_env_median_s"], "", None),
            ("window shown, median (s)", numbers["window_median_s"], "", None),
            ("load average", numbers["machine"]["load_average"], "", None),
        ],
    )  # fmt: skip


if __name__ == "__main__":
    main()
