"""Who holds the connections: each application's count against what its pools may open.

A service is matched to the `application_name` of its connections by name (the sample
service and the deployment guide set `application_name` to the service name). A count
above the pool budget means a leak, over-scaling or a wrong pool setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pandadmin.core.config import Environment
from pandadmin.core.models import ActivitySample
from pandadmin.core.pooler import POOLER_APPLICATION

OWN_APPLICATION = "pandadmin"
NO_NAME = "(no application_name)"


@dataclass(frozen=True, slots=True)
class HolderRow:
    """One application: connections it holds now and the most its pools may open."""

    application: str
    actual: int
    expected: int | None  # None: not a configured service

    @property
    def over_budget(self) -> bool:
        return self.expected is not None and self.actual > self.expected

    @property
    def expected_text(self) -> str:
        return "—" if self.expected is None else str(self.expected)


def by_application(
    sample: ActivitySample, env: Environment | None, pooler_cap: int | None = None
) -> tuple[HolderRow, ...]:
    """Every application seen plus every configured service, most connections first.
    `pooler_cap`: PgBouncer's server cap, the budget of its (attributed) server connections."""
    expected = _expected(env)
    if pooler_cap is not None:
        expected[POOLER_APPLICATION] = pooler_cap
    counts = {name or NO_NAME: count for name, count in sample.by_application.items()}
    names = set(counts) | set(expected)
    shown = [n for n in names if n in counts or expected.get(n)]
    rows = [HolderRow(n, counts.get(n, 0), expected.get(n)) for n in shown]
    return tuple(sorted(rows, key=lambda r: (-r.actual, r.application)))


def counted(values: Mapping[str, int], empty: str = "(none)") -> tuple[tuple[str, int], ...]:
    """A breakdown as (label, count) pairs, largest first; blank labels named."""
    pairs = [(label or empty, count) for label, count in values.items()]
    return tuple(sorted(pairs, key=lambda p: (-p[1], p[0])))


def _expected(env: Environment | None) -> dict[str, int | None]:
    # pandadmin itself has no pool: one connection per running app or `check` (never flagged).
    expected: dict[str, int | None] = {OWN_APPLICATION: None}
    if env is not None:
        expected.update({s.name: s.worst_case_connections for s in env.services})
    return expected


def age_text(seconds: float | None) -> str:
    """A duration people read at a glance: `42 s`, `3 min 5 s`, `2 h 10 min`, or `—`."""
    if seconds is None:
        return "—"
    whole = int(max(seconds, 0.0))  # a transaction younger than the sample: never "-0 s"
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"
