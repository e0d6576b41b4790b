"""The history store as a table of rows (for `pandadmin history`): raw samples when the
period is within the raw tier, else the rollup tier that covers it (min/max/mean)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pandadmin.core.models import iso
from pandadmin.core.store import RAW_KEEP_S, Store
from pandadmin.core.store_codec import union

RESOLUTION = {0: "raw", 60: "1m", 900: "15m"}


@dataclass(frozen=True, slots=True)
class HistoryTable:
    environment: str
    resolution: str
    header: tuple[str, ...]  # "time", then series names (rollups: "name:min" and so on)
    rows: list[list[Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "resolution": self.resolution,
            "columns": list(self.header),
            "rows": [[_json(v) for v in row] for row in self.rows],
        }


def read_rows(
    store: Store, environment: str, since: float, now: float | None = None
) -> HistoryTable:
    from time import time

    now = time() if now is None else now
    if now - since <= RAW_KEEP_S:
        return _raw(store, environment, since)
    width = 60 if now - since <= 14 * 86400 else 900
    return _rollups(store, environment, since, width)


def _raw(store: Store, environment: str, since: float) -> HistoryTable:
    samples = list(store.raw(since, environment=environment))
    names = union([s.names for s in samples])
    rows = [[iso(s.t), *(s.get(n) for n in names)] for s in samples]
    return HistoryTable(environment, "raw", ("time", *names), rows)


def _rollups(store: Store, environment: str, since: float, width: int) -> HistoryTable:
    found = store.rollups(width, since, environment=environment)
    names = union([r.rollup.names for r in found])
    header = ("time", "samples", *(f"{n}:{k}" for n in names for k in ("min", "max", "mean")))
    rows = []
    for row in found:
        r = row.rollup
        index = {name: i for i, name in enumerate(r.names)}
        cells: list[Any] = [iso(row.t), r.n]
        for name in names:
            i = index.get(name)
            cells += [math.nan] * 3 if i is None else [r.mins[i], r.maxs[i], r.means[i]]
        rows.append(cells)
    return HistoryTable(
        environment, RESOLUTION[width], header, [[_plain(v) for v in row] for row in rows]
    )


def _plain(value: Any) -> Any:
    return float(value) if hasattr(value, "item") else value


def _json(value: Any) -> Any:
    value = _plain(value)
    return None if isinstance(value, float) and math.isnan(value) else value
