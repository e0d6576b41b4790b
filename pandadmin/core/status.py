"""The status rules of DESIGN.md: limits, budget and the worst status with readable reasons."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pandadmin.core.config import Environment, Thresholds
from pandadmin.core.migrations import MigrationStatus
from pandadmin.core.models import (
    ActivitySample,
    Budget,
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


def limits(plan_limit: int, sample: ActivitySample) -> Limits:
    """The effective limit: the lowest of the plan, the server, the role and the database."""
    candidates = {"plan": plan_limit, "server": sample.server_limit}
    if sample.role_connection_limit >= 0:
        candidates["role"] = sample.role_connection_limit
    if sample.database_connection_limit >= 0:
        candidates["database"] = sample.database_connection_limit
    binding = min(candidates, key=lambda k: candidates[k])
    effective = max(candidates[binding], 0)
    used = sample.total
    utilization = used / effective if effective else 1.0
    return Limits(plan_limit, effective, used, max(effective - used, 0), utilization, binding)


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
    if migrations is None or migrations.status in ("up_to_date", "not_configured"):
        return []
    if migrations.status == "behind":
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
    pct = limit.utilization * 100
    text = f"connections at {pct:.0f}% of limit {limit.effective_limit}"
    if limit.binding != "plan":
        text += f" ({limit.binding} limit)"
    if pct >= thresholds.critical_pct:
        return [Finding(Status.CRITICAL, text)]
    if pct >= thresholds.warning_pct:
        return [Finding(Status.WARNING, text)]
    return []


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
