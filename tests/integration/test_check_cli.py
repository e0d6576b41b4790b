"""`pandadmin check` end to end: real PostgreSQL, real keyring, a subprocess like a script uses."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import keyring
import pytest

from pandadmin.demo.pgserver import EmbeddedPostgres
from tests.support.keyring_lock import locked_collection

pytestmark = pytest.mark.usefixtures("secret_service")
PASSWORD = "ch3ck-S3cret:@/"


@pytest.fixture(scope="module")
def cpg() -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(max_connections=20)
    server.start()
    server.create_role("app", PASSWORD, monitor=True)
    server.create_database("shop", owner="app")
    yield server
    server.close()


@pytest.fixture
def service() -> Iterator[str]:
    name = f"pandadmin-test-{uuid.uuid4().hex[:8]}"
    yield name
    for env in ("prod", "down"):
        try:
            keyring.delete_password(name, env)
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


def test_check_json_reports_exact_counts_of_a_leaky_app(
    cpg: EmbeddedPostgres, tmp_path: Path, service: str
) -> None:
    config = tmp_path / "config.toml"
    url = cpg.url("shop", "app", PASSWORD)
    assert (
        pandadmin(
            config,
            service,
            "env",
            "add",
            "prod",
            "--connection-limit",
            "15",
            "--database-url-stdin",
            stdin=url,
        ).returncode
        == 0
    )

    async def leak_then_check() -> subprocess.CompletedProcess[str]:
        settings = {"application_name": "leaky"}
        conns = [await asyncpg.connect(url, server_settings=settings) for _ in range(8)]
        try:
            for conn in conns[:3]:
                await conn.execute("BEGIN; SELECT 1")  # left idle in transaction
            return await asyncio.to_thread(pandadmin, config, service, "check", "--json")
        finally:
            await asyncio.gather(*(c.close() for c in conns))

    done = asyncio.run(leak_then_check())
    document = json.loads(done.stdout)
    env = document["environments"][0]
    connections = env["database"]["connections"]
    assert connections["by_application"]["leaky"] == 8
    assert connections["by_state"]["idle in transaction"] == 3
    assert connections["by_application"]["pandadmin"] == 1
    assert connections["total"] == 9
    assert env["database"]["effective_limit"] == 15
    assert env["database"]["utilization"] == pytest.approx(9 / 15, abs=1e-3)
    assert env["status"] == "ok" and document["status"] == "ok" and done.returncode == 0
    assert env["migrations"]["status"] == "not_configured"
    assert set(document) >= {"checked_at", "status", "environments"}
    assert PASSWORD not in done.stdout + done.stderr


def test_check_exit_codes_and_table(cpg: EmbeddedPostgres, tmp_path: Path, service: str) -> None:
    config = tmp_path / "config.toml"
    url = cpg.url("shop", "app", PASSWORD)
    pandadmin(
        config,
        service,
        "env",
        "add",
        "prod",
        "--connection-limit",
        "2",
        "--database-url-stdin",
        stdin=url,
    )
    pandadmin(
        config,
        service,
        "env",
        "add",
        "down",
        "--database-url-stdin",
        stdin=f"postgresql://app:{PASSWORD.replace(':', '%3A').replace('@', '%40')}"
        f"@127.0.0.1:9/shop",
    )
    pandadmin(config, service, "env", "add", "empty")

    async def hold_then_check(*names: str) -> subprocess.CompletedProcess[str]:
        conn = await asyncpg.connect(url)
        try:
            return await asyncio.to_thread(pandadmin, config, service, "check", *names)
        finally:
            await conn.close()

    prod = asyncio.run(hold_then_check("prod"))
    assert prod.returncode == 2, prod.stdout  # 2 of 2 (ours + the monitor): critical
    assert "connections at 100% of limit 2" in prod.stdout
    down = pandadmin(config, service, "check", "down")
    assert down.returncode == 2 and "connection refused by 127.0.0.1:9" in down.stdout
    empty = pandadmin(config, service, "check", "empty")
    assert empty.returncode == 3 and "no database and no service configured" in empty.stdout
    everything = pandadmin(config, service, "check")
    assert everything.returncode == 2
    assert everything.stdout.splitlines()[0].split() == [
        "ENV",
        "STATUS",
        "CONNECTIONS",
        "HEALTH",
        "MIGRATIONS",
        "REASONS",
    ]
    unknown = pandadmin(config, service, "check", "nope")
    assert unknown.returncode == 3 and unknown.stderr.count("\n") == 1
    for done in (prod, down, empty, everything, unknown):
        assert PASSWORD not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


def test_check_exits_1_on_a_warning(
    cpg: EmbeddedPostgres, faults: str, tmp_path: Path, service: str
) -> None:
    """Healthy service and database, but pools that could open 200 connections against the
    server's 17 usable slots: a warning, exit 1 (the Nagios convention), from the command."""
    config = tmp_path / "config.toml"
    url = cpg.url("shop", "app", PASSWORD)
    add = ("env", "add", "prod", "--connection-limit", "100", "--database-url-stdin")
    assert pandadmin(config, service, *add, stdin=url).returncode == 0
    api = ("service", "add", "prod", "api", "--health-url", faults + "/ok")
    pools = ("--pool-size", "200", "--max-overflow", "0")
    assert pandadmin(config, service, *api, *pools).returncode == 0
    done = pandadmin(config, service, "check", "--json")
    document = json.loads(done.stdout)
    assert document["status"] == "warning", document
    assert document["environments"][0]["reasons"] == [
        "pools' worst case 200 connections exceeds limit 17"  # 20 - 3 superuser slots
    ]
    assert done.returncode == 1, done.stderr


def test_check_exits_3_with_one_clear_reason_when_the_keyring_is_locked(
    tmp_path: Path, service: str
) -> None:
    """The collection locked through the Secret Service API (no prompter to unlock it)."""
    config = tmp_path / "config.toml"
    url = f"postgresql://app:{PASSWORD.replace(':', '%3A').replace('@', '%40')}@127.0.0.1:9/shop"
    add = ("env", "add", "prod", "--database-url-stdin")
    assert pandadmin(config, service, *add, stdin=url).returncode == 0
    with locked_collection():
        done = pandadmin(config, service, "check", "--json")
    assert done.returncode == 3, done.stderr
    env = json.loads(done.stdout)["environments"][0]
    assert env["status"] == "unknown"
    assert env["reasons"] == [
        "database not checked: keyring: the system keyring is locked: unlock it"
        " (e.g. log in to your desktop session) and retry"
    ]
    assert PASSWORD not in done.stdout + done.stderr and "Traceback" not in done.stderr
