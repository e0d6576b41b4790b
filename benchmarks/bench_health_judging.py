"""Benchmark: what judging health bodies and timing the phases cost per check (issue 20).

(a) `health_body.judge` on three bodies: `{"ok": true}`, an IETF health+json body with 50
`checks`, an Actuator body with 50 `components` (median microseconds per call over
batches). (b) Client CPU per warm check against one local endpoint (health_farm.py,
HTTP/1.1 keep-alive): `HealthProber.check` (judging, phase timing, result) versus a bare GET
of the same URL by the client it uses for plain http (`LeanClient.get`), and a bare
`httpx.AsyncClient.get` for reference; median of `--runs` runs of `--checks` sequential
checks. Goal: the whole health path stays under 0.5 ms client CPU per check above the
bare GET.

    python benchmarks/bench_health_judging.py [--runs 5] [--checks 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from importlib.metadata import version
from typing import Any

import httpx
import support

from pandadmin.core.config import Service
from pandadmin.core.health import MAX_BODY, HealthProber
from pandadmin.core.health_body import judge
from pandadmin.core.lean_http import LeanClient

OVERHEAD_GOAL_MS = 0.5
BODIES = {
    "ok": {"ok": True},
    "ietf_50_checks": {
        "status": "pass",
        "checks": {
            f"component{i}:responseTime": [
                {"status": "pass", "observedValue": i, "observedUnit": "ms"}
            ]
            for i in range(50)
        },
    },
    "actuator_50_components": {
        "status": "UP",
        "components": {f"c{i}": {"status": "UP", "details": {"n": i}} for i in range(50)},
    },
}


def judge_us(body: bytes, batches: int = 20, calls: int = 500) -> float:
    """Median microseconds per judge() call."""
    per_call = []
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(calls):
            judge(200, body)
        per_call.append((time.perf_counter() - started) / calls * 1e6)
    return round(statistics.median(per_call), 1)


async def cpu_per_check_ms(url: str, checks: int) -> tuple[float, float, float]:
    """(prober, bare lean GET, bare httpx GET) client CPU milliseconds per warm check."""
    prober, client = HealthProber(), httpx.AsyncClient()
    lean = LeanClient({"Accept": "application/json"}, 3.0, httpx.create_ssl_context())
    service = Service("api", url)
    try:
        await prober.check(service)
        await lean.get(url, None, MAX_BODY)
        await client.get(url)
        cpu = time.process_time()
        for _ in range(checks):
            assert (await prober.check(service)).ok
        prober_ms = (time.process_time() - cpu) / checks * 1000
        cpu = time.process_time()
        for _ in range(checks):
            assert (await lean.get(url, None, MAX_BODY)).code == 200
        lean_ms = (time.process_time() - cpu) / checks * 1000
        cpu = time.process_time()
        for _ in range(checks):
            (await client.get(url)).raise_for_status()
        return prober_ms, lean_ms, (time.process_time() - cpu) / checks * 1000
    finally:
        await prober.close()
        await lean.close()
        await client.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checks", type=int, default=300)
    args = parser.parse_args(argv)
    judging = {name: judge_us(json.dumps(body).encode()) for name, body in BODIES.items()}
    with support.HealthFarm(ports=1, delay=0.0) as farm:
        runs = [asyncio.run(cpu_per_check_ms(farm.urls[0], args.checks)) for _ in range(args.runs)]
    prober_ms = round(statistics.median(r[0] for r in runs), 3)
    bare_ms = round(statistics.median(r[1] for r in runs), 3)
    httpx_ms = round(statistics.median(r[2] for r in runs), 3)
    overhead = round(prober_ms - bare_ms, 3)
    result: dict[str, Any] = {
        "judge_us": judging,
        "cpu_per_check_ms": {
            "prober": prober_ms,
            "bare_get": bare_ms,
            "bare_httpx_get": httpx_ms,
            "overhead": overhead,
        },
        "goal_met": overhead < OVERHEAD_GOAL_MS,
        "runs": args.runs,
        "checks": args.checks,
        "versions": {p: version(p) for p in ("httpx", "httpcore", "anyio")},
        "machine": support.machine(),
    }
    support.print_table(
        "health judging and phase timing (issue 20)",
        [
            *((f"judge {name} (µs)", us, "", None) for name, us in judging.items()),
            ("client CPU per check, prober (ms)", prober_ms, "", None),
            ("client CPU per check, bare GET (ms)", bare_ms, "", None),
            ("client CPU per check, bare httpx GET (ms)", httpx_ms, "", None),
            ("overhead per check (ms)", overhead, f"< {OVERHEAD_GOAL_MS}", result["goal_met"]),
        ],
    )
    support.save_results("health_judging", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
