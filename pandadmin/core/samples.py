"""What the history keeps of one poll: a flat map of named numeric series.

Names are stable (they are stored): `status`, `db.up`, `conn.total`, `conn.state.<state>`,
`conn.app.<application_name>`, `conn.oldest_tx_s`, `limit.effective`,
`limit.max_connections`, `budget.worst_case`, `health.up.<service>`,
`health.latency_ms.<service>`, `migrations.status` (a code, see MIGRATION_CODES),
`migrations.pending`, and with PgBouncer `pooler.up`, `pooler.clients.<active|waiting>`,
`pooler.servers.<state|total>`, `pooler.max_wait_s`, `pooler.max_client_conn`,
`pooler.server_cap`. A reader picks the names it knows. Nothing here is ever a secret: numbers only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pandadmin.core.report import EnvironmentReport

# Persisted codes: append only, never reorder.
MIGRATION_CODES = (
    "up_to_date",
    "behind",
    "ahead",
    "diverged",
    "not_initialized",
    "multiple_heads",
    "not_configured",
    "error",
)
# Counts in these maps are 0 (not unknown) when a sample that reached the database lacks them.
ZERO_WHEN_ABSENT = ("conn.state.", "conn.app.")
MAX_APPLICATIONS = 24  # more distinct application_names than this fold into "(other)"
CHART_SERIES = ("conn.state.active", "conn.state.idle", "conn.state.idle in transaction")


@dataclass(frozen=True, slots=True)
class Sample:
    """One environment's poll as numbers (NaN: not known at that poll)."""

    environment: str
    t: float  # epoch seconds
    values: Mapping[str, float]

    def get(self, name: str) -> float:
        return self.values.get(name, math.nan)


def sample_from_report(report: EnvironmentReport) -> Sample:
    """The numbers of one report (the one home of what a poll contributes to history)."""
    values: dict[str, float] = {"status": float(report.status)}
    _database(report, values)
    _pooler(report, values)
    for result in report.services:
        values[f"health.up.{result.service}"] = 1.0 if result.ok else 0.0
        latency = result.latency_ms if result.ok and result.latency_ms is not None else math.nan
        values[f"health.latency_ms.{result.service}"] = latency
    migrations = report.migrations
    if migrations is not None and migrations.status in MIGRATION_CODES:
        values["migrations.status"] = float(MIGRATION_CODES.index(migrations.status))
        values["migrations.pending"] = float(len(migrations.pending))
    if report.budget.worst_case:
        values["budget.worst_case"] = float(report.budget.worst_case)
    return Sample(report.name, report.checked_at, values)


def _pooler(report: EnvironmentReport, values: dict[str, float]) -> None:
    pooler = report.pooler
    if pooler is None:
        return
    sample = pooler.sample
    values["pooler.up"] = 1.0 if sample is not None else 0.0
    if sample is None:
        return
    for state in ("active", "waiting"):
        values[f"pooler.clients.{state}"] = float(sample.clients[state])
    for state, count in sample.servers.items():
        values[f"pooler.servers.{state}"] = float(count)
    values["pooler.max_wait_s"] = sample.max_wait_s
    values["pooler.max_client_conn"] = float(sample.max_client_conn)
    values["pooler.server_cap"] = float(sample.server_cap)


def _database(report: EnvironmentReport, values: dict[str, float]) -> None:
    database = report.database
    if database is None:
        return
    sample = database.sample
    values["db.up"] = 1.0 if sample is not None else 0.0
    if sample is None:
        return
    values["conn.total"] = float(sample.total)
    for state, count in sample.by_state.items():
        values[f"conn.state.{state}"] = float(count)
    for application, count in _top_applications(sample.by_application).items():
        values[f"conn.app.{application}"] = float(count)
    if sample.oldest_transaction_s is not None:
        values["conn.oldest_tx_s"] = sample.oldest_transaction_s
    values["limit.max_connections"] = float(sample.max_connections)
    if report.limits is not None:
        values["limit.effective"] = float(report.limits.effective_limit)


def _top_applications(counts: Mapping[str, int]) -> dict[str, int]:
    if len(counts) <= MAX_APPLICATIONS:
        return dict(counts)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = dict(ranked[: MAX_APPLICATIONS - 1])
    kept["(other)"] = sum(count for _name, count in ranked[MAX_APPLICATIONS - 1 :])
    return kept


def missing_value(name: str, values: Mapping[str, float]) -> float:
    """What a name absent from `values` stands for: 0 in count maps of a reached database."""
    if values.get("db.up") == 1.0 and name.startswith(ZERO_WHEN_ABSENT):
        return 0.0
    return math.nan


def migration_status_name(code: float) -> str | None:
    if math.isnan(code) or not 0 <= int(code) < len(MIGRATION_CODES):
        return None
    return MIGRATION_CODES[int(code)]
