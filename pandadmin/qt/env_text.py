"""Words of the environment list (no Qt here): the health summary, tooltips, what a screen
reader says for each painted cell, and which rows a filter keeps."""

from __future__ import annotations

from dataclasses import dataclass

from pandadmin.core.models import Status
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.service_health import HealthOverview, ServiceHealth
from pandadmin.qt import present

STATUS_CHOICES = (
    ("Any status", ()),
    ("Problems", (Status.WARNING, Status.CRITICAL)),
    ("Critical", (Status.CRITICAL,)),
    ("Warning", (Status.WARNING,)),
    ("Unknown", (Status.UNKNOWN,)),
    ("OK", (Status.OK,)),
)


def health_count(health: HealthOverview) -> str:
    """`9/10 up`, or how many services wait for their first check."""
    if not health.checked:
        return f"{health.total} service{'s' if health.total != 1 else ''}"
    return f"{health.up}/{health.total} up"


def troubled_names(health: HealthOverview) -> str:
    """The services that are down or degraded, worst first: `billing, auth`."""
    return ", ".join(s.name for s in health.troubled())


def _service_line(service: ServiceHealth) -> str:
    result = service.result
    if result is None:
        return f"• {service.name}: not checked yet"
    label = (service.status if service.status is not None else Status.UNKNOWN).label
    detail = result.error or (f"HTTP {result.http_status}" if result.http_status else "")
    latency = present.latency_text(result.latency_ms) if result.latency_ms is not None else ""
    extra = " · ".join(x for x in (detail, latency) if x)
    return f"• {service.name}: {label}" + (f" ({extra})" if extra else "")


def health_tooltip(name: str, health: HealthOverview) -> str:
    """Every service, troubled first."""
    if not health.total:
        return f"{name}: no services configured"
    lines = [_service_line(s) for s in health.worst_first()]
    return f"{name}: {health_count(health)}\n" + "\n".join(lines)


def accessible_name(name: str, status: Status) -> str:
    return f"{name}, {status.label}"


def accessible_health(name: str, health: HealthOverview) -> str:
    if not health.total:
        return f"{name}, no services"
    if not health.checked:
        return f"{name}, {health.total} services not checked yet"
    text = f"{name}, {health.up} of {health.total} services up"
    troubled = troubled_names(health)
    return f"{text}, trouble: {troubled}" if troubled else text


def accessible_connections(name: str, status: Status, report: EnvironmentReport | None) -> str:
    """`prod, warning, 44 of 50`, or why there is no number."""
    limits = report.limits if report else None
    figure = (
        f"{limits.used} of {limits.effective_limit}{present.source_suffix(limits)}"
        + present.waiting_suffix(report)
        if limits
        else present.connections_text(report)
    )
    return f"{name}, {status.label}, {figure}"


def accessible_migrations(name: str, badge: tuple[str, Status] | None) -> str:
    return f"{name}, migrations {badge[0] if badge else 'not configured'}"


@dataclass(frozen=True, slots=True)
class RowFilter:
    """Every word must appear in the environment's or one of its services' names; the row's
    status must be one of `statuses` (any when empty)."""

    text: str = ""
    statuses: tuple[Status, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.text.strip() or self.statuses)

    def accepts(self, name: str, services: tuple[str, ...], status: Status) -> bool:
        if self.statuses and status not in self.statuses:
            return False
        names = [name.casefold(), *(s.casefold() for s in services)]
        return all(any(word in n for n in names) for word in self.text.casefold().split())


def hidden_text(shown: int, total: int) -> str:
    """The status bar's note while a filter hides rows ("" when nothing is hidden)."""
    hidden = total - shown
    if hidden <= 0:
        return ""
    return f"{hidden} of {total} environments hidden by the filter (Esc clears)"
