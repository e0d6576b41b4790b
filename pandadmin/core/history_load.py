"""What the charts read back from the history store: connection series with their gaps.

The last hour comes from raw samples; older stretches from the rollup tiers as min/max
envelopes (two points per bucket, what the chart's own min/max reduction would draw).
Where nothing was polling, a NaN row makes the chart break the line (never interpolated).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from pandadmin.core.history import CONNECTION_SERIES, DAY_S, GAP_FACTOR, Array
from pandadmin.core.samples import migration_status_name
from pandadmin.core.store import Store
from pandadmin.core.store_read import columns, rollup_columns

CHART_NAMES = (*(f"conn.state.{s}" for s in CONNECTION_SERIES[:-1]), "conn.total")
RAW_SPAN_S = 3900.0  # the 5 min and 1 h ranges are drawn from raw samples
Series = tuple[Array, Array]


def tier_for(seconds: float) -> int:
    """The rollup width that draws a range of `seconds` with enough points."""
    return 60 if seconds <= 8 * DAY_S else 900


def load_recent(
    store: Store,
    now: float,
    intervals: Mapping[str, float],
    seconds: float = DAY_S,
    only: str | None = None,
) -> dict[str, Series]:
    """Every environment's (or `only` one's) chart series for the last `seconds`: raw for
    the last hour, 1-minute envelopes before it."""
    cut = math.floor((now - RAW_SPAN_S) / 60) * 60
    older = envelopes(store, 60, now - seconds, cut, only)
    raw = columns(store, CHART_NAMES, cut, now, only)
    out = {}
    for env in dict.fromkeys([*older, *raw]):
        gap = GAP_FACTOR * intervals.get(env, 5.0)
        parts = [
            older.get(env),
            _raw_series(raw[env].t, raw[env].values, gap) if env in raw else None,
        ]
        out[env] = _join([p for p in parts if p is not None], max(gap, 90.0))
    return out


def envelopes(
    store: Store, width: int, start: float, end: float, only: str | None = None
) -> dict[str, Series]:
    """min/max envelopes of one tier for every environment (or `only`), with gaps for
    missing buckets."""
    out = {}
    for env, r in rollup_columns(store, width, CHART_NAMES, start, end, only).items():
        t = np.column_stack((r.t, r.t + width / 2)).ravel()
        values = np.stack((zero_absent_states(r.mins), zero_absent_states(r.maxs)), axis=1).reshape(
            -1, len(CHART_NAMES)
        )
        out[env] = with_gaps(t, values, width * 0.75)
    return out


def with_gaps(t: Array, values: Array, max_gap: float) -> Series:
    """A NaN row wherever consecutive samples are more than `max_gap` apart."""
    where = np.flatnonzero(np.diff(t) > max_gap)
    if not len(where):
        return t, values
    middle = (t[where] + t[where + 1]) / 2
    return np.insert(t, where + 1, middle), np.insert(values, where + 1, np.nan, axis=0)


def _raw_series(t: Array, values: Array, gap: float) -> Series:
    return with_gaps(t, zero_absent_states(values), gap)


def zero_absent_states(values: Array) -> Array:
    """States absent from a sample that reached the database count 0 (the total is known)."""
    known = np.isfinite(values[:, -1:])
    return np.where(np.isnan(values) & known, 0.0, values)


def _join(parts: list[Series], max_gap: float) -> Series:
    t = np.concatenate([p[0] for p in parts])
    values = np.concatenate([p[1] for p in parts])
    if len(parts) < 2:
        return t, values
    boundary = len(parts[0][0])
    if boundary and boundary < len(t) and t[boundary] - t[boundary - 1] > max_gap:
        t = np.insert(t, boundary, (t[boundary - 1] + t[boundary]) / 2)
        values = np.insert(values, boundary, np.nan, axis=0)
    return t, values


def health_timeline(
    store: Store, environment: str, services: tuple[str, ...], start: float, end: float
) -> tuple[Array, Array]:
    """Each service's up fraction over time (1 up, 0 down, NaN not polled): raw samples for
    the last 48 h, the 1-minute tier before (its mean is the fraction of checks that passed)."""
    names = tuple(f"health.up.{s}" for s in services)
    raw = columns(store, names, start, end).get(environment)
    if raw is not None and len(raw.t) and raw.t[0] - start < 600:
        return raw.t, raw.values
    roll = rollup_columns(store, tier_for(end - start), names, start, end).get(environment)
    if roll is None:
        return (raw.t, raw.values) if raw is not None else (np.empty(0), np.empty((0, len(names))))
    if raw is None:
        return roll.t, roll.means
    older = roll.t < (raw.t[0] if len(raw.t) else math.inf)
    return np.concatenate((roll.t[older], raw.t)), np.concatenate((roll.means[older], raw.values))


def migration_changed_at(store: Store, environment: str, now: float) -> tuple[str, float] | None:
    """(current migration status, when it last changed) as far back as the store knows."""
    name = ("migrations.status",)
    raw = columns(store, name, now - 2 * DAY_S, now).get(environment)
    codes = raw.values[:, 0] if raw is not None else np.empty(0)
    known = np.isfinite(codes)
    if raw is None or not known.any():
        return None
    t, codes = raw.t[known], codes[known]
    current = codes[-1]
    changed = np.flatnonzero(codes != current)
    status = migration_status_name(float(current)) or "unknown"
    if len(changed):
        return status, float(t[changed[-1] + 1])
    roll = rollup_columns(store, 900, name, now - 90 * DAY_S, t[0]).get(environment)
    if roll is not None:
        differs = np.flatnonzero((roll.mins[:, 0] != current) | (roll.maxs[:, 0] != current))
        if len(differs):
            return status, float(roll.t[differs[-1]] + 900)
    return status, float(t[0])  # unchanged since the oldest sample kept
