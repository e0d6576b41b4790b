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

    assert walk(build_parser(every_command=True)) >= 10


# What `env list` leaves out: keyring (its import pulls urllib.request, http.client and
# email; its discovery scans every distribution's entry points) when it would read the
# Secret Service anyway, and every command group but `env` (`check` brings the pooler,
# status and migration modules).
NOT_FOR_ENV_LIST = {
    *("keyring", "importlib_metadata", "urllib.request", "http.client", "email.parser"),
    *("pandadmin.cli.check", "pandadmin.cli.service", "pandadmin.cli.migrations"),
    *("pandadmin.core.pooler", "pandadmin.core.status", "pandadmin.core.poller"),
}


@pytest.mark.parametrize("args", [["--version"], ["env", "list"]], ids=" ".join)
def test_quick_commands_load_no_gui_driver_or_numpy(
    run: Run, config_path: Path, service_name: str, tmp_path: Path, args: list[str]
) -> None:
    """`python -X importtime -m pandadmin ...` in a fresh interpreter, as a shell prompt runs it
    (with no keyringrc.cfg: keyring would choose its Secret Service backend)."""
    assert run("env", "add", "prod", "--database-url-stdin", stdin=URL).returncode == 0
    env = {**os.environ, "PANDADMIN_CONFIG": str(config_path)}
    env["PANDADMIN_KEYRING_SERVICE"] = service_name
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pandadmin", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    packages = {name.split(".")[0] for name in modules}
    assert "pandadmin" in packages
    if args == ["env", "list"]:
        assert "postgresql://app:***@db.example.com" in done.stdout  # it did read the secret
        assert "secretstorage" in packages and not modules & NOT_FOR_ENV_LIST
    assert packages.isdisjoint({"PySide6", "shiboken6", "asyncpg", "httpx", "numpy"})
