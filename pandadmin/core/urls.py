"""Parse, normalise and redact DATABASE_URLs (the forms DESIGN.md accepts, nothing else)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode

SCHEMES = ("postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg")
ALLOWED_PARAMS = ("sslmode", "sslrootcert", "connect_timeout", "application_name")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
DEFAULT_PORT = 5432
MASK = "***"


class UrlError(ValueError):
    """A DATABASE_URL that pandadmin refuses; the message never contains the URL."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A parsed DATABASE_URL; `str()` never shows the password."""

    host: str
    port: int = DEFAULT_PORT
    user: str | None = None
    password: str | None = None
    database: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return redact(self)

    def __repr__(self) -> str:
        return f"DatabaseUrl({redact(self)!r})"

    @property
    def sslmode(self) -> str | None:
        return dict(self.params).get("sslmode")

    @property
    def connect_timeout(self) -> float | None:
        value = dict(self.params).get("connect_timeout")
        return float(value) if value is not None else None


def parse(text: str) -> DatabaseUrl:
    """Parse a DATABASE_URL or raise UrlError with a one-line reason (never the URL)."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise UrlError("not a database URL: expected postgresql://user:password@host:port/db")
    _check_scheme(scheme.lower())
    # The userinfo ends at the last '@', so unencoded '@', '/', '?' or '#' in a password survive.
    userinfo, at, hostpart = rest.rpartition("@")
    user, password = _split_userinfo(userinfo) if at else (None, None)
    hostpart, _, query = hostpart.partition("?")
    hostport, _, path = hostpart.partition("/")
    host, port = _split_hostport(hostport)
    return DatabaseUrl(
        host=host,
        port=port,
        user=user,
        password=password,
        database=unquote(path) or None,
        params=_parse_params(query),
    )


def normalise(url: DatabaseUrl, *, with_password: bool = True) -> str:
    """The canonical `postgresql://` form: driver dropped, everything percent-encoded."""
    auth = ""
    if url.user is not None or url.password is not None:
        auth = quote(url.user or "", safe="")
        if url.password is not None:
            auth += ":" + (quote(url.password, safe="") if with_password else MASK)
        auth += "@"
    host = f"[{url.host}]" if ":" in url.host else url.host
    path = "/" + quote(url.database, safe="") if url.database else ""
    query = "?" + urlencode(url.params, quote_via=quote) if url.params else ""
    return f"postgresql://{auth}{host}:{url.port}{path}{query}"


def redact(url: DatabaseUrl) -> str:
    """The URL as shown to people: `postgresql://user:***@host:5432/db`."""
    return normalise(url, with_password=False)


def scrub(text: str, url: DatabaseUrl | None) -> str:
    """Remove the URL's password (raw or percent-encoded) from arbitrary text such as an error."""
    if url is None or not url.password:
        return text
    for form in sorted({url.password, quote(url.password, safe="")}, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def _check_scheme(scheme: str) -> None:
    if scheme in SCHEMES:
        return
    if scheme.startswith("postgresql+"):
        raise UrlError(f"unsupported driver in scheme '{scheme}': use postgresql://")
    shown = scheme if re.fullmatch(r"[a-z0-9+.-]{1,20}", scheme) else "?"
    raise UrlError(f"unsupported scheme '{shown}': pandadmin monitors PostgreSQL (postgresql://)")


def _split_userinfo(userinfo: str) -> tuple[str | None, str | None]:
    user, colon, password = userinfo.partition(":")
    if not colon:
        return (unquote(user) or None, None)
    return (unquote(user), unquote(password))


def _split_hostport(hostport: str) -> tuple[str, int]:
    if "," in hostport:
        raise UrlError("several hosts in one database URL are not supported")
    if hostport.startswith("["):
        host, bracket, tail = hostport[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            raise UrlError("malformed IPv6 host: expected [address]:port")
        port_text = tail[1:]
    else:
        if hostport.count(":") > 1:
            raise UrlError("IPv6 hosts must be in brackets, e.g. [::1]:5432")
        host, _, port_text = hostport.partition(":")
    host = unquote(host)
    if not host:
        raise UrlError("missing host in database URL")
    return host, _parse_port(port_text)


def _parse_port(text: str) -> int:
    if not text:
        return DEFAULT_PORT
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UrlError("invalid port in database URL: expected a number from 1 to 65535")
    return int(text)


def _parse_params(query: str) -> tuple[tuple[str, str], ...]:
    pairs = parse_qsl(query, keep_blank_values=True) if query else []
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key not in ALLOWED_PARAMS:
            shown = key if re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key) else "?"
            allowed = ", ".join(ALLOWED_PARAMS)
            raise UrlError(f"unsupported query parameter '{shown}' (allowed: {allowed})")
        _check_param(key, value)
        seen[key] = value
    return tuple((key, seen[key]) for key in ALLOWED_PARAMS if key in seen)


def _check_param(key: str, value: str) -> None:
    if key == "sslmode" and value not in SSL_MODES:
        raise UrlError(f"invalid sslmode (allowed: {', '.join(SSL_MODES)})")
    if key == "connect_timeout":
        try:
            ok = float(value) > 0
        except ValueError:
            ok = False
        if not ok:
            raise UrlError("invalid connect_timeout: expected a positive number of seconds")
