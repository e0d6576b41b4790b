"""The headless collector: polls continuously, writes the history store, notifies with the
app's hysteresis and logs one line per state change.

Other components read what it knows through `latest` (the newest report of each
environment) and `listeners` (called with every report), e.g. a /metrics endpoint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from pandadmin.core.alerts import Alert, AlertTracker
from pandadmin.core.config import Config
from pandadmin.core.models import Status
from pandadmin.core.poller import Poller
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.secrets import AsyncSecrets
from pandadmin.core.store_writer import StoreWriter

log = logging.getLogger(__name__)
Notify = Callable[[Alert], Awaitable[None]]
ReportListener = Callable[[EnvironmentReport], None]


class Collector:
    """One poller feeding the store, the alerts and the log."""

    def __init__(
        self,
        config: Config,
        secrets: AsyncSecrets,
        folder: Path,
        *,
        notify: Notify | None = None,
        say: Callable[[str], None] = log.warning,
    ) -> None:
        self.config = config
        self.say = say
        self.latest: dict[str, EnvironmentReport] = {}
        self.listeners: list[ReportListener] = []
        self.writer = StoreWriter(folder, on_error=say)
        self.alerts = AlertTracker(config.notifications)
        self.poller = Poller(config, secrets, self.on_report)
        self.poller.show_sessions(())  # aggregates only: no query text is fetched
        self._notify = notify
        self._sending: set[asyncio.Task[None]] = set()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; then close every connection and flush the store."""
        self.writer.start()
        await asyncio.to_thread(self.writer.opened.wait, 30.0)
        self.poller.start()
        try:
            await stop.wait()
        finally:
            await self.poller.close()
            if self._sending:
                await asyncio.wait(self._sending, timeout=5.0)
            await asyncio.to_thread(self.writer.close)

    def on_report(self, report: EnvironmentReport) -> None:
        before = self.latest.get(report.name)
        self.latest[report.name] = report
        self.writer.submit(report)
        if before is None or before.status != report.status:
            self.say(change_line(report, before.status if before else None))
        alert = self.alerts.observe(report.name, report.status, report.reasons)
        if alert is not None and self._notify is not None:
            task = asyncio.get_running_loop().create_task(self._send(alert))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        for listener in self.listeners:
            listener(report)

    async def _send(self, alert: Alert) -> None:
        assert self._notify is not None
        try:
            await asyncio.wait_for(self._notify(alert), 10.0)
        except Exception as exc:  # no notification daemon: say so, keep collecting
            self.say(f"notification not shown ({alert.title}): {exc or type(exc).__name__}")


def change_line(report: EnvironmentReport, before: Status | None) -> str:
    """`prod: ok -> critical (connections at 96% of limit 50)`."""
    was = f"{before.label} -> " if before is not None else ""
    why = f" ({'; '.join(report.reasons[:2])})" if report.reasons else ""
    return f"{report.name}: {was}{report.status.label}{why}"


def desktop_notifier() -> Notify:
    """Alerts shown through the platform's notification service (desktop-notifier: D-Bus,
    macOS, Windows); one notifier for the process, it keeps its connection."""
    from desktop_notifier import DesktopNotifier, Urgency

    notifier = DesktopNotifier(app_name="pandadmin")

    async def send(alert: Alert) -> None:
        urgency = Urgency.Critical if alert.kind == "critical" else Urgency.Normal
        await notifier.send(title=alert.title, message=alert.message, urgency=urgency)

    return send
