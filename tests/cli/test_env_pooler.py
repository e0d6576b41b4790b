"""`env add/set --pgbouncer-url-*`: the admin console URL lives in the keyring as NAME/pgbouncer."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from tests.support.cli import URL, Run, assert_one_line_usage_error

pytestmark = pytest.mark.usefixtures("secret_service")
ADMIN = "postgresql://admin:b0unc3r-S3cret@pool.example.com:6432/pgbouncer"
REDACTED = "postgresql://admin:***@pool.example.com:6432/pgbouncer"


def test_pooler_url_goes_to_the_keyring_and_is_listed_redacted(
    run: Run, config_path: Path, service_name: str
) -> None:
    done = run(
        "env",
        "add",
        "prod",
        "--database-url-stdin",
        "--pgbouncer-url-env",
        "PGB",
        stdin=URL,
        env={"PGB": ADMIN},
    )
    assert done.returncode == 0, done.stderr
    assert keyring.get_password(service_name, "prod/pgbouncer") == ADMIN
    listed = run("env", "list", "--json")
    assert json.loads(listed.stdout)["environments"][0]["pgbouncer_url"] == REDACTED
    everything = done.stdout + done.stderr + listed.stdout + config_path.read_text()
    assert "b0unc3r" not in everything + run("env", "export").stdout


def test_set_stdin_rename_and_remove_carry_the_pooler_url(run: Run, service_name: str) -> None:
    run("env", "add", "prod")
    assert run("env", "set", "prod", "--pgbouncer-url-stdin", stdin=ADMIN).returncode == 0
    assert run("env", "rename", "prod", "live").returncode == 0
    assert keyring.get_password(service_name, "prod/pgbouncer") is None
    assert keyring.get_password(service_name, "live/pgbouncer") == ADMIN
    assert run("env", "remove", "live").returncode == 0
    assert keyring.get_password(service_name, "live/pgbouncer") is None


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("--pgbouncer-url-stdin",), "postgresql://admin:b0unc3r-S3cret@h:6432/app"),
        (("--pgbouncer-url-stdin", "--database-url-stdin"), ADMIN),
    ],
)
def test_bad_pooler_url_changes_nothing(
    run: Run, config_path: Path, service_name: str, args: tuple[str, ...], stdin: str
) -> None:
    run("env", "add", "prod")
    before = config_path.read_bytes()
    done = run("env", "set", "prod", *args, stdin=stdin)
    assert_one_line_usage_error(done)
    assert "b0unc3r" not in done.stderr
    assert config_path.read_bytes() == before
    assert keyring.get_password(service_name, "prod/pgbouncer") is None
