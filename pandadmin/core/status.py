"""The status rules of DESIGN.md: limits, budget and the worst status with readable reasons.

Every domain judgement the CLI and the widgets show comes from here: a finding carries
its kind (never matched by text), and the usage, budget and threshold helpers are the
ones the status rules themselves use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from pandadmin.core.config import Environment, Service, Thresholds
from pandadmin.core.migration_status import MigrationState as State
from pandadmin.core.migration_status import MigrationStatus
from pandadmin.core.models import (
    ActivitySample,
    Budget,
    Ceiling,
    DatabaseResult,
    HealthResult,
    Limits,
    Status,
    worst,
)

UNKNOWN_STATE = "unknown"


class FindingKind(StrEnum):
    """What a finding is about; widgets pick findings by kind, never by their text."""

    SERVICE_DOWN = "service_down"
    SERVICE_NOTE = "service_note"
    DATABASE_UNREACHABLE = "database_unreachable"
    DATABASE_UNCHECKED = "database_unchecked"
    DATABASE_FULL = "database_full"  # refuses new connections
    USAGE = "usage"
    BUDGET = "budget"
    IDLE_IN_TRANSACTION = "idle_in_transaction"
    VISIBILITY = "visibility"
    MIGRATIONS = "migrations"
    NOTHING_CONFIGURED = "nothing_configured"
    POOLER_UNREACHABLE = "pooler_unreachable"
    POOLER_UNCHECKED = "pooler_unchecked"
    POOLER_WAIT = "pooler_wait"  # clients queued in PgBouncer
    POOLER_CLIENTS = "pooler_clients"  # client connections against max_client_conn
    POOLER_BUDGET = "pooler_budget"  # worst case above max_client_conn, or server cap above limit


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason with the status it causes."""

    status: Status
    reason: str
    kind: FindingKind


# How loudly a migration state is shown (a badge); only `behind` changes an environment's
# status (DESIGN.md), the others ask for a look.
MIGRATION_ATTENTION: Mapping[State, Status] = {
    State.UP_TO_DATE: Status.OK,
    State.BEHIND: Status.WARNING,
    State.AHEAD: Status.WARNING,
    State.DIVERGED: Status.WARNING,
    State.MULTIPLE_HEADS: Status.WARNING,
    State.NOT_INITIALIZED: Status.UNKNOWN,
    State.NOT_CONFIGURED: Status.UNKNOWN,
    State.ERROR: Status.UNKNOWN,
}


def usage_status(limit: Limits, thresholds: Thresholds) -> Status:
    """Critical / warning / ok for connection use: the fullest limit, against its own count."""
    pct = fullest(limit).utilization * 100
    if pct >= thresholds.critical_pct:
        return Status.CRITICAL
    if pct >= thresholds.warning_pct:
        return Status.WARNING
    return Status.OK


def fullest(limit: Limits) -> Ceiling:
    return max(limit.ceilings or (_as_ceiling(limit),), key=lambda c: c.utilization)


def budget_status(worst_case: int, limit: int) -> Status:
    """The pools' worst case above the limit is a warning."""
    return Status.WARNING if worst_case > limit else Status.OK


def threshold_band(limit: float, low_pct: float, high_pct: float) -> tuple[float, float]:
    """A band between two percentages of a limit, in connections."""
    return limit * low_pct / 100, limit * high_pct / 100


def budget(env: Environment) -> Budget:
    return services_budget(env.services)


def services_budget(services: Iterable[Service]) -> Budget:
    """The pools' worst case: sum of (pool_size + max_overflow) x workers x replicas."""
    listed = list(services)
    by_service = {s.name: s.worst_case_connections for s in listed}
    return Budget(sum(s.worst_case_connections for s in listed), by_service)


def ceilings(plan_limit: int, sample: ActivitySample) -> list[Ceiling]:
    """Every limit that applies, each with the connections it counts."""
    found = [Ceiling("plan", plan_limit, sample.total)]
    found.append(Ceiling("server", sample.server_limit, sample.total))
    if sample.role_connection_limit >= 0:
        found.append(Ceiling("role", sample.role_connection_limit, sample.role_connections))
    if sample.database_connection_limit >= 0:
        limit, used = sample.database_connection_limit, sample.database_connections
        found.append(Ceiling("database", limit, used))
    return found


def limits(plan_limit: int, sample: ActivitySample) -> Limits:
    """The binding limit: the least headroom (limit - what that limit counts); on a tie the
    fuller one."""
    candidates = ceilings(plan_limit, sample)
    binding = min(candidates, key=lambda c: (c.limit - c.used, -c.utilization))
    return Limits(
        plan_limit,
        max(binding.limit, 0),
        binding.used,
        binding.headroom,
        binding.utilization,
        binding.source,
        tuple(candidates),
    )


def database_findings(
    result: DatabaseResult,
    limit: Limits | None,
    pools: Budget,
    thresholds: Thresholds,
    plan_limit: int,
) -> list[Finding]:
    if result.sample is None or limit is None:
        return [_unreachable(result)] + _budget_findings(pools, plan_limit)
    sample = result.sample
    found = _usage_findings(limit, thresholds)
    found += _budget_findings(pools, limit.effective_limit)
    idle = sample.longest_idle_in_transaction_s
    if idle is not None and idle >= thresholds.idle_in_transaction_s:
        found.append(
            Finding(
                Status.WARNING,
                f"a connection is idle in transaction for {idle:.0f} s"
                f" (threshold {thresholds.idle_in_transaction_s:.0f} s)",
                FindingKind.IDLE_IN_TRANSACTION,
            )
        )
    if not sample.sees_all_sessions:
        found.append(Finding(Status.OK, _visibility_hint(sample), FindingKind.VISIBILITY))
    return found


def health_findings(results: Iterable[HealthResult]) -> list[Finding]:
    found = []
    for r in results:
        if not r.ok:
            reason = f"service {r.service} unhealthy: {r.error or r.http_status}"
            found.append(Finding(Status.CRITICAL, reason, FindingKind.SERVICE_DOWN))
        found += [
            Finding(n.status, f"service {r.service}: {n.text}", FindingKind.SERVICE_NOTE)
            for n in r.notes
        ]
    return found


def migration_findings(migrations: MigrationStatus | None) -> list[Finding]:
    if migrations is None or migrations.status in (State.UP_TO_DATE, State.NOT_CONFIGURED):
        return []
    if migrations.status is State.BEHIND:
        count = len(migrations.pending)
        plural = "s" if count != 1 else ""
        reason = f"migrations behind: {count} revision{plural} pending"
        return [Finding(Status.WARNING, reason, FindingKind.MIGRATIONS)]
    detail = migrations.error or migrations.detail
    text = f"migrations {migrations.status.replace('_', ' ')}" + (f": {detail}" if detail else "")
    return [Finding(Status.OK, text, FindingKind.MIGRATIONS)]


def overall(
    findings: Iterable[Finding], checked_anything: bool
) -> tuple[Status, tuple[Finding, ...]]:
    """The worst status of the findings; findings worst first."""
    items = tuple(sorted(findings, key=lambda f: -f.status))
    if not checked_anything:
        nothing = "no database and no service configured"
        return Status.UNKNOWN, (Finding(Status.UNKNOWN, nothing, FindingKind.NOTHING_CONFIGURED),)
    return worst(f.status for f in items) if items else Status.OK, items


def _usage_findings(limit: Limits, thresholds: Thresholds) -> list[Finding]:
    """The fullest limit decides (each against its own count)."""
    status, ceiling = usage_status(limit, thresholds), fullest(limit)
    if status is Status.OK:
        return []
    text = f"connections at {ceiling.utilization * 100:.0f}% of limit {ceiling.limit}"
    if ceiling.source != "plan":
        text += f" ({ceiling.source} limit)"
    return [Finding(status, text, FindingKind.USAGE)]


def _as_ceiling(limit: Limits) -> Ceiling:
    return Ceiling(limit.binding, limit.effective_limit, limit.used)


def _budget_findings(pools: Budget, limit: int) -> list[Finding]:
    status = budget_status(pools.worst_case, limit)
    if status is Status.OK:
        return []
    text = f"pools' worst case {pools.worst_case} connections exceeds limit {limit}"
    return [Finding(status, text, FindingKind.BUDGET)]


def _unreachable(result: DatabaseResult) -> Finding:
    if result.unchecked:
        reason = f"database not checked: {result.error}"
        return Finding(Status.UNKNOWN, reason, FindingKind.DATABASE_UNCHECKED)
    if result.refused_full:
        reason = "connection limit reached: the database refuses new connections"
        return Finding(Status.CRITICAL, reason, FindingKind.DATABASE_FULL)
    reason = f"database unreachable: {result.error or 'no answer'}"
    return Finding(Status.CRITICAL, reason, FindingKind.DATABASE_UNREACHABLE)


def _visibility_hint(sample: ActivitySample) -> str:
    return (
        f"role {sample.current_user} cannot see other sessions' state (counted as unknown): "
        f"GRANT pg_monitor TO {sample.current_user}"
    )
