"""The database probe and the poller against a real PostgreSQL that we break on purpose."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import asyncpg
import pytest

from pandadmin.core.config import Config, Environment, Service
from pandadmin.core.database import DatabaseMonitor
from pandadmin.core.health import HealthProber
from pandadmin.core.models import DatabaseResult, Status
from pandadmin.core.poller import Poller, probe_connection
from pandadmin.core.report import EnvironmentReport, build_report
from pandadmin.core.secrets import AsyncSecrets, MemoryStore
from pandadmin.core.urls import parse
from pandadmin.demo.pgserver import EmbeddedPostgres

APP_PW = "app-S3cr3t:pw@x"
MON_PW = "mon-S3cr3t/pw#y"
SECRETS = (APP_PW, MON_PW, "app-S3cr3t", "mon-S3cr3t")


@pytest.fixture(scope="module")
def fpg() -> Iterator[EmbeddedPostgres]:
    """A server of our own (10 slots, 7 for non-superusers) that tests may stop and fill."""
    server = EmbeddedPostgres(max_connections=10)
    server.start()
    server.create_role("app", APP_PW)
    server.create_role("mon", MON_PW, monitor=True)
    server.create_database("appdb", owner="app")
    yield server
    server.close()


def mon_url(pg: EmbeddedPostgres) -> str:
    return pg.url("appdb", "mon", MON_PW)


def app_url(pg: EmbeddedPostgres) -> str:
    return pg.url("appdb", "app", APP_PW)


def judged(result: DatabaseResult, env: Environment | None = None) -> EnvironmentReport:
    env = env or Environment("prod", plan=None, connection_limit=100)
    return build_report(Config((env,)), env, (), result, None, time.time())


async def wait_for(
    reports: list[EnvironmentReport],
    check: Callable[[EnvironmentReport], bool],
    timeout: float = 15.0,
) -> EnvironmentReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = [r for r in reports if check(r)]
        if hits:
            return hits[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no matching report within {timeout} s; last: {reports[-1:]}")


def poller_for(
    config: Config, urls: dict[str, str], reports: list[EnvironmentReport], **options: float
) -> Poller:
    store = MemoryStore()
    for name, url in urls.items():
        store.set(name, url)
    return Poller(
        config,
        AsyncSecrets(store),
        reports.append,
        prober=HealthProber(timeout=options.pop("health_timeout", 1.0)),
        monitor_options={"backoff_base": 0.1, "backoff_cap": 0.5, **options},
    )


def test_server_restart_goes_critical_then_recovers_by_itself(fpg: EmbeddedPostgres) -> None:
    env = Environment("prod", interval=0.2)
    reports: list[EnvironmentReport] = []

    async def main() -> tuple[EnvironmentReport, EnvironmentReport]:
        poller = poller_for(Config((env,)), {"prod": mon_url(fpg)}, reports)
        poller.start()
        try:
            await wait_for(reports, lambda r: r.status is Status.OK)
            await asyncio.to_thread(fpg.stop)
            down = await wait_for(reports, lambda r: r.status is Status.CRITICAL)
            await asyncio.to_thread(fpg.start)
            up = await wait_for(
                reports, lambda r: r.status is Status.OK and r.checked_at > down.checked_at
            )
            return down, up
        finally:
            await poller.close()

    down, up = asyncio.run(main())
    assert down.reasons[0].startswith("database unreachable:")
    assert down.database is not None and down.database.last_seen is not None
    assert up.database is not None and up.database.sample is not None


def test_killed_monitor_backend_reconnects_on_next_poll(fpg: EmbeddedPostgres) -> None:
    async def main() -> tuple[int, int, DatabaseResult]:
        monitor = DatabaseMonitor(parse(mon_url(fpg)))
        try:
            assert (await monitor.sample()).sample is not None
            old_pid = await monitor.fetchval("SELECT pg_backend_pid()")
            await asyncio.to_thread(fpg.sql, f"SELECT pg_terminate_backend({old_pid})")
            result = await monitor.sample()
            return old_pid, await monitor.fetchval("SELECT pg_backend_pid()"), result
        finally:
            await monitor.close()

    old_pid, new_pid, result = asyncio.run(main())
    assert result.error is None and result.sample is not None
    assert new_pid != old_pid


def test_saturated_database_still_reported_by_the_held_connection(fpg: EmbeddedPostgres) -> None:
    async def main() -> tuple[DatabaseResult, DatabaseResult]:
        monitor = DatabaseMonitor(parse(mon_url(fpg)))
        clients: list[asyncpg.Connection] = []
        try:
            assert (await monitor.sample()).sample is not None
            while True:  # take every slot left for non-superusers
                try:
                    clients.append(await asyncpg.connect(app_url(fpg)))
                except asyncpg.TooManyConnectionsError:
                    break
            return await monitor.sample(), await probe_connection(mon_url(fpg))
        finally:
            await asyncio.gather(*(c.close() for c in clients))
            await monitor.close()

    held, fresh = asyncio.run(main())
    assert held.sample is not None
    report = judged(held)
    assert report.limits is not None and report.limits.effective_limit == 7
    assert report.limits.utilization >= 1.0 and report.limits.headroom == 0
    assert report.status is Status.CRITICAL
    assert report.reasons[0] == "connections at 100% of limit 7 (server limit)"
    assert fresh.refused_full and fresh.sample is None
    refused = judged(fresh)
    assert refused.status is Status.CRITICAL
    assert refused.reasons[0].startswith("connection limit reached")


@pytest.mark.parametrize(
    ("make_url", "expected"),
    [
        (
            lambda pg: pg.url("appdb", "app", "wrong-S3cr3t"),
            "password authentication failed for user 'app'",
        ),
        (
            lambda pg: f"postgresql://app:{APP_PW}@127.0.0.1:9/appdb".replace("@x", "%40x"),
            "connection refused by 127.0.0.1:9",
        ),
        (
            lambda pg: "postgresql://app:app-S3cr3t@no-such-host.invalid:5432/appdb",
            "cannot resolve host 'no-such-host.invalid'",
        ),
        (lambda pg: app_url(pg) + "?sslmode=require", "TLS required (sslmode=require) but"),
        (lambda pg: pg.url("nodb", "app", APP_PW), "database 'nodb' does not exist"),
    ],
)
def test_connection_failures_are_one_clear_line_without_secrets(
    fpg: EmbeddedPostgres,
    make_url: Callable[[EmbeddedPostgres], str],
    expected: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    result = asyncio.run(probe_connection(make_url(fpg)))
    assert result.sample is None and result.error is not None
    assert result.error.startswith(expected)
    report = judged(result)
    assert report.status is Status.CRITICAL
    text = repr(result) + repr(report.to_json()) + caplog.text
    assert "\n" not in result.error
    assert not any(secret in text for secret in (*SECRETS, "wrong-S3cr3t"))


def test_role_without_pg_monitor_counts_unknown_and_gets_grant_hint(fpg: EmbeddedPostgres) -> None:
    async def main() -> tuple[DatabaseResult, DatabaseResult]:
        others = [await asyncpg.connect(mon_url(fpg)) for _ in range(3)]
        limited, full = DatabaseMonitor(parse(app_url(fpg))), DatabaseMonitor(parse(mon_url(fpg)))
        try:
            await full.sample()  # connect it first so both see the same sessions
            return await limited.sample(), await full.sample()
        finally:
            await asyncio.gather(*(c.close() for c in others), limited.close(), full.close())

    limited, full = asyncio.run(main())
    assert limited.sample is not None and full.sample is not None
    assert not limited.sample.sees_all_sessions and full.sample.sees_all_sessions
    assert limited.sample.total == full.sample.total >= 5
    assert limited.sample.by_state.get("unknown", 0) >= 4  # 3 idle + the other monitor
    assert "idle" not in limited.sample.by_state or limited.sample.by_state["idle"] == 0
    reasons = judged(limited).reasons
    assert any(r.endswith("GRANT pg_monitor TO app") for r in reasons)


def test_hung_endpoint_never_delays_other_environments(fpg: EmbeddedPostgres, faults: str) -> None:
    slow = Environment("slow", interval=0.25, services=(Service("api", faults + "/hang", 1, 0),))
    fast = Environment("fast", interval=0.25, services=(Service("api", faults + "/ok", 1, 0),))
    reports: list[EnvironmentReport] = []

    def names() -> list[str]:
        return [r.name for r in reports]

    async def main() -> None:
        poller = poller_for(Config((slow, fast)), {"fast": mon_url(fpg)}, reports)
        poller.start()
        try:  # until slow's first (1 s) check ended and fast went on after it
            await wait_for(reports, lambda r: r.name == "slow")
            first_slow = names().index("slow")
            await wait_for(reports, lambda r: names()[first_slow:].count("fast") >= 2)
        finally:
            await poller.close()

    asyncio.run(main())
    fast_reports = [r for r in reports if r.name == "fast"]
    slow_reports = [r for r in reports if r.name == "slow"]
    # Fast is polled every 0.25 s while slow's first check hangs for 1 s: several of its
    # reports arrive before slow's first one (4 expected; 2 leave room for a loaded machine).
    assert names()[: names().index("slow")].count("fast") >= 2
    assert all(r.status is Status.OK for r in fast_reports), fast_reports[0].reasons
    assert slow_reports[0].services[0].error == "timed out after 1 s"
    assert slow_reports[0].status is Status.CRITICAL


def test_removed_environment_and_close_release_every_connection(fpg: EmbeddedPostgres) -> None:
    a, b = Environment("a", interval=0.2), Environment("b", interval=0.2)
    reports: list[EnvironmentReport] = []

    def monitors() -> int:
        return int(
            fpg.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pandadmin'")
        )

    async def main() -> tuple[int, int, int]:
        poller = poller_for(Config((a, b)), {"a": mon_url(fpg), "b": mon_url(fpg)}, reports)
        poller.start()
        try:
            await wait_for(reports, lambda r: r.name == "b" and r.status is Status.OK)
            await wait_for(reports, lambda r: r.name == "a" and r.status is Status.OK)
            both = await asyncio.to_thread(monitors)
            poller.update_config(Config((a,)))
            one = await until_count(monitors, 1)
        finally:
            await poller.close()
        return both, one, await until_count(monitors, 0)

    assert asyncio.run(main()) == (2, 1, 0)


async def until_count(count: Callable[[], int], wanted: int, timeout: float = 15.0) -> int:
    """Poll `count()` (off the loop) until it is `wanted`; the last value otherwise.

    A closed connection's backend leaves the server a moment after the client closed it."""
    deadline = time.monotonic() + timeout
    while (value := await asyncio.to_thread(count)) != wanted and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return value
