"""Bulk reads of the history store into numpy columns, every environment in one scan.

The rows are keyed by time first, so one range scan serves all environments. SQLite hands
the scan back as one row of concatenations (`group_concat`): the rows never become Python
objects one by one, and the scan runs without the GIL, so a read on the history thread
does not stall, or get stalled by, the UI thread. The blobs of one layout are decoded
together and the wanted columns taken by a per-layout index.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pandadmin.core.store import Store, StoreError
from pandadmin.core.store_codec import Array, Bytes, Ints, decode_rows

Index = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Columns:
    """Timestamps (epoch seconds) and one column per wanted name."""

    t: Array
    values: Array


@dataclass(frozen=True, slots=True)
class RollupColumns:
    """Bucket starts and min/max/mean columns per wanted name; `n` samples per bucket."""

    t: Array
    n: Array
    mins: Array
    maxs: Array
    means: Array


def columns(
    store: Store,
    names: tuple[str, ...],
    start: float,
    end: float = math.inf,
    only: str | None = None,
) -> dict[str, Columns]:
    """Raw samples with start < t <= end of every environment (or `only` that one), as
    columns of `names`."""
    query = "SELECT t, env, layout, data, 1 AS n FROM raw WHERE t > ? AND t <= ?"
    args: tuple[object, ...] = (_ms(start), _ms(min(end, 4e12)))
    query, args = _only(store, query, args, only)
    grouped = _scan(store, names, 1, query + " ORDER BY t", args)
    return {env: Columns(t / 1000.0, codes) for env, (t, _n, codes) in grouped.items()}


def rollup_columns(
    store: Store,
    width: int,
    names: tuple[str, ...],
    start: float,
    end: float = math.inf,
    only: str | None = None,
) -> dict[str, RollupColumns]:
    """Rollups of one tier with start <= bucket < end of every environment (or `only`)."""
    query = (
        "SELECT bucket AS t, env, layout, data, n FROM rollup"
        " WHERE tier = ? AND bucket >= ? AND bucket < ?"
    )
    args: tuple[object, ...] = (width, int(start), int(min(end, 4e9)))
    query, args = _only(store, query, args, only)
    grouped = _scan(store, names, 3, query + " ORDER BY t", args)
    out = {}
    for env, (t, n, values) in grouped.items():
        mins, maxs, means = np.split(values, 3, axis=1)
        out[env] = RollupColumns(t.astype(float), n, mins, maxs, means)
    return out


def _only(
    store: Store, query: str, args: tuple[object, ...], only: str | None
) -> tuple[str, tuple[object, ...]]:
    """Filter on one environment in SQL: the scan still visits every row, but in C."""
    if only is None:
        return query, args
    return query + " AND env = ?", (*args, store._env_id_or_none(only))


# One result row: every scanned row's time, environment, layout, blob length and count as
# comma-separated lists, and the blobs joined, all in the scan's order.
GATHER = (
    "SELECT group_concat(t), group_concat(env), group_concat(layout), group_concat(length(data)),"
    " CAST(group_concat(data, x'') AS BLOB), group_concat(n) FROM ({})"
)


def _scan(
    store: Store, names: tuple[str, ...], parts: int, query: str, args: tuple[object, ...]
) -> dict[str, tuple[Array, Array, Array]]:
    """Rows grouped by environment (in time order), decoded by layout in a few numpy calls."""
    try:
        found = store.db.execute(GATHER.format(query), args).fetchone()
        if found is None or found[0] is None:
            return {}
        t, envs, layouts, lengths = (_numbers(text) for text in found[:4])
        blobs, n = found[4], _numbers(found[5]).astype(float)
        if int(lengths.sum()) != len(blobs):
            raise ValueError("the joined rows do not add up")
        joined = np.frombuffer(blobs, dtype=np.uint8)
        starts = np.cumsum(lengths) - lengths
        values = _decode_layouts(store, layouts, joined, starts, lengths, names, parts)
        out = {}
        for env in np.unique(envs):
            where = np.flatnonzero(envs == env)
            where = where[np.argsort(t[where], kind="stable")]  # group_concat keeps no order
            out[store._env_name(int(env))] = (t[where].astype(float), n[where], values[where])
        return out
    except (sqlite3.Error, ValueError) as exc:
        raise StoreError(f"history store {store.path}: {exc}") from exc


def _numbers(text: str | int) -> Ints:
    """A group_concat of integers (one alone comes back as an int)."""
    return np.fromstring(str(text), dtype=np.int64, sep=",")


def _decode_layouts(
    store: Store,
    layouts: Ints,
    joined: Bytes,
    starts: Ints,
    lengths: Ints,
    names: tuple[str, ...],
    parts: int,
) -> Array:
    """The `names` columns of every row (NaN where a row's layout lacks one)."""
    values = np.empty((len(starts), len(names) * parts))
    for layout in np.unique(layouts):
        where = np.flatnonzero(layouts == layout)
        width = len(store._layouts_by_id(int(layout))) * parts
        wanted = _index(store, int(layout), names, parts)
        values[where] = decode_rows(joined, starts[where], lengths[where], width, wanted)
    return values


def _index(store: Store, layout: int, names: tuple[str, ...], parts: int) -> Index:
    """Where each wanted name sits in a layout's vector (its length: absent, read as NaN)."""
    stored = store._layouts_by_id(layout)
    position = {name: i for i, name in enumerate(stored)}
    width = len(stored)
    missing = width * parts
    return np.array(
        [part * width + position[n] if n in position else missing
         for part in range(parts) for n in names],
        dtype=np.intp,
    )  # fmt: skip


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
