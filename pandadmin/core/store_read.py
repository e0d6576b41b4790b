"""Bulk reads of the history store into numpy columns, every environment in one scan.

The rows are keyed by time first, so one range scan serves all environments; each blob is
inflated and the wanted columns taken by a per-layout index, with no per-value Python work.
"""

from __future__ import annotations

import math
import sqlite3
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pandadmin.core.store import Store, StoreError
from pandadmin.core.store_codec import SCALE, Array

_NAN = np.iinfo(np.int32).min
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
    store: Store, names: tuple[str, ...], start: float, end: float = math.inf
) -> dict[str, Columns]:
    """Raw samples with start < t <= end of every environment, as columns of `names`."""
    query = "SELECT t, env, layout, data FROM raw WHERE t > ? AND t <= ? ORDER BY t"
    grouped = _scan(store, names, 1, query, (_ms(start), _ms(min(end, 4e12))))
    return {env: Columns(t / 1000.0, codes) for env, (t, _n, codes) in grouped.items()}


def rollup_columns(
    store: Store, width: int, names: tuple[str, ...], start: float, end: float = math.inf
) -> dict[str, RollupColumns]:
    """Rollups of one tier with start <= bucket < end of every environment."""
    query = (
        "SELECT bucket, env, layout, data, n FROM rollup"
        " WHERE tier = ? AND bucket >= ? AND bucket < ? ORDER BY bucket"
    )
    grouped = _scan(store, names, 3, query, (width, int(start), int(min(end, 4e9))))
    out = {}
    for env, (t, n, values) in grouped.items():
        mins, maxs, means = np.split(values, 3, axis=1)
        out[env] = RollupColumns(t.astype(float), n, mins, maxs, means)
    return out


def _scan(
    store: Store, names: tuple[str, ...], parts: int, query: str, args: tuple[object, ...]
) -> dict[str, tuple[Array, Array, Array]]:
    indexes: dict[int, Index] = {}
    rows: dict[int, tuple[list[int], list[int], list[Array]]] = {}
    try:
        for row in store.db.execute(query, args):
            t, env, layout, data = row[:4]
            index = indexes.get(layout)
            if index is None:
                index = indexes[layout] = _index(store, layout, names, parts)
            codes = np.frombuffer(zlib.decompress(data, -15), dtype="<i4")
            times, counts, picked = rows.setdefault(env, ([], [], []))
            times.append(t)
            counts.append(row[4] if len(row) > 4 else 1)
            picked.append(np.append(codes, _NAN)[index])
    except (sqlite3.Error, zlib.error) as exc:
        raise StoreError(f"history store {store.path}: {exc}") from exc
    return {
        store._env_name(env): (np.array(times, dtype=float), np.array(n, float), _values(p))
        for env, (times, n, p) in rows.items()
    }


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


def _values(picked: list[Array]) -> Array:
    codes = np.vstack(picked)
    values = codes.astype(np.float64) / SCALE
    values[codes == _NAN] = np.nan
    return values


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
