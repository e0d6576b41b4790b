"""`pandadmin migrations` end to end: real Alembic projects, real databases migrated by the
real `alembic upgrade`, the real Secret Service, and a subprocess as a CI step runs it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import shlex
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import keyring
import pytest
from alembic.config import CommandLine, Config

from pandadmin.cli.main import main
from pandadmin.core import config as cfg
from pandadmin.core.migration_commands import upgrade_commands
from pandadmin.core.migration_matrix import RevisionMatrix
from pandadmin.core.migration_probe import read_statuses
from pandadmin.core.secrets import AsyncSecrets, KeyringStore
from pandadmin.demo.pgserver import EmbeddedPostgres
from tests.conftest import Branchy
from tests.support.alembic_projects import (
    BRANCHY_CELLS,
    BRANCHY_STATUSES,
    AlembicProject,
    async_url,
    linear_project,
)

pytestmark = pytest.mark.usefixtures("secret_service")


@pytest.fixture
def service() -> Iterator[str]:
    """A private keyring service name; its entries are deleted afterwards."""
    name = f"pandadmin-test-{uuid.uuid4().hex[:8]}"
    yield name
    for username in ("dev", "staging", "prod", "qa", "nourl"):
        try:
            keyring.delete_password(name, username)
        except keyring.errors.PasswordDeleteError:
            pass


def configure(path: Path, service: str, alembic: dict[str, str], urls: dict[str, str]) -> None:
    envs = tuple(cfg.Environment(name, alembic=path_) for name, path_ in alembic.items())
    cfg.save(cfg.Config(envs, keyring_service=service), path)
    for name, url in urls.items():
        KeyringStore(service).set(name, url)


def pandadmin(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """As a CI step runs it: a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "pandadmin", "--config", str(config), "migrations", *args],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def code(config: Path, *args: str) -> int:
    """The same command line in this process (the real parser, keyring and databases), for
    the many exit-code cases: a subprocess each would cost seconds on a loaded machine."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["--config", str(config), "migrations", *args])


def in_process_matrix(config: Path, names: list[str]) -> dict[str, Any]:
    """The matrix the app would build from the same reading, as JSON."""
    loaded = cfg.load(config)
    secrets = AsyncSecrets(KeyringStore(loaded.keyring_service))
    try:
        statuses = asyncio.run(read_statuses(loaded, names, secrets))
    finally:
        secrets.close()
    return RevisionMatrix.build(statuses).to_json()


def test_branch_and_merge_json_matches_the_matrix_and_exit_codes(
    branchy: Branchy, tmp_path: Path, service: str
) -> None:
    config = tmp_path / "config.toml"
    alembic = {env: str(branchy.checkouts[env].ini) for env in BRANCHY_STATUSES}
    configure(config, service, alembic, branchy.urls)
    done = pandadmin(config, "--json")
    assert done.returncode == 2, done.stderr  # prod has unmerged heads, qa is ahead
    document = json.loads(done.stdout)
    envs = list(BRANCHY_STATUSES)
    assert {e["name"]: e["status"] for e in document["environments"]} == BRANCHY_STATUSES
    assert {
        r["revision"]: tuple(r["cells"][env] for env in envs) for r in document["revisions"]
    } == BRANCHY_CELLS
    assert [r["revision"] for r in document["revisions"]] == list(BRANCHY_CELLS)
    merge = next(r for r in document["revisions"] if r["revision"] == "m1")
    assert (merge["message"], merge["marks"], merge["down_revisions"]) == (
        "merge invoices and audit log", ["merge"], ["x1", "y1"],
    )  # fmt: skip
    assert merge["needed_by"] == ["staging"] and merge["create_date"].startswith("20")
    assert document == in_process_matrix(config, envs)

    codes = {names: code(config, *names.split())
             for names in ("dev", "staging", "dev staging", "prod", "qa")}  # fmt: skip
    assert codes == {"dev": 0, "staging": 1, "dev staging": 1, "prod": 2, "qa": 2}


def test_copied_commands_bring_prod_up_to_date_with_the_real_alembic(
    pg: EmbeddedPostgres,
    tmp_path: Path,
    service: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = linear_project(tmp_path / "app", 4)
    urls = {}
    for env in ("dev", "staging", "prod"):
        name = f"mig_cli_{env}_{uuid.uuid4().hex[:8]}"
        pg.create_database(name)
        urls[env] = pg.url(database=name)
    with ThreadPoolExecutor(3) as pool:  # each upgrade is a subprocess, mostly importing
        targets = {"dev": "r4", "staging": "r3", "prod": "r2"}
        upgrades = [pool.submit(project.upgrade, urls[env], rev) for env, rev in targets.items()]
    for upgrade in upgrades:
        upgrade.result()
    config = tmp_path / "config.toml"
    configure(config, service, dict.fromkeys(urls, str(project.ini)), urls)

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--config", str(config), "migrations"]) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["REVISION", "CREATED", "dev", "staging", "prod", "MESSAGE"]
    assert lines[1].split()[:2] == ["r4", "(head)"]
    assert lines[1].split()[4:] == ["applied", "pending", "pending", "step", "4"]
    assert "prod: 2 pending" in lines and "staging: 1 pending" in lines

    document = in_process_matrix(config, list(urls))
    assert document["environments"][2]["pending"] == ["r3", "r4"]
    loaded = cfg.load(config)
    secrets = AsyncSecrets(KeyringStore(loaded.keyring_service))
    try:
        statuses = asyncio.run(read_statuses(loaded, list(urls), secrets))
    finally:
        secrets.close()
    text = upgrade_commands(RevisionMatrix.build(statuses), "r4", "prod")
    run_copied(project, text, urls["prod"], monkeypatch)
    assert code(config, "prod") == 0
    assert code(config, "prod", "staging") == 1


def run_copied(
    project: AlembicProject, text: str, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run the copied lines as pasted (cd, then each line) through Alembic's own command
    line parser and commands, in this process: a subprocess per line would cost seconds."""
    commands = [shlex.split(line) for line in text.splitlines() if not line.startswith("#")]
    assert commands[0][0] == "cd" and Path(commands[0][1]) == project.root
    monkeypatch.chdir(commands[0][1])
    monkeypatch.setenv("TEST_ALEMBIC_URL", async_url(url))
    out = io.StringIO()
    for argv in commands[1:]:
        assert argv[0] == "alembic"
        line = CommandLine(prog="alembic")
        options = line.parser.parse_args(argv[1:])
        # What CommandLine.main does, but with our stdout (its default is bound at import).
        line.run_cmd(Config("alembic.ini", cmd_opts=options, stdout=out), options)
    assert "r2 -> r3, step 3" in out.getvalue() and "r3 -> r4 (head), step 4" in out.getvalue()


def test_bad_names_missing_urls_and_unconfigured_environments(
    branchy: Branchy, tmp_path: Path, service: str
) -> None:
    config = tmp_path / "config.toml"
    alembic = {"dev": str(branchy.checkouts["dev"].ini), "nourl": str(branchy.checkouts["dev"].ini)}
    configure(config, service, alembic, {"dev": branchy.urls["dev"]})
    cfg.save(
        cfg.Config(
            (*cfg.load(config).environments, cfg.Environment("web")), keyring_service=service
        ),
        config,
    )
    unknown = pandadmin(config, "nope")  # a subprocess: the one-line error as a script sees it
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert unknown.stderr.startswith("pandadmin: error: no environment named 'nope'")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--config", str(config), "migrations", "--json", "--all"]) == 1
    document = json.loads(out.getvalue())
    nourl = document["environments"][1]
    assert (nourl["name"], nourl["status"]) == ("nourl", "error")
    assert nourl["detail"] == "no DATABASE_URL stored for this environment"
    assert {r["cells"]["nourl"] for r in document["revisions"]} == {"unknown"}
    assert document["not_configured"] == ["web"] and document["folded"] == 0
    assert code(config, "dev") == 0
    assert code(config, "nourl") == 1
    assert code(config, "web") == 1  # named, but nothing to compare
    assert code(config, "dev", "web") == 1
