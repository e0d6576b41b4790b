"""Running `python -m pandadmin` as a subprocess, as scripts do, and judging its error line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

SECRET = "s3cr:et@/pw"
URL = "postgresql+asyncpg://app:s3cr%3Aet%40%2Fpw@db.example.com:5432/app"
STORED_URL = "postgresql://app:s3cr%3Aet%40%2Fpw@db.example.com:5432/app"

Run = Callable[..., subprocess.CompletedProcess[str]]


def runner(config_path: Path, service_name: str) -> Run:
    """`run(*args, stdin=, env=)` with the config and keyring service of one test."""

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
