"""The history store on a real SQLite file: tiers, rollups, pruning, restarts, bad files."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from pandadmin.core import report_codec
from pandadmin.core.config import Config, Environment, Service
from pandadmin.core.datadir import STORE_NAME, open_store
from pandadmin.core.migrations import MigrationStatus, Revision
from pandadmin.core.models import DatabaseResult, HealthResult
from pandadmin.core.report import EnvironmentReport, build_report
from pandadmin.core.samples import MIGRATION_CODES, Sample, sample_from_report
from pandadmin.core.store import RAW_KEEP_S, Store
from pandadmin.core.store_codec import decode_many, encode
from pandadmin.core.store_schema import SCHEMA_VERSION
from pandadmin.core.store_writer import StoreWriter
from tests.core.test_status import SAMPLE

ENV = Environment("prod", services=(Service("api", "http://127.0.0.1:1/health"),))
T0 = 1_700_000_000.0 // 900 * 900  # on a 15-minute boundary


def report(at: float, total: int | None, up: bool = True) -> EnvironmentReport:
    sample = None
    if total is not None:
        states = {"active": 1, "idle": total - 1}
        sample = replace(SAMPLE, taken_at=at, total=total, by_state=states)
    db = DatabaseResult("postgresql://app:***@h:5432/app", at, sample, None if sample else "down")
    health = HealthResult("api", "http://127.0.0.1:1/health", up, at, 200, 12.34 if up else None)
    pending = Revision("b", ("a",), (), (), "add users", "b.py", datetime(2026, 11, 30, 9, 15))
    migrations = MigrationStatus("behind", ("a",), ("b",), (pending,), None)
    return build_report(Config((ENV,)), ENV, (health,), db, migrations, at)


def sample(at: float, total: float, env: str = "prod") -> Sample:
    return Sample(env, at, {"db.up": 1.0, "conn.total": total, "conn.state.active": 1.0})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(tmp_path)
    assert opened.store is not None and opened.message is None
    return opened.store


def test_a_report_becomes_named_numbers() -> None:
    values = sample_from_report(report(T0, 7)).values
    assert values["conn.total"] == 7 and values["conn.state.idle"] == 6
    assert values["health.up.api"] == 1 and values["health.latency_ms.api"] == 12.34
    assert MIGRATION_CODES[int(values["migrations.status"])] == "behind"
    assert values["db.up"] == 1 and values["limit.max_connections"] == SAMPLE.max_connections
    down = sample_from_report(report(T0, None, up=False)).values
    assert down["db.up"] == 0 and "conn.total" not in down and down["health.up.api"] == 0
    assert math.isnan(down["health.latency_ms.api"])


def test_raw_samples_round_trip_with_one_decimal(store: Store) -> None:
    store.write([sample_from_report(report(T0 + 1, 7)), sample_from_report(report(T0 + 6, 9))])
    rows = list(store.raw(T0))
    assert [r.t for r in rows] == [T0 + 1, T0 + 6]
    assert rows[0].get("health.latency_ms.api") == pytest.approx(12.3)
    t, v = store.series("prod", ("conn.total", "conn.state.idle", "nope"), T0)
    assert t.tolist() == [T0 + 1, T0 + 6]
    assert v[:, 0].tolist() == [7, 9] and v[:, 1].tolist() == [6, 8] and np.isnan(v[:, 2]).all()


def test_closed_minutes_and_quarters_roll_up_min_max_mean(store: Store) -> None:
    totals = [10, 20, 30, 40]
    store.write([sample(T0 + i * 15, total) for i, total in enumerate(totals)])
    assert store.rollups(60, T0) == []  # the minute is still open
    store.write([sample(T0 + 60 + i * 20, 5 + i) for i in range(45)])  # to T0 + 15 min
    minute = store.rollups(60, T0, T0 + 60)[0].rollup
    column = minute.names.index("conn.total")
    assert (minute.n, minute.mins[column], minute.maxs[column]) == (4, 10, 40)
    assert minute.means[column] == 25
    quarter = store.rollups(900, T0)[0].rollup
    assert quarter.n == 4 + 42  # the 15th minute (3 samples) closes later
    assert quarter.mins[column] == 5 and quarter.maxs[column] == 46


def test_old_rows_are_pruned_as_new_ones_arrive(store: Store) -> None:
    store.write([sample(T0, 1), sample(T0 + 70, 2)])
    store.write([sample(T0 + RAW_KEEP_S + 120, 3)])
    assert [r.t for r in store.raw(0)] == [T0 + RAW_KEEP_S + 120]
    assert len(store.rollups(60, 0)) == 2  # rollups outlive raw samples
    store.write([sample(T0 + 15 * 86400, 4)])
    assert [r.t for r in store.rollups(60, 0)] == [T0 + RAW_KEEP_S + 120]
    assert len(store.rollups(900, 0)) >= 1


def test_a_restart_rolls_up_what_the_last_run_left_open(tmp_path: Path) -> None:
    first = Store(tmp_path / STORE_NAME)
    first.write([sample(T0 + 5, 3), sample(T0 + 10, 5)])
    first.close()
    second = Store(tmp_path / STORE_NAME)
    second.write([sample(T0 + 200, 1)])
    rolled = second.rollups(60, T0, T0 + 60)
    assert len(rolled) == 1 and rolled[0].rollup.n == 2


def test_environments_apart_and_absent_counts_are_zero(store: Store) -> None:
    store.write([sample(T0, 3), sample(T0, 4, "dev")])
    store.write([Sample("prod", T0 + 5, {"db.up": 1.0, "conn.total": 2.0})])
    assert store.environments() == ["prod", "dev"]
    _t, v = store.series("prod", ("conn.state.active",), 0)
    assert v[:, 0].tolist() == [1, 0]


def test_latest_reports_round_trip_exactly_without_query_text(store: Store) -> None:
    original = report(T0, 7)
    store.write([sample_from_report(original)], {"prod": (T0, report_codec.dumps(original))})
    [(name, at, text)] = store.latest_reports()
    assert (name, at) == ("prod", T0)
    assert report_codec.loads(text) == original
    assert store.latest_reports(since=T0) == []


def test_a_newer_store_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / STORE_NAME
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    opened = open_store(tmp_path)
    assert opened.store is None and "newer pandadmin" in (opened.message or "")
    assert path.read_bytes() == before


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_an_unreadable_store_is_set_aside_and_a_new_one_starts(tmp_path: Path, damage: str) -> None:
    path = tmp_path / STORE_NAME
    if damage == "garbage":
        path.write_bytes(b"this is not a database\n" * 500)
    else:
        good = Store(path)
        good.write([sample(T0 + i, i) for i in range(0, 6000, 5)])
        good.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        good.close()
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    opened = open_store(tmp_path)
    assert opened.store is not None and opened.message is not None
    assert "\n" not in opened.message and str(path) in opened.message
    aside = [p for p in tmp_path.iterdir() if ".unreadable-" in p.name]
    assert aside and aside[0].stat().st_size > 0  # moved, never deleted
    assert list(opened.store.raw(0)) == []


def test_the_writer_thread_batches_and_flushes(tmp_path: Path) -> None:
    writer = StoreWriter(tmp_path).start()
    for i in range(50):
        writer.submit(report(T0 + i, 5))
    assert writer.flush()
    writer.close()
    store = Store(tmp_path / STORE_NAME, readonly=True)
    assert len(list(store.raw(0))) == 50 and writer.written == 50
    assert [name for name, _t, _text in store.latest_reports()] == ["prod"]


def test_values_pack_small_and_fall_back_to_wider_integers() -> None:
    small = np.array([1.25, np.nan, -3.0, 3276.0])
    wide = np.array([1.5, np.nan, 1e6, -250000.0])
    assert len(encode(small)) == 1 + 4 * 2 and len(encode(wide)) == 1 + 4 * 4
    for values in (small, wide):
        back = decode_many([encode(values), encode(values[::-1])], 4)
        assert np.array_equal(back[0], np.round(values, 1), equal_nan=True)
        assert np.array_equal(back[1], np.round(values[::-1], 1), equal_nan=True)


def test_rows_of_both_widths_decode_together_and_bad_rows_fail() -> None:
    """Interleaved int16 and int32 rows in one call (one numpy gather per width); a row cut
    short or of an unknown type is an error, never a row of garbage."""
    rows = [np.array([float(i), np.nan, 1e6 if i % 3 == 0 else -2.5]) for i in range(10)]
    back = decode_many([encode(row) for row in rows], 3)
    assert np.array_equal(back, np.round(np.vstack(rows), 1), equal_nan=True)
    assert decode_many([], 3).shape == (0, 3)
    for bad in (encode(rows[1])[:-1], b"", b"\x03" + bytes(6)):
        with pytest.raises(ValueError):
            decode_many([encode(rows[0]), bad], 3)


def test_every_environments_series_are_read_in_one_scan(store: Store) -> None:
    """Environments with different layouts (a collector and an older app) interleaved in
    time: each gets its own rows, in time order, NaN for a name its layout lacks."""
    from pandadmin.core.store_read import columns

    for i in range(6):
        store.write([sample(T0 + i, 10.0 + i), Sample("stage", T0 + i, {"conn.total": 2.0 * i})])
    found = columns(store, ("conn.total", "conn.state.active"), T0 - 1)
    assert found["prod"].t.tolist() == [T0 + i for i in range(6)]
    assert found["prod"].values[:, 0].tolist() == [10.0 + i for i in range(6)]
    assert found["stage"].values[:, 0].tolist() == [2.0 * i for i in range(6)]
    assert np.isnan(found["stage"].values[:, 1]).all()  # not in stage's layout
