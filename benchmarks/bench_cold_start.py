"""Benchmark: cold start, from process start to the first painted main window.

Goal 6 (issue 7): median of 5 starts < 1.5 s. Each start is a new Python process running
the real `pandadmin --config PATH` (through cold_start_child.py, which only adds a
first-paint stopwatch) on a config of 3 environments whose services and databases are
live, with their DATABASE_URLs in the system keyring (the Secret Service that `make
bench` provides; without one the environments are read without URLs, which the report
says). The time is CLOCK_MONOTONIC, read by this process just before the child is
spawned and by the child right after the first paint. `--importtime` saves
`python -X importtime` output of one start to benchmarks/profiles/ (not committed).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_cold_start.py [--starts 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import support  # (puts the repo on sys.path)

from pandadmin.core import config as cfg
from pandadmin.demo.pgserver import EmbeddedPostgres

CHILD = Path(__file__).with_name("cold_start_child.py")
PROFILES = Path(__file__).with_name("profiles")
KEYRING_SERVICE = "pandadmin-bench-cold-start"
GOAL_S = 1.5


@contextmanager
def keyring_entries(names: list[str], urls: list[str]) -> Iterator[str | None]:
    """DATABASE_URLs stored under a benchmark-only keyring service, removed afterwards."""
    import keyring
    from keyring.errors import KeyringError

    try:
        for name, url in zip(names, urls, strict=True):
            keyring.set_password(KEYRING_SERVICE, name, url)
    except KeyringError as exc:
        yield f"keyring unavailable ({type(exc).__name__}): started without DATABASE_URLs"
        return
    try:
        yield None
    finally:
        for name in names:
            keyring.delete_password(KEYRING_SERVICE, name)


def one_start(config_path: Path, extra: list[str] | None = None) -> tuple[float, str]:
    """Seconds from spawning the app to its first painted window, and its stderr."""
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    args = [sys.executable, *(extra or []), str(CHILD), "--config", str(config_path)]
    started = time.monotonic()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    painted = [line for line in done.stdout.splitlines() if line.startswith("painted ")]
    if not painted:
        raise RuntimeError(f"the app never painted (exit {done.returncode}): {done.stderr[-800:]}")
    return float(painted[0].split()[1]) - started, done.stderr


def measure(starts: int, importtime: bool) -> dict[str, Any]:
    names = ["dev", "staging", "prod"]
    with (
        support.HealthFarm(6, 0.01) as farm,
        EmbeddedPostgres(max_connections=20) as server,
        tempfile.TemporaryDirectory(prefix="pandadmin-bench-") as folder,
    ):
        urls = asyncio.run(support.create_databases(server, names))
        base = support.build_config(support.split(farm.urls, 3), interval=5.0)
        envs = tuple(env.__class__(**{**_fields(env), "name": n}) for env, n in
                     zip(base.environments, names, strict=True))  # fmt: skip
        config_path = Path(folder) / "config.toml"
        cfg.save(cfg.Config(environments=envs, keyring_service=KEYRING_SERVICE), config_path)
        with keyring_entries(names, urls) as problem:
            times = [one_start(config_path)[0] for _ in range(starts)]
            if importtime:
                save_importtime(one_start(config_path, ["-X", "importtime"])[1])
    return {"times": times, "keyring_problem": problem}


def _fields(env: cfg.Environment) -> dict[str, Any]:
    return {name: getattr(env, name) for name in env.__slots__}  # type: ignore[attr-defined]


def save_importtime(stderr: str) -> None:
    PROFILES.mkdir(exist_ok=True)
    lines = [line for line in stderr.splitlines() if line.startswith("import time:")]
    (PROFILES / "cold_start_importtime.txt").write_text("\n".join(lines) + "\n")
    print(f"import times written to {PROFILES / 'cold_start_importtime.txt'}")


def numbers(raw: dict[str, Any]) -> dict[str, Any]:
    times = raw["times"]
    median = statistics.median(times)
    return {
        "starts": len(times),
        "seconds_each": [round(t, 3) for t in times],
        "median_s": round(median, 3),
        "max_s": round(max(times), 3),
        "goal_s": GOAL_S,
        "goal_met": median < GOAL_S,
        "keyring_problem": raw["keyring_problem"],
        "platform": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "machine": support.machine(),
    }


def report(n: dict[str, Any]) -> None:
    rows: list[tuple[object, object, object, bool | None]] = [
        ("first painted window, median (s)", n["median_s"], "< 1.5", n["goal_met"]),
        ("each start (s)", " ".join(f"{t:.2f}" for t in n["seconds_each"]), "", None),
    ]
    if n["keyring_problem"]:
        rows.append(("note", n["keyring_problem"], "", None))
    support.print_table(f"cold start ({n['platform']} platform)", rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--importtime", action="store_true")
    options = parser.parse_args()
    result = numbers(measure(options.starts, options.importtime))
    report(result)
    support.save_results("cold_start", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
