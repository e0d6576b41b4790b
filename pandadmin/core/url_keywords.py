"""The libpq keyword set as pandadmin treats it: honoured, ignored (and why), or refused.

One table for the URL query, `pg_service.conf` sections and `PG*` variables alike, so
a keyword means the same thing wherever it comes from. A requirement the driver
cannot meet is refused with one line naming the keyword and the way forward; it is
never dropped silently.
"""

from __future__ import annotations

import re

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
SESSION_ATTRS = ("any", "read-write", "read-only", "primary", "standby", "prefer-standby")
TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
SECRET_KEYWORDS = ("password", "sslpassword")

# Keywords the connection uses (the driver, or pandadmin on its behalf).
HONOURED = (
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "service",
    "connect_timeout",
    "options",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "target_session_attrs",
    "load_balance_hosts",
    "krbsrvname",
    "gsslib",
)

_NAMED = "pandadmin names its monitoring connection 'pandadmin'"
_POLLED = "the monitor polls every few seconds and bounds each query with a timeout"
_CLIENT = "a setting of the application's own client library or pool"

# Keywords that change nothing for a monitoring connection: accepted and named as ignored.
IGNORED: dict[str, str] = {
    "application_name": _NAMED,
    "fallback_application_name": _NAMED,
    "client_encoding": "the driver always talks UTF-8",
    "keepalives": _POLLED,
    "keepalives_idle": _POLLED,
    "keepalives_interval": _POLLED,
    "keepalives_count": _POLLED,
    "tcp_user_timeout": _POLLED,
    "gssencmode": "no GSSAPI encryption is attempted; the TLS settings apply",
    "channel_binding": "SCRAM without channel binding; the TLS settings apply",
    "gssdelegation": "credentials are never delegated",
    "sslcompression": "TLS compression is obsolete and off",
    "sslsni": "the server name is always sent",
    "sslcertmode": "the client certificate is sent when one is configured",
    "sslkeylogfile": "TLS keys are never logged",
    "pgbouncer": "Prisma's PgBouncer switch (the environment is marked as pooled)",
    "connection_limit": _CLIENT,
    "pool_timeout": _CLIENT,
    "schema": "Prisma's schema; the monitoring queries read pg_catalog",
    "socket_timeout": _CLIENT,
    "statement_cache_size": "the monitor never caches statements",
    "sslaccept": "certificates are checked as sslmode says",
}

# Not libpq keywords: other clients' extras, dropped before a URL goes to libpq (psycopg).
CLIENT_EXTRAS = (
    "pgbouncer",
    "connection_limit",
    "pool_timeout",
    "schema",
    "socket_timeout",
    "statement_cache_size",
    "sslaccept",
)

# Values that ask for more than the driver (asyncpg) can do: (keyword, value) -> way forward.
REFUSED_VALUES: dict[tuple[str, str], str] = {
    ("channel_binding", "require"): (
        "pandadmin's driver (asyncpg) cannot do SCRAM channel binding; to keep the protection "
        "against interception, replace it with sslmode=verify-full (sslrootcert=system for a "
        "publicly trusted certificate)"
    ),
    ("gssencmode", "require"): (
        "pandadmin's driver (asyncpg) cannot encrypt with GSSAPI; use TLS instead "
        "(sslmode=verify-full) or gssencmode=prefer"
    ),
    ("sslcertmode", "require"): (
        "not supported; configure the certificate with sslcert and sslkey and remove sslcertmode"
    ),
}
REFUSED_KEYWORDS: dict[str, str] = {
    "require_auth": "pandadmin's driver (asyncpg) cannot restrict the authentication method; "
    "remove it (sslmode=verify-full protects the password exchange)",
    "requirepeer": "pandadmin's driver (asyncpg) cannot check the socket's peer user; remove it",
    "replication": "a replication connection cannot run the monitoring queries; remove it",
}

_CHOICES: dict[str, tuple[str, ...]] = {
    "sslmode": SSL_MODES,
    "requiressl": ("0", "1"),
    "sslnegotiation": ("postgres", "direct"),
    "target_session_attrs": SESSION_ATTRS,
    "load_balance_hosts": ("disable", "random"),
    "gssencmode": ("disable", "prefer", "require"),
    "channel_binding": ("disable", "prefer", "require"),
    "sslcertmode": ("disable", "allow", "require"),
    "gsslib": ("gssapi", "sspi"),
    "ssl_min_protocol_version": TLS_VERSIONS,
    "ssl_max_protocol_version": TLS_VERSIONS,
    "pgbouncer": ("true", "false"),
}


class KeywordError(ValueError):
    """A keyword or value pandadmin refuses; the message names the keyword, never a secret."""


def check(key: str, value: str) -> None:
    """Raise KeywordError unless `key=value` is accepted (honoured or ignored)."""
    if key in REFUSED_KEYWORDS:
        raise KeywordError(f"{key} cannot be honoured: {REFUSED_KEYWORDS[key]}")
    if key not in HONOURED and key not in IGNORED:
        raise KeywordError(f"unsupported query parameter '{shown(key)}' (not a libpq keyword)")
    way = REFUSED_VALUES.get((key, value))
    if way:
        raise KeywordError(f"{key}={value} cannot be honoured: {way}")
    choices = _CHOICES.get(key)
    if choices and value not in choices:
        raise KeywordError(f"invalid {key} (allowed: {', '.join(choices)})")
    if key == "connect_timeout":
        _check_timeout(value)


def ignored(params: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The keywords among `params` that change nothing for the monitoring connection."""
    return tuple(key for key, _ in params if key in IGNORED)


def ignored_note(keys: tuple[str, ...]) -> str:
    """`ignored for monitoring: keepalives, gssencmode`, or '' when nothing is ignored."""
    return f"ignored for monitoring: {', '.join(keys)}" if keys else ""


def shown(key: str) -> str:
    """A keyword as it may appear in a message (garbage is not echoed)."""
    return key if re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key) else "?"


def _check_timeout(value: str) -> None:
    try:
        ok = float(value) >= 0
    except ValueError:
        ok = False
    if not ok:
        raise KeywordError("invalid connect_timeout: expected a positive number of seconds")
