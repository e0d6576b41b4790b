"""Benchmark: many services behind one origin (one host, many paths), some of them hung.

Issue 12: (a) 10 services that never answer and 10 healthy ones on one origin, health
timeout 2 s: how many healthy ones report ok, and when (goal: all 10, within one
timeout); (b) 200 services on one origin answering after 100 ms: one health round of all
200 at once, cold (new connections) and warm (median of `--cycles`), over one service's
own health latency measured alone (goal < 2), and the same 200 on 200 origins (one port
each) for reference: what is left once no origin is shared is the client's CPU and the
machine's load. Through `HealthProber`, as the poller calls it.

    python benchmarks/bench_shared_origin.py [--cycles 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

import support

from pandadmin.core.config import Service
from pandadmin.core.health import HealthProber
from pandadmin.core.http_pool import SHARD_SIZE

DELAY_S = 0.1
HUNG_TIMEOUT_S = 2.0
SERVICES = 200
LATENCY_RATIO_GOAL = 2.0


async def timed_round(prober: HealthProber, urls: Sequence[str]) -> tuple[float, list[Any]]:
    """All `urls` checked at once; (wall seconds, results)."""
    services = [Service(f"svc_{i:03d}", url) for i, url in enumerate(urls)]
    started = time.perf_counter()
    results = await asyncio.gather(*(prober.check(service) for service in services))
    return time.perf_counter() - started, results


async def cpu_round(prober: HealthProber, urls: Sequence[str]) -> tuple[float, float]:
    """(wall, client CPU) seconds of one round."""
    cpu = time.process_time()
    wall, _ = await timed_round(prober, urls)
    return wall, time.process_time() - cpu


async def hung_and_healthy(base: str, runs: int) -> dict[str, Any]:
    """10 hung then 10 healthy paths on one origin, `runs` times on a fresh client."""
    urls = [f"{base}/hang/{i}" for i in range(10)] + [f"{base}/svc/{i}" for i in range(10)]
    healthy_ok, latencies = [], []
    for _ in range(runs):
        prober = HealthProber(timeout=HUNG_TIMEOUT_S)
        try:
            _, results = await timed_round(prober, urls)
        finally:
            await prober.close()
        healthy_ok.append(sum(r.ok for r in results[10:]))
        latencies += [r.latency_ms or HUNG_TIMEOUT_S * 1000 for r in results[10:]]
    return {
        "runs": runs,
        "healthy_ok_of_10_min": min(healthy_ok),
        "healthy_latency_max_ms": round(max(latencies), 1),
        "healthy_latency_median_ms": round(statistics.median(latencies), 1),
        "goal_met": min(healthy_ok) == 10 and max(latencies) < HUNG_TIMEOUT_S * 1000,
    }


async def rounds(urls: Sequence[str], cycles: int) -> dict[str, Any]:
    """A cold round, then `cycles` warm ones (wall and CPU); the first URL alone for scale."""
    prober = HealthProber(timeout=5.0)
    try:
        alone = [(await timed_round(prober, urls[:1]))[0] for _ in range(cycles)]
        cold, results = await timed_round(prober, urls)
        warm = [await cpu_round(prober, urls) for _ in range(cycles)]
    finally:
        await prober.close()
    walls = [wall for wall, _ in warm]
    return {
        "alone": statistics.median(alone),
        "cold": cold,
        "warm": statistics.median(walls),
        "warm_max": max(walls),
        "cpu": statistics.median(cpu for _, cpu in warm),
        "failed": sum(not r.ok for r in results),
    }


async def one_origin(base: str, separate: Sequence[str], cycles: int) -> dict[str, Any]:
    """200 paths on one origin, and 200 origins for reference."""
    shared = await rounds([f"{base}/svc/{i}" for i in range(SERVICES)], cycles)
    reference = await rounds(separate, cycles)
    latency = shared["alone"]
    ratio = shared["warm"] / latency
    return {
        "services": SERVICES,
        "one_service_alone_median_ms": round(latency * 1000, 1),
        "cold_round_ms": round(shared["cold"] * 1000, 1),
        "warm_round_median_ms": round(shared["warm"] * 1000, 1),
        "warm_round_max_ms": round(shared["warm_max"] * 1000, 1),
        "warm_round_cpu_ms": round(shared["cpu"] * 1000, 1),
        "cold_over_latency": round(shared["cold"] / latency, 2),
        "warm_over_latency": round(ratio, 2),
        "failed": shared["failed"],
        "reference_200_origins_warm_median_ms": round(reference["warm"] * 1000, 1),
        "reference_200_origins_warm_cpu_ms": round(reference["cpu"] * 1000, 1),
        "reference_200_origins_warm_over_latency": round(reference["warm"] / latency, 2),
        "goal": LATENCY_RATIO_GOAL,
        "goal_met": ratio < LATENCY_RATIO_GOAL and not shared["failed"],
        "cycles": cycles,
    }


def report(n: dict[str, Any]) -> None:
    hung, many = n["ten_hung_ten_healthy"], n["two_hundred_on_one_origin"]
    support.print_table("one origin: 10 hung + 10 healthy (timeout 2 s)", [
        ("healthy reported ok (worst run, of 10)", hung["healthy_ok_of_10_min"], "10",
         hung["goal_met"]),
        ("healthy latency, max (ms)", hung["healthy_latency_max_ms"], "< 2000", hung["goal_met"]),
        ("healthy latency, median (ms)", hung["healthy_latency_median_ms"], "", None),
    ])  # fmt: skip
    support.print_table("one origin: 200 services answering after 100 ms", [
        ("one service alone (ms)", many["one_service_alone_median_ms"], "", None),
        ("all 200, cold (ms)", many["cold_round_ms"], "", None),
        ("all 200, warm median (ms)", many["warm_round_median_ms"], "", None),
        ("warm round / one latency", many["warm_over_latency"], "< 2", many["goal_met"]),
        ("cold round / one latency", many["cold_over_latency"], "", None),
        ("client CPU per warm round (ms)", many["warm_round_cpu_ms"], "", None),
        ("failed checks", many["failed"], "", None),
        ("reference, 200 origins: warm median (ms)",
         many["reference_200_origins_warm_median_ms"], "", None),
        ("reference, 200 origins: / one latency",
         many["reference_200_origins_warm_over_latency"], "", None),
        ("reference, 200 origins: CPU (ms)", many["reference_200_origins_warm_cpu_ms"], "", None),
    ])  # fmt: skip


async def run(cycles: int) -> dict[str, Any]:
    with (
        support.HealthFarm(1, DELAY_S) as slow,
        support.HealthFarm(1, 0.0) as fast,
        support.HealthFarm(SERVICES, DELAY_S) as separate,
    ):
        slow_base = slow.urls[0].removesuffix("/health")
        fast_base = fast.urls[0].removesuffix("/health")
        hung = await hung_and_healthy(fast_base, runs=3)
        many = await one_origin(slow_base, separate.urls, cycles)
        return {
            "ten_hung_ten_healthy": hung,
            "two_hundred_on_one_origin": many,
            "beside_hung_goal_met": hung["goal_met"],
            "one_origin_goal_met": many["goal_met"],
            "requests_per_shard": SHARD_SIZE,
            "packages": {name: version(name) for name in ("httpx", "httpcore", "h2")},
            "machine": support.machine(),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10)
    options = parser.parse_args()
    result = asyncio.run(run(options.cycles))
    report(result)
    support.save_results("shared_origin", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
