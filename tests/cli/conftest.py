"""Fixtures of the command-line tests: a private config file and keyring service per test."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.support.cli import Run, runner


@pytest.fixture
def service_name() -> str:
    return f"pandadmin-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


@pytest.fixture
def run(config_path: Path, service_name: str) -> Run:
    return runner(config_path, service_name)
