"""The commands that save: each keyring write and the file write fail in turn, and the
config file and keyring are found exactly as before (exit 1, one line, no traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from pandadmin.cli import main
from pandadmin.core import config as cfg
from tests.support.keyrings import FlakyKeyring

SERVICE = "pandadmin-fault-test"
URL = "postgresql://app:pw@db:5432/app"
NEW_URL = "postgresql://app:new@db:5432/app"
COMMANDS = [
    ["env", "add", "new", "--database-url-env", "NEW_URL"],
    ["env", "set", "prod", "--database-url-env", "NEW_URL"],
    ["env", "rename", "prod", "live"],
    ["env", "remove", "prod"],
    ["env", "import-dotenv", "staging", "{dotenv}"],
    ["service", "remove", "prod", "api"],
]


@pytest.fixture(autouse=True)
def new_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEW_URL", NEW_URL)


@pytest.fixture
def flaky() -> Iterator[FlakyKeyring]:
    previous = keyring.get_keyring()
    backend = FlakyKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _prepare(tmp_path: Path, backend: FlakyKeyring) -> tuple[Path, bytes, dict[object, str]]:
    api = cfg.Service("api", "http://h/health")
    envs = (cfg.Environment("prod", services=(api,)), cfg.Environment("staging"))
    path = tmp_path / "config.toml"
    cfg.save(cfg.Config(envs, keyring_service=SERVICE), path)
    (tmp_path / ".env").write_text(f'DATABASE_URL="{NEW_URL}"\n')
    backend.values = {
        (SERVICE, "prod"): URL,
        (SERVICE, "prod/pgbouncer"): "postgresql://admin:pw@h:6432/pgbouncer",
        (SERVICE, "prod/service/api/headers"): '{"X-Token": "t"}',
    }
    backend.writes, backend.fail_at = 0, None
    return path, path.read_bytes(), dict(backend.values)


def _run(path: Path, tmp_path: Path, command: list[str]) -> int:
    args = [a.replace("{dotenv}", str(tmp_path / ".env")) for a in command]
    return main(["--config", str(path), *args])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_every_failed_keyring_write_changes_nothing(
    tmp_path: Path, flaky: FlakyKeyring, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _prepare(tmp_path, flaky)
    assert _run(tmp_path / "config.toml", tmp_path, command) == 0
    writes = flaky.writes
    assert writes >= 1
    for fail_at in range(writes):
        path, before, secrets = _prepare(tmp_path, flaky)
        flaky.fail_at = fail_at
        capsys.readouterr()
        assert _run(path, tmp_path, command) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "nothing was changed" in err and "pw" not in err
        assert path.read_bytes() == before, f"write {fail_at} failed, file changed"
        assert flaky.values == secrets, f"write {fail_at} failed, keyring changed"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c[:2]))
def test_a_failed_file_write_changes_nothing(
    tmp_path: Path,
    flaky: FlakyKeyring,
    command: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, before, secrets = _prepare(tmp_path, flaky)

    def disk_full(config: cfg.Config, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cfg, "save", disk_full)
    assert _run(path, tmp_path, command) == 1
    err = capsys.readouterr().err
    assert (
        err
        == f"pandadmin: error: cannot write {path}: No space left on device; nothing was changed\n"
    )
    assert path.read_bytes() == before and flaky.values == secrets
