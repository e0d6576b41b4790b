"""The app and its history store: the last 24 h on screen at start, the app's polls written,
and, while `pandadmin collect` runs on the same data folder, the collector's data shown
instead of polling (one poller per machine: the app then opens no monitoring connection).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from pandadmin.core.history import DAY_S
from pandadmin.core.history_feed import Followed, HistoryFeed
from pandadmin.core.history_load import Series, tier_for

if TYPE_CHECKING:
    from pandadmin.qt.controller import Controller

log = logging.getLogger(__name__)
FOLLOW_EVERY_S = 1.0  # how often a collector's new rows are read
LOOK_EVERY_S = 3.0  # how often the app looks for a collector starting or stopping
DETAIL_EVERY_S = 30.0  # health timeline and "status since" of the environment on screen


class HistoryLink:
    """Runs the store side of one app: `start()` once the loop runs, `close()` at exit."""

    def __init__(self, controller: Controller, feed: HistoryFeed) -> None:
        self.c = controller
        self.feed = feed
        self.collector_pid: int | None = None
        self._details_at = 0.0

    def start(self) -> None:
        self.c.bridge.run("history", self._run())
        chart = self.c.window.detail.chart
        chart.range_changed.connect(lambda _s: self.c.bridge.run("history-range", self.ranges()))
        chart.range_changed.connect(lambda _s: self.details_soon())
        self.c.window.environments.selected.connect(lambda _n: self.details_soon())

    async def _run(self) -> None:
        intervals = self._intervals()
        # The store and the last 24 h were read while the window was built (prefetch).
        self._prefill(await self.feed.open_with_recent(intervals), intervals)
        self._redraw()
        await self._choose_mode(await self.feed.collector())
        await self.ranges()
        await self.details()
        looked = time.monotonic()
        while True:
            await asyncio.sleep(FOLLOW_EVERY_S if self.collector_pid else LOOK_EVERY_S)
            if self.collector_pid or time.monotonic() - looked >= LOOK_EVERY_S:
                looked = time.monotonic()
                await self._choose_mode(await self.feed.collector())
            if self.collector_pid:
                self._apply(await self.feed.follow(self._intervals()))
            if time.monotonic() - self._details_at >= DETAIL_EVERY_S:
                await self.details()

    async def _choose_mode(self, pid: int | None) -> None:
        if pid is not None and pid == self.collector_pid:
            return
        if pid is not None:
            await self.c.stop_polling()
            await self.feed.stop_writing()
            self.c.source_note = f"showing the collector's data (pid {pid})"
        elif self.collector_pid is not None or not self.c.polling:
            self.feed.start_writing()
            self.c.start_polling()
            self.c.source_note = ""
        self.collector_pid = pid

    def _intervals(self) -> dict[str, float]:
        return {e.name: e.interval for e in self.c.config.environments}

    def _prefill(self, loaded: dict[str, Series], intervals: dict[str, float]) -> None:
        for name, (t, values) in loaded.items():
            if name in intervals and len(t):
                self.c.history.ensure(name, intervals[name]).prefill(t, values)

    def _apply(self, found: Followed) -> None:
        intervals = self._intervals()
        for name, (t, values) in found.rows.items():
            if name in intervals:
                self.c.history.ensure(name, intervals[name]).append_rows(t, values)
        for report in found.reports:
            self.c.show_followed(report)

    async def ranges(self) -> None:
        """Envelopes from the store for a range longer than the in-memory day."""
        seconds = self.c.window.detail.chart.window_s
        if seconds <= DAY_S:
            return
        width, now = tier_for(seconds), time.time()
        for name, (t, values) in (await self.feed.envelopes(width, now - seconds, now)).items():
            history = self.c.history.get(name)
            if history is not None:
                history.stored = (width, t, values)
        self._redraw()

    def details_soon(self) -> None:
        self.c.bridge.run("history-details", self.details())

    async def details(self) -> None:
        """The health timeline and when the migration status last changed, on screen."""
        self._details_at = time.monotonic()
        name = self.c.window.environments.current_name()
        env = self.c.config.environment(name) if name else None
        if env is None:
            return
        now, seconds = time.time(), max(self.c.window.detail.chart.window_s, 3600.0)
        services = tuple(s.name for s in env.services)
        timeline = await self.feed.health(env.name, services, now - seconds, now)
        changed = await self.feed.migration_changed(env.name, now)
        if self.c.window.environments.current_name() == env.name:
            self.c.window.detail.health.show_timeline(services, timeline, now - seconds, now)
            self.c.window.detail.migrations.show_changed(changed)

    def _redraw(self) -> None:
        name = self.c.window.environments.current_name()
        if name:
            self.c.window.refresh_selected()
