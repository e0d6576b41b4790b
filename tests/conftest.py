"""Shared fixtures: a real PostgreSQL, keyrings (in-memory and the real Secret Service)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import keyring
import keyring.backend
import pytest
from hypothesis import HealthCheck, settings

from pandadmin.demo.pgbouncer import INSTALL_LINE as PGBOUNCER_INSTALL_LINE
from pandadmin.demo.pgbouncer import PgBouncer
from pandadmin.demo.pgbouncer import binary as pgbouncer_binary
from pandadmin.demo.pgserver import EmbeddedPostgres
from tests.support.alembic_projects import (
    BRANCHY_DEPLOYS,
    AlembicProject,
    branch_and_merge_checkouts,
    deploy_branchy,
)

# Property tests judge results, not speed: on 2 loaded cores hypothesis' default 200 ms
# deadline and its "too slow" check fail tests whose answers are right.
settings.register_profile("pandadmin", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pandadmin")


class InMemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend for unit tests (never used by the product)."""

    # Priority 0 keeps keyring's discovery (which finds every subclass) from chaining it.
    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own history folder: the app and `collect` never share one by accident."""
    monkeypatch.setenv("PANDADMIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def memory_keyring() -> Iterator[InMemoryKeyring]:
    previous = keyring.get_keyring()
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def pg() -> Iterator[EmbeddedPostgres]:
    """One real PostgreSQL for the session (max_connections 30); create your own databases."""
    server = EmbeddedPostgres(max_connections=30)
    server.start()
    yield server
    server.close()


@dataclass(frozen=True)
class Branchy:
    """Checkouts of one branch + merge history and a database per environment, upgraded by
    the real Alembic as `tests.support.alembic_projects.BRANCHY_DEPLOYS` says. Read-only."""

    checkouts: dict[str, AlembicProject]
    urls: dict[str, str]


@pytest.fixture(scope="session")
def branchy(pg: EmbeddedPostgres, tmp_path_factory: pytest.TempPathFactory) -> Branchy:
    """Built once per session (the upgrades take seconds); tests must not migrate them."""
    root = tmp_path_factory.mktemp("branchy")
    checkouts = branch_and_merge_checkouts(root)
    urls = {}
    for env in BRANCHY_DEPLOYS:
        pg.create_database(f"branchy_{env}")
        urls[env] = pg.url(f"branchy_{env}")
    deploy_branchy(checkouts, urls)
    return Branchy(checkouts, urls)


@pytest.fixture(scope="session")
def faults() -> Iterator[str]:
    """Base URL of an HTTP app that misbehaves on purpose (tests/support/fault_app.py)."""
    from tests.support.servers import UvicornProcess

    server = UvicornProcess("tests.support.fault_app:app")
    server.wait_ready("/ok")
    yield server.url
    server.close()


@pytest.fixture(scope="session")
def secret_service() -> None:
    """The real Secret Service; `make test` provides one (dbus-run-session + gnome-keyring)."""
    backend = keyring.get_keyring()
    if type(backend).__name__ == "ChainerBackend" and backend.backends:
        backend = backend.backends[0]
    if "SecretService" not in type(backend).__module__ + type(backend).__name__:
        pytest.fail(
            f"no Secret Service (keyring backend is {type(backend).__name__}): run `make test`, "
            "which starts dbus-run-session and an unlocked gnome-keyring-daemon"
        )


DIALECT_TOKEN = "tok-" + os.urandom(12).hex()  # the bearer token the protected endpoint wants


@pytest.fixture(scope="session")
def dialects() -> Iterator[str]:
    """Base URL (http://localhost:PORT) of tests/support/dialect_app.py."""
    from tests.support.servers import UvicornProcess

    server = UvicornProcess(
        "tests.support.dialect_app:app", {"DIALECT_TOKEN": DIALECT_TOKEN}, host="localhost"
    )
    server.wait_ready("/slow")
    yield server.url
    server.close()


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A trustme certificate authority (tests/support/tls.py)."""
    from tests.support.tls import TestCA

    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def tls_servers(test_ca: Any) -> Iterator[dict[str, str]]:
    """https://localhost:PORT base URLs of the dialect app with certificates expiring in
    2 days ("2d"), 10 days ("10d") and after trustme's default (far off, "far")."""
    hour = 1 / 24  # "in 2 days" stays 2 whole days left for the length of the session
    servers = {
        name: test_ca.serve("tests.support.dialect_app:app", days, {"DIALECT_TOKEN": DIALECT_TOKEN})
        for name, days in (("2d", 2 + hour), ("10d", 10 + hour), ("far", None))
    }
    try:
        for server in servers.values():
            server.wait_ready("/slow")
        yield {name: server.url for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.close()


@dataclass(frozen=True)
class Pooled:
    """A real PgBouncer (transaction mode, default_pool_size 5) in front of `pg`."""

    bouncer: PgBouncer
    database: str
    role: str
    password: str

    def direct_url(self, pg: EmbeddedPostgres) -> str:
        return pg.url(self.database, self.role, self.password)

    def client_url(self) -> str:
        return self.bouncer.url(self.database, self.role)


@pytest.fixture(scope="session")
def pooled(pg: EmbeddedPostgres) -> Iterator[Pooled]:
    """Fails with the install line when PgBouncer is missing (never skips)."""
    if pgbouncer_binary() is None:
        pytest.fail(PGBOUNCER_INSTALL_LINE)
    role, password, database = "pooled_app", "p00l-S3cret:@/", "pooled"
    pg.create_role(role, password, monitor=True)
    pg.create_database(database, owner=role)
    server = f"host=127.0.0.1 port={pg.port} dbname={database}"
    bouncer = PgBouncer({database: server}, {role: password}, max_client_conn=60)
    try:
        bouncer.start()
        yield Pooled(bouncer, database, role, password)
    finally:
        bouncer.close()
