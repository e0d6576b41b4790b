"""`pandadmin check --json` through a real PgBouncer: 30 clients on 5 server connections.

Transaction mode, default_pool_size 5, every client looping `pg_sleep`: the queue's
oldest client waits about (30 / 5 - 1) x the sleep. A 0.5 s sleep settles the wait near
2.5 s (a warning); a 3 s sleep pushes it past 5 s (critical). Steady states, not a race
against one short window, so the test holds on two loaded cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import keyring
import pytest

from pandadmin.demo.pgserver import EmbeddedPostgres
from tests.conftest import Pooled

pytestmark = pytest.mark.usefixtures("secret_service")
CLIENTS = 30


@pytest.fixture
def service() -> Iterator[str]:
    name = f"pandadmin-test-{uuid.uuid4().hex[:8]}"
    yield name
    for user in ("prod", "prod/pgbouncer"):
        try:
            keyring.delete_password(name, user)
        except keyring.errors.PasswordDeleteError:
            pass


def pandadmin(
    config: Path, service: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PANDADMIN_KEYRING_SERVICE": service}
    return subprocess.run(
        [sys.executable, "-m", "pandadmin", "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def add_prod(config: Path, service: str, pg: EmbeddedPostgres, pooled: Pooled, admin: str) -> None:
    done = pandadmin(
        config,
        service,
        "env",
        "add",
        "prod",
        "--connection-limit",
        "20",
        "--database-url-stdin",
        stdin=pooled.direct_url(pg),
    )
    assert done.returncode == 0, done.stderr
    done = pandadmin(config, service, "env", "set", "prod", "--pgbouncer-url-stdin", stdin=admin)
    assert done.returncode == 0, done.stderr


class Load:
    """CLIENTS connections through the pooler, each looping `SELECT pg_sleep(sleep_s)`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sleep_s = 0.5
        self.tasks: list[asyncio.Task[None]] = []
        self.conns: list[asyncpg.Connection] = []

    async def start(self) -> None:
        settings = {"application_name": "api"}
        self.conns = [
            await asyncpg.connect(self.url, statement_cache_size=0, server_settings=settings)
            for _ in range(CLIENTS)
        ]
        self.tasks = [asyncio.create_task(self._loop(c)) for c in self.conns]

    async def _loop(self, conn: asyncpg.Connection) -> None:
        while True:
            await conn.execute(f"SELECT pg_sleep({self.sleep_s})")

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for conn in self.conns:
            conn.terminate()


async def check_until(
    config: Path, service: str, wanted: str, log: list[dict[str, Any]]
) -> subprocess.CompletedProcess[str]:
    """Run `check --json` until the pooler's status is `wanted` (generous deadline)."""
    deadline = time.monotonic() + 90
    while True:
        done = await asyncio.to_thread(pandadmin, config, service, "check", "--json")
        env = json.loads(done.stdout)["environments"][0]
        log.append(env)
        if env["pooler"]["status"] == wanted or time.monotonic() > deadline:
            return done


def test_thirty_clients_on_five_servers_warn_then_go_critical(
    pg: EmbeddedPostgres, pooled: Pooled, tmp_path: Path, service: str
) -> None:
    config = tmp_path / "config.toml"
    add_prod(config, service, pg, pooled, pooled.bouncer.admin_url())
    log: list[dict[str, Any]] = []

    async def scenario() -> tuple[subprocess.CompletedProcess[str], ...]:
        load = Load(pooled.client_url())
        await load.start()
        try:
            warned = await check_until(config, service, "warning", log)
            load.sleep_s = 3.0
            critical = await check_until(config, service, "critical", log)
            return warned, critical
        finally:
            await load.stop()

    warned, critical = asyncio.run(scenario())
    first, last = (
        log[log.index(next(e for e in log if e["pooler"]["status"] == "warning"))],
        log[-1],
    )
    for env in (first, last):
        pooler = env["pooler"]
        assert pooler["clients"]["waiting"] > 0
        assert pooler["servers"]["total"] == 5 and pooler["server_cap"] == 5
        assert pooler["pool_mode"] == "transaction" and pooler["max_client_conn"] == 60
        assert pooler["error"] is None
        # the pooler's five server connections show under the pooler, not under "api"
        assert env["database"]["connections"]["by_application"]["pgbouncer"] == 5
        assert "api" not in env["database"]["connections"]["by_application"]
        assert env["database"]["status"] == "ok", json.dumps(env)
    assert 1.0 < first["pooler"]["max_wait_s"] <= 5.0 and warned.returncode == 1
    assert last["pooler"]["max_wait_s"] > 5.0 and critical.returncode == 2
    assert last["pooler"]["max_wait_s"] > first["pooler"]["max_wait_s"]
    assert any("pooler clients waiting" in r and "critical above 5 s" in r for r in last["reasons"])
    secret = pooled.bouncer.admin_password
    assert secret not in warned.stdout + warned.stderr + critical.stdout + critical.stderr
    assert secret not in config.read_text()


def test_worst_case_and_server_cap_against_the_pooler_and_the_database(
    pg: EmbeddedPostgres, pooled: Pooled, tmp_path: Path, service: str
) -> None:
    config = tmp_path / "config.toml"
    add_prod(config, service, pg, pooled, pooled.bouncer.admin_url())
    # 4 replicas x (10 + 10) = 80 > max_client_conn 60; the server cap 5 > the limit 4.
    args = ["--health-url", "http://127.0.0.1:9/health", "--pool-size", "10"]
    args += ["--max-overflow", "10", "--replicas", "4"]
    assert pandadmin(config, service, "service", "add", "prod", "api", *args).returncode == 0
    assert (
        pandadmin(config, service, "env", "set", "prod", "--connection-limit", "4").returncode == 0
    )
    done = pandadmin(config, service, "check", "--json")
    reasons = json.loads(done.stdout)["environments"][0]["reasons"]
    assert "pools' worst case 80 connections exceeds the pooler's max_client_conn 60" in reasons
    assert "pooler may open 5 server connections, above the database's effective limit 4" in reasons
    # behind a pooler the services' worst case is not compared with the database's limit
    assert not any(r.startswith("pools' worst case 80 connections exceeds limit") for r in reasons)


def test_wrong_admin_password_keeps_the_database_part(
    pg: EmbeddedPostgres, pooled: Pooled, tmp_path: Path, service: str
) -> None:
    config = tmp_path / "config.toml"
    wrong = "Wr0ng-adm1n-pw"
    add_prod(config, service, pg, pooled, pooled.bouncer.admin_url(wrong))
    done = pandadmin(config, service, "check", "--json")
    env = json.loads(done.stdout)["environments"][0]
    assert done.returncode == 2
    assert env["pooler"]["error"] == (
        "admin console login failed for user 'pooler_admin': wrong password"
    )
    assert env["database"]["status"] == "ok" and env["database"]["connections"]["total"] >= 1
    assert wrong not in done.stdout + done.stderr
    listed = pandadmin(config, service, "env", "list", "--json")
    assert wrong not in listed.stdout and "pooler_admin:***@" in listed.stdout
