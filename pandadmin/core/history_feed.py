"""The app's side of the history store: load what it kept, write the app's own polls, or
follow a collector's writes while one runs on the same data folder (one poller per machine).

Every file access runs on one worker thread of its own (a Store is used by one thread at
a time), never on the event loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pandadmin.core import report_codec
from pandadmin.core.datadir import Opened, collector_pid, open_store
from pandadmin.core.history import DAY_S
from pandadmin.core.history_load import (
    CHART_NAMES,
    Series,
    envelopes,
    health_timeline,
    load_recent,
    migration_changed_at,
    zero_absent_states,
)
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.store import Store, StoreError
from pandadmin.core.store_read import columns
from pandadmin.core.store_writer import StoreWriter

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Followed:
    """What a collector wrote since the last look: chart rows and newest reports."""

    rows: dict[str, Series] = field(default_factory=dict)
    reports: list[EnvironmentReport] = field(default_factory=list)


class HistoryFeed:
    """Reads and writes one data folder's store for the app."""

    def __init__(self, folder: Path, say: Callable[[str], None] = log.warning) -> None:
        self.folder = folder
        self.say = say
        self.store: Store | None = None
        self.writer: StoreWriter | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="pandadmin-history")
        self._raw_cursor = time.time()
        self._report_cursor = time.time()
        self._opening: Future[tuple[Opened, dict[str, Series] | StoreError]] | None = None

    def prefetch(self, intervals: Mapping[str, float]) -> None:
        """Start opening the store and reading every environment's last 24 h now, on the
        feed's thread, while the window is still being built; `open_with_recent` takes it."""
        if self._opening is None:
            now = time.time()
            self._opening = self._thread.submit(self._open_and_read, now, dict(intervals))

    def _open_and_read(
        self, now: float, intervals: Mapping[str, float]
    ) -> tuple[Opened, dict[str, Series] | StoreError]:
        opened = open_store(self.folder)
        if opened.store is None:
            return opened, {}
        try:
            return opened, load_recent(opened.store, now, intervals, DAY_S)
        except StoreError as exc:
            return opened, exc

    async def open_with_recent(self, intervals: Mapping[str, float]) -> dict[str, Series]:
        """The store opened and every environment's last 24 h (as `load_recent`), from
        `prefetch` when it ran."""
        self.prefetch(intervals)
        assert self._opening is not None
        opened, loaded = await asyncio.wrap_future(self._opening)
        self.store = opened.store
        if opened.message:
            self.say(opened.message)
        if isinstance(loaded, StoreError):
            self.say(f"history unavailable: {loaded}")
            self.store = None
            return {}
        return loaded

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, partial(call, *args))

    async def collector(self) -> int | None:
        """The pid of the collector writing this folder, or None."""
        return await self._run(collector_pid, self.folder)

    async def envelopes(self, width: int, start: float, end: float) -> dict[str, Series]:
        return await self._read(envelopes, width, start, end) or {}

    async def health(
        self, environment: str, services: tuple[str, ...], start: float, end: float
    ) -> Series | None:
        return await self._read(health_timeline, environment, services, start, end)

    async def migration_changed(self, environment: str, now: float) -> tuple[str, float] | None:
        return await self._read(migration_changed_at, environment, now)

    async def _read(self, call: Callable[..., T], *args: Any) -> T | None:
        store = self.store
        if store is None:
            return None
        try:
            return await self._run(call, store, *args)
        except StoreError as exc:
            self.say(f"history unavailable: {exc}")
            self.store = None
            return None

    # writing or following ------------------------------------------------------------------

    def start_writing(self) -> None:
        if self.writer is None and self.store is not None:
            self.writer = StoreWriter(self.folder, on_error=self.say).start()

    async def stop_writing(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            await asyncio.to_thread(writer.close)
        self._raw_cursor = self._report_cursor = time.time()  # what we wrote is shown already

    def record(self, report: EnvironmentReport) -> None:
        if self.writer is not None:
            self.writer.submit(report)

    async def follow(self, intervals: Mapping[str, float]) -> Followed:
        """Chart rows and reports a collector stored since the previous call."""
        return await self._read(self._follow, intervals) or Followed()

    def _follow(self, store: Store, intervals: Mapping[str, float]) -> Followed:
        found = Followed()
        for env, data in columns(store, CHART_NAMES, self._raw_cursor).items():
            found.rows[env] = (data.t, zero_absent_states(data.values))
            self._raw_cursor = max(self._raw_cursor, float(data.t[-1]))
        for _env, at, text in store.latest_reports(self._report_cursor):
            self._report_cursor = max(self._report_cursor, at)
            try:
                found.reports.append(report_codec.loads(text))
            except (ValueError, TypeError, KeyError) as exc:
                self.say(f"a stored report could not be read ({exc}); is the collector newer?")
        return found

    async def close(self) -> None:
        await self.stop_writing()
        if self.store is not None:
            await self._run(self.store.close)
            self.store = None
        self._thread.shutdown(wait=False, cancel_futures=True)
