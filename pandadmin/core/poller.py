"""The poller: every environment on its own interval, all targets of a poll concurrently.

Results reach the caller as frozen EnvironmentReports through a callback. A hung target
is bounded by its own timeout and never delays another environment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from pandadmin.core.config import Config, Environment, Service
from pandadmin.core.database import DatabaseMonitor
from pandadmin.core.health import HealthProber
from pandadmin.core.health_secrets import service_headers
from pandadmin.core.migrations import MigrationStatus, RevisionReader, migration_status
from pandadmin.core.models import DatabaseResult, HealthResult
from pandadmin.core.pooler import PoolerResult, parse_admin_url
from pandadmin.core.pooler_monitor import PoolerMonitor, attribute_to_pooler
from pandadmin.core.report import EnvironmentReport, build_report
from pandadmin.core.secret_keys import pgbouncer_key
from pandadmin.core.secrets import AsyncSecrets, SecretStoreError
from pandadmin.core.urls import UrlError, parse

log = logging.getLogger(__name__)
POLL_CEILING_S = 30.0  # a safety net above the per-target timeouts

ReportCallback = Callable[[EnvironmentReport], None]


@dataclass
class _Target:
    """What one environment's polls share: its monitor and its script reader."""

    env: Environment
    monitor: DatabaseMonitor | None = None
    secret_problem: str | None = None
    resolved: bool = False
    reader: RevisionReader = field(default_factory=RevisionReader)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # per service, from keyring
    keyring_failed: bool = False  # the last keyring read of this target failed
    pooler: PoolerMonitor | None = None
    pooler_problem: str | None = None  # the pooler URL in the keyring is unusable


class Poller:
    """Polls the environments of a config; `start()` for continuous, `poll_now()` for once."""

    def __init__(
        self,
        config: Config,
        secrets: AsyncSecrets,
        on_report: ReportCallback,
        *,
        prober: HealthProber | None = None,
        monitor_options: dict[str, float] | None = None,
    ) -> None:
        self.config = config
        self._secrets = secrets
        self._on_report = on_report
        self._prober = prober or HealthProber()
        self._monitor_options = monitor_options or {}
        self._targets = {env.name: _Target(env) for env in config.environments}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closing: set[asyncio.Task[None]] = set()  # stopped loops, monitors being closed
        self._started = False
        self._sessions_for: set[str] | None = None  # None: every environment

    def start(self) -> None:
        self._started = True
        for name in self._targets:
            self._start(name)

    def update_config(self, config: Config) -> None:
        """Follow a changed config: stop removed or changed environments, start new ones."""
        old, self.config = self._targets, config
        for name, target in list(old.items()):
            if config.environment(name) != target.env:
                self._stop(name)
        for env in config.environments:
            if env.name not in self._targets:
                self._targets[env.name] = _Target(env)
                if self._started:
                    self._start(env.name)

    def restart(self, name: str) -> None:
        """Re-read an environment's secret and reconnect (after its DATABASE_URL changed)."""
        env = self.config.environment(name)
        if env is not None:
            self._stop(name)
            self.update_config(self.config)

    def show_sessions(self, names: Iterable[str] | None) -> None:
        """Fetch the drill-down session list (with query text) only for these environments;
        None means all. Every other poll is aggregates only, cheaper for the server."""
        self._sessions_for = None if names is None else set(names)

    def monitor(self, name: str) -> DatabaseMonitor | None:
        target = self._targets.get(name)
        return target.monitor if target else None

    async def poll_now(self, names: Iterable[str] | None = None) -> list[EnvironmentReport]:
        wanted = list(names) if names is not None else list(self._targets)
        targets = [self._targets[n] for n in wanted if n in self._targets]
        # Each report is delivered as soon as its environment is done: a hung target
        # must not hold back the others' results until its timeout.
        return list(await asyncio.gather(*(self._poll_and_deliver(t) for t in targets)))

    async def close(self) -> None:
        for name in list(self._targets):
            self._stop(name)
        tasks = list(self._closing)
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)
        await self._prober.close()

    # internals -----------------------------------------------------------------

    def _start(self, name: str) -> None:
        task = asyncio.get_running_loop().create_task(self._run(self._targets[name]))
        task.set_name(f"pandadmin-poll:{name}")
        self._tasks[name] = task

    def _stop(self, name: str) -> None:
        target = self._targets.pop(name, None)
        task = self._tasks.pop(name, None)
        if task is not None:
            task.cancel()
            self._closing.add(task)  # close() waits for it: it closes what it opened
            task.add_done_callback(self._closing.discard)
        for monitor in (target.monitor, target.pooler) if target is not None else ():
            if monitor is not None:
                closing = asyncio.get_running_loop().create_task(monitor.close())
                self._closing.add(closing)
                closing.add_done_callback(self._closing.discard)

    def _phase(self, target: _Target) -> float:
        """A once-only delay after the first poll that spreads environments over their
        interval: polled in lockstep, every answer lands in the same instant and the
        burst of work stalls the event loop (measured in benchmarks/bench_ui.py)."""
        names = sorted(self._targets)
        index = names.index(target.env.name) if target.env.name in names else 0
        return target.env.interval * index / max(len(names), 1)

    async def _run(self, target: _Target) -> None:
        # Python 3.11's wait_for (the keyring read) can swallow a cancellation that lands as
        # its result arrives; so the loop also ends once its target was replaced or removed,
        # and closes a monitor it may have opened after _stop() looked.
        phase = self._phase(target)
        try:
            while self._targets.get(target.env.name) is target:
                started = time.monotonic()
                self._deliver(await self._poll_safely(target))
                wait = target.env.interval - (time.monotonic() - started) + phase
                phase = 0.0
                await asyncio.sleep(max(0.0, wait))
        finally:
            if self._targets.get(target.env.name) is not target:
                for monitor in (target.monitor, target.pooler):
                    if monitor is not None:
                        await monitor.close()

    async def _poll_and_deliver(self, target: _Target) -> EnvironmentReport:
        report = await self._poll_safely(target)
        self._deliver(report)
        return report

    def _deliver(self, report: EnvironmentReport) -> None:
        try:
            self._on_report(report)
        except Exception:  # a broken consumer must not stop the polling
            log.exception("report consumer failed for %s", report.name)

    async def _poll_safely(self, target: _Target) -> EnvironmentReport:
        """A poll that always yields a report: a bug or the ceiling must not end the loop."""
        try:
            return await self._poll(target)
        except Exception as exc:
            log.exception("poll of %s failed", target.env.name)
            now = time.time()
            db = DatabaseResult(
                "(not polled)", now, error=f"poll failed: {exc!r:.200}", unchecked=True
            )
            return build_report(self.config, target.env, (), db, None, now)

    async def _poll(self, target: _Target) -> EnvironmentReport:
        checked_at = time.time()
        async with asyncio.timeout(POLL_CEILING_S):
            await self._resolve(target)
            health = asyncio.gather(*(self._check(target, s) for s in target.env.services))
            services, db, pooler = await asyncio.gather(
                health, self._sample(target), self._sample_pooler(target)
            )
            if db is not None and target.monitor is not None:
                db = await attribute_to_pooler(db, target.monitor, pooler)
            migrations = await self._migrations(target, db)
        return build_report(
            self.config, target.env, tuple(services), db, migrations, checked_at, pooler
        )

    async def _sample_pooler(self, target: _Target) -> PoolerResult | None:
        if target.pooler_problem is not None:
            return PoolerResult(
                "(keyring)", time.time(), error=target.pooler_problem, unchecked=True
            )
        return await target.pooler.sample() if target.pooler is not None else None

    async def _check(self, target: _Target, service: Service) -> HealthResult:
        """One service's check with its request headers from the keyring. When the keyring
        just failed for the DATABASE_URL, the check goes without them rather than queue one
        more keyring wait per service (a locked keyring may hold each read for its timeout)."""
        try:
            if target.keyring_failed:
                raise SecretStoreError(target.secret_problem or "keyring unavailable")
            headers = await service_headers(
                self._secrets, target.env.name, service.name, target.headers
            )
        except (SecretStoreError, ValueError) as exc:
            result = await self._prober.check(service)
            if result.ok:
                return result
            error = f"{result.error}; its request headers could not be read: {exc}"
            return replace(result, error=error)
        return await self._prober.check(service, headers)

    async def _sample(self, target: _Target) -> DatabaseResult | None:
        if target.secret_problem is not None:
            return DatabaseResult(
                "(keyring)", time.time(), error=target.secret_problem, unchecked=True
            )
        if target.monitor is None:
            return None
        wanted = self._sessions_for is None or target.env.name in self._sessions_for
        return await target.monitor.sample(sessions=wanted)

    async def _migrations(self, target: _Target, db: DatabaseResult | None) -> MigrationStatus:
        reachable = db is not None and db.sample is not None and target.monitor is not None
        return await migration_status(
            target.monitor if reachable else None,
            target.env.alembic,
            target.env.version_table,
            target.reader,
        )

    async def _resolve(self, target: _Target) -> None:
        """Fetch the DATABASE_URL from the keyring once (again after a keyring failure)."""
        if target.resolved:
            return
        try:
            raw = await self._secrets.get(target.env.name)
        except SecretStoreError as exc:
            target.secret_problem, target.keyring_failed = f"keyring: {exc}", True
            return
        target.keyring_failed = False
        if target.resolved:
            return  # a concurrent poll (poll_now beside the loop) got there first: one monitor
        target.secret_problem, target.resolved = None, True
        if raw is not None:
            try:
                target.monitor = DatabaseMonitor(parse(raw), **self._monitor_options)
            except UrlError as exc:
                target.secret_problem = f"the DATABASE_URL in the keyring is invalid: {exc}"
                target.resolved = False
        await self._resolve_pooler(target)

    async def _resolve_pooler(self, target: _Target) -> None:
        """The optional PgBouncer admin URL (keyring username NAME/pgbouncer)."""
        target.pooler_problem = None
        try:
            raw = await self._secrets.get(pgbouncer_key(target.env.name))
        except SecretStoreError as exc:
            target.pooler_problem = f"keyring: {exc}"
            return
        if raw is None or target.pooler is not None:
            return
        try:
            target.pooler = PoolerMonitor(parse_admin_url(raw), **self._monitor_options)
        except UrlError as exc:
            target.pooler_problem = f"the PgBouncer URL in the keyring is invalid: {exc}"


async def probe_connection(url: str, timeout: float = 5.0) -> DatabaseResult:
    """Open, sample and close one monitoring connection (the dialog's "Test connection")."""
    try:
        parsed = parse(url)
    except UrlError as exc:
        return DatabaseResult("(invalid URL)", time.time(), error=str(exc), unchecked=True)
    monitor = DatabaseMonitor(parsed, connect_timeout=timeout)
    try:
        return await monitor.sample()
    finally:
        with contextlib.suppress(Exception):
            await monitor.close()
