"""Benchmark: memory (RSS) of a long polling run, as growth per hour.

Goal 4 (issue 7): RSS over 10 minutes of polling at 0.1 s intervals; growth in MB per
hour of equivalent polling (goal < 10 MB/h). The whole benchmark suite must finish in
10 minutes, so the soak is scaled: by default 3 minutes at 0.1 s with 5 environments
(4 services + 1 database each) polled at once, i.e. 5 environment-polls per 0.1 s, five
times the poll rate of the issue's single stream. The data path is the app's: Poller ->
HistoryStore (the chart's 24 h ring buffers). Growth is the least-squares slope of RSS
after a warm-up, so one-off allocations (ring buffers, connections) do not count.

    python benchmarks/bench_memory.py [--seconds 180] [--environments 5]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import psutil
import support  # (puts the repo on sys.path)

from pandadmin.core.history import HistoryStore
from pandadmin.core.poller import Poller
from pandadmin.core.report import EnvironmentReport
from pandadmin.demo.pgserver import EmbeddedPostgres

INTERVAL_S = 0.1
SERVICES_PER_ENV = 4
GOAL_MB_PER_H = 10.0
MB = 2**20


def slope_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) points, in MB per hour."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_m = sum(m for _, m in points) / n
    num = sum((t - mean_t) * (m - mean_m) for t, m in points)
    den = sum((t - mean_t) ** 2 for t, _ in points)
    return num / den * 3600 if den else 0.0


class Recorder:
    """The app's consumer of reports: history for the charts, and a count of polls."""

    def __init__(self) -> None:
        self.history = HistoryStore()
        self.polls = 0
        self.failures = 0

    def __call__(self, report: EnvironmentReport) -> None:
        self.history.record(report, INTERVAL_S)
        self.polls += 1
        db_failed = report.database is None or report.database.sample is None
        self.failures += db_failed or not all(s.ok for s in report.services)


async def soak(urls: list[str], db_urls: list[str], seconds: float) -> dict[str, Any]:
    groups = support.split(urls, len(db_urls))
    config = support.build_config(groups, interval=INTERVAL_S)
    recorder = Recorder()
    poller = Poller(config, support.secrets_for(config, db_urls), recorder)
    process = psutil.Process()
    samples: list[tuple[float, float]] = []
    started = time.monotonic()
    poller.start()
    try:
        while (elapsed := time.monotonic() - started) < seconds:
            samples.append((elapsed, process.memory_info().rss / MB))
            await asyncio.sleep(1.0)
    finally:
        await poller.close()
    return {"samples": samples, "polls": recorder.polls, "failed_polls": recorder.failures}


def numbers(raw: dict[str, Any], seconds: float, environments: int) -> dict[str, Any]:
    samples = raw["samples"]
    warmup = max(20.0, seconds * 0.2)
    steady = [(t, m) for t, m in samples if t >= warmup]
    growth = slope_per_hour(steady)
    return {
        "environments": environments,
        "services_per_environment": SERVICES_PER_ENV,
        "interval_s": INTERVAL_S,
        "seconds": seconds,
        "warmup_s": warmup,
        "polls": raw["polls"],
        "environment_polls_per_s": round(raw["polls"] / seconds, 1),
        "failed_polls": raw["failed_polls"],
        "rss_start_mb": round(samples[0][1], 1),
        "rss_after_warmup_mb": round(steady[0][1], 1),
        "rss_end_mb": round(samples[-1][1], 1),
        "growth_mb_per_hour": round(growth, 2),
        "growth_mb_per_10_min": round(growth / 6, 2),
        "goal_mb_per_hour": GOAL_MB_PER_H,
        "goal_met": growth < GOAL_MB_PER_H,
        "rss_every_10_s_mb": [round(m, 1) for t, m in samples if int(t) % 10 == 0],
        "machine": support.machine(),
    }


def report(n: dict[str, Any]) -> None:
    title = (
        f"memory: {n['seconds']:.0f} s polling {n['environments']} environments "
        f"every {n['interval_s']} s"
    )
    support.print_table(title, [
        ("environment polls per second", n["environment_polls_per_s"], "", None),
        ("failed polls", n["failed_polls"], "", None),
        ("RSS at start (MB)", n["rss_start_mb"], "", None),
        ("RSS after warm-up (MB)", n["rss_after_warmup_mb"], "", None),
        ("RSS at end (MB)", n["rss_end_mb"], "", None),
        ("growth after warm-up (MB/h)", n["growth_mb_per_hour"], "< 10", n["goal_met"]),
    ])  # fmt: skip


async def run(seconds: float, environments: int) -> dict[str, Any]:
    with (
        support.HealthFarm(environments * SERVICES_PER_ENV, 0.005) as farm,
        EmbeddedPostgres(max_connections=environments + 20) as server,
    ):
        db_urls = await support.create_databases(server, support.numbered("soak", environments))
        return await soak(farm.urls, db_urls, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--environments", type=int, default=5)
    options = parser.parse_args()
    raw = asyncio.run(run(options.seconds, options.environments))
    result = numbers(raw, options.seconds, options.environments)
    report(result)
    support.save_results("memory", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
