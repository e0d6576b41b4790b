"""GUI test harness: a qasync loop per test, the real app controller on a real config file,
DATABASE_URLs in the in-memory keyring, real PostgreSQL databases and uvicorn services.

pytest-qt has no asyncio support: each test body is one coroutine run with
`run_until_complete`; inside it, wait with `until()` (never qtbot.wait*: nested loop).
"""

from __future__ import annotations

import asyncio
import gc
import html
import itertools
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
import shiboken6

from pandadmin.core import config as cfg
from pandadmin.core.secrets import AsyncSecrets, KeyringStore
from pandadmin.qt.app import open_controller
from pandadmin.qt.controller import Controller
from pandadmin.qt.event_loop import new_loop

T = TypeVar("T")
KEYRING_SERVICE = "pandadmin-gui-test"
# The offscreen platform warns whenever a top-level window with a layout gets size hints.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"
_names = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/qt/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


def plain(label: Any) -> str:
    """A label's rich text as the user reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", label.text()))


def unique(prefix: str) -> str:
    return f"{prefix}_{next(_names)}_{int(time.time() * 1000) % 100000}"


async def until(predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition") -> T:
    """Poll `predicate` on the running loop until it is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.03)


async def rendered(window: Any) -> None:
    """Wait until the window shows its latest reports (it renders them at most once a frame,
    and only what is on screen: switch to a tab before reading it)."""
    await until(window.caught_up, what="the window to render its reports")


@pytest.fixture(scope="package", autouse=True)
def no_automatic_gc() -> Iterator[None]:
    """No automatic garbage collection in the GUI tests (as in the app: qt/gui_gc.py).

    An automatic collection runs in whichever thread allocates past the threshold: the loop's
    executor, DNS, the keyring. Garbage holding Qt objects must not be freed there.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


@pytest.fixture(autouse=True)
def gui_thread_gc(no_automatic_gc: None) -> None:
    """What earlier tests left is collected here, on the main thread: pytest drops a test's
    fixture values (its loop, its app) only after its teardown. An app that was never
    stopped left what it froze at start (qt/gui_gc.py): that is collected here too."""
    gc.unfreeze()
    gc.collect()


@pytest.fixture(autouse=True)
def settings_dir(tmp_path: Path) -> Path:
    """The window's QSettings file lives in the test's temp dir, never in the user's home."""
    from PySide6.QtCore import QSettings

    folder = tmp_path / "qsettings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def loop(qapp: Any) -> Iterator[qasync.QEventLoop]:
    event_loop = new_loop(qapp)  # the app's own loop class
    asyncio.set_event_loop(event_loop)
    yield event_loop
    pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        event_loop.run_until_complete(asyncio.wait(pending, timeout=5))
    event_loop.close()
    asyncio.set_event_loop(None)
    # A closed qasync loop keeps the Qt timers of its cancelled callbacks (wait_for's
    # timeouts) registered on its timer object, and the loop is cyclic garbage. Freed by a
    # collection in a worker thread, ~QObject cannot unregister them ("Timers cannot be
    # stopped from another thread") and the next one to fire is delivered to freed memory:
    # a segfault in a later test's run_forever. Deleted here, on the GUI thread, they go.
    shiboken6.delete(event_loop._timer)


Cleanup = Callable[[], Awaitable[None]]


@pytest.fixture
def cleanups() -> list[Cleanup]:
    return []


@pytest.fixture
def run(loop: qasync.QEventLoop, cleanups: list[Cleanup]) -> Callable[..., Any]:
    """Run a test's coroutine, then its cleanups and every leftover task, in one go.

    Nothing may stay scheduled once it returns: pytest-qt processes Qt events between
    test phases, and qasync would then run asyncio callbacks outside a running loop.
    """

    async def body(coro: Awaitable[T], timeout: float) -> T:
        try:
            return await asyncio.wait_for(coro, timeout)
        finally:
            for cleanup in reversed(cleanups):
                await asyncio.wait_for(cleanup(), 20)
            cleanups.clear()
            await _finish_other_tasks()

    def run_coroutine(coro: Awaitable[T], timeout: float = 60.0) -> T:
        return loop.run_until_complete(body(coro, timeout))

    return run_coroutine


async def _finish_other_tasks() -> None:
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    if others:
        await asyncio.wait(others, timeout=5)


@dataclass
class AppHarness:
    """Writes a config and keyring entries, opens the real controller, closes it after."""

    path: Path
    secrets: AsyncSecrets = field(
        default_factory=lambda: AsyncSecrets(KeyringStore(KEYRING_SERVICE), timeout=5.0)
    )
    controller: Controller | None = None

    def write(self, config: cfg.Config, urls: dict[str, str] | None = None) -> cfg.Config:
        config = cfg.Config(
            config.environments, config.plans, config.notifications, KEYRING_SERVICE
        )
        cfg.save(config, self.path)
        for name, url in (urls or {}).items():
            KeyringStore(KEYRING_SERVICE).set(name, url)
        return config

    async def open(self) -> Controller:
        self.controller = await open_controller(self.path, self.secrets)
        return self.controller

    async def close(self) -> None:
        if self.controller is not None:
            await self.controller.close()
            self.controller = None


@pytest.fixture(scope="session")
def switch() -> Iterator[Any]:
    """A health endpoint tests steer: POST /fail and /recover (tests/support/switch_app.py)."""
    from tests.support.servers import UvicornProcess

    server = UvicornProcess("tests.support.switch_app:app")
    server.wait_ready()
    yield server
    server.close()


@pytest.fixture
def harness(tmp_path: Path, memory_keyring: Any, cleanups: list[Cleanup]) -> AppHarness:
    """The app of one test; `run` closes it when the test's coroutine ends."""
    app = AppHarness(tmp_path / "config.toml")
    cleanups.append(app.close)
    return app


def environment(name: str, **changes: Any) -> cfg.Environment:
    """An environment polled fast enough for tests."""
    return cfg.Environment(name, **{"interval": 0.25, **changes})
