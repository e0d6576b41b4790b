"""`pandadmin env ...` end to end, as subprocesses, against the real Secret Service."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from tests.support.cli import STORED_URL, URL, Run, assert_one_line_usage_error

pytestmark = pytest.mark.usefixtures("secret_service")


def test_env_add_stores_url_in_keyring_only(run: Run, config_path: Path, service_name: str) -> None:
    done = run("env", "add", "prod", "--plan", "free", "--database-url-stdin", stdin=URL + "\n")
    assert done.returncode == 0, done.stderr
    stored = keyring.get_password(service_name, "prod")
    assert stored == STORED_URL
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
    assert done.returncode == 2  # bad input: one line, nothing written
    assert len(done.stderr.strip().splitlines()) == 1
    assert str(config_path) in done.stderr and "Traceback" not in done.stderr
    assert config_path.read_bytes() == before


def test_remove_deletes_keyring_entry(run: Run, config_path: Path, service_name: str) -> None:
    run("env", "add", "prod", "--database-url-stdin", stdin=URL)
    assert run("env", "remove", "prod").returncode == 0
    assert keyring.get_password(service_name, "prod") is None
    assert "prod" not in config_path.read_text()
    assert_one_line_usage_error(run("env", "remove", "prod"))


@pytest.mark.parametrize(
    "line",
    [
        f"DATABASE_URL={URL}",
        f'export DATABASE_URL="{URL}"',
        f"DATABASE_URL='{URL}'  # prod",
        # As deploy tooling writes them: ${VAR} expansion, a multi-line value after it.
        'SCHEME=postgresql+asyncpg\nDATABASE_URL="${SCHEME}' + URL.split("+asyncpg", 1)[1] + '"',
        f'DATABASE_URL={URL}\nTLS_KEY="-----BEGIN-----\nDATABASE_URL=mysql://no\n-----END-----"',
    ],
)
def test_import_dotenv(run: Run, tmp_path: Path, service_name: str, line: str) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"# app settings\nDEBUG=1\n{line}\n")
    done = run("env", "import-dotenv", "prod", str(dotenv))
    assert done.returncode == 0, done.stderr
    assert keyring.get_password(service_name, "prod") == STORED_URL


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
