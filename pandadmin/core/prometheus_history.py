"""History read back from a Prometheus server that scrapes a pandadmin collector.

`query_range` on the exposition's own names (DESIGN.md "Prometheus exposition") gives the
chart's connection columns for stretches the local store has no samples for: the on-call
laptop whose app was closed all week sees the team collector's day. Missing points stay NaN
(gaps), never interpolated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import numpy as np

from pandadmin.core.history import CONNECTION_SERIES, Array

MAX_POINTS = 1500  # well under Prometheus' 11,000 points per series limit
TIMEOUT_S = 5.0


class PrometheusError(Exception):
    """Prometheus could not answer: one line, without credentials."""


@dataclass(frozen=True, slots=True)
class RangeSeries:
    """Connection columns (CONNECTION_SERIES order) on a regular time grid."""

    t: Array
    values: Array  # shape (len(t), len(CONNECTION_SERIES)); NaN where nothing was scraped

    @property
    def step(self) -> float:
        return float(self.t[1] - self.t[0]) if len(self.t) > 1 else 15.0

    def covered(self) -> Array:
        """Timestamps at which Prometheus had a sample."""
        return self.t[~np.isnan(self.values[:, -1])]


def step_for(seconds: float) -> float:
    """A step that keeps a range under MAX_POINTS points, on whole seconds (>= 15 s grid)."""
    return float(max(15, math.ceil(seconds / MAX_POINTS)))


def display_url(url: str) -> str:
    """scheme://host:port of a Prometheus URL: never its credentials or query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


async def connection_history(
    client: httpx.AsyncClient, base_url: str, environment: str, start: float, end: float
) -> RangeSeries:
    """The environment's connections by state (and their total) from `start` to `end`."""
    step = step_for(end - start)
    grid = np.arange(math.floor(start / step) * step, end + step / 2, step)
    selector = f'pandadmin_connections{{environment="{_quote(environment)}"}}'
    result = await _query_range(client, base_url, selector, grid[0], grid[-1], step)
    values = np.full((len(grid), len(CONNECTION_SERIES)), np.nan)
    for series in result:
        state = series.get("metric", {}).get("state")
        if state in CONNECTION_SERIES[:-1]:
            _place(values[:, CONNECTION_SERIES.index(state)], grid, series["values"])
        else:
            _place(values[:, -1], grid, series["values"], add=True)
    _totals(values)
    return RangeSeries(grid, values)


def _totals(values: Array) -> None:
    """total = every state's count (states beyond the chart's three were summed in already)."""
    states = values[:, :-1]
    seen = ~np.all(np.isnan(states), axis=1) | ~np.isnan(values[:, -1])
    values[:, -1] = np.where(seen, np.nansum(values, axis=1), np.nan)
    for column in range(states.shape[1]):
        states[:, column] = np.where(seen & np.isnan(states[:, column]), 0.0, states[:, column])


def _place(column: Array, grid: Array, points: list[list[Any]], add: bool = False) -> None:
    step = grid[1] - grid[0] if len(grid) > 1 else 1.0
    for stamp, text in points:
        index = round((float(stamp) - float(grid[0])) / float(step))
        if 0 <= index < len(column):
            value = float(text)
            base = column[index]
            column[index] = value + (0.0 if math.isnan(base) or not add else base)


async def _query_range(
    client: httpx.AsyncClient, base_url: str, query: str, start: float, end: float, step: float
) -> list[dict[str, Any]]:
    params = {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
    where = display_url(base_url)
    try:
        response = await client.get(
            base_url.rstrip("/") + "/api/v1/query_range", params=params, timeout=TIMEOUT_S
        )
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        reason = type(exc).__name__ if not str(exc) else str(exc).splitlines()[0]
        raise PrometheusError(f"Prometheus at {where} cannot be reached: {reason}") from None
    if response.status_code != 200 or body.get("status") != "success":
        error = body.get("error") or f"HTTP {response.status_code}"
        raise PrometheusError(f"Prometheus at {where} refused the query: {error}")
    return list(body.get("data", {}).get("result", []))


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def where_missing(
    series: RangeSeries, local_t: Array, local_total: Array, gap: float
) -> RangeSeries:
    """Prometheus' points only where the local history has no sample within `gap` seconds:
    the stretches this app did not see (before it started, or while it was closed)."""
    seen = np.sort(local_t[~np.isnan(local_total)]) if len(local_t) else np.empty(0)
    if not len(seen):
        return series
    index = np.clip(np.searchsorted(seen, series.t), 1, len(seen)) - 1
    before = np.abs(series.t - seen[index])
    after = np.abs(seen[np.clip(index + 1, 0, len(seen) - 1)] - series.t)
    covered = np.minimum(before, after) <= gap
    values = series.values.copy()
    values[covered] = np.nan
    return RangeSeries(series.t, values)
