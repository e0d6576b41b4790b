"""Validation of the settings TOML, with errors that name the file and line.

Every value is checked by its row of the one settings table (`core/settings.py`),
the same check the CLI and the dialog use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pandadmin.core.settings import (
    BUILTIN_PLANS,
    Scope,
    check_health_conditions,
    check_name,
    check_thresholds,
    field,
    fields,
)

T = TypeVar("T")
TOP_TABLES = ("schema_version", "plans", "notifications", "environments")
_E, _T, _S = Scope.ENVIRONMENT, Scope.THRESHOLDS, Scope.SERVICE


class ConfigError(Exception):
    """The settings file (or a value for it) is invalid; the message is one line."""


def parse_document(document: dict[str, Any], text: str, path: Path, build: Callable[..., T]) -> T:
    """Validate a parsed TOML document and hand clean dicts to `build`."""
    reader = _Reader(text, path)
    reader.only(document, (*_keys(Scope.CONFIG), *TOP_TABLES), [])
    top = _scalars(reader, document, Scope.CONFIG, [])
    _schema_version(reader, document.get("schema_version", 1))
    plans = {
        check_name("plan", k): reader.field(["plans", k], partial(_plan_limit, k, v))
        for k, v in reader.table(document, "plans", []).items()
    }
    notifications = reader.table(document, "notifications", [])
    reader.only(notifications, _keys(Scope.NOTIFICATIONS), ["notifications"])
    alerts = _scalars(reader, notifications, Scope.NOTIFICATIONS, ["notifications"])
    envs = [
        _environment(reader, name, table, plans)
        for name, table in reader.table(document, "environments", []).items()
    ]
    try:
        return build(envs, plans, alerts, top)
    except (TypeError, ValueError) as exc:  # pragma: no cover - validation above guards this
        raise ConfigError(f"{path}: {exc}") from None


def _keys(scope: Scope) -> tuple[str, ...]:
    return tuple(f.name for f in fields(scope))


def _scalars(
    reader: _Reader, table: dict[str, Any], scope: Scope, where: list[str]
) -> dict[str, Any]:
    """The table's fields of `scope`, each checked by its row of the settings table."""
    return {
        f.name: reader.field(where + [f.name], partial(f.check, table[f.name]))
        for f in fields(scope)
        if f.name in table
    }


def _schema_version(reader: _Reader, version: object) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        reader.fail(["schema_version"], "schema_version must be a positive integer")
    if version > 1:
        reader.fail(["schema_version"], f"schema_version {version} needs a newer pandadmin")


def _plan_limit(name: str, value: object) -> int:
    limit = field("connection_limit")
    try:
        return int(limit.check(value))
    except ValueError:
        raise ValueError(f"plan {name!r}: limit must be {limit.bounds_text()}") from None


def _environment(
    reader: _Reader, name: str, table: object, plans: dict[str, int]
) -> dict[str, Any]:
    where = ["environments", name]
    reader.field(where, lambda: check_name("environment", name))
    if not isinstance(table, dict):
        reader.fail(where, f"environment {name!r} must be a table")
    reader.only(table, (*_keys(_E), "thresholds", "services"), where)
    env: dict[str, Any] = {"name": name, **_scalars(reader, table, _E, where)}
    if "connection_limit" in table:
        if "plan" in table:
            reader.fail(where + ["plan"], "set either plan or connection_limit, not both")
        env["plan"] = None
    elif env.setdefault("plan", "free") not in {**BUILTIN_PLANS, **plans}:
        reader.fail(where + ["plan"], f"unknown plan {env['plan'][:40]!r}")
    env["thresholds"] = _thresholds(reader, table, where)
    env["services"] = [
        _service(reader, sname, stable, where)
        for sname, stable in reader.table(table, "services", where).items()
    ]
    return env


def _thresholds(reader: _Reader, table: dict[str, Any], where: list[str]) -> dict[str, Any]:
    thresholds = reader.table(table, "thresholds", where)
    here = where + ["thresholds"]
    reader.only(thresholds, _keys(_T), here)
    out = _scalars(reader, thresholds, _T, here)
    reader.field(here, lambda: check_thresholds(out))
    return out


def _service(reader: _Reader, name: str, table: object, where: list[str]) -> dict[str, Any]:
    here = where + ["services", name]
    reader.field(here, lambda: check_name("service", name))
    if not isinstance(table, dict):
        reader.fail(here, f"service {name!r} must be a table")
    reader.only(table, _keys(_S), here)
    if "health_url" not in table:
        reader.fail(here, f"service {name!r} needs a health_url")
    values = _scalars(reader, table, _S, here)
    reader.field(here, lambda: check_health_conditions(values))
    return {"name": name, **values}


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
