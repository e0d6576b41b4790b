"""The pooler monitor against a real PgBouncer: samples, wrong password, down, restarted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg
import pytest

from pandadmin.core.config import Config, Environment
from pandadmin.core.poller import Poller
from pandadmin.core.pooler import POOLER_APPLICATION, PoolerResult, parse_admin_url
from pandadmin.core.pooler_monitor import PoolerMonitor
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.secret_keys import pgbouncer_key
from pandadmin.core.secrets import AsyncSecrets, MemoryStore
from pandadmin.demo.pgserver import EmbeddedPostgres
from tests.conftest import Pooled

FAST = {"backoff_base": 0.05, "backoff_cap": 0.2, "connect_timeout": 3.0}


async def until(
    poll: Callable[[], Awaitable[PoolerResult]], ok: Callable[[PoolerResult], bool]
) -> PoolerResult:
    """Poll until `ok(result)`; generous deadline for two loaded cores."""
    deadline = time.monotonic() + 30
    while True:
        result = await poll()
        if ok(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


def test_sample_counts_clients_servers_and_reads_the_config(pooled: Pooled) -> None:
    async def scenario() -> PoolerResult:
        monitor = PoolerMonitor(parse_admin_url(pooled.bouncer.admin_url()), **FAST)
        client = await asyncpg.connect(pooled.client_url(), statement_cache_size=0)
        try:
            await client.execute("SELECT 1")
            return await monitor.sample()
        finally:
            await client.close()
            await monitor.close()

    result = asyncio.run(scenario())
    assert result.error is None and result.sample is not None
    sample = result.sample
    assert sample.max_client_conn == 60
    assert sample.pool_mode == "transaction"
    assert sample.server_cap == 5  # one user pool of default_pool_size 5
    assert sample.clients["active"] >= 2  # the test's client and the monitor itself
    assert sample.servers["total"] >= 1 and len(sample.server_pids) == sample.servers["total"]
    assert pooled.bouncer.admin_password not in repr(result)


def test_wrong_admin_password_is_a_clear_reason_without_the_password(pooled: Pooled) -> None:
    wrong = "not-the-Pa55word"
    monitor = PoolerMonitor(parse_admin_url(pooled.bouncer.admin_url(wrong)), **FAST)

    async def scenario() -> PoolerResult:
        try:
            return await monitor.sample()
        finally:
            await monitor.close()

    result = asyncio.run(scenario())
    assert result.sample is None
    assert result.error == "admin console login failed for user 'pooler_admin': wrong password"
    assert wrong not in repr(result) and ":***@" in result.url


def test_pooler_down_then_back_recovers_by_itself(pooled: Pooled) -> None:
    monitor = PoolerMonitor(parse_admin_url(pooled.bouncer.admin_url()), **FAST)

    async def scenario() -> tuple[PoolerResult, PoolerResult, PoolerResult]:
        try:
            up = await monitor.sample()
            await asyncio.to_thread(pooled.bouncer.stop)
            try:
                down = await until(monitor.sample, lambda r: r.error is not None)
            finally:
                await asyncio.to_thread(pooled.bouncer.start)
            back = await until(monitor.sample, lambda r: r.sample is not None)
            return up, down, back
        finally:
            await monitor.close()

    up, down, back = asyncio.run(scenario())
    assert up.sample is not None
    assert down.sample is None and down.error is not None
    assert down.error == f"connection refused by 127.0.0.1:{pooled.bouncer.port}"
    assert down.last_seen == up.last_seen  # "unreachable since" stays known
    assert back.sample is not None and back.error is None


def test_restarted_pooler_is_seen_again_on_the_next_poll(pooled: Pooled) -> None:
    monitor = PoolerMonitor(parse_admin_url(pooled.bouncer.admin_url()), **FAST)

    async def scenario() -> tuple[PoolerResult, PoolerResult]:
        try:
            before = await monitor.sample()
            await asyncio.to_thread(pooled.bouncer.restart)
            return before, await monitor.sample()
        finally:
            await monitor.close()

    before, after = asyncio.run(scenario())
    assert before.sample is not None
    # The held connection died with the old process: one immediate reconnect, no false alarm.
    assert after.error is None and after.sample is not None


def test_poller_reports_the_database_when_the_pooler_is_down(
    pg: EmbeddedPostgres, pooled: Pooled
) -> None:
    store = MemoryStore()
    store.set("prod", pooled.direct_url(pg))
    store.set(pgbouncer_key("prod"), pooled.bouncer.admin_url())
    config = Config((Environment("prod", connection_limit=20),))

    async def scenario() -> tuple[EnvironmentReport, EnvironmentReport, EnvironmentReport]:
        secrets = AsyncSecrets(store)
        poller = Poller(config, secrets, lambda r: None, monitor_options=FAST)
        client = await asyncpg.connect(
            pooled.client_url(),
            statement_cache_size=0,
            server_settings={"application_name": "api"},
        )
        try:
            await client.execute("SELECT 1")
            (up,) = await poller.poll_now()
            await asyncio.to_thread(pooled.bouncer.stop)
            try:
                (down,) = await poller.poll_now()
            finally:
                await asyncio.to_thread(pooled.bouncer.start)
            deadline = time.monotonic() + 30
            (back,) = await poller.poll_now()
            while back.pooler_status is None or back.pooler is None or back.pooler.error:
                assert time.monotonic() < deadline, back.reasons
                await asyncio.sleep(0.1)
                (back,) = await poller.poll_now()
            return up, down, back
        finally:
            client.terminate()
            await poller.close()
            secrets.close()

    up, down, back = asyncio.run(scenario())
    assert up.pooler is not None and up.pooler.sample is not None
    assert up.database is not None and up.database.sample is not None
    by_app = up.database.sample.by_application
    assert by_app[POOLER_APPLICATION] >= 1 and "api" not in by_app
    assert down.database is not None and down.database.sample is not None
    assert down.status.label == "critical"
    assert any(r.startswith("pooler unreachable: connection refused") for r in down.reasons)
    assert down.to_json()["database"]["connections"]["total"] >= 1
    assert back.pooler is not None and back.pooler.sample is not None
    assert pooled.bouncer.admin_password not in str([up.to_json(), down.to_json()])


@pytest.mark.parametrize("text", ["postgresql://u:pw@h:6432/app", "postgresql://u:pw@h:6432"])
def test_an_admin_url_must_name_the_pgbouncer_database(text: str) -> None:
    from pandadmin.core.urls import UrlError

    with pytest.raises(UrlError, match="names the database 'pgbouncer'") as caught:
        parse_admin_url(text)
    assert "pw" not in str(caught.value)
