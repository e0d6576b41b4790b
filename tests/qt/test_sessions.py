"""Cancel / terminate from the sessions panel against real backends, and only when allowed."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

from pandadmin.core import config as cfg
from pandadmin.qt.widgets.sessions import SessionsPanel
from tests.qt.conftest import AppHarness, environment, unique, until


async def _idle_in_transaction(url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(url, server_settings={"application_name": "leaky-worker"})
    await conn.execute("BEGIN")
    await conn.execute("SELECT 1")
    return conn


def _listed(panel: SessionsPanel, pid: int) -> bool:
    return any(
        (item := panel.table.item(row, 0)) is not None and item.text() == str(pid)
        for row in range(panel.table.rowCount())
    )


async def _alive(url: str, pid: int) -> bool:
    conn = await asyncpg.connect(url)
    try:
        query = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
        return bool(await conn.fetchval(query, pid))
    finally:
        await conn.close()


def test_terminate_kills_a_real_backend_after_confirmation(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    database = unique("kill")
    pg.create_database(database)
    url = pg.url(database)

    async def scenario() -> None:
        victim = await _idle_in_transaction(url)
        pid = victim.get_server_pid()
        try:
            harness.write(cfg.Config((environment("prod"),)), {"prod": url})
            controller = await harness.open()
            panel = controller.window.detail.sessions
            controller.window.show_tab(1)  # the Sessions tab: a hidden tab is filled when shown
            await until(lambda: _listed(panel, pid), what="the session listed")
            panel.select_pid(pid)
            assert panel.terminate_button.isEnabled() and panel.cancel_button.isEnabled()
            panel.terminate_button.click()
            box = await until(lambda: panel.pending, what="confirmation")
            assert str(pid) in box.text() and "leaky-worker" in box.text()
            assert await _alive(url, pid)  # nothing happens before the user confirms
            box.yes_button.click()
            for _ in range(100):
                if not await _alive(url, pid):
                    break
            assert not await _alive(url, pid)
            await until(lambda: not _listed(panel, pid), what="the session gone from the list")
        finally:
            victim.terminate()

    run(scenario())


def test_cancel_and_terminate_are_disabled_for_a_role_without_the_right(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    database, role = unique("watched"), unique("watcher")
    pg.create_database(database)
    pg.create_role(role, "watch-pw", monitor=True)  # pg_monitor: sees all, may not signal

    async def scenario() -> None:
        victim = await _idle_in_transaction(pg.url(database))
        pid = victim.get_server_pid()
        try:
            url = pg.url(database, user=role, password="watch-pw")
            harness.write(cfg.Config((environment("prod"),)), {"prod": url})
            controller = await harness.open()
            panel = controller.window.detail.sessions
            controller.window.show_tab(1)  # the Sessions tab: a hidden tab is filled when shown
            await until(lambda: _listed(panel, pid), what="the session listed")
            panel.select_pid(pid)
            assert panel.selected_pid() == pid
            assert not panel.terminate_button.isEnabled()
            assert not panel.cancel_button.isEnabled()
            assert f"GRANT pg_signal_backend TO {role}" in panel.note.text()
            panel.terminate_button.click()  # disabled: nothing opens
            assert panel.pending is None
        finally:
            victim.terminate()

    run(scenario())


def test_session_lists_are_fetched_for_the_environment_on_screen(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    database = unique("focus")
    pg.create_database(database)
    url = pg.url(database)

    async def scenario() -> None:
        victim = await _idle_in_transaction(url)
        try:
            envs = (environment("shown", interval=0.5), environment("hidden", interval=0.5))
            harness.write(cfg.Config(envs), {"shown": url, "hidden": url})
            controller = await harness.open()
            reports = controller.window.reports

            def backends(name: str) -> int | None:
                report = reports.get(name)
                sample = report.database.sample if report and report.database else None
                return len(sample.backends) if sample else None

            await until(lambda: backends("shown") and backends("hidden") is not None, what="polls")
            assert backends("hidden") == 0  # aggregates only: no session list, no query text
            controller.window.environments.select("hidden")
            await until(lambda: backends("hidden"), what="the shown env's sessions")
        finally:
            victim.terminate()

    run(scenario())


def test_the_monitoring_roles_own_sessions_may_be_signalled_without_the_grant(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    """PostgreSQL lets a role signal backends of roles it is a member of (its own, here)
    without pg_signal_backend: the buttons are decided per row."""
    database, role = unique("own"), unique("owner")
    pg.create_database(database)
    pg.create_role(role, "own-pw", monitor=True)  # pg_monitor only, no pg_signal_backend
    url = pg.url(database, user=role, password="own-pw")

    async def scenario() -> None:
        own, foreign = await _idle_in_transaction(url), await _idle_in_transaction(pg.url(database))
        own_pid, foreign_pid = own.get_server_pid(), foreign.get_server_pid()
        try:
            harness.write(cfg.Config((environment("prod"),)), {"prod": url})
            controller = await harness.open()
            panel = controller.window.detail.sessions
            controller.window.show_tab(1)  # the Sessions tab: a hidden tab is filled when shown
            await until(lambda: _listed(panel, own_pid) and _listed(panel, foreign_pid),
                        what="both sessions listed")  # fmt: skip
            panel.select_pid(foreign_pid)  # the superuser's: not this role's to signal
            assert not panel.terminate_button.isEnabled()
            assert f"GRANT pg_signal_backend TO {role}" in panel.note.text()
            panel.select_pid(own_pid)
            assert panel.terminate_button.isEnabled() and panel.cancel_button.isEnabled()
            panel.terminate_button.click()
            box = await until(lambda: panel.pending, what="confirmation")
            box.yes_button.click()
            await _until_gone(pg.url(database), own_pid)
            assert await _alive(pg.url(database), foreign_pid)
        finally:
            own.terminate()
            foreign.terminate()

    run(scenario())


async def _until_gone(url: str, pid: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while await _alive(url, pid):
        assert time.monotonic() < deadline, f"backend {pid} still there after {timeout:g} s"
        await asyncio.sleep(0.05)
