"""PgBouncer in front of the database: what its admin console says, and the status rules.

Value objects built from `SHOW POOLS`, `SHOW DATABASES`, `SHOW CONFIG` and `SHOW SERVERS`
rows (the monitor in pooler_monitor.py reads them), and the findings of DESIGN.md
"PgBouncer in front of the database". No I/O here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pandadmin.core.config import Thresholds
from pandadmin.core.models import Budget, Limits, Status
from pandadmin.core.status import Finding, FindingKind, budget_status
from pandadmin.core.urls import DatabaseUrl, UrlError, parse

ADMIN_DATABASE = "pgbouncer"  # the admin console's pseudo-database
POOLER_APPLICATION = "pgbouncer"  # the application its server connections are shown under
SERVER_STATES = ("active", "idle", "used", "tested", "login")

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Pool:
    """One (database, user) pool of `SHOW POOLS`."""

    database: str
    user: str
    clients_active: int
    clients_waiting: int
    servers: Mapping[str, int]  # SERVER_STATES -> count
    max_wait_s: float
    pool_mode: str

    @property
    def server_total(self) -> int:
        return sum(self.servers.values())


@dataclass(frozen=True, slots=True)
class PoolerSample:
    """One poll of a PgBouncer admin console."""

    taken_at: float
    pools: tuple[Pool, ...]
    max_client_conn: int
    server_cap: int  # server connections the pools may open, all databases together
    pool_mode: str
    server_pids: tuple[int, ...] = ()  # PostgreSQL backend pids of its server connections

    @property
    def clients(self) -> dict[str, int]:
        active = sum(p.clients_active for p in self.pools)
        waiting = sum(p.clients_waiting for p in self.pools)
        return {"active": active, "waiting": waiting, "total": active + waiting}

    @property
    def servers(self) -> dict[str, int]:
        out = {s: sum(p.servers.get(s, 0) for p in self.pools) for s in SERVER_STATES}
        return {**out, "total": sum(out.values())}

    @property
    def max_wait_s(self) -> float:
        return max((p.max_wait_s for p in self.pools), default=0.0)

    @property
    def utilization(self) -> float:
        total = self.clients["total"]
        return total / self.max_client_conn if self.max_client_conn else 1.0


@dataclass(frozen=True, slots=True)
class PoolerResult:
    """The outcome of polling one environment's pooler."""

    url: str  # redacted
    checked_at: float
    sample: PoolerSample | None = None
    error: str | None = None
    last_seen: float | None = None
    unchecked: bool = False  # never reached the pooler (keyring failure, invalid URL)


def parse_admin_url(text: str) -> DatabaseUrl:
    """Parse an admin console URL; it must name the pseudo-database `pgbouncer`."""
    url = parse(text)
    if url.database != ADMIN_DATABASE:
        raise UrlError(
            "a PgBouncer admin console URL names the database 'pgbouncer'"
            " (postgresql://user:password@host:6432/pgbouncer)"
        )
    return url


def parse_sample(
    pools: Sequence[Row],
    databases: Sequence[Row],
    config: Sequence[Row],
    servers: Sequence[Row],
    taken_at: float,
) -> PoolerSample:
    """The admin console's rows (column name -> value) as a frozen PoolerSample."""
    settings = {str(r["key"]): str(r["value"]) for r in config}
    parsed = tuple(_pool(r) for r in pools)
    return PoolerSample(
        taken_at=taken_at,
        pools=parsed,
        max_client_conn=int(settings.get("max_client_conn", 0)),
        server_cap=server_cap(databases, parsed),
        pool_mode=settings.get("pool_mode", "session"),
        server_pids=tuple(int(r["remote_pid"]) for r in servers if r.get("remote_pid")),
    )


def server_cap(databases: Sequence[Row], pools: Iterable[Pool]) -> int:
    """Per database: (pool_size + reserve_pool) per user pool, capped by max_db_connections."""
    users: dict[str, int] = {}
    for pool in pools:
        users[pool.database] = users.get(pool.database, 0) + 1
    cap = 0
    for row in databases:
        name = str(row["name"])
        if name == ADMIN_DATABASE:
            continue
        per_pool = int(row["pool_size"] or 0) + int(row["reserve_pool"] or 0)
        wanted = per_pool * max(users.get(name, 0), 1)
        limit = int(row["max_connections"] or 0)
        cap += min(wanted, limit) if limit > 0 else wanted
    return cap


def attribute_servers(
    by_application: Mapping[str, int], pooled: Mapping[str, int]
) -> dict[str, int]:
    """Move the pooler's server connections (counted per application_name they carry) from
    those applications to POOLER_APPLICATION: they are the pooler's, whoever used them last."""
    out = dict(by_application)
    for name, count in pooled.items():
        left = out.get(name, 0) - count
        if left > 0:
            out[name] = left
        else:
            out.pop(name, None)
    moved = sum(pooled.values())
    if moved:
        out[POOLER_APPLICATION] = out.get(POOLER_APPLICATION, 0) + moved
    return out


def pooler_findings(
    result: PoolerResult, thresholds: Thresholds, pools: Budget, limit: Limits | None
) -> list[Finding]:
    """DESIGN.md: waits, clients against max_client_conn, and the connection math through it."""
    sample = result.sample
    if sample is None:
        if result.unchecked:
            reason = f"pooler not checked: {result.error}"
            return [Finding(Status.UNKNOWN, reason, FindingKind.POOLER_UNCHECKED)]
        reason = f"pooler unreachable: {result.error or 'no answer'}"
        return [Finding(Status.CRITICAL, reason, FindingKind.POOLER_UNREACHABLE)]
    found = _wait_findings(sample, thresholds) + _client_findings(sample, thresholds)
    clients = budget_status(pools.worst_case, sample.max_client_conn)
    if clients != Status.OK:
        reason = (
            f"pools' worst case {pools.worst_case} connections exceeds"
            f" the pooler's max_client_conn {sample.max_client_conn}"
        )
        found.append(Finding(clients, reason, FindingKind.POOLER_BUDGET))
    servers = budget_status(sample.server_cap, limit.effective_limit) if limit else Status.OK
    if limit is not None and servers != Status.OK:
        reason = (
            f"pooler may open {sample.server_cap} server connections,"
            f" above the database's effective limit {limit.effective_limit}"
        )
        found.append(Finding(servers, reason, FindingKind.POOLER_BUDGET))
    return found


def wait_status(max_wait_s: float, thresholds: Thresholds) -> Status:
    """Clients queued longer than 1 s: warning; longer than 5 s: critical (DESIGN.md
    defaults; per environment `pooler_wait_warning_s` / `pooler_wait_critical_s`)."""
    if max_wait_s > thresholds.pooler_wait_critical_s:
        return Status.CRITICAL
    return Status.WARNING if max_wait_s > thresholds.pooler_wait_warning_s else Status.OK


def _wait_findings(sample: PoolerSample, thresholds: Thresholds) -> list[Finding]:
    wait, waiting = sample.max_wait_s, sample.clients["waiting"]
    status = wait_status(wait, thresholds)
    if status == Status.OK:
        return []
    critical = status == Status.CRITICAL
    bound = thresholds.pooler_wait_critical_s if critical else thresholds.pooler_wait_warning_s
    text = f"{waiting} pooler clients waiting, the longest for {wait:.1f} s"
    text += f" ({status.label} above {bound:g} s)"
    return [Finding(status, text, FindingKind.POOLER_WAIT)]


def _client_findings(sample: PoolerSample, thresholds: Thresholds) -> list[Finding]:
    pct = sample.utilization * 100
    text = f"pooler clients at {pct:.0f}% of max_client_conn {sample.max_client_conn}"
    if pct >= thresholds.critical_pct:
        return [Finding(Status.CRITICAL, text, FindingKind.POOLER_CLIENTS)]
    if pct >= thresholds.warning_pct:
        return [Finding(Status.WARNING, text, FindingKind.POOLER_CLIENTS)]
    return []


def pooler_json(result: PoolerResult, status: Status | None) -> dict[str, Any]:
    """The `pooler` object of `check --json`."""
    sample = result.sample
    label = (status if status is not None else Status.UNKNOWN).label
    out: dict[str, Any] = {"status": label, "error": result.error, "url": result.url}
    if sample is not None:
        out.update(
            clients=sample.clients,
            servers=sample.servers,
            max_client_conn=sample.max_client_conn,
            server_cap=sample.server_cap,
            max_wait_s=round(sample.max_wait_s, 3),
            pool_mode=sample.pool_mode,
            utilization=round(sample.utilization, 4),
            pools=[_pool_json(p) for p in sample.pools],
        )
    return out


def _pool(row: Row) -> Pool:
    servers = {s: int(row.get(f"sv_{s}") or 0) for s in SERVER_STATES}
    wait = float(row.get("maxwait") or 0) + float(row.get("maxwait_us") or 0) / 1e6
    return Pool(
        database=str(row["database"]),
        user=str(row["user"]),
        clients_active=int(row.get("cl_active") or 0),
        clients_waiting=int(row.get("cl_waiting") or 0),
        servers=servers,
        max_wait_s=wait,
        pool_mode=str(row.get("pool_mode") or ""),
    )


def _pool_json(pool: Pool) -> dict[str, Any]:
    return {
        "database": pool.database,
        "user": pool.user,
        "clients_active": pool.clients_active,
        "clients_waiting": pool.clients_waiting,
        "servers": dict(pool.servers),
        "max_wait_s": round(pool.max_wait_s, 3),
        "pool_mode": pool.pool_mode,
    }
