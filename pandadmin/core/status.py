"""The status rules of DESIGN.md: limits, budget and the worst status with readable reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pandadmin.core.config import Environment, Thresholds
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


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason with the status it causes."""

    status: Status
    reason: str


def budget(env: Environment) -> Budget:
    by_service = {s.name: s.worst_case_connections for s in env.services}
    return Budget(sum(by_service.values()), by_service)


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
            )
        )
    if not sample.sees_all_sessions:
        found.append(Finding(Status.OK, _visibility_hint(sample)))
    return found


def health_findings(results: Iterable[HealthResult]) -> list[Finding]:
    found = []
    for r in results:
        if not r.ok:
            found.append(
                Finding(
                    Status.CRITICAL, f"service {r.service} unhealthy: {r.error or r.http_status}"
                )
            )
        found += [Finding(n.status, f"service {r.service}: {n.text}") for n in r.notes]
    return found


def migration_findings(migrations: MigrationStatus | None) -> list[Finding]:
    if migrations is None or migrations.status in (State.UP_TO_DATE, State.NOT_CONFIGURED):
        return []
    if migrations.status is State.BEHIND:
        count = len(migrations.pending)
        plural = "s" if count != 1 else ""
        return [Finding(Status.WARNING, f"migrations behind: {count} revision{plural} pending")]
    detail = migrations.error or migrations.detail
    text = migrations.status.replace("_", " ")
    return [Finding(Status.OK, f"migrations {text}" + (f": {detail}" if detail else ""))]


def overall(findings: Iterable[Finding], checked_anything: bool) -> tuple[Status, tuple[str, ...]]:
    """The worst status of the findings; reasons worst first."""
    items = sorted(findings, key=lambda f: -f.status)
    if not checked_anything:
        return Status.UNKNOWN, ("no database and no service configured",)
    return worst(f.status for f in items) if items else Status.OK, tuple(f.reason for f in items)


def _usage_findings(limit: Limits, thresholds: Thresholds) -> list[Finding]:
    """The fullest limit decides (each against its own count)."""
    fullest = max(limit.ceilings or (_as_ceiling(limit),), key=lambda c: c.utilization)
    pct = fullest.utilization * 100
    text = f"connections at {pct:.0f}% of limit {fullest.limit}"
    if fullest.source != "plan":
        text += f" ({fullest.source} limit)"
    if pct >= thresholds.critical_pct:
        return [Finding(Status.CRITICAL, text)]
    if pct >= thresholds.warning_pct:
        return [Finding(Status.WARNING, text)]
    return []


def _as_ceiling(limit: Limits) -> Ceiling:
    return Ceiling(limit.binding, limit.effective_limit, limit.used)


def _budget_findings(pools: Budget, limit: int) -> list[Finding]:
    if pools.worst_case <= limit:
        return []
    return [
        Finding(
            Status.WARNING,
            f"pools' worst case {pools.worst_case} connections exceeds limit {limit}",
        )
    ]


def _unreachable(result: DatabaseResult) -> Finding:
    if result.unchecked:
        return Finding(Status.UNKNOWN, f"database not checked: {result.error}")
    if result.refused_full:
        return Finding(
            Status.CRITICAL, "connection limit reached: the database refuses new connections"
        )
    return Finding(Status.CRITICAL, f"database unreachable: {result.error or 'no answer'}")


def _visibility_hint(sample: ActivitySample) -> str:
    return (
        f"role {sample.current_user} cannot see other sessions' state (counted as unknown): "
        f"GRANT pg_monitor TO {sample.current_user}"
    )
