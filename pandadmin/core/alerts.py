"""When to notify: an environment turns critical after N critical polls in a row and
recovers after M non-critical polls in a row (hysteresis, so a flapping target does not
flood the desktop with notifications)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pandadmin.core.config import Notifications
from pandadmin.core.models import Status

AlertKind = Literal["critical", "recovered"]


@dataclass(frozen=True, slots=True)
class Alert:
    """One notification to show."""

    environment: str
    kind: AlertKind
    reasons: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        if self.kind == "critical":
            return f"{self.environment} is critical"
        return f"{self.environment} recovered"

    @property
    def message(self) -> str:
        if self.kind == "critical":
            return self.reasons[0] if self.reasons else "check the environment"
        return "back to normal"


@dataclass(slots=True)
class _State:
    alerting: bool = False
    streak: int = 0  # consecutive polls pointing the other way


@dataclass(slots=True)
class AlertTracker:
    """Per-environment hysteresis state machine; feed it every poll's status."""

    settings: Notifications = field(default_factory=Notifications)
    _states: dict[str, _State] = field(default_factory=dict)

    def observe(self, name: str, status: Status, reasons: tuple[str, ...] = ()) -> Alert | None:
        """Record one poll; returns the alert to show when the state flips."""
        state = self._states.setdefault(name, _State())
        failing = status == Status.CRITICAL
        if failing == state.alerting:
            state.streak = 0
            return None
        state.streak += 1
        needed = self.settings.recover_after if state.alerting else self.settings.fail_after
        if state.streak < needed:
            return None
        state.alerting, state.streak = failing, 0
        return Alert(name, "critical" if failing else "recovered", reasons)

    def is_alerting(self, name: str) -> bool:
        state = self._states.get(name)
        return state.alerting if state else False

    def forget(self, name: str) -> None:
        self._states.pop(name, None)
