"""`pandadmin demo` without its extra, and without a display: one clear line each."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from pandadmin import cli
from pandadmin.cli import demo as demo_cli


def test_without_the_demo_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "fastapi" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert cli.main(["demo", "--no-gui"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert 'pip install "pandadmin[demo]"' in err


def test_without_a_display_there_is_no_window(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(demo_cli.sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert demo_cli._gui_or_reason() is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "no display" in out
