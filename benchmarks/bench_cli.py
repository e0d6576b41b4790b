"""Benchmark: how long the command line takes, as a shell prompt or a script calls it.

Issue 11: median of 7 runs of `pandadmin --version` (target <= 0.15 s), `pandadmin env
list` (<= 0.3 s) and `pandadmin check --json` on one environment (a live embedded
PostgreSQL and one health endpoint; no target, reported). Each run is a new process
(`python -m pandadmin ...`), timed from spawn to exit with CLOCK_MONOTONIC, after one
unmeasured warm-up run (disk cache; bytecode written, as an installed package has it).
The environment's DATABASE_URL is in the system keyring (the Secret Service `make bench`
provides). `python -c pass` is measured the same way, as the floor every command pays;
each process's CPU time (user + system) is saved beside its wall time, with the package
versions and the load average.

    bash scripts/with-secret-service.sh .venv/bin/python benchmarks/bench_cli.py [--runs 7]
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
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

import support  # (puts the repo on sys.path)

from pandadmin.core import config as cfg
from pandadmin.core import transaction
from pandadmin.core.secrets import KeyringStore, SecretStoreError
from pandadmin.demo.pgserver import EmbeddedPostgres

TARGETS = {"version": 0.15, "env_list": 0.3}
PACKAGES = (
    *("keyring", "secretstorage", "jeepney", "cryptography", "tomlkit", "platformdirs"),
    *("asyncpg", "httpx"),
)


def timed(args: list[str], env: dict[str, str], runs: int) -> dict[str, Any]:
    """Median / min / max wall seconds of `runs` fresh processes (after one warm-up), and
    their median CPU seconds (user + system: what the process itself costs, less moved by
    a busy machine than the wall time)."""
    _run(args, env)
    walls, cpus, code = [], [], 0
    for _ in range(runs):
        wall, cpu, status = _run(args, env)
        walls.append(wall)
        cpus.append(cpu)
        code = max(code, status)
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
        "runs": runs,
        "exit_code": code,
    }


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    started = time.monotonic()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, child.returncode


def one_environment(folder: Path, service: str, database_url: str, health: str) -> Path:
    """A config with one environment (one service), its URL stored through the transaction."""
    path = folder / "config.toml"
    env = cfg.Environment("prod", plan="pro", services=(cfg.Service("api", health),))
    config = cfg.Config(keyring_service=service)
    edit = transaction.put(config, env, {"prod": database_url})
    transaction.commit(edit, KeyringStore(service), path)
    return path


def measure(runs: int) -> dict[str, Any]:
    pandadmin = [sys.executable, "-m", "pandadmin"]
    service = f"pandadmin-bench-cli-{uuid.uuid4().hex[:8]}"
    load_before = [round(x, 2) for x in os.getloadavg()]
    server = EmbeddedPostgres(max_connections=20)
    server.start()
    try:
        database_url = asyncio.run(support.create_databases(server, ["shop"]))[0]
        with support.HealthFarm(ports=1, delay=0.0) as farm, tempfile.TemporaryDirectory() as tmp:
            path = one_environment(Path(tmp), service, database_url, farm.urls[0])
            env = {**os.environ, "PANDADMIN_CONFIG": str(path)}
            # As installed: pip writes bytecode at install time, so the warm-up run may too
            # (a shell that exports PYTHONDONTWRITEBYTECODE would compile every module anew).
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            results = {
                "python_floor": timed([sys.executable, "-c", "pass"], env, runs),
                "version": timed([*pandadmin, "--version"], env, runs),
                "env_list": timed([*pandadmin, "env", "list"], env, runs),
                "check_json": timed([*pandadmin, "check", "--json"], env, runs),
            }
            _forget(service)
    finally:
        server.close()
    return {
        **results,
        "goal_met": all(results[k]["median_s"] <= v for k, v in TARGETS.items()),
        "packages": {name: _version(name) for name in PACKAGES},
        "load_average_before": load_before,
        "machine": support.machine(),
    }


def _forget(service: str) -> None:
    try:
        KeyringStore(service).delete("prod")
    except SecretStoreError:
        pass


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    numbers = measure(parser.parse_args().runs)
    support.save_results("cli", numbers)
    cpu = {k: numbers[k]["cpu_median_s"] for k in ("python_floor", "version", "env_list")}
    rows = [
        ("python -c pass (floor)", numbers["python_floor"]["median_s"], "", None),
        ("pandadmin --version (s)", numbers["version"]["median_s"], "<= 0.15",
         numbers["version"]["median_s"] <= TARGETS["version"]),
        ("pandadmin env list (s)", numbers["env_list"]["median_s"], "<= 0.3",
         numbers["env_list"]["median_s"] <= TARGETS["env_list"]),
        ("pandadmin check --json, 1 env (s)", numbers["check_json"]["median_s"], "", None),
        ("check --json exit code", numbers["check_json"]["exit_code"], "", None),
        ("CPU s: floor / --version / env list",
         f"{cpu['python_floor']} / {cpu['version']} / {cpu['env_list']}", "", None),
        ("load average before / after", f"{numbers['load_average_before']} / "
         f"{numbers['machine']['load_average']}", "", None),
    ]  # fmt: skip
    support.print_table("command line (median of fresh processes)", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
