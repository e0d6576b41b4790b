"""`pandadmin collect` and `pandadmin history` as processes: real PostgreSQL, the real
Secret Service, the real store file, a real D-Bus notification receiver."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import psycopg
import pytest

from pandadmin.core import config as cfg
from pandadmin.core.datadir import STORE_NAME
from pandadmin.demo.pgserver import EmbeddedPostgres
from tests.support.notifications import NotificationReceiver

pytestmark = pytest.mark.usefixtures("secret_service")
PASSWORD = "c0llect-S3cret"


@pytest.fixture(scope="module")
def cpg() -> Iterator[EmbeddedPostgres]:
    """A server of this module's own: connection counts are server-wide."""
    server = EmbeddedPostgres(max_connections=20)
    server.start()
    server.create_role("app", PASSWORD, monitor=True)
    server.create_database("shop", owner="app")
    yield server
    server.close()


class Setup:
    """A config, its keyring entries and a data folder; runs pandadmin on them."""

    def __init__(self, tmp: Path, url: str, names: tuple[str, ...], **env: Any) -> None:
        self.service = f"pandadmin-test-{uuid.uuid4().hex[:8]}"
        self.config, self.data = tmp / "config.toml", tmp / "data"
        self.names = names
        envs = tuple(cfg.Environment(n, **{"interval": 0.3, **env}) for n in names)
        cfg.save(cfg.Config(envs, keyring_service=self.service), self.config)
        for name in names:
            keyring.set_password(self.service, name, url)

    def args(self, *args: str) -> list[str]:
        base = [sys.executable, "-m", "pandadmin", "--config", str(self.config)]
        return [*base, "--data-dir", str(self.data), *args]

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.args("collect", *args), stderr=subprocess.PIPE, text=True, env=self.env()
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.args(*args), capture_output=True, text=True, env=self.env(), timeout=60
        )

    def env(self) -> dict[str, str]:
        return {**os.environ, "PANDADMIN_KEYRING_SERVICE": self.service}

    def rows(self) -> int:
        """Raw samples committed so far (0 before the store exists)."""
        try:
            with sqlite3.connect(self.data / STORE_NAME, timeout=10) as db:
                return int(db.execute("SELECT count(*) FROM raw").fetchone()[0])
        except sqlite3.Error:
            return 0

    def close(self) -> None:
        for name in self.names:
            try:
                keyring.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                pass


@pytest.fixture
def setups(tmp_path: Path, cpg: EmbeddedPostgres) -> Iterator[Callable[..., Setup]]:
    made: list[Setup] = []

    def make(*names: str, **env: Any) -> Setup:
        setup = Setup(tmp_path / f"s{len(made)}", cpg.url("shop", "app", PASSWORD), names, **env)
        made.append(setup)
        return setup

    yield make
    for setup in made:
        setup.close()


def wait_until(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "it") -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)
    return value


def wait_rows(setup: Setup, process: subprocess.Popen[str], count: int, what: str) -> int:
    """Wait for `count` samples in the store; a collector that died says why."""

    def enough() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"collector exited {process.returncode}: {process.stderr.read()}")
        return setup.rows() >= count

    wait_until(enough, what=what)
    return setup.rows()


def stop(process: subprocess.Popen[str], how: int = signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(how)
    _out, err = process.communicate(timeout=30)
    return process.returncode, err


def test_collect_fills_the_store_refuses_a_second_and_stops_cleanly(
    setups: Callable[..., Setup],
) -> None:
    setup = setups("prod")
    first = setup.start("--no-notify")
    try:
        wait_rows(setup, first, 5, "five samples in the store")
        second = setup.run("collect", "--no-notify")
        assert second.returncode == 2
        assert second.stderr.count("\n") == 1 and f"pid {first.pid}" in second.stderr
    finally:
        code, err = stop(first)
    assert code == 0, err
    changes = [line for line in err.splitlines() if " prod: " in line]
    assert len(changes) == 1 and changes[0].endswith("prod: ok"), err
    assert "Traceback" not in err

    csv_out = setup.run("history", "prod", "--since", "1h", "--csv")
    assert csv_out.returncode == 0, csv_out.stderr
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("time,") and "conn.total" in lines[0] and len(lines) >= 6
    as_json = json.loads(setup.run("history", "prod", "--since", "1h", "--json").stdout)
    assert as_json["resolution"] == "raw" and len(as_json["rows"]) >= 5
    total = as_json["columns"].index("conn.total")
    assert all(row[total] >= 1 for row in as_json["rows"])  # the collector's own connection
    unknown = setup.run("history", "nope")
    assert unknown.returncode == 2 and "no history for 'nope'" in unknown.stderr


def test_a_killed_collector_loses_nothing_committed(setups: Callable[..., Setup]) -> None:
    setup = setups("a", "b", "c", interval=0.1)
    first = setup.start("--no-notify")
    try:
        before = wait_rows(setup, first, 40, "forty samples")
    finally:
        code, _err = stop(first, signal.SIGKILL)
    assert code == -signal.SIGKILL
    with sqlite3.connect(setup.data / STORE_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM raw").fetchone()[0] >= before
    again = setup.start("--no-notify")  # the dead one's lock went with it
    try:
        wait_rows(setup, again, before + 30, "the new collector's samples")
    finally:
        code, err = stop(again)
    assert code == 0, err


def test_one_critical_and_one_recovery_notification_not_one_per_poll(
    setups: Callable[..., Setup], cpg: EmbeddedPostgres
) -> None:
    setup = setups("prod", plan=None, connection_limit=10)
    with NotificationReceiver() as receiver:
        collector = setup.start()
        try:
            wait_rows(setup, collector, 3, "first samples")
            held = _hold(cpg, 9)  # with the collector's own: 10 of 10
            try:
                wait_until(lambda: receiver.received, what="the critical notification")
                wait_rows(setup, collector, setup.rows() + 8, "more critical polls")
            finally:
                _release(held)
            wait_until(lambda: len(receiver.received) >= 2, what="the recovery notification")
            wait_rows(setup, collector, setup.rows() + 8, "more healthy polls")
        finally:
            code, err = stop(collector)
    assert code == 0, err
    first, second = receiver.received  # exactly two
    assert (first.app_name, first.summary, first.urgency) == ("pandadmin", "prod is critical", 2)
    assert "10" in first.body
    assert (second.summary, second.body) == ("prod recovered", "back to normal")
    assert re.search(r"prod: \w+ -> critical \(connections at", err), err
    assert "prod: critical -> " in err


def _hold(server: EmbeddedPostgres, count: int) -> list[psycopg.Connection[Any]]:
    url = server.url("shop", "app", PASSWORD)
    return [psycopg.connect(url, application_name="leak") for _ in range(count)]


def _release(connections: list[psycopg.Connection[Any]]) -> None:
    for connection in connections:
        connection.close()
