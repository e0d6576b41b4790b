"""Validation of the settings TOML, with errors that name the file and line.

Also holds the field validators the CLI and the GUI reuse, so a value accepted on
the command line is exactly a value the file may hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
TABLE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?")
ENV_KEYS = ("plan", "connection_limit", "alembic", "version_table", "interval")
BUILTIN_PLANS: Mapping[str, int] = {"free": 50, "pro": 300, "premium": 1000}
SERVICE_INTS = {"pool_size": 0, "max_overflow": 0, "workers": 1, "replicas": 1}


class ConfigError(Exception):
    """The settings file (or a value for it) is invalid; the message is one line."""


def check_name(kind: str, value: object) -> str:
    if not isinstance(value, str) or not NAME_RE.fullmatch(value):
        raise ValueError(
            f"invalid {kind} name {str(value)[:40]!r}: use letters, digits, '.', '_' or '-'"
        )
    return value


def check_health_url(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("health_url must be a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid health URL {value[:80]!r}: expected http(s)://host/path")
    return value


def check_int(key: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{key} must be an integer >= {minimum}")
    return value


def check_number(key: str, value: object, low: float, high: float | None = None) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):  # type: ignore[operator]
        bound = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise ValueError(f"{key} must be a number {bound}")
    return float(value)  # type: ignore[arg-type]


def check_version_table(value: object) -> str:
    if not isinstance(value, str) or not TABLE_RE.fullmatch(value):
        raise ValueError("version_table must be 'table' or 'schema.table'")
    return value


def parse_document(document: dict[str, Any], text: str, path: Path, build: Callable[..., T]) -> T:
    """Validate a parsed TOML document and hand clean dicts to `build`."""
    reader = _Reader(text, path)
    top = ("schema_version", "keyring_service", "plans", "notifications", "environments")
    reader.only(document, top, [])
    service = document.get("keyring_service")
    if service is not None:
        reader.field(["keyring_service"], partial(check_name, "keyring service", service))
    version = document.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        reader.fail(["schema_version"], "schema_version must be a positive integer")
    if version > 1:
        reader.fail(["schema_version"], f"schema_version {version} needs a newer pandadmin")
    plans = {
        check_name("plan", k): reader.field(["plans", k], partial(check_int, k, v, 1))
        for k, v in reader.table(document, "plans", []).items()
    }
    notifications = reader.table(document, "notifications", [])
    reader.only(notifications, ("fail_after", "recover_after"), ["notifications"])
    for key, value in notifications.items():
        reader.field(["notifications", key], partial(check_int, key, value, 1))
    envs = [
        _environment(reader, name, table, plans)
        for name, table in reader.table(document, "environments", []).items()
    ]
    try:
        return build(envs, plans, notifications, service)
    except (TypeError, ValueError) as exc:  # pragma: no cover - validation above guards this
        raise ConfigError(f"{path}: {exc}") from None


def _environment(
    reader: _Reader, name: str, table: object, plans: dict[str, int]
) -> dict[str, Any]:
    where = ["environments", name]
    reader.field(where, lambda: check_name("environment", name))
    if not isinstance(table, dict):
        reader.fail(where, f"environment {name!r} must be a table")
    reader.only(table, (*ENV_KEYS, "thresholds", "services"), where)
    env: dict[str, Any] = {"name": name, "plan": table.get("plan")}
    if "connection_limit" in table:
        if "plan" in table:
            reader.fail(where + ["plan"], "set either plan or connection_limit, not both")
        limit = table["connection_limit"]
        env["connection_limit"] = reader.field(
            where + ["connection_limit"], lambda: check_int("connection_limit", limit, 1)
        )
    else:
        env["plan"] = table.get("plan", "free")
        if env["plan"] not in {**BUILTIN_PLANS, **plans}:
            reader.fail(where + ["plan"], f"unknown plan {str(env['plan'])[:40]!r}")
    for key, check in (("alembic", _check_str), ("version_table", check_version_table)):
        if key in table:
            env[key] = reader.field(where + [key], partial(check, table[key]))
    if "interval" in table:
        env["interval"] = reader.field(
            where + ["interval"], lambda: check_number("interval", table["interval"], 0.1, 86400)
        )
    env["thresholds"] = _thresholds(reader, table, where)
    env["services"] = [
        _service(reader, sname, stable, where)
        for sname, stable in reader.table(table, "services", where).items()
    ]
    return env


def _thresholds(reader: _Reader, table: dict[str, Any], where: list[str]) -> dict[str, float]:
    thresholds = reader.table(table, "thresholds", where)
    here = where + ["thresholds"]
    reader.only(thresholds, ("warning_pct", "critical_pct", "idle_in_transaction_s"), here)
    out = {
        key: reader.field(here + [key], partial(_threshold, key, value))
        for key, value in thresholds.items()
    }
    if out.get("warning_pct", 80.0) > out.get("critical_pct", 95.0):
        reader.fail(here, "warning_pct must not exceed critical_pct")
    return out


def _threshold(key: str, value: object) -> float:
    if key.endswith("_pct"):
        return check_number(key, value, 1, 100)
    return check_number(key, value, 1)


def _service(reader: _Reader, name: str, table: object, where: list[str]) -> dict[str, Any]:
    here = where + ["services", name]
    reader.field(here, lambda: check_name("service", name))
    if not isinstance(table, dict):
        reader.fail(here, f"service {name!r} must be a table")
    reader.only(table, ("health_url", *SERVICE_INTS), here)
    if "health_url" not in table:
        reader.fail(here, f"service {name!r} needs a health_url")
    service: dict[str, Any] = {"name": name}
    service["health_url"] = reader.field(
        here + ["health_url"], lambda: check_health_url(table["health_url"])
    )
    for key, minimum in SERVICE_INTS.items():
        if key in table:
            service[key] = reader.field(here + [key], partial(check_int, key, table[key], minimum))
    return service


def _check_str(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("must be a non-empty string")
    return value


class _Reader:
    """Turns validation failures into ConfigError with `file:line: key: reason`."""

    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = path

    def fail(self, where: list[str], message: str) -> NoReturn:
        line = self._line_of(where)
        location = f"{self.path}:{line}" if line else str(self.path)
        raise ConfigError(f"{location}: {'.'.join(where) or 'file'}: {message}")

    def field(self, where: list[str], check: Callable[[], T]) -> T:
        try:
            return check()
        except ValueError as exc:
            self.fail(where, str(exc))

    def table(self, parent: dict[str, Any], key: str, where: list[str]) -> dict[str, Any]:
        value = parent.get(key, {})
        if not isinstance(value, dict):
            self.fail(where + [key], f"{key} must be a table")
        return dict(value)

    def only(self, table: dict[str, Any], allowed: tuple[str, ...], where: list[str]) -> None:
        for key in table:
            if key not in allowed:
                self.fail(where + [key], f"unknown setting {key!r}")

    def _line_of(self, where: list[str]) -> int | None:
        """Best effort: the line of the deepest table header, then of the key under it."""
        start, found = 0, None
        for depth in range(len(where), 0, -1):
            header = _header_re(where[:depth])
            for number, line in enumerate(self.lines):
                if header.match(line):
                    start, found = number, number + 1
                    break
            if found:
                break
        key = re.compile(rf"\s*\"?{re.escape(where[-1])}\"?\s*=") if where else None
        for number in range(start, len(self.lines)):
            if key and key.match(self.lines[number]):
                return number + 1
        return found


def _header_re(parts: list[str]) -> re.Pattern[str]:
    dotted = r"\s*\.\s*".join(rf"\"?{re.escape(p)}\"?" for p in parts)
    return re.compile(rf"\s*\[\s*{dotted}\s*\]")
