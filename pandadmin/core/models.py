"""Frozen value objects that probes produce and the CLI, status rules and GUI consume."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import Any


class Status(IntEnum):
    """Severity, ordered so that `max()` gives the worst (DESIGN.md "Status rules")."""

    OK = 0
    UNKNOWN = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def needs_attention(self) -> bool:
        """Warning or critical: what the tray lists and the list tints."""
        return self >= Status.WARNING

    @property
    def exit_code(self) -> int:
        """The Nagios plugin convention: 0 ok, 1 warning, 2 critical, 3 unknown."""
        return {Status.OK: 0, Status.WARNING: 1, Status.CRITICAL: 2, Status.UNKNOWN: 3}[self]


def worst(statuses: Any) -> Status:
    """The worst of several statuses; unknown when there are none."""
    return max(statuses, default=Status.UNKNOWN)


@dataclass(frozen=True, slots=True)
class SubCheck:
    """One component a health body reports on (IETF `checks`, Actuator `components`)."""

    name: str
    status: str  # the word the service used, lower case ("fail", "down", "up")
    latency_ms: float | None = None
    output: str | None = None


@dataclass(frozen=True, slots=True)
class Timing:
    """Where a health round trip spent its time; None for a phase a reused connection skipped."""

    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    first_byte_ms: float | None = None

    def to_json(self) -> dict[str, float | None]:
        return {k: _round1(getattr(self, k)) for k in self.__slots__}


class NoteKind(StrEnum):
    """What a note is about: widgets pick notes by kind, never by their text."""

    BODY = "body"  # the service reported a warning itself
    LATENCY = "latency"
    CERTIFICATE = "certificate"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Note:
    """A verdict beside up/down: reported `warn`, slow, a certificate close to expiry."""

    status: Status
    text: str
    kind: NoteKind = NoteKind.OTHER


@dataclass(frozen=True, slots=True)
class HealthResult:
    """One check of a service's health URL (after its retries)."""

    service: str
    url: str
    ok: bool  # up: an accepted answer that does not report itself unhealthy
    checked_at: float
    http_status: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    notes: tuple[Note, ...] = ()
    checks: tuple[SubCheck, ...] = ()
    timing: Timing | None = None
    certificate_expires_at: float | None = None  # epoch seconds, https only
    attempts: int = 1

    @property
    def status(self) -> Status:
        if not self.ok:
            return Status.CRITICAL
        return max((n.status for n in self.notes), default=Status.OK)

    @property
    def certificate_days_left(self) -> int | None:
        if self.certificate_expires_at is None:
            return None
        return int((self.certificate_expires_at - self.checked_at) // 86400)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.service,
            "health_url": self.url,
            "status": self.status.label,
            "http_status": self.http_status,
            "latency_ms": _round1(self.latency_ms),
            "error": self.error,
        }
        if self.notes:
            out["notes"] = [n.text for n in self.notes]
        if self.checks:
            out["checks"] = {c.name: c.status for c in self.checks}
        if self.certificate_expires_at is not None:
            out["certificate_days_left"] = self.certificate_days_left
            out["certificate_expires_at"] = iso(self.certificate_expires_at)
        if self.timing is not None:
            out["timing"] = self.timing.to_json()
        if self.attempts > 1:
            out["attempts"] = self.attempts
        return out


def _round1(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def iso(epoch: float) -> str:
    """UTC ISO 8601 with a Z, to the second (the JSON's timestamps)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Backend:
    """One client session worth showing in the drill-down (long, idle in transaction, waiting)."""

    pid: int
    application: str
    user: str | None
    database: str | None
    client_addr: str | None
    state: str
    transaction_age_s: float | None
    state_age_s: float | None
    wait_event_type: str | None
    blocked_by: tuple[int, ...]
    query: str | None  # None when the role may not see it
    signalable: bool = False  # the monitoring role may cancel / terminate it


@dataclass(frozen=True, slots=True)
class ActivitySample:
    """One poll of `pg_stat_activity` plus the server's limits, from one round trip."""

    taken_at: float
    server_version: str
    server_version_num: int
    total: int  # client backends on the whole server, pandadmin's own included
    by_state: Mapping[str, int]
    by_application: Mapping[str, int]
    by_user: Mapping[str, int]
    by_client_addr: Mapping[str, int]
    by_database: Mapping[str, int]
    oldest_transaction_s: float | None
    longest_idle_in_transaction_s: float | None
    lock_waiters: int
    max_connections: int
    superuser_reserved_connections: int
    reserved_connections: int
    role_connection_limit: int  # -1: no limit
    database_connection_limit: int  # -1: no limit
    role_connections: int
    database_connections: int
    current_user: str
    current_database: str
    sees_all_sessions: bool
    can_signal_backends: bool
    tls: bool
    backends: tuple[Backend, ...] = ()

    @property
    def server_limit(self) -> int:
        """Slots a non-superuser can ever get: max_connections minus the reserved ones."""
        reserved = self.superuser_reserved_connections + self.reserved_connections
        return self.max_connections - reserved


@dataclass(frozen=True, slots=True)
class DatabaseResult:
    """The outcome of polling one environment's database."""

    url: str  # redacted
    checked_at: float
    sample: ActivitySample | None = None
    error: str | None = None
    last_seen: float | None = None  # when a sample last arrived (for "unreachable since")
    refused_full: bool = False  # the server refused a connection because it is full
    unchecked: bool = False  # never reached the server (keyring failure, invalid URL)
    ignored: tuple[str, ...] = ()  # URL keywords that change nothing for the monitor


@dataclass(frozen=True, slots=True)
class Ceiling:
    """One connection limit and the connections it counts (a role limit counts only that
    role's connections, a database limit only that database's)."""

    source: str  # plan, server, role or database
    limit: int
    used: int

    @property
    def headroom(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def utilization(self) -> float:
        return self.used / self.limit if self.limit > 0 else 1.0

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "limit": self.limit, "used": self.used}


@dataclass(frozen=True, slots=True)
class Limits:
    """The ceiling the application's connections really hit, and where they stand: the
    binding limit (least headroom) with its own count; every limit in `ceilings`."""

    plan_limit: int
    effective_limit: int
    used: int
    headroom: int
    utilization: float
    binding: str  # which limit is the effective one: plan, server, role or database
    ceilings: tuple[Ceiling, ...] = ()


@dataclass(frozen=True, slots=True)
class Budget:
    """Worst case of the configured pools: (pool_size + max_overflow) x workers x replicas."""

    worst_case: int
    by_service: Mapping[str, int] = field(default_factory=dict)
