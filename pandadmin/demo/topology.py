"""What the demo runs: three environments, their plan limits, services, pools and load.

Numbers are chosen so that each environment's plan limit is what binds (the server's
max_connections is a bit higher), `prod` crosses the 80 % warning band in bursts but
stays under 95 %, and prod's pools could in the worst case exceed its plan. With PgBouncer
installed, prod's API goes through it instead: its bursts queue in the pooler (more slow
requests than server connections) rather than filling the database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Load:
    """Concurrent requests a service gets: `base` always, `peak` during a burst."""

    base: int
    peak: int
    period_s: float  # a burst starts every period ...
    burst_s: float  # ... and lasts this long


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    pool_size: int
    max_overflow: int
    load: Load
    replicas: int = 1
    flap_every: int = 0  # every N-th /health answers 503
    leaks: bool = False  # a client leaves a transaction idle on this service
    pooled: bool = False  # connects through the environment's PgBouncer (when installed)


@dataclass(frozen=True, slots=True)
class PoolerSpec:
    """A PgBouncer in transaction mode in front of the environment's database."""

    default_pool_size: int
    max_client_conn: int


@dataclass(frozen=True, slots=True)
class EnvironmentSpec:
    name: str
    max_connections: int
    alembic_target: str  # what `alembic upgrade` is run to
    services: tuple[ServiceSpec, ...]
    plan: str | None = None
    connection_limit: int | None = None
    pooler: PoolerSpec | None = None

    @property
    def role(self) -> str:
        return f"{self.name}_app"


# Seconds between pandadmin's polls of each demo environment: lively, still cheap.
POLL_INTERVAL_S = 2.0

TOPOLOGY: tuple[EnvironmentSpec, ...] = (
    EnvironmentSpec(
        "dev",
        max_connections=25,
        alembic_target="head",
        connection_limit=20,
        services=(ServiceSpec("api", 3, 5, Load(base=1, peak=7, period_s=30, burst_s=8)),),
    ),
    EnvironmentSpec(
        "staging",
        max_connections=35,
        alembic_target="head-1",
        connection_limit=30,
        services=(
            ServiceSpec("api", 5, 10, Load(base=2, peak=12, period_s=36, burst_s=9), flap_every=3),
        ),
    ),
    EnvironmentSpec(
        "prod",
        max_connections=60,
        alembic_target="head-2",
        plan="free",  # 50 connections
        pooler=PoolerSpec(default_pool_size=15, max_client_conn=60),
        services=(
            # 2 replicas x (10 + 10) = 40 at worst; with the worker's 15 that is 55 > 50.
            # Through PgBouncer (15 server connections) a burst of 30 slow requests queues ~2.5 s.
            ServiceSpec(
                "api",
                10,
                10,
                Load(base=4, peak=30, period_s=24, burst_s=10),
                replicas=2,
                leaks=True,
                pooled=True,
            ),
            ServiceSpec("worker", 5, 10, Load(base=1, peak=9, period_s=24, burst_s=10)),
        ),
    ),
)
