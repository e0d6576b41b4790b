"""The `pandadmin` command itself: version, argv rules, `--config` anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import URL, Run, assert_one_line_usage_error

pytestmark = pytest.mark.usefixtures("secret_service")


def test_version(run: Run) -> None:
    done = run("--version")
    assert done.returncode == 0 and done.stdout.startswith("pandadmin 0.")


def test_database_url_is_never_accepted_in_argv(run: Run) -> None:
    done = run("env", "add", "prod", "--database-url", URL)
    assert_one_line_usage_error(done)


def test_config_option_after_the_command(tmp_path: Path, service_name: str) -> None:
    other = tmp_path / "other.toml"
    env = {**os.environ, "PANDADMIN_KEYRING_SERVICE": service_name}
    for args in (
        ["env", "add", "qa", "--config", str(other)],
        ["--config", str(other), "service", "add", "qa", "api", "--health-url", "http://h/health"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "pandadmin", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    assert "[environments.qa.services.api]" in other.read_text()


def test_every_command_formats_its_help() -> None:
    """Help texts come from the settings table; a bare `%` in one broke `env set --help`."""
    import argparse

    from pandadmin.cli.main import build_parser

    def walk(parser: argparse.ArgumentParser) -> int:
        assert parser.format_help()
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return 1 + sum(walk(p) for action in subs for p in action.choices.values())

    assert walk(build_parser()) >= 10


@pytest.mark.parametrize("args", [["--version"], ["env", "list"]], ids=" ".join)
def test_quick_commands_load_no_gui_driver_or_numpy(
    run: Run, config_path: Path, service_name: str, args: list[str]
) -> None:
    """`python -X importtime -m pandadmin ...` in a fresh interpreter, as a shell prompt runs it."""
    assert run("env", "add", "prod", "--database-url-stdin", stdin=URL).returncode == 0
    env = {**os.environ, "PANDADMIN_CONFIG": str(config_path)}
    env["PANDADMIN_KEYRING_SERVICE"] = service_name
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pandadmin", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "pandadmin" in imported
    if args == ["env", "list"]:
        assert "prod" in done.stdout and "keyring" in imported  # it did read the keyring
    assert imported.isdisjoint({"PySide6", "shiboken6", "asyncpg", "httpx", "numpy"})
