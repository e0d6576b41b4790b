"""EnvironmentReport to JSON text and back, exactly (for the store's "latest report").

Generic over frozen dataclasses, tuples, mappings, enums and dates, driven by the type hints, so
fields added to the value objects travel without changes here. The drill-down's session
list (query text) is left out on purpose: the store never holds query text.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import sys
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from pandadmin.core.models import ActivitySample, DatabaseResult
from pandadmin.core.report import EnvironmentReport


def dumps(report: EnvironmentReport) -> str:
    return json.dumps(_plain(_without_sessions(report)), separators=(",", ":"))


def loads(text: str) -> EnvironmentReport:
    """Raises ValueError (or TypeError/KeyError) when the text does not fit the classes."""
    value = _build(EnvironmentReport, json.loads(text))
    assert isinstance(value, EnvironmentReport)
    return value


def _without_sessions(report: EnvironmentReport) -> EnvironmentReport:
    db = report.database
    if db is None or db.sample is None or not db.sample.backends:
        return report
    sample: ActivitySample = dataclasses.replace(db.sample, backends=())
    database: DatabaseResult = dataclasses.replace(db, sample=sample)
    return dataclasses.replace(report, database=database)


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    kind: type = type(value)
    if kind in _SCALARS:  # most values: checked first, by exact type (enums are not here)
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.date):  # datetime too: a subclass
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names in order (None for other types), looked up once per class."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


@cache
def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except NameError:  # a hint imported only for type checking: look among core's classes
        return typing.get_type_hints(cls, localns=_core_classes())


def _core_classes() -> dict[str, Any]:
    modules = [m for name, m in list(sys.modules.items()) if name.startswith("pandadmin.core")]
    return {
        name: value
        for module in modules
        for name, value in vars(module).items()
        if isinstance(value, type)
    }


def _build(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in typing.get_args(hint) if a is not type(None)]
        return _build(kinds[0], value) if len(kinds) == 1 else value
    if origin is tuple:
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return tuple(_build(item, v) for v in value)
    if origin in (Mapping, dict) or hint in (Mapping, dict):
        args = typing.get_args(hint) or (str, Any)
        return {k: _build(args[1], v) for k, v in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        kwargs = {f.name: _build(hints[f.name], value[f.name])
                  for f in dataclasses.fields(hint) if f.name in value}  # fmt: skip
        return hint(**kwargs)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint in (datetime.datetime, datetime.date):
        return hint.fromisoformat(value)
    if hint is float and isinstance(value, int):
        return float(value)
    return value
