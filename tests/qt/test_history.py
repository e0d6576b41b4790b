"""The app and the history store: a restart shows what was polled before (with the gap
while it was closed); with a collector on the same data folder the app opens no
monitoring connection and draws the collector's samples."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
import pytest

from pandadmin.core import config as cfg
from pandadmin.core.secrets import AsyncSecrets, KeyringStore
from pandadmin.qt.controller import Controller
from tests.qt.conftest import KEYRING_SERVICE, AppHarness, environment, unique, until


def _chart_t(controller: Controller, name: str) -> np.ndarray:
    history = controller.history.get(name)
    return history.connections.ordered()[0] if history is not None else np.empty(0)


def _totals(controller: Controller, name: str) -> tuple[np.ndarray, np.ndarray]:
    history = controller.history.get(name)
    assert history is not None
    t, values = history.connections.ordered()
    return t, values[:, 3]


def test_a_restart_shows_the_earlier_samples_at_once_with_the_gap(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    names = ("alpha", "beta")
    urls = {}
    for name in names:
        database = unique(name)
        pg.create_database(database)
        urls[name] = pg.url(database)
    harness.write(cfg.Config(tuple(environment(n) for n in names)), urls)

    async def scenario() -> None:
        first = await harness.open()
        for name in names:
            await until(lambda n=name: len(_chart_t(first, n)) >= 8, what=f"{name} polled")
        await harness.close()
        closed_at = time.time()
        await asyncio.sleep(1.5)  # closed: at 0.25 s intervals, a gap of six polls
        harness.secrets = AsyncSecrets(KeyringStore(KEYRING_SERVICE), timeout=5.0)  # closed too
        second = await harness.open()
        for name in names:
            await until(
                lambda n=name: (_chart_t(second, n) < closed_at).sum() >= 8,
                what=f"{name}'s earlier samples loaded",
            )
            await until(lambda n=name: _chart_t(second, n)[-1] > closed_at + 1.5, what="new polls")
            t, total = _totals(second, name)
            before, after = t < closed_at, t > closed_at + 1.0
            assert np.isfinite(total[before]).sum() >= 5 and np.isfinite(total[after]).any()
            last = np.flatnonzero(before & np.isfinite(total))[-1]
            following = np.flatnonzero(~before & np.isfinite(total))[0]
            assert np.isnan(total[last + 1 : following]).any(), "the closed stretch is a gap"
        chart = second.window.detail.chart
        assert (chart.data.t < closed_at).any()  # on screen, not only in memory

    run(scenario(), timeout=120)


@pytest.mark.usefixtures("secret_service")
def test_with_a_collector_the_app_opens_no_connection_and_draws_its_samples(
    pg: Any, tmp_path: Path, run: Any, cleanups: list[Any]
) -> None:
    names = ("east", "west")
    urls = {}
    for name in names:
        urls[name] = pg.url(database := unique(name))
        pg.create_database(database)
    harness = AppHarness(tmp_path / "config.toml", AsyncSecrets(KeyringStore(KEYRING_SERVICE)))
    harness.write(cfg.Config(tuple(environment(n, interval=0.3) for n in names)), urls)
    cleanups.append(harness.close)
    data = os.environ["PANDADMIN_DATA_DIR"]
    args = [sys.executable, "-m", "pandadmin", "--config", str(harness.path), "--data-dir", data]
    collector = subprocess.Popen(
        [*args, "collect", "--no-notify"], stderr=subprocess.PIPE, text=True
    )

    async def scenario() -> None:
        await until(lambda: Path(data, "collect.lock").exists(), 30, "the collector's lock")
        controller = await harness.open()
        await until(lambda: controller.link.collector_pid == collector.pid, 30, "collector seen")
        for name in names:
            await until(lambda n=name: n in controller.window.reports, 30, f"{name} followed")
        start = {n: _chart_t(controller, n)[-1] for n in names}
        for _ in range(5):  # over a few seconds: never a second connection
            assert await _pandadmin_connections(pg, urls) == {n: 1 for n in names}
            await asyncio.sleep(0.5)
        assert not controller.polling
        for name in names:
            await until(lambda n=name: _chart_t(controller, n)[-1] > start[n], 20, "chart moves")
        collector.send_signal(signal.SIGTERM)
        await asyncio.to_thread(collector.wait, 30)
        await until(lambda: controller.polling, 30, "the app polling again on its own")
        deadline = time.monotonic() + 30
        while (counts := await _pandadmin_connections(pg, urls)) != {n: 1 for n in names}:
            assert time.monotonic() < deadline, f"the app's own connections: {counts}"
            await asyncio.sleep(0.2)

    try:
        run(scenario(), timeout=150)
    finally:
        if collector.poll() is None:
            collector.kill()
        _out, err = collector.communicate(timeout=30)
        for name in names:
            KeyringStore(KEYRING_SERVICE).delete(name)
    assert collector.returncode == 0, err


async def _pandadmin_connections(pg: Any, urls: dict[str, str]) -> dict[str, int]:
    """`application_name = 'pandadmin'` sessions per environment's database, from the server."""
    databases = {name: url.rsplit("/", 1)[1].split("?")[0] for name, url in urls.items()}
    connection = await asyncpg.connect(pg.url("postgres"))
    try:
        rows = await connection.fetch(
            "SELECT datname, count(*) AS n FROM pg_stat_activity"
            " WHERE application_name = 'pandadmin' GROUP BY datname"
        )
    finally:
        await connection.close()
    counts = {row["datname"]: row["n"] for row in rows}
    return {name: counts.get(database, 0) for name, database in databases.items()}
