"""One environment's poll, judged: the value object the GUI renders and `check --json` prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pandadmin.core.config import Config, Environment
from pandadmin.core.migration_status import MigrationStatus
from pandadmin.core.models import (
    Budget,
    DatabaseResult,
    HealthResult,
    Limits,
    Status,
    iso,
    worst,
)
from pandadmin.core.pooler import PoolerResult, pooler_findings, pooler_json
from pandadmin.core.status import (
    Finding,
    budget,
    database_findings,
    health_findings,
    limits,
    migration_findings,
    overall,
)


@dataclass(frozen=True, slots=True)
class EnvironmentReport:
    """Everything known about one environment after one poll."""

    name: str
    checked_at: float
    status: Status
    findings: tuple[Finding, ...]  # worst first
    services: tuple[HealthResult, ...]
    database: DatabaseResult | None
    database_status: Status | None
    limits: Limits | None
    budget: Budget
    migrations: MigrationStatus | None
    pooler: PoolerResult | None = None
    pooler_status: Status | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        """The findings as the sentences `check` prints (worst first)."""
        return tuple(f.reason for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.label,
            "reasons": list(self.reasons),
            "services": [s.to_json() for s in self.services],
            "database": self._database_json(),
            "migrations": self.migrations.to_json() if self.migrations else None,
            "pooler": self._pooler_json(),
        }

    def _pooler_json(self) -> dict[str, Any] | None:
        if self.pooler is None:
            return None
        out = pooler_json(self.pooler, self.pooler_status)
        if self.pooler.last_seen is not None:
            out["last_seen"] = iso(self.pooler.last_seen)
        return out

    def _database_json(self) -> dict[str, Any] | None:
        if self.database is None:
            return None
        db, sample, lim = self.database, self.database.sample, self.limits
        out: dict[str, Any] = {
            # `is None`: Status.OK is 0, and `or` turned every ok database into "unknown".
            "status": (
                Status.UNKNOWN if self.database_status is None else self.database_status
            ).label,
            "error": db.error,
            "url": db.url,
            "server_version": sample.server_version if sample else None,
            "connections": _connections_json(self.database) if sample else None,
            "max_connections": sample.max_connections if sample else None,
            "plan_limit": lim.plan_limit if lim else None,
            "effective_limit": lim.effective_limit if lim else None,
            "headroom": lim.headroom if lim else None,
            "utilization": round(lim.utilization, 4) if lim else None,
            "budget": {
                "worst_case": self.budget.worst_case,
                "by_service": dict(self.budget.by_service),
            },
        }
        if sample:
            out.update(
                tls=sample.tls,
                sees_all_sessions=sample.sees_all_sessions,
                limit_source=lim.binding if lim else None,
                limits=[c.to_json() for c in lim.ceilings] if lim else None,
            )
        if db.last_seen is not None:
            out["last_seen"] = iso(db.last_seen)
        return out


def build_report(
    config: Config,
    env: Environment,
    services: tuple[HealthResult, ...],
    database: DatabaseResult | None,
    migrations: MigrationStatus | None,
    checked_at: float,
    pooler: PoolerResult | None = None,
) -> EnvironmentReport:
    """Apply the status rules to one poll's results."""
    pools, plan_limit = budget(env), config.plan_limit(env)
    lim = limits(plan_limit, database.sample) if database and database.sample else None
    # Behind a pooler the services' pools connect to the pooler, not to the database.
    db_pools = Budget(0) if pooler is not None else pools
    db_findings = (
        database_findings(database, lim, db_pools, env.thresholds, plan_limit) if database else []
    )
    db_status = worst(f.status for f in db_findings) if db_findings else None
    if database is not None and db_status is None:
        db_status = Status.OK
    pooled = pooler_findings(pooler, env.thresholds, pools, lim) if pooler else []
    pooler_status = worst(f.status for f in pooled) if pooled else Status.OK
    findings = health_findings(services) + db_findings + pooled + migration_findings(migrations)
    status, judged = overall(findings, checked_anything=bool(services) or database is not None)
    return EnvironmentReport(
        env.name,
        checked_at,
        status,
        judged,
        services,
        database,
        db_status,
        lim,
        pools,
        migrations,
        pooler,
        pooler_status if pooler else None,
    )


def check_json(reports: list[EnvironmentReport], checked_at: float) -> dict[str, Any]:
    """The whole `check --json` document (DESIGN.md)."""
    return {
        "checked_at": iso(checked_at),
        "status": worst(r.status for r in reports).label,
        "environments": [r.to_json() for r in reports],
    }


def _connections_json(database: DatabaseResult) -> dict[str, Any]:
    sample = database.sample
    assert sample is not None
    return {
        "total": sample.total,
        "by_state": dict(sample.by_state),
        "by_application": dict(sample.by_application),
        "by_database": dict(sample.by_database),
        "by_user": dict(sample.by_user),
        "by_client_addr": dict(sample.by_client_addr),
        "oldest_transaction_s": _round(sample.oldest_transaction_s),
        "longest_idle_in_transaction_s": _round(sample.longest_idle_in_transaction_s),
        "lock_waiters": sample.lock_waiters,
    }


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None
