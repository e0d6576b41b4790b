"""The history store: one SQLite file (WAL) of raw samples and min/max/mean rollups.

Tiers (DESIGN.md "History that outlives the window"): raw samples for 48 h, 1-minute
rollups for 14 days, 15-minute rollups for 90 days; rollups are made from the stored rows
when a bucket closes (so a killed writer loses no rollup), and rows past their tier's
age are deleted as new ones arrive. Not thread-safe: one Store per thread (the writer
thread owns its own; readers open theirs).
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pandadmin.core.samples import Sample
from pandadmin.core.store_codec import (
    Array,
    Rollup,
    decode,
    encode,
    rollup_rollups,
    rollup_samples,
    vector,
)
from pandadmin.core.store_schema import open_connection

log = logging.getLogger(__name__)
RAW_KEEP_S = 48 * 3600.0
TIERS = ((60, 14 * 86400.0), (900, 90 * 86400.0))  # (bucket seconds, kept for seconds)
MAX_LAYOUT = 256  # names per environment layout before it starts afresh
PRUNE_EVERY_S = 60.0


class StoreError(Exception):
    """The store cannot be used (unreadable, newer, no disk); the message is one line."""


@dataclass(frozen=True, slots=True)
class RawRow:
    environment: str
    t: float
    names: tuple[str, ...]
    values: Array

    def get(self, name: str) -> float:
        try:
            return float(self.values[self.names.index(name)])
        except ValueError:
            return math.nan


@dataclass(frozen=True, slots=True)
class RollupRow:
    environment: str
    t: float  # bucket start
    width: int
    rollup: Rollup


class Store:
    """Read and write one history file."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.db = open_connection(path, readonly=readonly)
        self._env_ids: dict[str, int] = {}
        self._env_names: dict[int, str] = {}
        self._layout_ids: dict[tuple[str, ...], int] = {}
        self._layouts: dict[int, tuple[str, ...]] = {}
        self._current: dict[int, tuple[str, ...]] = {}  # sticky layout per environment
        self._last_minute: dict[int, int] = {}
        self._pruned_at = -math.inf

    def close(self) -> None:
        self.db.close()

    # writing -------------------------------------------------------------------------

    def write(
        self, samples: Iterable[Sample], reports: dict[str, tuple[float, str]] | None = None
    ) -> None:
        """One transaction: the samples, their rollups when buckets close, the latest reports
        ((time, JSON) by environment), and pruning."""
        try:
            with self.db:
                newest = -math.inf
                for sample in samples:
                    self._insert(sample)
                    newest = max(newest, sample.t)
                for name, (t, text) in (reports or {}).items():
                    self.db.execute(
                        "INSERT OR REPLACE INTO latest VALUES (?, ?, ?)",
                        (self._env(name), _ms(t), text),
                    )
                if newest - self._pruned_at >= PRUNE_EVERY_S:
                    self._prune(newest)
        except sqlite3.Error as exc:
            raise StoreError(f"history store {self.path}: {exc}") from exc

    def _insert(self, sample: Sample) -> None:
        env = self._env(sample.environment)
        names = self._layout_for(env, sample)
        data = encode(vector(names, sample.values))
        self.db.execute(
            "INSERT OR REPLACE INTO raw VALUES (?, ?, ?, ?)",
            (_ms(sample.t), env, self._layout_id(names), data),
        )
        minute = int(sample.t // 60)
        previous = self._last_minute.get(env)
        if previous is None:
            previous = self._catch_up_from(env)
        if previous is not None and minute > previous:
            self._roll(env, previous * 60, minute * 60)
        self._last_minute[env] = max(minute, previous if previous is not None else minute)

    def _catch_up_from(self, env: int) -> int | None:
        """The minute of the last raw row of `env` not yet rolled up (after a restart)."""
        done = self.db.execute(
            "SELECT max(bucket) FROM rollup WHERE tier = 60 AND env = ?", (env,)
        ).fetchone()[0]
        since = _ms((done + 60) if done is not None else 0)
        first = self.db.execute(
            "SELECT min(t) FROM raw WHERE t >= ? AND env = ?", (since, env)
        ).fetchone()[0]
        return None if first is None else int(first // 60000)

    def _roll(self, env: int, start: int, end: int) -> None:
        """Roll up every closed 1-minute bucket of `env` in [start, end), then 15-minute ones."""
        rows = [
            (self._layouts_by_id(layout), decode(data), t)
            for t, layout, data in self.db.execute(
                "SELECT t, layout, data FROM raw WHERE t >= ? AND t < ? AND env = ?",
                (_ms(start), _ms(end), env),
            )
        ]
        minutes: dict[int, list[tuple[tuple[str, ...], Array]]] = {}
        for names, values, t in rows:
            minutes.setdefault(t // 60000 * 60, []).append((names, values))
        for bucket, members in minutes.items():
            self._put_rollup(60, bucket, env, rollup_samples(members))
        for quarter in sorted({b // 900 * 900 for b in minutes}):
            if quarter + 900 <= end:
                self._roll_quarter(env, quarter)

    def _roll_quarter(self, env: int, quarter: int) -> None:
        parts = [row.rollup for row in self._rollup_rows(60, quarter, quarter + 900, env)]
        if parts:
            self._put_rollup(900, quarter, env, rollup_rollups(parts))

    def _put_rollup(self, tier: int, bucket: int, env: int, rollup: Rollup) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO rollup VALUES (?, ?, ?, ?, ?, ?)",
            (tier, bucket, env, self._layout_id(rollup.names), rollup.n, rollup.pack()),
        )

    def _prune(self, newest: float) -> None:
        self.db.execute("DELETE FROM raw WHERE t < ?", (_ms(newest - RAW_KEEP_S),))
        for tier, keep in TIERS:
            self.db.execute(
                "DELETE FROM rollup WHERE tier = ? AND bucket < ?", (tier, int(newest - keep))
            )
        self._pruned_at = newest

    def _layout_for(self, env: int, sample: Sample) -> tuple[str, ...]:
        """The environment's current layout, grown by new names (a bounded union, so
        applications coming and going do not mint a layout per poll)."""
        current = self._current.get(env, ())
        new = [name for name in sample.values if name not in current]
        if new:
            grown = current + tuple(sorted(new))
            current = grown if len(grown) <= MAX_LAYOUT else tuple(sorted(sample.values))
            self._current[env] = current
        return current

    # ids ---------------------------------------------------------------------------------

    def _env(self, name: str) -> int:
        known = self._env_ids.get(name)
        if known is not None:
            return known
        self.db.execute("INSERT OR IGNORE INTO environments (name) VALUES (?)", (name,))
        (ident,) = self.db.execute("SELECT id FROM environments WHERE name = ?", (name,)).fetchone()
        self._env_ids[name], self._env_names[ident] = ident, name
        return int(ident)

    def _env_name(self, ident: int) -> str:
        if ident not in self._env_names:
            for i, name in self.db.execute("SELECT id, name FROM environments"):
                self._env_names[i], self._env_ids[name] = name, i
        return self._env_names[ident]

    def _layout_id(self, names: tuple[str, ...]) -> int:
        known = self._layout_ids.get(names)
        if known is not None:
            return known
        text = json.dumps(names)
        self.db.execute("INSERT OR IGNORE INTO layouts (names) VALUES (?)", (text,))
        (ident,) = self.db.execute("SELECT id FROM layouts WHERE names = ?", (text,)).fetchone()
        self._layout_ids[names], self._layouts[ident] = ident, names
        return int(ident)

    def _layouts_by_id(self, ident: int) -> tuple[str, ...]:
        if ident not in self._layouts:
            (text,) = self.db.execute("SELECT names FROM layouts WHERE id = ?", (ident,)).fetchone()
            self._layouts[ident] = tuple(json.loads(text))
        return self._layouts[ident]

    # reading -----------------------------------------------------------------------------

    def environments(self) -> list[str]:
        return [name for (name,) in self.db.execute("SELECT name FROM environments ORDER BY id")]

    def raw(
        self, start: float, end: float = math.inf, environment: str | None = None
    ) -> Iterator[RawRow]:
        """Raw samples with start < t <= end (every environment's, or one's), oldest first."""
        query = "SELECT t, env, layout, data FROM raw WHERE t > ? AND t <= ?"
        args: tuple[object, ...] = (_ms(start), _ms(min(end, 4e12)))
        if environment is not None:
            query, args = query + " AND env = ?", (*args, self._env_id_or_none(environment))
        try:
            for t, env, layout, data in self.db.execute(query + " ORDER BY t", args):
                yield RawRow(
                    self._env_name(env), t / 1000, self._layouts_by_id(layout), decode(data)
                )
        except sqlite3.Error as exc:
            raise StoreError(f"history store {self.path}: {exc}") from exc

    def series(
        self, environment: str, names: tuple[str, ...], start: float, end: float = math.inf
    ) -> tuple[Array, Array]:
        """Raw timestamps and a column per name (NaN where a sample lacks it)."""
        rows = list(self.raw(start, end, environment))
        t = np.array([row.t for row in rows], dtype=float)
        values = np.array([[row.get(n) for n in names] for row in rows], dtype=float)
        return t, values.reshape(len(rows), len(names))

    def rollups(
        self, width: int, start: float, end: float = math.inf, environment: str | None = None
    ) -> list[RollupRow]:
        env = None if environment is None else self._env_id_or_none(environment)
        try:
            return self._rollup_rows(width, int(start), int(min(end, 4e9)), env)
        except sqlite3.Error as exc:
            raise StoreError(f"history store {self.path}: {exc}") from exc

    def _rollup_rows(self, tier: int, start: int, end: int, env: int | None) -> list[RollupRow]:
        query = "SELECT bucket, env, layout, n, data FROM rollup WHERE tier = ? AND bucket >= ?"
        query += " AND bucket < ?" + ("" if env is None else " AND env = ?")
        args = (tier, start, end) if env is None else (tier, start, end, env)
        return [
            RollupRow(
                self._env_name(e), float(b), tier, Rollup.unpack(self._layouts_by_id(lay), n, d)
            )
            for b, e, lay, n, d in self.db.execute(query + " ORDER BY bucket", args)
        ]

    def latest_reports(self, since: float = -math.inf) -> list[tuple[str, float, str]]:
        """(environment, time, report JSON) of reports stored after `since`."""
        rows = self.db.execute(
            "SELECT env, t, report FROM latest WHERE t > ? ORDER BY t", (_ms(max(since, 0)),)
        ).fetchall()
        return [(self._env_name(env), t / 1000, text) for env, t, text in rows]

    def _env_id_or_none(self, name: str) -> int:
        row = self.db.execute("SELECT id FROM environments WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else -1


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
