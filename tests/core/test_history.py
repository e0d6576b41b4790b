"""The bounded connection history: ring buffers, windows, min/max reduction, gaps."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core.config import Config, Environment
from pandadmin.core.history import (
    CONNECTION_SERIES,
    MAX_CAPACITY,
    EnvironmentHistory,
    HistoryStore,
    MinMaxCache,
    RingBuffer,
    capacity_for,
    reduce_minmax,
)
from pandadmin.core.models import DatabaseResult, HealthResult
from pandadmin.core.report import EnvironmentReport, build_report
from tests.core.test_status import SAMPLE

ENV = Environment("prod")


def _report(
    at: float, total: int | None, services: tuple[HealthResult, ...] = ()
) -> EnvironmentReport:
    sample = None
    if total is not None:
        states = {"active": 1, "idle": total - 1}
        sample = replace(SAMPLE, taken_at=at, total=total, by_state=states)
    db = DatabaseResult("postgresql://app:***@h:5432/app", at, sample, None if sample else "down")
    return build_report(Config((ENV,)), ENV, services, db, None, at)


def test_ring_buffer_keeps_the_newest_in_order() -> None:
    ring = RingBuffer(4, 1)
    for i in range(10):
        ring.append(float(i), [i * 10.0])
    t, v = ring.ordered()
    assert t.tolist() == [6.0, 7.0, 8.0, 9.0]
    assert v[:, 0].tolist() == [60.0, 70.0, 80.0, 90.0]
    assert len(ring) == 4 and ring.latest() == 9.0
    assert ring.since(7.5)[0].tolist() == [8.0, 9.0]
    assert ring.resized(2).ordered()[0].tolist() == [8.0, 9.0]


@given(st.integers(0, 9), st.integers(0, 25))
def test_extend_is_the_same_as_appending_row_by_row(before: int, rows: int) -> None:
    one, many = RingBuffer(7, 2), RingBuffer(7, 2)
    for i in range(before):
        one.append(float(i), [i, -i])
        many.append(float(i), [i, -i])
    t = np.arange(before, before + rows, dtype=float)
    for when in t:
        one.append(when, [when, -when])
    many.extend(t, np.column_stack((t, -t)))
    assert len(one) == len(many)
    for left, right in zip(one.ordered(), many.ordered(), strict=True):
        np.testing.assert_array_equal(left, right)


@given(st.integers(2, 9), st.integers(0, 25), st.floats(-2.0, 30.0))
def test_since_is_the_ordered_ring_from_start(capacity: int, rows: int, start: float) -> None:
    """`since` copies only the samples it returns, wrapped ring or not."""
    ring = RingBuffer(capacity, 2)
    for i in range(rows):
        ring.append(float(i), [i, -i])
    t, v = ring.ordered()
    since_t, since_v = ring.since(start)
    np.testing.assert_array_equal(since_t, t[t >= start])
    np.testing.assert_array_equal(since_v, v[t >= start])


def test_capacity_is_a_day_at_the_interval_and_bounded() -> None:
    assert capacity_for(5.0) == 17281
    assert capacity_for(0.01) == MAX_CAPACITY


def test_unreachable_polls_are_gaps_and_last_seen_is_kept() -> None:
    history = EnvironmentHistory(1.0)
    history.record(_report(100.0, 5))
    history.record(_report(101.0, None))
    history.record(_report(102.0, 7))
    window = history.window(60, now=102.0)
    total = window.column(CONNECTION_SERIES.index("total"))
    assert window.t.tolist() == [100.0, 101.0, 102.0]
    assert total[0] == 5 and np.isnan(total[1]) and total[2] == 7
    assert history.last_seen == 102.0


def test_timestamps_stay_sorted_when_the_clock_steps_back() -> None:
    history = EnvironmentHistory(1.0)
    history.record(_report(100.0, 5))
    history.record(_report(90.0, None))
    assert history.connections.ordered()[0].tolist() == [100.0, 100.0]


def test_long_windows_are_reduced_to_min_and_max_per_bucket() -> None:
    history = EnvironmentHistory(1.0)
    now = time.time()
    for i in range(5000):
        history.record(_report(now - 5000 + i, 10 + (i % 7) + (50 if i == 1234 else 0)))
    window = history.window(86400, now=now, max_points=400)
    assert window.reduced and len(window.t) <= 400
    total = window.column(CONNECTION_SERIES.index("total"))
    assert np.nanmax(total) == 62 and np.nanmin(total) == 10  # the spike (12 + 50) survives
    assert np.all(np.diff(window.t) >= 0)


@given(st.lists(st.one_of(st.none(), st.integers(0, 500)), min_size=1, max_size=300),
       st.integers(1, 40))  # fmt: skip
def test_reduction_keeps_extremes_and_gaps(values: list[int | None], buckets: int) -> None:
    t = np.arange(len(values), dtype=float)
    v = np.array([[np.nan if x is None else float(x)] for x in values])
    window = reduce_minmax(t, v, 0.0, float(len(values)), buckets)
    assert len(window.t) <= 2 * buckets
    finite = [x for x in values if x is not None]
    if finite:
        assert np.nanmax(window.values) == max(finite)
        assert np.nanmin(window.values) == min(finite)
    else:
        assert np.isnan(window.values).all()


@given(
    st.lists(
        st.tuples(st.floats(0.0, 40.0), st.one_of(st.none(), st.integers(0, 500))),
        min_size=1, max_size=400,
    ),
    st.integers(3, 30), st.floats(5.0, 2000.0), st.integers(5, 300),
    st.lists(st.integers(1, 40), min_size=1, max_size=8),
)  # fmt: skip
def test_kept_reduction_matches_reducing_from_scratch(
    samples: list[tuple[float, int | None]],
    buckets: int,
    seconds: float,
    capacity: int,
    checks: list[int],
) -> None:
    """Steps between samples (0 = same time, gaps up to 40 s), NaN rows, a ring that
    overwrites, windows asked for at irregular moments: same points as from scratch."""
    ring = RingBuffer(capacity, 2)
    cache = MinMaxCache(ring)
    now, asked = 1_700_000_000.0, set(np.cumsum(checks).tolist())
    for i, (step, value) in enumerate(samples):
        now += step
        ring.append(now, [np.nan if value is None else float(value), float(i % 7)])
        if i in asked or i == len(samples) - 1:
            end = now + step - 20  # also windows that end before the newest samples
            kept = cache.window(end - seconds, end, buckets)
            fresh = reduce_minmax(*ring.since(end - seconds), end - seconds, end, buckets)
            np.testing.assert_array_equal(kept.t, fresh.t)
            np.testing.assert_array_equal(kept.values, fresh.values)


def test_a_day_at_one_hertz_is_reduced_without_rereading_closed_buckets() -> None:
    history = EnvironmentHistory(1.0)
    now = 1_700_000_000.0
    for i in range(20_000):
        history.record(_report(now + i, 10 + i % 13))
    first = history.window(86400, now=now + 20_000, max_points=400)
    history.record(_report(now + 20_000, 99))
    second = history.window(86400, now=now + 20_001, max_points=400)
    assert len(first.t) <= 400 and len(second.t) <= 400
    assert second.values[-1, CONNECTION_SERIES.index("total")] == 99
    np.testing.assert_array_equal(first.t[:-2], second.t[: len(first.t) - 2])


def test_a_day_of_pooler_samples_is_reduced_and_keeps_its_spike() -> None:
    history = EnvironmentHistory(1.0)
    now = 1_700_000_000.0
    t = now - 86_400 + np.arange(86_400, dtype=float)
    clients = 5.0 + np.arange(86_400) % 3
    clients[40_000] = 90.0  # one second of 90 clients
    history.pooler.extend(t, np.column_stack((clients, np.zeros(86_400))))
    window = history.pooler_window(86_400, now, max_points=500)
    assert window.reduced and len(window.t) <= 500
    assert np.nanmax(window.column(0)) == 90.0 and np.nanmin(window.column(0)) == 5.0
    assert len(history.pooler_window(300, now, max_points=500).t) == 300  # few: as they are


def test_service_traces_keep_latency_and_the_last_error() -> None:
    history = EnvironmentHistory(1.0)
    ok = HealthResult("api", "http://h/health", True, 1.0, 200, 12.5)
    bad = HealthResult("api", "http://h/health", False, 2.0, 503, 30.0, "HTTP 503")
    for result in (ok, bad, ok):
        history.record(_report(result.checked_at, 3, (result,)))
    trace = history.services["api"]
    latencies = trace.latencies()
    assert latencies[0] == 12.5 and np.isnan(latencies[1]) and latencies[2] == 12.5
    assert trace.last_error == "HTTP 503" and trace.last_error_at == 2.0


def test_store_follows_interval_changes_and_forgets_removed_environments() -> None:
    store = HistoryStore()
    store.record(_report(1.0, 3), interval=5.0)
    history = store.record(_report(2.0, 4), interval=60.0)
    assert history.connections.capacity == capacity_for(60.0) and len(history.connections) == 2
    store.retain(["other"])
    assert store.get("prod") is None
