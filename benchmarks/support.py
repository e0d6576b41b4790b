"""Shared pieces of the benchmarks: results file, tables, percentiles, and the local
targets they poll (the health farm process, the embedded PostgreSQL with N databases,
and configs/secrets pointing pandadmin at them). Not a benchmark itself."""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from pandadmin.core.config import Config, Environment, Service  # noqa: E402
from pandadmin.core.secrets import AsyncSecrets, MemoryStore  # noqa: E402
from pandadmin.demo.pgserver import EmbeddedPostgres  # noqa: E402

RESULTS = Path(__file__).with_name("results.json")
FARM = Path(__file__).with_name("health_farm.py")


# results and tables -------------------------------------------------------------------


def save_results(key: str, numbers: dict[str, Any]) -> None:
    """Read-modify-write: every benchmark owns one key of results.json."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = numbers
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    temporary.replace(RESULTS)


def verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "MISSED")


def print_table(title: str, rows: Iterable[Sequence[object]]) -> None:
    """Rows of (metric, value, goal, met); goal and met may be empty."""
    lines = [("metric", "value", "goal", "")]
    for metric, value, goal, met in rows:
        mark = "" if goal in ("", None) else verdict(met)  # type: ignore[arg-type]
        lines.append((str(metric), _fmt(value), str(goal or ""), mark))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    print(f"\n== {title} ==")
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def spread_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p99 / max of durations given in seconds, in milliseconds."""
    return {
        "p50_ms": round(percentile(seconds, 50) * 1000, 2),
        "p99_ms": round(percentile(seconds, 99) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
        "n": len(seconds),
    }


def machine() -> dict[str, Any]:
    """What the numbers were measured on (the load average shows concurrent noise)."""
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(total_kb / 2**20, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# targets ------------------------------------------------------------------------------


class HealthFarm:
    """The health_farm.py process: `urls` answer after `delay` s, `hang_urls` never do."""

    def __init__(self, ports: int, delay: float, hang: int = 0) -> None:
        args = [sys.executable, str(FARM), "--ports", str(ports), "--delay", str(delay)]
        self.process = subprocess.Popen(
            [*args, "--hang", str(hang)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the health farm did not start")
        ports_info = json.loads(line)
        self.urls = [f"http://127.0.0.1:{p}/health" for p in ports_info["ports"]]
        self.hang_urls = [f"http://127.0.0.1:{p}/health" for p in ports_info["hang_ports"]]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()  # the farm exits when its stdin closes
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> HealthFarm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def create_databases(server: EmbeddedPostgres, names: Sequence[str]) -> list[str]:
    """Empty databases on `server`; returns their superuser URLs."""
    conn = await asyncpg.connect(server.url())
    try:
        for name in names:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return [server.url(name) for name in names]


def numbered(prefix: str, count: int) -> list[str]:
    return [f"{prefix}_{i:03d}" for i in range(count)]


def build_config(
    groups: Sequence[Sequence[str]], *, interval: float = 5.0, prefix: str = "env"
) -> Config:
    """One environment per group of health URLs, named env_000, env_001, ..."""
    environments = []
    for number, urls in enumerate(groups):
        services = tuple(Service(f"svc_{i:02d}", url) for i, url in enumerate(urls))
        name = f"{prefix}_{number:03d}"
        environments.append(Environment(name, interval=interval, services=services))
    return Config(environments=tuple(environments))


def secrets_for(config: Config, database_urls: Sequence[str]) -> AsyncSecrets:
    """An in-memory keyring giving environment i the i-th DATABASE_URL."""
    store = MemoryStore()
    for env, url in zip(config.environments, database_urls, strict=False):
        store.set(env.name, url)
    return AsyncSecrets(store)


def split(items: Sequence[str], groups: int) -> list[list[str]]:
    """`items` dealt into `groups` consecutive, equal-sized chunks."""
    size = len(items) // groups
    return [list(items[i * size : (i + 1) * size]) for i in range(groups)]
