"""Glue between the core and the window: reports in, user intents out.

Every slow call (keyring, config file, database) runs as a bridge task off the UI
thread's critical path; widgets only ever receive frozen core objects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from pandadmin.core import config as cfg
from pandadmin.core import datadir
from pandadmin.core.alembic_config import normalise_path
from pandadmin.core.alerts import AlertTracker
from pandadmin.core.health import HealthProber
from pandadmin.core.history import HistoryStore
from pandadmin.core.history_feed import HistoryFeed
from pandadmin.core.models import worst
from pandadmin.core.poller import Poller, probe_connection
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.secrets import AsyncSecrets, SecretStoreError
from pandadmin.core.transaction import EnvironmentChange, commit_async, remove
from pandadmin.qt import window_state
from pandadmin.qt.asyncbridge import TaskBridge
from pandadmin.qt.dialogs.confirm import Confirmation, confirm, inform
from pandadmin.qt.dialogs.environment import EnvironmentDialog
from pandadmin.qt.gui_gc import GuiThreadCollector
from pandadmin.qt.history_link import HistoryLink
from pandadmin.qt.main_window import RENDER_MS, MainWindow
from pandadmin.qt.present import clock
from pandadmin.qt.prometheus_link import PrometheusLink
from pandadmin.qt.tray import Tray

log = logging.getLogger(__name__)
T = TypeVar("T")


def _in_thread(build: Callable[[], T]) -> Future[T]:
    """`build()` started at once in a thread of its own."""
    executor = ThreadPoolExecutor(1, thread_name_prefix="pandadmin-start")
    try:
        return executor.submit(build)
    finally:
        executor.shutdown(wait=False)


class Controller(QObject):
    """Owns the poller, history, alerts, window and tray of one running app."""

    # environment name, once the window holds its report (rendered within RENDER_MS)
    report_shown = Signal(str)

    def __init__(
        self,
        config_path: Path,
        config: cfg.Config,
        secrets: AsyncSecrets,
        remember: bool = False,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.config_path, self.config, self.secrets = config_path, config, secrets
        self.remember = remember  # save the window's state (QSettings) on close
        self.bridge = TaskBridge(on_error=self._task_failed)
        self.feed = HistoryFeed(datadir.data_dir(data_dir), say=self._history_said)
        # The store is opened and its last 24 h read on the feed's thread while the window
        # is built: the chart can paint them as soon as the window is up.
        self.feed.prefetch({e.name: e.interval for e in config.environments})
        # The health client loads the CA bundle (a file read, ~0.1 s): meanwhile too.
        prober = _in_thread(HealthProber)
        self.history = HistoryStore()
        self.alerts = AlertTracker(config.notifications)
        self.window = MainWindow(self.history)
        self.tray = Tray(self.window)
        self.poller = Poller(config, secrets, self.on_report, prober=prober.result())
        self.polling = False
        self.source_note = ""  # says where the data comes from when not from this app
        self.link = HistoryLink(self, self.feed)
        self.collector = GuiThreadCollector(self)
        self.prometheus = PrometheusLink(self)
        self.dialog: EnvironmentDialog | None = None
        self.pending: Confirmation | None = None
        self._summary_timer = QTimer(self)  # one summary per burst of reports
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(RENDER_MS)
        self._summary_timer.timeout.connect(self._update_summary)
        self._wire()

    def _wire(self) -> None:
        w = self.window
        w.add_requested.connect(lambda: self.open_dialog(None))
        w.edit_requested.connect(self.open_dialog)
        w.remove_requested.connect(self.ask_remove)
        w.poll_requested.connect(self.poll_now)
        w.quit_requested.connect(QApplication.quit)
        w.signal_requested.connect(self.signal_backend)
        w.environments.selected.connect(self.focus)
        self.tray.show_requested.connect(self._raise_window)
        self.tray.poll_requested.connect(self.poll_now)
        self.tray.quit_requested.connect(QApplication.quit)

    def start(self, state: window_state.WindowState | None = None) -> None:
        """Show the window (as it was left, given its saved `state`) and start polling
        (needs the running loop)."""
        # Quitting goes through quit_requested, so connections close before windows do.
        QApplication.setQuitOnLastWindowClosed(False)
        self.window.show_config(self.config)
        if state is not None:
            self.window.apply_state(state)
        self.window.show()
        self.tray.show()
        self.collector.start()
        self.link.start()  # then polling starts, unless a collector polls already
        self.prometheus.start()

    def start_polling(self) -> None:
        if not self.polling:
            self.polling = True
            self.poller.start()

    async def stop_polling(self) -> None:
        """A collector took over: close this app's monitoring connections."""
        if self.polling:
            self.polling = False
            poller, self.poller = self.poller, Poller(self.config, self.secrets, self.on_report)
            await poller.close()

    async def close(self) -> None:
        """Stop tasks and polling, close every connection and client, then the window."""
        await self.bridge.close()
        await self.prometheus.close()
        try:
            await asyncio.wait_for(self.poller.close(), 5.0)
        except TimeoutError:
            log.warning("poller did not close within 5 s")
        await self.feed.close()
        self.secrets.close()
        if self.remember:
            await asyncio.to_thread(window_state.save, self.window.capture_state())
        self.tray.hide()
        self.window.allow_close = True
        self.window.close()
        self.collector.stop()

    # reports ------------------------------------------------------------------------------

    def on_report(self, report: EnvironmentReport) -> None:
        env = self.config.environment(report.name)
        if env is None:
            return  # a poll that finished after its environment was removed
        self.history.record(report, env.interval)
        self.feed.record(report)
        alert = self.alerts.observe(report.name, report.status, report.reasons)
        if alert is not None:
            self.tray.notify(alert)
        self.window.show_report(report)
        self._summary_soon()
        self.report_shown.emit(report.name)

    def show_followed(self, report: EnvironmentReport) -> None:
        """A report the collector stored (its chart samples arrive as store rows; it
        sends the notifications)."""
        env = self.config.environment(report.name)
        if env is None:
            return
        self.history.ensure(report.name, env.interval).record_services(report)
        self.window.show_report(report)
        self._summary_soon()
        self.report_shown.emit(report.name)

    def _summary_soon(self) -> None:
        if not self._summary_timer.isActive():
            self._summary_timer.start()

    def _history_said(self, message: str) -> None:
        log.warning("%s", message)
        self.window.set_status_message(message)

    def _update_summary(self) -> None:
        reports = self.window.reports.values()
        status = worst(r.status for r in reports)
        bad = [f"{r.name}: {r.status.label}" for r in reports if r.status.needs_attention]
        self.tray.set_status(status, "\n".join(bad) or "all environments fine")
        last = max((r.checked_at for r in reports), default=None)
        note = f" · {self.source_note}" if self.source_note else ""
        self.window.set_status_message(f"Overall {status.label} · last poll {clock(last)}{note}")

    # intents ------------------------------------------------------------------------------

    def poll_now(self) -> None:
        if self.polling:  # else a collector polls: this app opens no connection of its own
            self.bridge.run("poll-now", self.poller.poll_now())

    def focus(self, name: str) -> None:
        """Session lists (with query text) are fetched only for the environment on screen;
        a newly shown one is polled at once so its Sessions tab is not empty until the tick."""
        self.poller.show_sessions([name])
        if self.polling and name in self.window.reports:
            self.bridge.run("poll-shown", self.poller.poll_now([name]))

    def open_dialog(self, name: str | None) -> None:
        env = self.config.environment(name) if name else None
        if name and env is None:
            return
        dialog = EnvironmentDialog(self.config, env, self.window)
        dialog.save_requested.connect(lambda draft: self._start_save(dialog, draft))
        dialog.test_requested.connect(lambda url, env_name: self._start_test(dialog, url, env_name))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def ask_remove(self, name: str) -> None:
        text = (
            f"Remove environment {name!r}?\n\nIts settings are deleted from the config file and "
            "its DATABASE_URL from the system keyring. The database itself is not touched."
        )
        self.pending = confirm(
            self.window, "Remove environment", text, "Remove", lambda: self._start_remove(name)
        )

    def _start_remove(self, name: str) -> None:
        self.bridge.run(f"settings:{name}", self._remove(name))

    def signal_backend(self, name: str, pid: int, terminate: bool) -> None:
        self.bridge.run(f"signal:{name}:{pid}", self._signal(name, pid, terminate))

    # tasks -----------------------------------------------------------------------------

    def _start_save(self, dialog: EnvironmentDialog, draft: EnvironmentChange) -> None:
        self.bridge.run("settings:dialog", self._save(dialog, draft))

    async def _save(self, dialog: EnvironmentDialog, draft: EnvironmentChange) -> None:
        try:
            if draft.env.alembic:
                alembic = await asyncio.to_thread(normalise_path, draft.env.alembic)
                draft = replace(draft, env=replace(draft.env, alembic=alembic))
            edit = draft.edit(self.config)
            new_config = await commit_async(edit, self.secrets, self.config_path)
        except (ValueError, OSError, SecretStoreError) as exc:
            dialog.show_error(_why(exc))
            return
        restart = draft.url or draft.secrets  # the poller re-reads its secrets
        self.apply_config(new_config, restart=draft.env.name if restart else None)
        dialog.accept()
        self.window.choose(draft.env.name)

    def _start_test(self, dialog: EnvironmentDialog, url: str, name: str) -> None:
        self.bridge.run("test-connection", self._test(dialog, url, name))

    async def _test(self, dialog: EnvironmentDialog, url: str, name: str) -> None:
        try:
            if not url:
                url = await self.secrets.get(name) or ""
        except SecretStoreError as exc:
            dialog.show_test_result(None, f"✗ keyring: {exc}")
            return
        if not url:
            dialog.show_test_result(None, "✗ no DATABASE_URL stored for this environment yet")
            return
        dialog.show_test_result(await probe_connection(url))

    async def _remove(self, name: str) -> None:
        try:
            new_config = await commit_async(
                remove(self.config, name), self.secrets, self.config_path
            )
        except (OSError, SecretStoreError) as exc:
            inform(self.window, "Could not remove the environment", _why(exc))
            return
        self.apply_config(new_config)

    async def _signal(self, name: str, pid: int, terminate: bool) -> None:
        monitor = self.poller.monitor(name)
        verb = "terminate" if terminate else "cancel"
        done = False
        if monitor is not None:
            try:
                done = await monitor.signal_backend(pid, terminate=terminate)
            except Exception as exc:  # a server refusal is reported, not raised
                inform(self.window, f"Could not {verb} {pid}", _why(exc))
                return
        outcome = "done" if done else "the session no longer exists"
        self.window.set_status_message(f"{verb} backend {pid}: {outcome}")
        if self.polling:
            await self.poller.poll_now([name])

    def apply_config(self, config: cfg.Config, restart: str | None = None) -> None:
        """Follow a saved config: poller, history, alerts and window."""
        self.config = config
        self.alerts.settings = config.notifications
        self.poller.update_config(config)
        if restart is not None:
            self.poller.restart(restart)
        names = [e.name for e in config.environments]
        self.history.retain(names)
        for gone in set(self.window.reports) - set(names):
            self.alerts.forget(gone)
        self.window.show_config(config)
        self._update_summary()

    def _raise_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _task_failed(self, key: str, error: BaseException) -> None:
        self.window.set_status_message(f"{key} failed: {_why(error)}")


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
