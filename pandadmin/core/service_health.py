"""Each configured service of an environment with its latest health, troubled ones first:
what a list row summarises as "9/10 up" and what its tooltip spells out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pandadmin.core.config import Environment
from pandadmin.core.models import HealthResult, Status


@dataclass(frozen=True, slots=True)
class ServiceHealth:
    """One service's latest verdict; `status` is None until it was checked."""

    name: str
    status: Status | None
    result: HealthResult | None = None

    @property
    def up(self) -> bool:
        """Answering and not unhealthy (a degraded service still serves)."""
        return self.status is not None and self.status < Status.CRITICAL


@dataclass(frozen=True, slots=True)
class HealthOverview:
    """The services of one environment: in config order and troubled first."""

    services: tuple[ServiceHealth, ...]

    @property
    def total(self) -> int:
        return len(self.services)

    @property
    def checked(self) -> bool:
        return any(s.status is not None for s in self.services)

    @property
    def up(self) -> int:
        return sum(s.up for s in self.services)

    def worst_first(self) -> list[ServiceHealth]:
        """Stable: equally troubled services keep their config order."""
        return sorted(self.services, key=_severity, reverse=True)

    def troubled(self) -> list[ServiceHealth]:
        """Services not plainly healthy (down, degraded), worst first."""
        return [s for s in self.worst_first() if s.status not in (None, Status.OK)]


def _severity(service: ServiceHealth) -> int:
    # UNKNOWN sorts below WARNING in Status; an unchecked service is the least troubled.
    return -1 if service.status is None else int(service.status)


def overview(env: Environment, results: Sequence[HealthResult] = ()) -> HealthOverview:
    """Match results to the configured services by name (a report may predate an edit)."""
    by_name = {r.service: r for r in results}
    services = tuple(
        ServiceHealth(s.name, by_name[s.name].status, by_name[s.name])
        if s.name in by_name
        else ServiceHealth(s.name, None)
        for s in env.services
    )
    return HealthOverview(services)
