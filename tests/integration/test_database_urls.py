"""Issue 19: provider DATABASE_URLs as pasted, against a real PostgreSQL with TLS.

Client-certificate login on a `hostssl ... cert` rule, a socket folder, two hosts with the
first one down, `.pgpass` and `pg_service.conf` in a temporary HOME.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from pandadmin.core.database import DatabaseMonitor
from pandadmin.core.pgfiles import home
from pandadmin.core.urls import UrlError, parse, redact
from pandadmin.demo.pgserver import SYSTEM_USER, EmbeddedPostgres, free_port
from tests.support.tls_postgres import KEY_PASSWORD, Certificates, tls_server

APP_PW = "app-Pa55:w@rd/x"
FILE_PW = "from-Pgpass-9x"


@pytest.fixture(scope="module")
def tls(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedPostgres, Certificates]]:
    server, certs = tls_server(tmp_path_factory.mktemp("client-certs"))
    server.create_role("app", APP_PW)
    server.create_role("filer", FILE_PW)
    server.create_database("app", owner="app")
    yield server, certs
    server.close()


@pytest.fixture
def temp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME (no ~/.pgpass, ~/.postgresql) and no PG* variables."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("PGPASSFILE", "PGSERVICEFILE", "PGSERVICE", "PGHOST", "PGPORT", "PGUSER"):
        monkeypatch.delenv(name, raising=False)
    assert home() == tmp_path
    return tmp_path


def sample(url: str, *queries: str) -> tuple[Any, list[Any]]:
    async def main() -> tuple[Any, list[Any]]:
        monitor = DatabaseMonitor(parse(url), connect_timeout=10)
        try:
            result = await monitor.sample()
            values = [await monitor.fetchval(q) for q in queries] if result.error is None else []
            return result, values
        finally:
            await monitor.close()

    return RUNNER.run(main())


# One loop for the module: when the server refuses a connection right after the TLS
# handshake, asyncio closes the socket only once the TLS shutdown has run on the loop; a
# loop closed at once (asyncio.run per call) leaves it for the garbage collector to warn.
RUNNER = asyncio.Runner()


@pytest.fixture(scope="module", autouse=True)
def _close_runner() -> Iterator[None]:
    yield
    RUNNER.close()


TLS_IN_USE = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
Row = Callable[[EmbeddedPostgres, Certificates], str]
ROWS: dict[str, Row] = {
    "neon": lambda s, c: (
        f"postgresql://app:{s_pw()}@localhost:{s.port}/app?sslmode=require&channel_binding=prefer"
    ),
    "supabase pooler": lambda s, c: (
        f"postgres://app:{s_pw()}@127.0.0.1:{s.port}/app?pgbouncer=true&connection_limit=1"
        "&pool_timeout=10"
    ),
    "cloud sql client certificate": lambda s, c: (
        f"postgresql://certuser@127.0.0.1:{s.port}/app?sslmode=verify-ca&sslrootcert={c.ca}"
        f"&sslcert={c.client_cert}&sslkey={c.client_key}"
    ),
    "azure client certificate, encrypted key": lambda s, c: (
        f"postgresql://certuser@localhost:{s.port}/app?sslmode=verify-full&sslrootcert={c.ca}"
        f"&sslcert={c.client_cert}&sslkey={c.encrypted_key}&sslpassword={KEY_PASSWORD}"
    ),
    "options, target_session_attrs, keepalives, gssencmode": lambda s, c: (
        f"postgresql://app:{s_pw()}@127.0.0.1:{s.port}/app?options=-c%20search_path%3Dapp"
        "&target_session_attrs=read-write&keepalives=1&keepalives_idle=30&gssencmode=disable"
    ),
    "unix socket folder": lambda s, c: (
        f"postgresql://postgres@/postgres?host={s.root}&port={s.port}"
    ),
    "two hosts, first down": lambda s, c: (
        f"postgresql://app:{s_pw()}@127.0.0.1:{free_port()},127.0.0.1:{s.port}/app"
    ),
    "heroku": lambda s, c: f"postgres://app:{s_pw()}@127.0.0.1:{s.port}/app",
}


def s_pw() -> str:
    from urllib.parse import quote

    return quote(APP_PW, safe="")


@pytest.mark.parametrize("row", list(ROWS))
def test_each_provider_row_connects(
    tls: tuple[EmbeddedPostgres, Certificates], temp_home: Path, row: str
) -> None:
    server, certs = tls
    url = ROWS[row](server, certs)
    result, (ssl_used, search_path) = sample(url, TLS_IN_USE, "SHOW search_path")
    assert result.error is None, result.error
    assert result.sample is not None and result.sample.total >= 1
    # Without sslmode the default is prefer, and this server offers TLS: only the socket is plain.
    assert ssl_used is (row != "unix socket folder")
    if "options" in row:
        assert search_path == "app"
    for shown in (result.url, redact(parse(url))):
        assert APP_PW not in shown and KEY_PASSWORD not in shown and s_pw() not in shown


def test_client_certificate_is_what_logs_in(
    tls: tuple[EmbeddedPostgres, Certificates], temp_home: Path
) -> None:
    server, certs = tls
    base = f"postgresql://certuser@127.0.0.1:{server.port}/app?sslmode=verify-ca&sslrootcert={certs.ca}"
    result, _ = sample(base)
    assert result.error is not None and "client certificate" in result.error
    wrong_key = f"{base}&sslcert={certs.client_cert}&sslkey={certs.encrypted_key}&sslpassword=nope"
    result, _ = sample(wrong_key)
    assert result.error is not None and "sslcert/sslkey" in result.error
    assert "nope" not in result.error


def test_channel_binding_and_gss_requirements_are_refused_in_one_line(
    tls: tuple[EmbeddedPostgres, Certificates],
) -> None:
    server, _ = tls
    for query in ("sslmode=require&channel_binding=require", "gssencmode=require"):
        with pytest.raises(UrlError) as caught:
            parse(f"postgresql://app:{s_pw()}@localhost:{server.port}/app?{query}")
        message = str(caught.value)
        assert "\n" not in message and "cannot be honoured" in message
        assert APP_PW not in message and s_pw() not in message


def test_verify_full_checks_the_host_name(
    tls: tuple[EmbeddedPostgres, Certificates], temp_home: Path
) -> None:
    server, certs = tls
    # The server certificate names localhost only; verify-ca would accept this address.
    url = f"postgresql://app:{s_pw()}@127.0.0.1:{server.port}/app?sslmode=verify-full&sslrootcert={certs.ca}"
    result, _ = sample(url)
    assert result.error is not None and "not valid for '127.0.0.1'" in result.error


def test_pgpass_in_a_temp_home(tls: tuple[EmbeddedPostgres, Certificates], temp_home: Path) -> None:
    server, _ = tls
    url = f"postgresql://filer@127.0.0.1:{server.port}/app?sslmode=disable"
    missing, _ = sample(url)
    assert missing.error is not None and "no matching line in" in missing.error
    passfile = temp_home / ".pgpass"
    passfile.write_text(f"127.0.0.1:{server.port}:*:filer:{FILE_PW}\n")
    passfile.chmod(0o600)
    result, (user,) = sample(url, "SELECT current_user")
    assert result.error is None and user == "filer"
    assert FILE_PW not in result.url and FILE_PW not in redact(parse(url))
    passfile.chmod(0o644)
    ignored, _ = sample(url)
    assert ignored.error is not None and "0600" in ignored.error and FILE_PW not in ignored.error


def test_pg_service_conf_with_pgpassfile(
    tls: tuple[EmbeddedPostgres, Certificates],
    temp_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, certs = tls
    services = temp_home / "services.conf"
    services.write_text(
        f"[tls]\nhost=localhost\nport={server.port}\ndbname=app\nuser=filer\n"
        f"sslmode=verify-full\nsslrootcert={certs.ca}\noptions=-c search_path=svc\n"
    )
    passfile = temp_home / "passwords"
    passfile.write_text(f"localhost:{server.port}:app:filer:{FILE_PW}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    url = "postgresql:///?service=tls"
    result, (ssl_used, path, user) = sample(
        url, TLS_IN_USE, "SHOW search_path", "SELECT current_user"
    )
    assert result.error is None, result.error
    assert (ssl_used, path, user) == (True, "svc", "filer")
    assert result.url == "postgresql://?service=tls"


def test_failures_read_as_one_line_naming_the_cause(
    tls: tuple[EmbeddedPostgres, Certificates], temp_home: Path
) -> None:
    server, _ = tls
    cases = {
        f"postgresql://app:{s_pw()}@localhost:{server.port}/app?sslmode=verify-full": (
            "sslmode=verify-full needs a root certificate: set sslrootcert=PATH"
        ),
        f"postgresql://app:{s_pw()}@127.0.0.1:{free_port()},127.0.0.1:{free_port()}/app": (
            "connection refused by 127.0.0.1:"
        ),
        f"postgresql://app:{s_pw()}@/app?host=/nonexistent": (
            "no server socket to connect to at socket /nonexistent (port 5432)"
        ),
    }
    for url, expected in cases.items():
        error = sample(url)[0].error
        assert error is not None and expected in error and "\n" not in error
        assert APP_PW not in error and s_pw() not in error


@pytest.mark.usefixtures("secret_service")
def test_cli_shows_urls_redacted_with_ignored_keywords_and_no_password(
    tls: tuple[EmbeddedPostgres, Certificates], temp_home: Path, tmp_path: Path
) -> None:
    server, _ = tls
    passfile = temp_home / ".pgpass"
    passfile.write_text(f"127.0.0.1:{server.port}:app:filer:{FILE_PW}\n")
    passfile.chmod(0o600)
    service = f"pandadmin-test-{uuid.uuid4().hex[:8]}"
    run = cli(tmp_path / "config.toml", service, temp_home)
    urls = {
        "filer": f"postgresql://filer@127.0.0.1:{server.port}/app?keepalives=1",
        "pooled": f"postgres://app:{s_pw()}@127.0.0.1:{server.port}/app?pgbouncer=true"
        "&connection_limit=1&sslmode=require&channel_binding=prefer",
    }
    try:
        for name, url in urls.items():
            added = run(
                "env", "add", name, "--connection-limit", "20", "--database-url-stdin", stdin=url
            )
            assert added.returncode == 0, added.stderr
        refused = run(
            "env",
            "add",
            "neon",
            "--database-url-stdin",
            stdin=urls["pooled"].replace("prefer", "require"),
        )
        listed = json.loads(run("env", "list", "--json").stdout)["environments"]
        table = run("env", "list").stdout
        checked = run("check", "--json")
    finally:
        for name in urls:
            keyring.delete_password(service, name)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "channel_binding=require cannot be honoured" in refused.stderr
    by_name = {env["name"]: env for env in listed}
    assert by_name["filer"]["database_url_ignored"] == ["keepalives"]
    assert by_name["pooled"]["database_url_ignored"] == [
        "pgbouncer",
        "connection_limit",
        "channel_binding",
    ]
    assert by_name["pooled"]["pooled"] and not by_name["filer"]["pooled"]
    assert by_name["pooled"]["database_url"].startswith("postgresql://app:***@127.0.0.1:")
    assert "(ignored for monitoring: keepalives)" in table
    report = json.loads(checked.stdout)
    assert [e["database"]["error"] for e in report["environments"]] == [None, None]
    everything = json.dumps(listed) + table + checked.stdout + checked.stderr + refused.stderr
    for secret in (FILE_PW, APP_PW, s_pw()):
        assert secret not in everything


def cli(
    config: Path, service: str, home_dir: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PANDADMIN_KEYRING_SERVICE": service, "HOME": str(home_dir)}
        return subprocess.run(
            [sys.executable, "-m", "pandadmin", "--config", str(config), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    return run


@pytest.fixture
def bouncer(tls: tuple[EmbeddedPostgres, Certificates]) -> Iterator[tuple[int, Path]]:
    """A real PgBouncer (session pooling) in front of the TLS server, for `pgbouncer=true`."""
    server, _ = tls
    folder = Path(tempfile.mkdtemp(prefix="pandadmin-bouncer-"))
    port = free_port()
    (folder / "users.txt").write_text(f'"app" "{APP_PW}"\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\napp = host=127.0.0.1 port={server.port} dbname=app\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = plain\nauth_file = {folder / 'users.txt'}\npool_mode = session\n"
        f"logfile = {folder / 'bouncer.log'}\n"
    )
    server._chown(folder, folder / "users.txt", folder / "pgbouncer.ini")
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        pytest.fail("PgBouncer is missing: apt-get install pgbouncer (scripts/system-deps.sh)")
    user = ["-u", SYSTEM_USER] if os.geteuid() == 0 else []
    process = subprocess.Popen([binary, *user, str(folder / "pgbouncer.ini")])
    try:
        wait_listening(port)
        yield port, folder / "bouncer.log"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def wait_listening(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"PgBouncer did not listen on {port} within {timeout:.0f} s")


def test_pgbouncer_url_gets_its_settings_after_connecting(
    bouncer: tuple[int, Path], temp_home: Path
) -> None:
    port, log = bouncer
    # PgBouncer refuses unknown startup parameters; the monitor then sets them on the session.
    url = (
        f"postgres://app:{s_pw()}@127.0.0.1:{port}/app?pgbouncer=true&sslmode=disable"
        "&options=-c%20search_path%3Dapp"
    )
    result, (path, timeout, read_only, name) = sample(
        url,
        "SHOW search_path",
        "SHOW statement_timeout",
        "SHOW default_transaction_read_only",
        "SELECT current_setting('application_name')",
    )
    assert result.error is None, result.error
    assert (path, timeout, read_only, name) == ("app", "3s", "on", "pandadmin")
    assert parse(url).pooled and result.ignored == ("pgbouncer",)
    assert "unsupported startup parameter" in log.read_text()  # so the fallback was taken


def test_default_certificate_files_in_home(
    tls: tuple[EmbeddedPostgres, Certificates], temp_home: Path
) -> None:
    # libpq's defaults: ~/.postgresql/root.crt, postgresql.crt, postgresql.key.
    server, certs = tls
    folder = temp_home / ".postgresql"
    folder.mkdir()
    for source, name in [
        (certs.ca, "root.crt"),
        (certs.client_cert, "postgresql.crt"),
        (certs.client_key, "postgresql.key"),
    ]:
        shutil.copy(source, folder / name)
    result, (user,) = sample(
        f"postgresql://certuser@localhost:{server.port}/app?sslmode=verify-full",
        "SELECT current_user",
    )
    assert result.error is None, result.error
    assert user == "certuser"
