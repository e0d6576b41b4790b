"""Texts and severities the widgets show, derived from core value objects (no Qt here)."""

from __future__ import annotations

import time
from datetime import datetime

from pandadmin.core.migration_status import MigrationState, MigrationStatus
from pandadmin.core.models import Limits, Status
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.status import MIGRATION_ATTENTION


def migration_badge(migrations: MigrationStatus | None) -> tuple[str, Status] | None:
    """Badge text and colour; None when the environment has no Alembic scripts configured."""
    if migrations is None or migrations.status is MigrationState.NOT_CONFIGURED:
        return None
    attention = MIGRATION_ATTENTION[migrations.status]
    if migrations.status is MigrationState.BEHIND:
        return f"behind {len(migrations.pending)}", attention
    return migrations.status.replace("_", " "), attention


def connections_text(report: EnvironmentReport | None) -> str:
    """`n / limit`, or why there is no number."""
    if report is None:
        return "checking…"
    if report.database is None:
        return "no database"
    if report.limits is None:
        return "unreachable"
    figure = f"{report.limits.used} / {report.limits.effective_limit}"
    return figure + source_suffix(report.limits) + waiting_suffix(report)


def waiting_suffix(report: EnvironmentReport | None) -> str:
    """` · 25 waiting` while PgBouncer has clients queued, else nothing."""
    sample = report.pooler.sample if report is not None and report.pooler is not None else None
    waiting = sample.clients["waiting"] if sample is not None else 0
    return f" · {waiting} waiting" if waiting else ""


def source_suffix(limits: Limits) -> str:
    """` (role)` when a limit other than the plan binds (its own connections are counted)."""
    return "" if limits.binding == "plan" else f" ({limits.binding})"


def clock(epoch: float | None) -> str:
    """Local wall-clock time, with the date when it is not today."""
    if epoch is None:
        return "never"
    moment = datetime.fromtimestamp(epoch)
    if moment.date() == datetime.now().date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M")


def ago(epoch: float | None, now: float | None = None) -> str:
    if epoch is None:
        return "never"
    seconds = max((now or time.time()) - epoch, 0.0)
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def unreachable_text(report: EnvironmentReport) -> str | None:
    """`Unreachable since … (last seen …): error` when the database did not answer."""
    database = report.database
    if database is None or database.sample is not None:
        return None
    if database.unchecked:  # never tried (keyring locked, invalid URL): not the database's fault
        return f"Database not checked: {database.error or 'no DATABASE_URL'}"
    seen = database.last_seen
    when = f"last seen {clock(seen)} ({ago(seen)})" if seen else "never reached"
    return f"Database unreachable — {when}: {database.error or 'no answer'}"


def latency_text(latency_ms: float | None) -> str:
    if latency_ms is None:
        return "—"
    return f"{latency_ms:.0f} ms" if latency_ms >= 10 else f"{latency_ms:.1f} ms"
