"""What one connection attempt uses: the URL merged with `pg_service.conf`, `PG*`
variables and `.pgpass` in libpq's order, as `asyncpg.connect()` arguments.

`resolve` reads files, so it runs in a worker thread; its result serves one connect and
is dropped (a password read from `.pgpass` is never stored or shown). Every value, from
whichever source, passes the same keyword check as the URL's own.
"""

from __future__ import annotations

import getpass
import os
import random
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pandadmin.core import pg_tls, pgfiles
from pandadmin.core import url_keywords as kw
from pandadmin.core.urls import DEFAULT_PORT, DatabaseUrl

# libpq's environment variables, consulted for keywords neither the URL nor the service set.
ENVIRONMENT = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "options": "PGOPTIONS",
    "sslmode": "PGSSLMODE",
    "requiressl": "PGREQUIRESSL",
    "sslnegotiation": "PGSSLNEGOTIATION",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "load_balance_hosts": "PGLOADBALANCEHOSTS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "krbsrvname": "PGKRBSRVNAME",
    "gsslib": "PGGSSLIB",
    "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE",
    "require_auth": "PGREQUIREAUTH",
}
# asyncpg judges read-write/read-only by the session's default_transaction_read_only, which
# the monitor itself sets to on: every server would look read-only. Judge by hot standby.
_TARGETS = {"read-write": "primary", "read-only": "standby"}
_TARGETS.update({v: v for v in ("any", "primary", "standby", "prefer-standby")})
_SETTING = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class ConnectSetupError(ValueError):
    """The connection cannot be set up as asked; one line, never a secret."""


@dataclass(frozen=True, slots=True)
class ConnectParams:
    """One connect's arguments; `repr` never shows the password."""

    hosts: tuple[str, ...]
    ports: tuple[int, ...]
    user: str
    database: str
    ssl: bool | str | ssl.SSLContext
    password: str | None = field(default=None, repr=False)
    password_note: str | None = None  # why there is no password, for an auth failure
    direct_tls: bool = False
    target_session_attrs: str | None = None
    server_settings: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None
    gss: dict[str, str] = field(default_factory=dict)

    def driver_kwargs(self) -> dict[str, Any]:
        """asyncpg.connect() keywords; the driver then reads no file and no PG* variable."""
        return {
            "host": list(self.hosts) or None,
            "port": list(self.ports) if self.hosts else (self.ports or (DEFAULT_PORT,))[0],
            "user": self.user,
            "database": self.database,
            # '' rather than None: with None asyncpg would read .pgpass itself, on the loop.
            "password": self.password or "",
            "ssl": self.ssl,
            "direct_tls": self.direct_tls,
            "target_session_attrs": _TARGETS.get(self.target_session_attrs or "any", "any"),
            **self.gss,
        }


def resolve(url: DatabaseUrl, environ: Mapping[str, str] | None = None) -> ConnectParams:
    """Merge URL > service file > PG* variables > defaults, then find the password."""
    env = os.environ if environ is None else environ
    try:
        values = _merged(url, env)
        hosts, ports = _hosts(values)
        user = values.get("user") or getpass.getuser()
        database = values.get("dbname") or user
        password, note = _password(values, hosts, ports, database, user, env)
        return ConnectParams(
            hosts=hosts,
            ports=ports,
            user=user,
            database=database,
            ssl=pg_tls.driver_ssl(values),
            password=password,
            password_note=note,
            direct_tls=values.get("sslnegotiation") == "direct",
            target_session_attrs=values.get("target_session_attrs"),
            server_settings=options_settings(values.get("options", "")),
            timeout=_timeout(values.get("connect_timeout")),
            gss={k: values[k] for k in ("krbsrvname", "gsslib") if values.get(k)},
        )
    except (kw.KeywordError, pgfiles.ServiceError, pg_tls.TlsSetupError) as exc:
        raise ConnectSetupError(str(exc)) from None


def options_settings(options: str) -> dict[str, str]:
    """`options=-c k=v --k2=v2` as server settings; other switches go on verbatim."""
    tokens = _split_options(options)
    settings: dict[str, str] = {}
    pending = False
    for token in tokens:
        if pending or token.startswith("--") or (token.startswith("-c") and token != "-c"):
            body = token if pending else token[2:]
            key, eq, value = body.partition("=")
            if not eq or not _SETTING.fullmatch(key):
                return {"options": options}
            settings[key.replace("-", "_")] = value
            pending = False
        elif token == "-c":
            pending = True
        else:
            return {"options": options}  # e.g. Neon's endpoint=...: the server reads it
    return {"options": options} if pending else settings


def _merged(url: DatabaseUrl, env: Mapping[str, str]) -> dict[str, str]:
    values = dict(url.params)
    fields = {
        "host": ",".join(url.hosts),
        "port": ",".join(map(str, url.ports)),
        "user": url.user or "",
        "password": url.password or "",
        "dbname": url.database or "",
    }
    values.update({k: v for k, v in fields.items() if v})
    service = values.get("service") or env.get("PGSERVICE")
    if service:
        for key, value in pgfiles.read_service(service, env).items():
            _fill(values, key, value)
    for key, variable in ENVIRONMENT.items():
        if env.get(variable):
            _fill(values, key, env[variable])
    return values


def _fill(values: dict[str, str], key: str, value: str) -> None:
    if key not in values:
        kw.check(key, value)
        values[key] = value


def _hosts(values: dict[str, str]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    hosts = [h for h in (values.get("host") or values.get("hostaddr") or "").split(",") if h]
    ports = [int(p) for p in (values.get("port") or "").split(",") if p.strip()]
    if hosts and len(ports) <= 1:
        ports = (ports or [DEFAULT_PORT]) * len(hosts)
    if hosts and len(ports) != len(hosts):
        raise kw.KeywordError(f"{len(ports)} ports given for {len(hosts)} hosts")
    pairs = list(zip(hosts, ports, strict=False))
    if values.get("load_balance_hosts") == "random":
        random.shuffle(pairs)
    if not hosts:
        return (), tuple(ports[:1])
    return tuple(h for h, _ in pairs), tuple(p for _, p in pairs)


def _password(
    values: dict[str, str],
    hosts: tuple[str, ...],
    ports: tuple[int, ...],
    database: str,
    user: str,
    env: Mapping[str, str],
) -> tuple[str | None, str | None]:
    if values.get("password"):
        return values["password"], None
    path = pgfiles.passfile_path(values.get("passfile"), env)
    if path is None:
        return None, "no password in the URL or PGPASSWORD, and no home folder for .pgpass"
    names = list(hosts) or ["localhost"]
    numbers = list(ports) if hosts else [(ports or (DEFAULT_PORT,))[0]]
    password, problem = pgfiles.read_password(path, names, numbers, database, user)
    if password is None and problem is None:
        problem = f"no password in the URL or PGPASSWORD, and no matching line in {path}"
    return password, problem


def _timeout(value: str | None) -> float | None:
    return float(value) if value and float(value) > 0 else None


def _split_options(text: str) -> list[str]:
    """Split on unescaped whitespace; a backslash escapes the next character (libpq)."""
    tokens: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char.isspace():
            if current:
                tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens
