"""Health conditions and protected endpoints end to end: `service add/set` flags, the real
Secret Service, `check --json` in a subprocess like a script runs it, real TLS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from tests.conftest import DIALECT_TOKEN

pytestmark = pytest.mark.usefixtures("secret_service")


@pytest.fixture
def service() -> Iterator[str]:
    name = f"pandadmin-test-{uuid.uuid4().hex[:8]}"
    yield name
    for svc in ("api", "basic", "viaenv"):
        username = f"prod/service/{svc}/headers"
        try:
            keyring.delete_password(name, username)
        except keyring.errors.PasswordDeleteError:
            pass


class Cli:
    """Runs `pandadmin` with one config and keyring service; remembers every argv."""

    def __init__(self, config: Path, service: str, extra_env: dict[str, str]) -> None:
        self.config, self.service, self.extra_env = config, service, extra_env
        self.argv: list[list[str]] = []
        self.output: list[str] = []

    def __call__(self, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Any:
        argv = [sys.executable, "-m", "pandadmin", "--config", str(self.config), *args]
        self.argv.append(argv)
        done = subprocess.run(
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "PANDADMIN_KEYRING_SERVICE": self.service,
                **self.extra_env,
                **(env or {}),
            },
            timeout=60,
        )
        self.output.append(done.stdout + done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def check(self) -> tuple[int, dict[str, Any]]:
        done = self("check", "--json")
        return done.returncode, json.loads(done.stdout)


def services_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in document["environments"][0]["services"]}


def test_protected_endpoints_with_credentials_only_in_the_keyring(
    dialects: str, tmp_path: Path, service: str
) -> None:
    config = tmp_path / "config.toml"
    cli = Cli(config, service, {"HEALTH_TOKEN": f"Bearer {DIALECT_TOKEN}"})
    assert cli("env", "add", "prod").returncode == 0
    assert (
        cli("service", "add", "prod", "api", "--health-url", f"{dialects}/protected").returncode
        == 0
    )
    # basic auth typed into the URL (argv: the user's choice) moves to the keyring
    url = dialects.replace("http://", f"http://monitor:{DIALECT_TOKEN}@") + "/basic"
    assert cli("service", "add", "prod", "basic", "--health-url", url).returncode == 0
    cli.argv.pop()
    assert DIALECT_TOKEN not in config.read_text() and f"{dialects}/basic" in config.read_text()
    done = cli(
        "service", "add", "prod", "viaenv", "--health-url", f"{dialects}/protected",
        "--header-env", "Authorization=HEALTH_TOKEN",
    )  # fmt: skip
    assert done.returncode == 0
    code, document = cli.check()
    statuses = {n: (s["status"], s["http_status"]) for n, s in services_of(document).items()}
    assert code == 2
    assert statuses == {"api": ("critical", 401), "basic": ("ok", 200), "viaenv": ("ok", 200)}

    done = cli(
        "service", "set", "prod", "api", "--header-stdin",
        stdin=f"Authorization: Bearer {DIALECT_TOKEN}\n",
    )  # fmt: skip
    assert "stored request headers in the keyring: Authorization" in done.stdout
    code, document = cli.check()
    assert code == 0 and services_of(document)["api"]["http_status"] == 200

    stored = keyring.get_password(service, "prod/service/api/headers")
    assert stored is not None and DIALECT_TOKEN in stored
    files = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(DIALECT_TOKEN in text for text in files)
    assert not any(DIALECT_TOKEN in " ".join(argv) for argv in cli.argv)
    assert not any(DIALECT_TOKEN in text for text in cli.output)  # logs, table, JSON

    assert cli("service", "set", "prod", "api", "--clear-headers").returncode == 0
    assert keyring.get_password(service, "prod/service/api/headers") == "{}"
    assert cli("service", "remove", "prod", "viaenv").returncode == 0
    assert keyring.get_password(service, "prod/service/viaenv/headers") is None


def test_conditions_as_flags_and_bad_input(dialects: str, tmp_path: Path, service: str) -> None:
    config = tmp_path / "config.toml"
    cli = Cli(config, service, {})
    cli("env", "add", "prod")
    cli("service", "add", "prod", "slow", "--health-url", f"{dialects}/slow?ms=300",
        "--latency-warning-ms", "100", "--json-key", "status", "--json-value", "pass",
        "--retries", "1")  # fmt: skip
    text = config.read_text()
    assert "latency_warning_ms = 100" in text and 'json_value = "pass"' in text
    code, document = cli.check()
    slow = services_of(document)["slow"]
    assert code == 1 and document["environments"][0]["status"] == "warning"
    assert slow["status"] == "warning" and slow["notes"][0].endswith("ms above 100 ms")
    done = cli("service", "set", "prod", "slow", "--json-value", "")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert config.read_text() == text
