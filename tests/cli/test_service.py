"""`pandadmin service ...` end to end, as subprocesses, against the real Secret Service."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Run, assert_one_line_usage_error

pytestmark = pytest.mark.usefixtures("secret_service")


def test_service_commands_and_bad_input(run: Run, config_path: Path) -> None:
    run("env", "add", "prod", "--plan", "pro")
    assert run("service", "add", "prod", "api", "--health-url", "http://h/health").returncode == 0
    before = config_path.read_bytes()
    assert_one_line_usage_error(run("service", "add", "prod", "api", "--health-url", "http://h/x"))
    assert_one_line_usage_error(run("service", "set", "prod", "web", "--workers", "2"))
    assert_one_line_usage_error(run("service", "add", "prod", "w", "--health-url", "ftp://x"))
    assert_one_line_usage_error(run("service", "set", "prod", "api", "--workers", "0"))
    assert_one_line_usage_error(run("env", "add", "prod"))
    assert_one_line_usage_error(run("env", "set", "nope", "--plan", "pro"))
    assert_one_line_usage_error(run("env", "add", "x", "--plan", "gold"))
    assert_one_line_usage_error(run("env", "add", "x", "--alembic", "/does/not/exist"))
    assert_one_line_usage_error(run("env", "add", "x", "--connection-limit", "0"))
    assert_one_line_usage_error(run("env", "add", "x", "--bogus"))
    assert config_path.read_bytes() == before
    assert run("service", "set", "prod", "api", "--replicas", "3").returncode == 0
    assert "replicas = 3" in config_path.read_text()
    assert run("service", "remove", "prod", "api").returncode == 0
    assert "services.api" not in config_path.read_text()
