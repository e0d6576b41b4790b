"""`pandadmin demo --no-gui` end to end: `check --json` sees the live stack, and SIGTERM
leaves no process, listening port, temp folder or keyring entry behind."""

from __future__ import annotations

import json
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keyring
import psutil
import pytest

ENVIRONMENTS = ["dev", "staging", "prod"]
STARTUP_TIMEOUT_S = 60.0


@dataclass
class Demo:
    process: subprocess.Popen[str]
    stderr_path: Path
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def wait_for_config(self) -> Path:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, "the demo exited before printing config:"
                continue
            if line.startswith("config: "):
                return Path(line.removeprefix("config: ").strip())
        pytest.fail(f"no `config:` line within {STARTUP_TIMEOUT_S:.0f} s")

    def descendants(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children(recursive=True)


@pytest.fixture
def demo(secret_service: None, tmp_path: Path) -> Iterator[Demo]:
    stderr = open(tmp_path / "demo.stderr", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "pandadmin", "demo", "--no-gui"],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    running = Demo(process, tmp_path / "demo.stderr")
    pump = threading.Thread(target=_pump, args=(process, running.lines), daemon=True)
    pump.start()
    try:
        yield running
    finally:
        _kill_leftovers(running)
        pump.join(10)
        assert process.stdout is not None
        process.stdout.close()
        stderr.close()


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)


def _kill_leftovers(demo: Demo) -> None:
    """Only after a failure: never leave the stack running behind a red test."""
    if demo.process.poll() is not None:
        return
    leftovers = demo.descendants()
    demo.process.kill()
    demo.process.wait()
    for proc in leftovers:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass


def check(config: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "pandadmin", "check", "--json", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    document: dict[str, Any] = json.loads(done.stdout)
    # The stack's status moves with its traffic; the exit code must be that status's code
    # (never unknown: everything is configured and up).
    exit_codes = {"ok": 0, "warning": 1, "critical": 2}
    assert done.returncode == exit_codes[document["status"]], done.stderr
    return document


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {env["name"]: env for env in document["environments"]}


def connection_counts(document: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (env["database"]["connections"]["total"], env["database"]["connections"]["by_state"])
        for name, env in by_name(document).items()
    }


def listening_ports(processes: list[psutil.Process]) -> set[int]:
    ports = set()
    for proc in processes:
        try:
            connections = proc.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        ports |= {c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN}
    return ports


def postgres_roots(processes: list[psutil.Process]) -> set[Path]:
    roots = set()
    for proc in processes:
        args = proc.cmdline()
        if "-D" in args:
            roots.add(Path(args[args.index("-D") + 1]).parent)
    return roots


def assert_live(env: dict[str, Any]) -> None:
    for service in env["services"]:
        # Answering: any HTTP status (staging's health endpoint flaps with 503 on purpose).
        assert service["http_status"] is not None, service
    database = env["database"]
    assert database["error"] is None, database
    by_app = database["connections"]["by_application"]
    # prod's API reaches its database through PgBouncer: those connections are the pooler's
    assert by_app.get("api", 0) + by_app.get("pgbouncer", 0) >= 1, database
    assert database["connections"]["by_application"].get("pandadmin") == 1, database


def test_demo_runs_a_live_stack_and_stops_without_leftovers(demo: Demo) -> None:
    config_path = demo.wait_for_config()
    processes = demo.descendants()
    ports, pg_roots = listening_ports(processes), postgres_roots(processes)
    keyring_service = tomllib.loads(config_path.read_text())["keyring_service"]
    assert keyring_service.startswith("pandadmin-demo-")
    assert len(pg_roots) == 3 and len(ports) >= 3 + 4  # 3 servers, 4 service processes

    first = check(config_path)
    _assert_demo_story(by_name(first))
    assert keyring.get_password(keyring_service, "prod") is not None
    assert keyring.get_password(keyring_service, "prod/pgbouncer") is not None
    assert _counts_move(config_path, connection_counts(first))

    demo.process.send_signal(signal.SIGTERM)
    assert demo.process.wait(30) == 0
    assert "Traceback" not in demo.stderr_path.read_text()
    _assert_nothing_left(processes, ports, [config_path.parent, *pg_roots], keyring_service)


def _assert_demo_story(envs: dict[str, dict[str, Any]]) -> None:
    assert list(envs) == ENVIRONMENTS
    for env in envs.values():
        assert_live(env)
    statuses = [envs[n]["migrations"]["status"] for n in ENVIRONMENTS]
    assert statuses == ["up_to_date", "behind", "behind"]
    assert len(envs["prod"]["migrations"]["pending"]) == 2
    assert envs["prod"]["database"]["plan_limit"] == 50
    assert envs["prod"]["database"]["budget"]["by_service"] == {"api": 40, "worker": 15}
    pooler = envs["prod"]["pooler"]  # PgBouncer is installed wherever the tests run
    assert pooler["error"] is None and pooler["pool_mode"] == "transaction", pooler
    assert pooler["server_cap"] == 15 and envs["dev"]["pooler"] is None


def _counts_move(config_path: Path, before: dict[str, Any], tries: int = 5) -> bool:
    for _ in range(tries):
        time.sleep(1.5)
        if connection_counts(check(config_path)) != before:
            return True
    return False


def _assert_nothing_left(
    processes: list[psutil.Process], ports: set[int], folders: list[Path], service: str
) -> None:
    alive = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == []
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"
    assert [f for f in folders if f.exists()] == []
    names = [*ENVIRONMENTS, "prod/pgbouncer"]
    assert [n for n in names if keyring.get_password(service, n) is not None] == []
