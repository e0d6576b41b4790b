"""The one table of settings fields: type, bounds, default and help of every value a user sets.

It drives the TOML validation (`config_schema`), the flags of `env add/set` and
`service add/set` (`cli/fields.py`) and the ranges of the dialog's spin boxes
(`qt/dialogs/fields.py`), so a value the file would refuse is refused everywhere.

How to add a setting (e.g. `prometheus_url`, a certificate threshold):
1. Add the attribute with its default to the dataclass of its scope in `core/config.py`
   (`Config`, `Environment`, `Thresholds`, `Service` or `Notifications`).
2. Add one `Field(...)` row to `FIELDS` below: same name, same default, the scope, the
   kind (`int`, `float` or `str`), `low`/`high` for numbers (both: the dialog needs a
   range) or `check` for strings (a function raising ValueError with one line).
3. Nothing else: the file accepts and validates it (and `dumps` writes it), `env
   add/set` or `service add/set` grow `--the-name` (`cli=False` keeps it file-only),
   and `tests/test_settings_table.py` proves file, CLI and dialog agree on its bounds.
   A dialog that shows it builds its widget with `qt/dialogs/fields.spin_box(name)`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

Value = int | float | str
BUILTIN_PLANS: Mapping[str, int] = {"free": 50, "pro": 300, "premium": 1000}
MAX_CONNECTIONS = 262_143  # PostgreSQL's MAX_BACKENDS: no limit can be higher
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
# The inputs of a service's worst case: (pool_size + max_overflow) x workers x replicas.
POOL_FIELDS = ("pool_size", "max_overflow", "workers", "replicas")
TABLE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?")


class Scope(StrEnum):
    """Where a field lives in the file (and which dataclass holds it)."""

    CONFIG = "config"  # top level
    NOTIFICATIONS = "notifications"  # [notifications]
    ENVIRONMENT = "environment"  # [environments.NAME]
    THRESHOLDS = "thresholds"  # [environments.NAME.thresholds]
    SERVICE = "service"  # [environments.NAME.services.SERVICE]


def check_name(kind: str, value: object) -> str:
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        raise ValueError(
            f"invalid {kind} name {str(value)[:40]!r}: use letters, digits, '.', '_' or '-'"
        )
    return value


def check_http_url(value: object, what: str = "health URL") -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid {what} {value[:80]!r}: expected http(s)://host/path")
    return value


def check_health_url(value: object) -> str:
    return check_http_url(value, "health URL")


def check_prometheus_url(value: object) -> str:
    return check_http_url(value, "Prometheus URL")


def check_version_table(value: object) -> str:
    if not isinstance(value, str) or not TABLE_RE.fullmatch(value):
        raise ValueError("version_table must be 'table' or 'schema.table'")
    return value


@functools.lru_cache(maxsize=256)
def parse_accepted(spec: str) -> tuple[tuple[int, int], ...]:
    """`"200-299,418"` -> ((200, 299), (418, 418)); raises ValueError naming the bad part."""
    ranges = []
    for part in spec.split(","):
        low, _, high = part.strip().partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(f"invalid status code range {part.strip()[:20]!r}") from None
        if not 100 <= first <= last <= 599:
            raise ValueError(f"status code range {part.strip()!r} must lie within 100-599")
        ranges.append((first, last))
    return tuple(ranges)


def check_accepted_status(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("accepted_status must be a string such as '200-299,418'")
    parse_accepted(value)
    return value


def check_text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("must be a non-empty string")
    return value


@dataclass(frozen=True, slots=True)
class Field:
    """One setting. Numbers need `low` and `high`; strings may name a `check`."""

    name: str
    scope: Scope
    kind: type[int] | type[float] | type[str]
    default: Value | None
    help: str
    low: float | None = None
    high: float | None = None
    check_str: Callable[[object], str] = check_text
    metavar: str = ""
    cli: bool = True  # offered as --flag on `env add/set` or `service add/set`

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def numeric(self) -> bool:
        return self.kind is not str

    def check(self, value: object) -> Value:
        """The validated value; ValueError with a one-line reason otherwise."""
        if not self.numeric:
            return self.check_str(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._refused()
        if (self.kind is int and not isinstance(value, int)) or not self._in_bounds(value):
            raise self._refused()
        return int(value) if self.kind is int else float(value)

    def _in_bounds(self, value: float) -> bool:
        assert self.low is not None and self.high is not None
        return self.low <= value <= self.high

    def _refused(self) -> ValueError:
        return ValueError(f"{self.name} must be {self.bounds_text()}")

    def bounds_text(self) -> str:
        noun = "an integer" if self.kind is int else "a number"
        return f"{noun} between {self.low:g} and {self.high:g}"

    def parse(self, text: str) -> Value:
        """A command-line string as this field's value (ValueError if malformed or out of range)."""
        if not self.numeric:
            return self.check(text)
        try:
            number = int(text.strip()) if self.kind is int else float(text.strip())
        except ValueError:
            raise self._refused() from None
        return self.check(number)


def _int(name: str, scope: Scope, default: int | None, low: int, high: int, help: str) -> Field:
    # Notifications have no command yet: they are set in the file only.
    return Field(name, scope, int, default, help, low, high, metavar="N", cli=scope is not _N)


def _float(
    name: str, scope: Scope, default: float | None, low: float, high: float, help: str
) -> Field:
    units = {"_pct": "PCT", "_ms": "MS", "_days": "DAYS"}
    unit = next((u for suffix, u in units.items() if name.endswith(suffix)), "SECONDS")
    return Field(name, scope, float, default, help, low, high, metavar=unit)


_E, _T, _S, _N = Scope.ENVIRONMENT, Scope.THRESHOLDS, Scope.SERVICE, Scope.NOTIFICATIONS

FIELDS: tuple[Field, ...] = (
    Field("keyring_service", Scope.CONFIG, str, None,
          "keyring service holding this file's DATABASE_URLs (default pandadmin)",
          check_str=lambda v: check_name("keyring service", v), cli=False),
    Field("prometheus_url", Scope.CONFIG, str, None,
          "Prometheus scraping a pandadmin collector: history for every environment",
          check_str=check_prometheus_url, metavar="URL", cli=False),
    _int("fail_after", _N, 2, 1, 1000, "failed polls before a notification fires"),
    _int("recover_after", _N, 2, 1, 1000, "good polls before a notification clears"),
    Field("plan", _E, str, "free", "free (50), pro (300), premium (1000) or a custom plan",
          check_str=lambda v: check_name("plan", v), metavar="PLAN"),
    _int("connection_limit", _E, None, 1, MAX_CONNECTIONS,
         "explicit connection limit instead of a plan"),
    Field("alembic", _E, str, None,
          "alembic.ini, pyproject.toml or the script folder holding versions/", metavar="PATH"),
    Field("version_table", _E, str, None, "'table' or 'schema.table'",
          check_str=check_version_table, metavar="NAME"),
    _float("interval", _E, 5.0, 0.1, 86400, "seconds between polls"),
    Field("prometheus_url", _E, str, None,
          "Prometheus scraping a pandadmin collector: fills history this app did not see",
          check_str=check_prometheus_url, metavar="URL"),
    _float("warning_pct", _T, 80.0, 1, 100, "warning at this % of the connection limit"),
    _float("critical_pct", _T, 95.0, 1, 100, "critical at this % of the connection limit"),
    _float("idle_in_transaction_s", _T, 60.0, 1, 86400,
           "warning when a transaction is idle longer than this"),
    _float("pooler_wait_warning_s", _T, 1.0, 0.1, 3600,
           "warning when a PgBouncer client waits longer than this"),
    _float("pooler_wait_critical_s", _T, 5.0, 0.1, 3600,
           "critical when a PgBouncer client waits longer than this"),
    Field("health_url", _S, str, None, "http(s) URL of the service's health endpoint",
          check_str=check_health_url, metavar="URL"),
    _int("pool_size", _S, 5, 0, 10_000, "SQLAlchemy pool_size per worker"),
    _int("max_overflow", _S, 10, 0, 10_000, "SQLAlchemy max_overflow per worker"),
    _int("workers", _S, 1, 1, 10_000, "worker processes per replica"),
    _int("replicas", _S, 1, 1, 10_000, "replicas (instances) of the service"),
    Field("accepted_status", _S, str, "200-299",
          "HTTP status codes that count as up, e.g. 200-299,418",
          check_str=check_accepted_status, metavar="CODES"),
    Field("json_key", _S, str, None, "dotted path into the JSON body that must equal --json-value",
          metavar="KEY"),
    Field("json_value", _S, str, None, "what --json-key must equal", metavar="VALUE"),
    _float("latency_warning_ms", _S, None, 1, 600_000, "warning when a health check is slower"),
    _int("retries", _S, 0, 0, 10, "failed attempts retried before the check counts as down"),
    _float("cert_warning_days", _S, 14.0, 0, 3650, "warning when the certificate expires sooner"),
    _float("cert_critical_days", _S, 3.0, 0, 3650, "critical when the certificate expires sooner"),
)  # fmt: skip

BY_NAME: Mapping[str, Field] = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    return BY_NAME[name]


def fields(scope: Scope) -> tuple[Field, ...]:
    return tuple(f for f in FIELDS if f.scope is scope)


def check_thresholds(values: Mapping[str, Any]) -> None:
    """The one rule across threshold fields (a missing one has its default)."""
    warning = values.get("warning_pct", field("warning_pct").default)
    critical = values.get("critical_pct", field("critical_pct").default)
    if warning > critical:
        raise ValueError("warning_pct must not exceed critical_pct")
    wait_warning = values.get("pooler_wait_warning_s", field("pooler_wait_warning_s").default)
    wait_critical = values.get("pooler_wait_critical_s", field("pooler_wait_critical_s").default)
    if wait_warning > wait_critical:
        raise ValueError("pooler_wait_warning_s must not exceed pooler_wait_critical_s")


def check_health_conditions(values: Mapping[str, Any]) -> None:
    """The rules across a service's health fields (a missing one has its default)."""
    if (values.get("json_key") is None) != (values.get("json_value") is None):
        raise ValueError("json_key and json_value go together: give both or neither")
    warning = values.get("cert_warning_days", field("cert_warning_days").default)
    critical = values.get("cert_critical_days", field("cert_critical_days").default)
    if critical > warning:
        raise ValueError("cert_critical_days must not exceed cert_warning_days")
