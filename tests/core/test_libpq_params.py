"""Resolving a DATABASE_URL as libpq does: service file, PG* variables, .pgpass, TLS files."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from pandadmin.core.libpq_params import ConnectSetupError, options_settings, resolve
from pandadmin.core.pgfiles import read_password
from pandadmin.core.urls import parse


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def pgpass(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_pgpass_matching_escapes_wildcards_and_sockets(tmp_path: Path) -> None:
    file = pgpass(
        tmp_path / "pgpass",
        "# comment\nother:5432:*:u:no\nh2:*:db:u:pa\\:ss\\\\w\nlocalhost:5432:*:*:sock\n",
    )
    assert read_password(file, ["h1", "h2"], [5432, 5432], "db", "u") == ("pa:ss\\w", None)
    assert read_password(file, ["/run/pg"], [5432], "x", "y") == ("sock", None)
    assert read_password(file, ["h3"], [5432], "db", "u") == (None, None)


def test_pgpass_readable_by_others_is_ignored_as_libpq_does(tmp_path: Path) -> None:
    file = pgpass(tmp_path / "pgpass", "*:*:*:*:secret\n", mode=0o644)
    password, problem = read_password(file, ["h"], [5432], "d", "u")
    assert password is None and problem is not None and "0600" in problem
    assert "secret" not in problem


def test_password_from_pgpass_never_in_repr(home: Path) -> None:
    pgpass(home / ".pgpass", "db.internal:5432:app:app:from-file\n")
    params = resolve(parse("postgresql://app@db.internal/app"), {})
    assert params.password == "from-file" and "from-file" not in repr(params)
    missing = resolve(parse("postgresql://app@elsewhere/app"), {})
    assert missing.password is None and missing.driver_kwargs()["password"] == ""
    assert missing.password_note is not None and ".pgpass" in missing.password_note


def test_passfile_keyword_and_pgpassfile_variable(tmp_path: Path, home: Path) -> None:
    file = pgpass(tmp_path / "elsewhere", "*:*:*:*:via-env\n")
    assert resolve(parse("postgresql://u@h/d"), {"PGPASSFILE": str(file)}).password == "via-env"
    url = parse(f"postgresql://u@h/d?passfile={file}")
    assert resolve(url, {}).password == "via-env"


def test_service_file_fills_what_the_url_leaves_out(tmp_path: Path, home: Path) -> None:
    conf = tmp_path / "services.conf"
    conf.write_text(
        "[other]\nhost=wrong\n[prod]\n# comment\nhost=db1,db2\nport=6432\ndbname=app\n"
        "user=svc\nsslmode=disable\noptions=-c search_path=app\nkeepalives=1\n"
    )
    params = resolve(
        parse("postgresql://?service=prod&dbname=override"), {"PGSERVICEFILE": str(conf)}
    )
    assert params.hosts == ("db1", "db2") and params.ports == (6432, 6432)
    assert (params.user, params.database, params.ssl) == ("svc", "override", False)
    assert params.server_settings == {"search_path": "app"}


def test_service_errors_are_one_line(tmp_path: Path, home: Path) -> None:
    conf = tmp_path / "services.conf"
    conf.write_text("[prod]\nchannel_binding=require\n")
    env = {"PGSERVICEFILE": str(conf)}
    with pytest.raises(ConnectSetupError, match="channel_binding=require cannot be honoured"):
        resolve(parse("postgresql://?service=prod"), env)
    with pytest.raises(ConnectSetupError, match='service "nope" is not defined in'):
        resolve(parse("postgresql://?service=nope"), env)


def test_environment_variables_fill_in_and_are_checked_too(home: Path) -> None:
    env = {"PGHOST": "envhost", "PGUSER": "envuser", "PGSSLMODE": "disable", "PGPORT": "6000"}
    params = resolve(parse("postgresql:///d"), env)
    assert (params.hosts, params.ports, params.user) == (("envhost",), (6000,), "envuser")
    with pytest.raises(ConnectSetupError, match="channel_binding=require"):
        resolve(parse("postgresql://u@h/d"), {"PGCHANNELBINDING": "require"})


@pytest.mark.parametrize(
    ("options", "settings"),
    [
        ("-c search_path=app", {"search_path": "app"}),
        ("-csearch_path=app --work-mem=4MB", {"search_path": "app", "work_mem": "4MB"}),
        ("-c search_path=a\\ b", {"search_path": "a b"}),
        ("endpoint=ep-cool-123", {"options": "endpoint=ep-cool-123"}),
        ("-c", {"options": "-c"}),
        ("", {}),
    ],
)
def test_options_become_server_settings(options: str, settings: dict[str, str]) -> None:
    assert options_settings(options) == settings


def test_tls_modes(home: Path) -> None:
    assert resolve(parse("postgresql://u@h/d"), {}).ssl == "prefer"
    assert resolve(parse("postgresql://u@h/d?sslmode=disable"), {}).ssl is False
    require = resolve(parse("postgresql://u@h/d?sslmode=require"), {}).ssl
    assert isinstance(require, ssl.SSLContext) and require.verify_mode == ssl.CERT_NONE
    system = resolve(parse("postgresql://u@h/d?sslrootcert=system"), {}).ssl
    assert isinstance(system, ssl.SSLContext) and system.check_hostname
    direct = resolve(parse("postgresql://u@h/d?sslmode=require&sslnegotiation=direct"), {})
    assert direct.direct_tls


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sslmode=verify-ca", "sslmode=verify-ca needs a root certificate"),
        ("sslmode=require&sslrootcert=system", "sslrootcert=system needs sslmode=verify-full"),
        ("sslmode=verify-full&sslrootcert=/no/such.pem", "sslrootcert file /no/such.pem does"),
        ("sslmode=require&sslcert=/no/cert.pem", "sslcert file /no/cert.pem does not exist"),
    ],
)
def test_tls_setup_errors_name_the_keyword(home: Path, query: str, message: str) -> None:
    with pytest.raises(ConnectSetupError, match=message):
        resolve(parse(f"postgresql://u@h/d?{query}&sslpassword=hush"), {})


def test_load_balance_hosts_random_keeps_host_port_pairs(home: Path) -> None:
    url = parse("postgresql://u@a:1,b:2,c:3/d?load_balance_hosts=random")
    seen = {resolve(url, {}).hosts for _ in range(40)}
    assert len(seen) > 1
    params = resolve(url, {})
    assert dict(zip(params.hosts, params.ports, strict=True)) == {"a": 1, "b": 2, "c": 3}
