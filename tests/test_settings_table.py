"""The settings table is the one home of every bound: file, CLI and dialog agree on each.

Walks `core/settings.FIELDS`, so a field added there is covered here without a new test.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot

from pandadmin.cli import main
from pandadmin.core import config as cfg
from pandadmin.core.config_schema import ConfigError
from pandadmin.core.settings import BY_NAME, FIELDS, Field, Scope
from pandadmin.qt.dialogs.environment import EnvironmentDialog
from tests.support.cli import runner

NUMERIC = [f for f in FIELDS if f.numeric]
TEXT = [f for f in FIELDS if not f.numeric]
HEALTH = "http://127.0.0.1:9/health"
BASE = cfg.Config((cfg.Environment("x", services=(cfg.Service("api", HEALTH),)),))
# A string every name/URL/table check refuses. Free text takes it; so does the file for an
# Alembic path (a config may move between machines) while the CLI checks the path exists.
GARBAGE = "no good!"
FREE_TEXT = {"alembic", "json_key", "json_value"}


def _step(f: Field) -> float:
    return 1 if f.kind is int else 0.01


def _outside(f: Field) -> list[float]:
    assert f.low is not None and f.high is not None
    return [f.low - _step(f), f.high + _step(f)]


def _inside(f: Field) -> list[float]:
    assert f.low is not None and f.high is not None
    return [f.kind(f.low), f.kind(f.high)]


# Fields bound by a rule to a companion (settings.check_thresholds, check_health_conditions):
# the companion at its far bound, so the field alone decides.
COMPANIONS: dict[str, tuple[str, object]] = {
    "warning_pct": ("critical_pct", 100),
    "critical_pct": ("warning_pct", 1),
    "pooler_wait_warning_s": ("pooler_wait_critical_s", 3600),
    "pooler_wait_critical_s": ("pooler_wait_warning_s", 0.1),
    "cert_warning_days": ("cert_critical_days", 0),
    "cert_critical_days": ("cert_warning_days", 3650),
    "json_key": ("json_value", "UP"),
    "json_value": ("json_key", "status"),
}


def _values(f: Field, value: object) -> dict[str, object]:
    """The field set to `value`, with its companion (COMPANIONS) when it has one."""
    companion = COMPANIONS.get(f.name)
    return {f.name: value, **dict([companion])} if companion else {f.name: value}


def _document(f: Field, value: object) -> str:
    values = _values(f, value)
    env: dict[str, Any] = {"services": {"api": {"health_url": HEALTH}}}
    doc: dict[str, Any] = {"environments": {"x": env}}
    if f.scope is Scope.CONFIG:
        doc.update(values)
    elif f.scope is Scope.NOTIFICATIONS:
        doc["notifications"] = values
    elif f.scope is Scope.ENVIRONMENT:
        env.update(values)
    elif f.scope is Scope.THRESHOLDS:
        env["thresholds"] = values
    else:
        env["services"]["api"].update(values)
    return tomlkit.dumps(doc)


def _file_accepts(tmp_path: Path, f: Field, value: object) -> bool:
    path = tmp_path / "config.toml"
    path.write_text(_document(f, value))
    try:
        cfg.load(path)
    except ConfigError as exc:
        assert f.name in str(exc) and str(path) in str(exc)
        return False
    return True


def _cli_args(f: Field, value: object) -> list[str]:
    command = ["service", "set", "x", "api"] if f.scope is Scope.SERVICE else ["env", "set", "x"]
    flags = [arg for name, v in _values(f, value).items() for arg in (BY_NAME[name].flag, str(v))]
    return [*command, *flags]


def _cli_accepts(path: Path, f: Field, value: object, capsys: pytest.CaptureFixture[str]) -> bool:
    cfg.save(BASE, path)
    before = path.read_bytes()
    code = main(["--config", str(path), *_cli_args(f, value)])
    err = capsys.readouterr().err
    if code == 0:
        return True
    assert code == 2 and err.count("\n") == 1 and err.startswith("pandadmin: error:"), err
    assert f.name in err.lower() or f.flag in err, err
    assert path.read_bytes() == before, "a refused value changed the file"
    return False


@pytest.mark.parametrize("f", NUMERIC, ids=lambda f: f.name)
def test_file_takes_exactly_the_bounds(tmp_path: Path, f: Field) -> None:
    assert all(_file_accepts(tmp_path, f, v) for v in _inside(f))
    assert not any(_file_accepts(tmp_path, f, v) for v in _outside(f))
    assert not _file_accepts(tmp_path, f, "12")  # a string is not a number
    if f.kind is int:
        assert not _file_accepts(tmp_path, f, f.kind(f.low) + 0.5)


@pytest.mark.parametrize("f", [f for f in NUMERIC if f.cli], ids=lambda f: f.name)
def test_cli_takes_exactly_the_bounds(
    tmp_path: Path, f: Field, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    for value in _inside(f):
        assert _cli_accepts(path, f, value, capsys)
        assert getattr(_holder(cfg.load(path), f.scope), f.name) == value
    for value in [*_outside(f), "many", "nan", "inf"]:
        assert not _cli_accepts(path, f, value, capsys)


@pytest.mark.parametrize("f", TEXT, ids=lambda f: f.name)
def test_text_fields_refuse_garbage_in_file_and_cli(
    tmp_path: Path, f: Field, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _file_accepts(tmp_path, f, GARBAGE) == (f.name in FREE_TEXT)
    assert not _file_accepts(tmp_path, f, "")
    if f.cli:
        cli_takes = f.name in FREE_TEXT - {"alembic"}
        assert _cli_accepts(tmp_path / "cli.toml", f, GARBAGE, capsys) == cli_takes


def _holder(config: cfg.Config, scope: Scope) -> object:
    env = config.environments[0]
    return {
        Scope.CONFIG: config,
        Scope.NOTIFICATIONS: config.notifications,
        Scope.ENVIRONMENT: env,
        Scope.THRESHOLDS: env.thresholds,
        Scope.SERVICE: env.services[0],
    }[scope]


def test_table_defaults_are_the_dataclass_defaults() -> None:
    defaults = {
        Scope.CONFIG: cfg.Config,
        Scope.NOTIFICATIONS: cfg.Notifications,
        Scope.ENVIRONMENT: cfg.Environment,
        Scope.THRESHOLDS: cfg.Thresholds,
        Scope.SERVICE: cfg.Service,
    }
    for scope, kind in defaults.items():
        declared = {d.name: d.default for d in dataclasses.fields(kind)}
        for f in (f for f in FIELDS if f.scope is scope):
            wanted = dataclasses.MISSING if f.name == "health_url" else f.default
            assert declared[f.name] == wanted, f.name


def test_dialog_spin_boxes_have_the_table_bounds(qtbot: QtBot) -> None:
    dialog = EnvironmentDialog(BASE, BASE.environments[0])
    qtbot.addWidget(dialog)
    boxes = [
        box
        for kind in (QSpinBox, QDoubleSpinBox)
        for box in dialog.findChildren(kind)  # type: ignore[call-overload]
        if box.objectName() in BY_NAME
    ]
    shown = {box.objectName() for box in boxes}
    wanted = {"connection_limit", "interval", "pool_size", "max_overflow", "workers", "replicas"}
    assert wanted <= shown
    for box in boxes:
        f = BY_NAME[box.objectName()]
        assert (box.minimum(), box.maximum()) == (f.low, f.high), f.name


def test_env_set_interval_out_of_range_exits_2_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    cfg.save(BASE, path)
    before = path.read_bytes()
    done = runner(path, "pandadmin-test-unused")("env", "set", "x", "--interval", "100000")
    assert done.returncode == 2
    assert done.stderr == (
        "pandadmin: error: argument --interval: interval must be a number between 0.1 and 86400\n"
    )
    assert path.read_bytes() == before
