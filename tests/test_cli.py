"""The settings commands end to end, as subprocesses, against the real Secret Service."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest

pytestmark = pytest.mark.usefixtures("secret_service")
SECRET = "s3cr:et@/pw"
URL = "postgresql+asyncpg://app:s3cr%3Aet%40%2Fpw@db.example.com:5432/app"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def service_name() -> str:
    return f"pandadmin-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


@pytest.fixture
def run(config_path: Path, service_name: str) -> Run:
    def run(
        *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "PANDADMIN_CONFIG": str(config_path),
            "PANDADMIN_KEYRING_SERVICE": service_name,
            **(env or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "pandadmin", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=60,
        )

    return run


def assert_one_line_usage_error(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("pandadmin: error:")
    assert "Traceback" not in done.stderr
    assert SECRET not in done.stderr + done.stdout


def test_version(run: Run) -> None:
    done = run("--version")
    assert done.returncode == 0 and done.stdout.startswith("pandadmin 0.")


def test_env_add_stores_url_in_keyring_only(run: Run, config_path: Path, service_name: str) -> None:
    done = run("env", "add", "prod", "--plan", "free", "--database-url-stdin", stdin=URL + "\n")
    assert done.returncode == 0, done.stderr
    stored = keyring.get_password(service_name, "prod")
    assert stored == "postgresql://app:s3cr%3Aet%40%2Fpw@db.example.com:5432/app"
    text = config_path.read_text()
    assert "s3cr" not in text and "db.example.com" not in text and 'plan = "free"' in text
    listed = json.loads(run("env", "list", "--json").stdout)["environments"]
    assert listed[0]["database_url"] == "postgresql://app:***@db.example.com:5432/app"
    assert listed[0]["plan_limit"] == 50
    assert "s3cr" not in done.stdout + run("env", "list").stdout


@pytest.mark.parametrize("bad", ["mysql://app:pw@h/db", "garbage", URL + "?foo=bar"])
def test_bad_url_changes_nothing(run: Run, config_path: Path, service_name: str, bad: str) -> None:
    run("env", "add", "dev", "--plan", "pro")
    before = config_path.read_bytes()
    done = run("env", "add", "prod", "--database-url-stdin", stdin=bad)
    assert_one_line_usage_error(done)
    assert config_path.read_bytes() == before
    assert keyring.get_password(service_name, "prod") is None


def test_database_url_from_environment_variable(run: Run, service_name: str) -> None:
    done = run("env", "add", "prod", "--database-url-env", "MY_DB", env={"MY_DB": URL})
    assert done.returncode == 0, done.stderr
    assert keyring.get_password(service_name, "prod") is not None
    assert_one_line_usage_error(run("env", "add", "x", "--database-url-env", "UNSET_VAR_X"))


def test_corrupt_config_is_named_and_untouched(run: Run, config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("[environments.prod\nplan = 'free'\n")
    before = config_path.read_bytes()
    done = run("env", "add", "dev", "--plan", "free")
    assert done.returncode != 0
    assert str(config_path) in done.stderr and "Traceback" not in done.stderr
    assert config_path.read_bytes() == before


def test_remove_deletes_keyring_entry(run: Run, config_path: Path, service_name: str) -> None:
    run("env", "add", "prod", "--database-url-stdin", stdin=URL)
    assert run("env", "remove", "prod").returncode == 0
    assert keyring.get_password(service_name, "prod") is None
    assert "prod" not in config_path.read_text()
    assert_one_line_usage_error(run("env", "remove", "prod"))


@pytest.mark.parametrize(
    "line", [f"DATABASE_URL={URL}", f'export DATABASE_URL="{URL}"', f"DATABASE_URL='{URL}'  # prod"]
)
def test_import_dotenv(run: Run, tmp_path: Path, service_name: str, line: str) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"# app settings\nDEBUG=1\n{line}\n")
    done = run("env", "import-dotenv", "prod", str(dotenv))
    assert done.returncode == 0, done.stderr
    assert keyring.get_password(service_name, "prod") == (
        "postgresql://app:s3cr%3Aet%40%2Fpw@db.example.com:5432/app"
    )


def test_import_dotenv_without_variable(run: Run, tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("DEBUG=1\n")
    assert_one_line_usage_error(run("env", "import-dotenv", "prod", str(dotenv)))


def test_export_has_no_secrets(run: Run, tmp_path: Path) -> None:
    run("env", "add", "prod", "--database-url-stdin", stdin=URL)
    run(
        "service",
        "add",
        "prod",
        "api",
        "--health-url",
        "https://api.example.com/health",
        "--pool-size",
        "10",
        "--workers",
        "3",
    )
    done = run("env", "export")
    assert done.returncode == 0
    assert "[environments.prod.services.api]" in done.stdout and "pool_size = 10" in done.stdout
    assert "s3cr" not in done.stdout and "postgresql" not in done.stdout
    out = tmp_path / "export.toml"
    assert run("env", "export", "--output", str(out)).returncode == 0
    assert out.read_text() == done.stdout


def test_rename_moves_keyring_entry(run: Run, service_name: str) -> None:
    run("env", "add", "prod", "--database-url-stdin", stdin=URL)
    assert run("env", "rename", "prod", "production").returncode == 0
    assert keyring.get_password(service_name, "prod") is None
    assert keyring.get_password(service_name, "production") is not None


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
