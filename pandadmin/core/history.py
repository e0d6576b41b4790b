"""Bounded in-memory history of each environment's polls, feeding the GUI's charts.

Samples live in preallocated numpy ring buffers sized for 24 h at the poll interval;
windows holding more points than a chart can show are reduced to min/max per time
bucket, so the number of points drawn stays bounded (pyqtgraph#3301). NaN marks a
poll without data (database unreachable): charts draw it as a gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from pandadmin.core.report import EnvironmentReport

if TYPE_CHECKING:
    from pandadmin.core.prometheus_history import RangeSeries

Array = npt.NDArray[np.float64]
DAY_S = 86400.0
MAX_CAPACITY = 250_000  # 24 h at 0.35 s; a shorter interval keeps a shorter history
SPARK_POINTS = 120
CONNECTION_SERIES = ("active", "idle", "idle in transaction", "total")
POOLER_SERIES = ("pooler clients", "pooler waiting")  # PgBouncer's, when one is configured
GAP_FACTOR = 3.0  # no sample for this many intervals: nothing was polling, draw a gap


class RingBuffer:
    """Fixed-capacity time series: `width` values per timestamp, oldest overwritten."""

    def __init__(self, capacity: int, width: int) -> None:
        self.capacity = max(int(capacity), 2)
        self.width = width
        self._t: Array = np.full(self.capacity, np.nan)
        self._v: Array = np.full((self.capacity, width), np.nan)
        self._next = 0
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, t: float, values: Sequence[float]) -> None:
        self._t[self._next] = t
        self._v[self._next] = values
        self._next = (self._next + 1) % self.capacity
        self._size = min(self._size + 1, self.capacity)

    def extend(self, t: Array, values: Array) -> None:
        """Many rows at once (as many `append`s, in one or two slice copies)."""
        t = t[-self.capacity :]
        values = np.asarray(values).reshape(-1, self.width)[-self.capacity :]
        first = min(len(t), self.capacity - self._next)
        for begin, rows in ((self._next, slice(0, first)), (0, slice(first, len(t)))):
            count = rows.stop - rows.start
            self._t[begin : begin + count] = t[rows]
            self._v[begin : begin + count] = values[rows]
        self._next = (self._next + len(t)) % self.capacity
        self._size = min(self._size + len(t), self.capacity)

    def ordered(self) -> tuple[Array, Array]:
        """Chronological copies of the timestamps and the values."""
        if self._size < self.capacity:
            return self._t[: self._size].copy(), self._v[: self._size].copy()
        # Two slices joined: about twice as fast as fancy indexing with an index array.
        head = slice(self._next, self.capacity)
        tail = slice(0, self._next)
        return (
            np.concatenate((self._t[head], self._t[tail])),
            np.concatenate((self._v[head], self._v[tail])),
        )

    def latest(self) -> float | None:
        """The newest timestamp, or None when empty."""
        return float(self._t[(self._next - 1) % self.capacity]) if self._size else None

    def oldest(self) -> float | None:
        """The oldest timestamp, or None when empty."""
        if not self._size:
            return None
        return float(self._t[self._next if self._size == self.capacity else 0])

    def since(self, start: float) -> tuple[Array, Array]:
        """Chronological copies of the samples with `t >= start` (only those are copied)."""
        return self.between(start, math.inf)

    def count_since(self, start: float) -> int:
        """How many samples `since(start)` holds, without copying them."""
        return sum(
            len(t) - int(np.searchsorted(t, start, side="left"))
            for t in (self._t[part] for part in self._parts())
        )

    def between(self, low: float, high: float) -> tuple[Array, Array]:
        """Chronological copies of the samples with `low <= t < high`."""
        pieces = []
        for part in self._parts():
            t = self._t[part]
            first, end = (int(i) for i in np.searchsorted(t, (low, high), side="left"))
            pieces.append((t[first:end], self._v[part][first:end]))
        return (
            np.concatenate([t for t, _ in pieces]),
            np.concatenate([v for _, v in pieces]).reshape(-1, self.width),
        )

    def _parts(self) -> tuple[slice, ...]:
        """The filled part of the arrays as chronological slices (two once wrapped)."""
        if self._size < self.capacity:
            return (slice(0, self._size),)
        return (slice(self._next, self.capacity), slice(0, self._next))

    def resized(self, capacity: int) -> RingBuffer:
        """A new buffer of `capacity` holding the newest samples of this one."""
        out = RingBuffer(capacity, self.width)
        t, v = self.ordered()
        for when, row in zip(t[-out.capacity :], v[-out.capacity :], strict=True):
            out.append(float(when), row.tolist())
        return out


@dataclass(frozen=True, slots=True)
class Window:
    """Points to draw: timestamps (epoch seconds) and one column per series."""

    t: Array
    values: Array
    reduced: bool = False

    def column(self, index: int) -> Array:
        return self.values[:, index]


def bucket_width(seconds: float, buckets: int) -> float:
    """The width of the min/max buckets that fit `buckets` of them in `seconds`.

    Buckets sit on a fixed grid of epoch time (bucket k covers [k * width, (k + 1) *
    width)), not on the window's start: a bucket that has closed never changes while the
    window slides, so MinMaxCache reduces it once.
    """
    return max(seconds / max(buckets - 1, 1), 1e-9)


def reduce_minmax(t: Array, v: Array, start: float, end: float, buckets: int) -> Window:
    """Min and max of every series per time bucket (two points per bucket, NaN kept as gaps).

    At most `buckets` buckets: later samples (float rounding, `buckets == 1`) join the last.
    """
    width = bucket_width(end - start, buckets)
    first = math.floor(start / width)
    return _reduce(t, v, np.clip(_cells(t, width), first, first + buckets - 1))


def _cells(t: Array, width: float) -> npt.NDArray[np.int64]:
    return np.floor(t / width).astype(np.int64)


def _reduce(t: Array, v: Array, cells: npt.NDArray[np.int64]) -> Window:
    """Two points per run of equal `cells`: (first time, min) and (last time, max)."""
    if len(t) == 0:
        return Window(t, v.reshape(0, v.shape[1]), reduced=True)
    starts = np.flatnonzero(np.r_[True, np.diff(cells) != 0])
    ends = np.r_[starts[1:] - 1, len(t) - 1]
    # One contiguous row per series: reduceat along rows is ~3x faster than along axis 0.
    columns = np.ascontiguousarray(v.T)
    lows = np.fmin.reduceat(columns, starts, axis=1).T
    highs = np.fmax.reduceat(columns, starts, axis=1).T
    times = np.column_stack((t[starts], t[ends])).ravel()
    values = np.stack((lows, highs), axis=1).reshape(-1, v.shape[1])
    return Window(times, values, reduced=True)


class MinMaxCache:
    """`reduce_minmax` of a ring buffer's newest samples, kept between calls.

    Only the buckets at the two ends of the window are reduced on every call (the
    newest one is still filling, the oldest is cut by the window's start or by the ring
    overwriting it); the closed buckets between them are reduced once and kept. Same
    output as `reduce_minmax(*buffer.since(start), start, end, buckets)`.
    """

    def __init__(self, buffer: RingBuffer) -> None:
        self.buffer = buffer
        self._width = 0.0
        self._cells: npt.NDArray[np.int64] = np.empty(0, np.int64)  # one per kept bucket
        self._kept = Window(np.empty(0), np.empty((0, buffer.width)), reduced=True)
        self._through = -(2**62)  # every bucket from _low up to this one is in _kept (if not empty)
        self._low = self._through

    def window(self, start: float, end: float, buckets: int) -> Window:
        oldest, latest = self.buffer.oldest(), self.buffer.latest()
        width = bucket_width(end - start, buckets)
        if oldest is None or latest is None or buckets < 3:
            return reduce_minmax(*self.buffer.since(start), start, end, buckets)
        first = math.floor(start / width)
        last = first + buckets - 1
        low = max(first, math.floor(oldest / width)) + 1  # buckets >= low are whole
        high = min(math.floor(latest / width), last) - 1  # buckets <= high are closed
        self._keep(width, low, high)
        head = self._raw(start, first, last, first, low - 1)
        tail = self._raw(start, first, last, max(low, high + 1), last)
        kept = slice(2 * int(np.searchsorted(self._cells, low)), None)
        return Window(
            np.concatenate((head.t, self._kept.t[kept], tail.t)),
            np.concatenate((head.values, self._kept.values[kept], tail.values)),
            reduced=True,
        )

    def _keep(self, width: float, low: int, high: int) -> None:
        """Keep buckets low..high: drop older ones, reduce the newly closed ones."""
        if width != self._width or self._through > high or low < self._low:
            self._width, self._through = width, low - 1  # another window, or time went back
            self._cells, self._kept = self._cells[:0], _slice(self._kept, 0, 0)
        self._low = low
        drop = int(np.searchsorted(self._cells, low))
        self._cells, self._kept = self._cells[drop:], _slice(self._kept, 2 * drop, None)
        self._through = max(self._through, low - 1)
        if high > self._through:
            t, v = self.buffer.between(self._through * width, (high + 2) * width)
            cells = _cells(t, width)
            inside = (cells > self._through) & (cells <= high)
            new = _reduce(t[inside], v[inside], cells[inside])
            new_cells = np.unique(cells[inside])
            self._cells = np.concatenate((self._cells, new_cells))
            self._kept = Window(
                np.concatenate((self._kept.t, new.t)),
                np.concatenate((self._kept.values, new.values)),
                reduced=True,
            )
            self._through = high

    def _raw(self, start: float, first: int, last: int, low: int, high: int) -> Window:
        """Buckets low..high reduced from the buffer's samples (those since `start`)."""
        if high < low:
            return _slice(self._kept, 0, 0)
        width = self._width
        upper = math.inf if high >= last else (high + 2) * width
        t, v = self.buffer.between(max(start, low * width - width), upper)
        cells = np.clip(_cells(t, width), first, last)
        inside = (t >= start) & (cells >= low) & (cells <= high)
        return _reduce(t[inside], v[inside], cells[inside])


def _slice(window: Window, begin: int, end: int | None) -> Window:
    return Window(window.t[begin:end], window.values[begin:end], reduced=True)


@dataclass(slots=True)
class ServiceTrace:
    """Latency sparkline data and the last error of one service."""

    latency: RingBuffer = field(default_factory=lambda: RingBuffer(SPARK_POINTS, 1))
    last_error: str | None = None
    last_error_at: float | None = None

    def latencies(self) -> Array:
        return self.latency.ordered()[1][:, 0]


class EnvironmentHistory:
    """Connections over time and per-service health traces of one environment."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.connections = RingBuffer(capacity_for(interval), len(CONNECTION_SERIES))
        self._reduced = MinMaxCache(self.connections)
        self.services: dict[str, ServiceTrace] = {}
        self.last_seen: float | None = None
        self.pooler = RingBuffer(capacity_for(interval), len(POOLER_SERIES))
        self._pooler_reduced = MinMaxCache(self.pooler)
        # What a team Prometheus saw where this app did not (filled by the Qt link).
        self.remote: RangeSeries | None = None
        # min/max envelopes from the store for ranges beyond the ring's day: (width, t, values)
        self.stored: tuple[int, Array, Array] | None = None

    def record(self, report: EnvironmentReport) -> None:
        self._record_database(report)
        self.record_services(report)
        self._record_pooler(report)

    def pooler_window(self, seconds: float, now: float, max_points: int = 1600) -> Window:
        """PgBouncer's clients and waiting clients of the last `seconds` (POOLER_SERIES),
        reduced like `window` when too many."""
        return _recent(self.pooler, self._pooler_reduced, now - seconds, now, max_points)

    def _record_pooler(self, report: EnvironmentReport) -> None:
        if report.pooler is None:
            return
        sample = report.pooler.sample
        row = [float(sample.clients["total"]), float(sample.clients["waiting"])] if sample else []
        latest = self.pooler.latest()
        t = report.checked_at if latest is None else max(report.checked_at, latest)
        self.pooler.append(t, row or [np.nan] * len(POOLER_SERIES))

    def record_services(self, report: EnvironmentReport) -> None:
        for result in report.services:
            trace = self.services.get(result.service)
            if trace is None:  # not setdefault: that builds a ring buffer every report
                trace = self.services[result.service] = ServiceTrace()
            latency = result.latency_ms if result.ok and result.latency_ms is not None else np.nan
            trace.latency.append(result.checked_at, [latency])
            if not result.ok:
                trace.last_error = result.error or f"HTTP {result.http_status}"
                trace.last_error_at = result.checked_at

    def window(self, seconds: float, now: float, max_points: int = 1600) -> Window:
        """The samples of the last `seconds` before `now`, reduced when too many."""
        start = now - seconds
        if seconds > DAY_S:
            return self._long_window(start, now, max_points)
        return _recent(self.connections, self._reduced, start, now, max_points)

    def _long_window(self, start: float, now: float, max_points: int) -> Window:
        """The stored envelope where the ring has nothing, then the ring, reduced."""
        t, v = self.connections.since(start)
        if self.stored is not None:
            _width, stored_t, stored_v = self.stored
            older = (stored_t >= start) & (stored_t < (t[0] if len(t) else math.inf))
            t = np.concatenate((stored_t[older], t))
            v = np.concatenate((stored_v[older], v))
        return reduce_minmax(t, v, start, now, max_points // 2)

    def set_interval(self, interval: float) -> None:
        if interval != self.interval:
            self.interval = interval
            self.connections = self.connections.resized(capacity_for(interval))
            self.pooler = self.pooler.resized(capacity_for(interval))
            self._reduced = MinMaxCache(self.connections)
            self._pooler_reduced = MinMaxCache(self.pooler)

    def _record_database(self, report: EnvironmentReport) -> None:
        database = report.database
        if database is None:
            return
        sample = database.sample
        if sample is None:
            # The poll's time, not the result's: a monitor backing off repeats an old result.
            self._append(report.checked_at, [np.nan] * len(CONNECTION_SERIES))
            return
        self.last_seen = sample.taken_at
        states = sample.by_state
        row = [float(states.get(name, 0)) for name in CONNECTION_SERIES[:-1]]
        self._append(sample.taken_at, [*row, float(sample.total)])

    def _append(self, t: float, row: list[float]) -> None:
        latest = self.connections.latest()
        if latest is not None and t - latest > GAP_FACTOR * self.interval:
            self.connections.append(latest + self.interval, [np.nan] * len(row))
        # Timestamps stay sorted (windows are found by binary search) even if the clock steps back.
        self.connections.append(t if latest is None else max(t, latest), row)

    def append_rows(self, t: Array, values: Array) -> None:
        """Samples read from the store (a collector's), in CONNECTION_SERIES columns."""
        for when, row in zip(t.tolist(), values.tolist(), strict=True):
            self._append(when, row)

    def prefill(self, t: Array, values: Array) -> None:
        """Put what the store kept before the samples recorded since (loaded at start)."""
        recorded_t, recorded_v = self.connections.ordered()
        keep = recorded_t > (t[-1] if len(t) else -math.inf)
        self.connections = RingBuffer(self.connections.capacity, self.connections.width)
        self._reduced = MinMaxCache(self.connections)
        tail = max(0, self.connections.capacity - int(keep.sum()))
        if tail:
            self.connections.extend(t[-tail:], values[-tail:])
        self.append_rows(recorded_t[keep], recorded_v[keep])


def _recent(
    buffer: RingBuffer, cache: MinMaxCache, start: float, end: float, max_points: int
) -> Window:
    """The buffer's samples since `start`, as they are or (too many) min/max per bucket."""
    if buffer.count_since(start) <= max_points:
        return Window(*buffer.since(start))
    return cache.window(start, end, max_points // 2)


class HistoryStore:
    """One EnvironmentHistory per environment name."""

    def __init__(self) -> None:
        self._by_name: dict[str, EnvironmentHistory] = {}

    def record(self, report: EnvironmentReport, interval: float) -> EnvironmentHistory:
        history = self.ensure(report.name, interval)
        history.set_interval(interval)
        history.record(report)
        return history

    def get(self, name: str) -> EnvironmentHistory | None:
        return self._by_name.get(name)

    def ensure(self, name: str, interval: float) -> EnvironmentHistory:
        history = self._by_name.get(name)
        if history is None:
            history = self._by_name[name] = EnvironmentHistory(interval)
        return history

    def retain(self, names: Iterable[str]) -> None:
        """Forget the environments that are not in `names` (removed or renamed)."""
        keep = set(names)
        for name in [n for n in self._by_name if n not in keep]:
            del self._by_name[name]


def capacity_for(interval: float) -> int:
    """Samples in 24 h at `interval` seconds, bounded by MAX_CAPACITY."""
    return min(math.ceil(DAY_S / max(interval, 1e-3)) + 1, MAX_CAPACITY)
