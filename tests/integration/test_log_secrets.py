"""No password in any log record: DEBUG logging on for every library, failing connections
whose URLs carry passwords, the poller's log.exception paths and the app's excepthook."""

from __future__ import annotations

import asyncio
import base64
import logging
import sys
from collections.abc import Iterator

import asyncpg
import pytest

from pandadmin.core.config import Config, Environment, Service
from pandadmin.core.health import HealthProber
from pandadmin.core.poller import Poller
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.secrets import AsyncSecrets, MemoryStore
from pandadmin.demo.pgserver import EmbeddedPostgres
from pandadmin.qt.app import install_excepthook

DB_PW, WRONG_PW, HEALTH_PW = "Db-S3cret-pw", "Wr0ng-S3cret-pw", "H3alth-S3cret-pw"
SECRETS = (DB_PW, WRONG_PW, HEALTH_PW, base64.b64encode(f"probe:{HEALTH_PW}".encode()).decode())


@pytest.fixture
def everything_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)  # the root logger: asyncpg, httpx, httpcore, asyncio, ours
    yield caplog


def formatted(records: list[logging.LogRecord]) -> list[str]:
    """Each record as a handler writes it: message, exception and traceback."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(record) for record in records]


def leaked(records: list[logging.LogRecord]) -> list[str]:
    return [text for text in formatted(records) if any(s in text for s in SECRETS)]


def test_no_password_in_debug_logs_of_failing_polls(
    pg: EmbeddedPostgres, faults: str, everything_at_debug: pytest.LogCaptureFixture
) -> None:
    pg.create_role("logged", DB_PW)
    urls = {
        "wrong": pg.url("postgres", "logged", WRONG_PW),  # authentication fails
        "refused": f"postgresql://logged:{DB_PW}@127.0.0.1:9/app",  # nothing listens
        "fine": pg.url("postgres", "logged", DB_PW),
    }
    protected = Service("api", faults.replace("://", f"://probe:{HEALTH_PW}@") + "/error")
    refused = Service("down", f"http://probe:{HEALTH_PW}@127.0.0.1:9/health")
    envs = tuple(Environment(name, services=(protected, refused)) for name in urls)
    reports: list[EnvironmentReport] = []

    def consumer(report: EnvironmentReport) -> None:
        reports.append(report)
        raise RuntimeError(f"consumer broke on {report.database and report.database.url}")

    async def main() -> None:
        store = MemoryStore()
        for name, url in urls.items():
            store.set(name, url)
        poller = Poller(Config(envs), AsyncSecrets(store), consumer, prober=HealthProber())
        try:
            await poller.poll_now()
            await poller.poll_now()
        finally:
            await poller.close()

    asyncio.run(main())
    assert {r.name for r in reports} == set(urls)
    assert any("consumer broke" in text for text in formatted(everything_at_debug.records))
    assert any(r.name.startswith(("httpx", "httpcore")) for r in everything_at_debug.records)
    assert leaked(everything_at_debug.records) == []


def test_no_password_in_what_the_excepthook_logs(
    pg: EmbeddedPostgres, everything_at_debug: pytest.LogCaptureFixture
) -> None:
    """An unhandled error from a failed connection (with its cause chain) reaches the hook."""
    shown: list[str] = []
    previous = sys.excepthook
    install_excepthook(shown.append)
    try:
        try:
            asyncio.run(asyncpg.connect(pg.url("postgres", "postgres", WRONG_PW), timeout=10))
        except asyncpg.InvalidPasswordError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    assert shown and "InvalidPasswordError" in shown[0]
    assert any("unhandled error" in r.getMessage() for r in everything_at_debug.records)
    assert leaked(everything_at_debug.records) == [] and not any(WRONG_PW in s for s in shown)
