"""Charts read back from the store: raw for the last hour, envelopes before, gaps kept."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from pandadmin.core.datadir import STORE_NAME
from pandadmin.core.history import EnvironmentHistory
from pandadmin.core.history_feed import HistoryFeed
from pandadmin.core.history_load import load_recent, migration_changed_at, with_gaps
from pandadmin.core.samples import Sample
from pandadmin.core.store import Store

NOW = 1_700_000_000.0 // 900 * 900


def poll(at: float, total: float, migration: float = 1.0) -> Sample:
    values = {
        "db.up": 1.0,
        "conn.total": total,
        "conn.state.idle": total,
        "migrations.status": migration,
    }
    return Sample("prod", at, values)


def test_gaps_where_nothing_polled() -> None:
    t, v = with_gaps(np.array([0.0, 1.0, 10.0]), np.ones((3, 1)), 3.0)
    assert t.tolist() == [0.0, 1.0, 5.5, 10.0] and np.isnan(v[2, 0])


def test_a_day_loads_as_envelopes_then_raw_with_the_closed_stretch_as_a_gap(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite3")
    early = [poll(NOW - 20 * 3600 + i * 5, 10 + i % 3) for i in range(240)]  # 20 min, 20 h ago
    late = [poll(NOW - 600 + i * 5, 4) for i in range(120)]  # the last 10 min
    store.write(early)
    store.write(late)
    store.write([Sample("dev", NOW - 30, {"db.up": 1.0, "conn.total": 2.0})])
    assert list(load_recent(store, NOW, {}, only="prod")) == ["prod"]  # the one on screen first
    t, v = load_recent(store, NOW, {"prod": 5.0})["prod"]
    assert np.all(np.diff(t) >= 0)
    total = v[:, 3]
    assert np.nanmin(total[:40]) == 10 and np.nanmax(total[:40]) == 12  # the envelope
    closed = np.flatnonzero(np.isnan(total))
    assert len(closed) == 1 and t[closed[0] - 1] < NOW - 19 * 3600 and t[closed[0] + 1] >= NOW - 600
    assert v[-1].tolist() == [0.0, 4.0, 0.0, 4.0]  # absent states of a reached database are 0
    history = EnvironmentHistory(5.0)
    history.prefill(t, v)
    history._append(NOW + 60, [1.0, 1.0, 1.0, 3.0])  # after a pause: a gap first
    _t, values = history.connections.ordered()
    assert np.isnan(values[-2, 3]) and values[-1, 3] == 3.0


def test_when_the_migration_status_last_changed(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite3")
    store.write([poll(NOW - 100 + i * 10, 1, 1.0 if i < 5 else 0.0) for i in range(10)])
    assert migration_changed_at(store, "prod", NOW) == ("up_to_date", NOW - 50)


def test_the_feed_reads_the_last_day_on_its_own_thread_before_anyone_waits(
    tmp_path: Path,
) -> None:
    """`prefetch` (called while the app builds its window) opens the store and reads every
    environment's day on the feed's thread; `open_with_recent` hands it over."""
    store = Store(tmp_path / STORE_NAME)
    now = time.time()
    store.write([poll(now - 300 + i * 5, 7) for i in range(50)])
    store.write([Sample("dev", now - 30, {"db.up": 1.0, "conn.total": 2.0})])
    store.close()
    feed = HistoryFeed(tmp_path, say=lambda message: pytest.fail(message))
    feed.prefetch({"prod": 5.0, "dev": 5.0})
    assert feed._opening is not None
    feed._opening.result(timeout=60)  # done without an event loop running

    async def main() -> dict[str, tuple[np.ndarray, np.ndarray]]:
        try:
            return await feed.open_with_recent({"prod": 5.0, "dev": 5.0})
        finally:
            await feed.close()

    loaded = asyncio.run(main())
    assert sorted(loaded) == ["dev", "prod"]
    assert loaded["prod"][1][:, 3].tolist() == [7.0] * 50


def test_an_unreadable_store_at_start_is_one_message_and_no_history(tmp_path: Path) -> None:
    (tmp_path / STORE_NAME).write_bytes(b"not a database" * 100)
    said: list[str] = []
    feed = HistoryFeed(tmp_path, say=said.append)

    async def main() -> dict[str, tuple[np.ndarray, np.ndarray]]:
        try:
            return await feed.open_with_recent({"prod": 5.0})
        finally:
            await feed.close()

    assert asyncio.run(main()) == {}
    assert len(said) == 1 and "unreadable" in said[0]
