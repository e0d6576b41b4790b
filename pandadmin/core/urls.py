"""Parse, normalise and redact DATABASE_URLs: the libpq connection-URI grammar.

`postgresql://[user[:password]@][host[:port][,...]][/dbname][?keyword=value&...]`, with the
driver suffixes SQLAlchemy adds, as psql accepts it. Which keywords mean what is
`url_keywords`; resolving files and defaults at connect time is `libpq_params`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from pandadmin.core import url_keywords as kw

SCHEMES = ("postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg")
SSL_MODES = kw.SSL_MODES
DEFAULT_PORT = 5432
MASK = "***"
# Keywords that fill the URL's own fields instead of staying parameters.
_FIELDS = ("host", "hostaddr", "port", "dbname", "user", "password")
_QUERY_START = re.compile(r"\?[a-z_]+=")


class UrlError(ValueError):
    """A DATABASE_URL that pandadmin refuses; the message never contains the URL."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A parsed DATABASE_URL; `str()` never shows a password.

    `hosts` empty means libpq's default (the service file, PGHOST, the local socket);
    otherwise `ports` holds one port per host. A host starting with '/' is a socket folder.
    """

    hosts: tuple[str, ...] = ()
    ports: tuple[int, ...] = ()
    user: str | None = None
    password: str | None = None
    database: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return redact(self)

    def __repr__(self) -> str:
        return f"DatabaseUrl({redact(self)!r})"

    @property
    def host(self) -> str:
        return self.hosts[0] if self.hosts else ""

    @property
    def port(self) -> int:
        return self.ports[0] if self.ports else DEFAULT_PORT

    @property
    def where(self) -> str:
        """The server(s) as named in messages: `db:5432`, `a:5432, b:5432`, `socket /run/pg`."""
        if not self.hosts:
            return "the default server" if not self.param("service") else "the service's server"
        return ", ".join(_place(h, p) for h, p in zip(self.hosts, self.ports, strict=True))

    def param(self, key: str) -> str | None:
        return dict(self.params).get(key)

    @property
    def sslmode(self) -> str | None:
        return self.param("sslmode")

    @property
    def connect_timeout(self) -> float | None:
        value = self.param("connect_timeout")
        return float(value) if value and float(value) > 0 else None  # 0 = libpq's "no limit"

    @property
    def ignored(self) -> tuple[str, ...]:
        """Keywords accepted but changing nothing for the monitoring connection."""
        return kw.ignored(self.params)

    @property
    def pooled(self) -> bool:
        """The provider says a pooler answers (Prisma's `pgbouncer=true`)."""
        return self.param("pgbouncer") == "true"


def parse(text: str) -> DatabaseUrl:
    """Parse a DATABASE_URL or raise UrlError with a one-line reason (never the URL)."""
    text = text.strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise UrlError("not a database URL: expected postgresql://user:password@host:port/db")
    _check_scheme(scheme.lower())
    userinfo, hostpart = _split_at_userinfo(rest)
    user, password = _split_userinfo(userinfo) if userinfo is not None else (None, None)
    hostpart, _, query = hostpart.partition("?")
    netloc, _, path = hostpart.partition("/")
    hosts, ports = _split_hostlist(netloc)
    values = dict(_parse_query(query))
    fields = {key: values.pop(key) for key in _FIELDS if key in values}
    hosts, ports = _query_hosts(hosts, ports, fields)
    return DatabaseUrl(
        hosts=hosts,
        ports=ports,
        user=fields.get("user", user),
        password=fields.get("password", password),
        database=fields.get("dbname", unquote(path)) or None,
        params=tuple(values.items()),
    )


def normalise(url: DatabaseUrl, *, with_password: bool = True) -> str:
    """The canonical `postgresql://` form: driver dropped, everything percent-encoded."""
    auth = ""
    if url.user is not None or url.password is not None:
        auth = quote(url.user or "", safe="")
        if url.password is not None:
            auth += ":" + (quote(url.password, safe="") if with_password else MASK)
        auth += "@"
    params = list(url.params)
    netloc = ""
    if any(h.startswith("/") for h in url.hosts) or (url.ports and not url.hosts):
        # Socket folders read better as ?host=/run/postgresql than percent-encoded in the netloc.
        params[:0] = _host_params(url)
    else:
        netloc = ",".join(_hostport(h, p) for h, p in zip(url.hosts, url.ports, strict=True))
    path = "/" + quote(url.database, safe="") if url.database else ""
    if not with_password:
        params = [(k, MASK if k in kw.SECRET_KEYWORDS else v) for k, v in params]
    query = "&".join(f"{k}={quote(v, safe='/,:*')}" for k, v in params)
    return f"postgresql://{auth}{netloc}{path}" + (f"?{query}" if query else "")


def for_libpq(url: DatabaseUrl) -> str:
    """The normalised URL without other clients' extras, which libpq (psycopg) refuses."""
    kept = tuple(p for p in url.params if p[0] not in kw.CLIENT_EXTRAS)
    return normalise(DatabaseUrl(url.hosts, url.ports, url.user, url.password, url.database, kept))


def redact(url: DatabaseUrl) -> str:
    """The URL as shown to people: `postgresql://user:***@host:5432/db`."""
    return normalise(url, with_password=False)


def scrub(text: str, url: DatabaseUrl | None, *extra: str | None) -> str:
    """Remove the URL's secrets (raw or percent-encoded) and `extra` ones from arbitrary text."""
    secrets = [url.password, url.param("sslpassword")] if url is not None else []
    forms = {form for s in [*secrets, *extra] if s for form in (s, quote(s, safe=""))}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def _check_scheme(scheme: str) -> None:
    if scheme in SCHEMES:
        return
    if scheme.startswith("postgresql+"):
        raise UrlError(f"unsupported driver in scheme '{scheme}': use postgresql://")
    shown = scheme if re.fullmatch(r"[a-z0-9+.-]{1,20}", scheme) else "?"
    raise UrlError(f"unsupported scheme '{shown}': pandadmin monitors PostgreSQL (postgresql://)")


def _split_at_userinfo(rest: str) -> tuple[str | None, str]:
    """(userinfo or None, the rest): the userinfo ends at the last '@' before the query.

    So an unencoded '@', '/' or '?' in a password survives, and so does an '@' in a
    query value (a certificate path).
    """
    query = _QUERY_START.search(rest)
    head = rest[: query.start()] if query and "@" in rest[: query.start()] else rest
    userinfo, at, _ = head.rpartition("@")
    return (userinfo, rest[len(userinfo) + 1 :]) if at else (None, rest)


def _split_userinfo(userinfo: str) -> tuple[str | None, str | None]:
    user, colon, password = userinfo.partition(":")
    if not colon:
        return (unquote(user) or None, None)
    return (unquote(user), unquote(password))


def _split_hostlist(netloc: str) -> tuple[tuple[str, ...], tuple[int | None, ...]]:
    if not netloc:
        return (), ()
    specs = [_split_hostport(spec) for spec in netloc.split(",")]
    if len(specs) > 1 and not all(host for host, _ in specs):
        raise UrlError("empty host in a list of hosts")
    if len(specs) == 1 and not specs[0][0]:
        return (), (specs[0][1],) if specs[0][1] else ()
    return tuple(h for h, _ in specs), tuple(p for _, p in specs)


def _split_hostport(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):
        host, bracket, tail = hostport[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            raise UrlError("malformed IPv6 host: expected [address]:port")
        port_text = tail[1:]
    else:
        if hostport.count(":") > 1:
            raise UrlError("IPv6 hosts must be in brackets, e.g. [::1]:5432")
        host, _, port_text = hostport.partition(":")
    return unquote(host), _parse_port(port_text) if port_text else None


def _parse_port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UrlError("invalid port in database URL: expected a number from 1 to 65535")
    return int(text)


def _parse_query(query: str) -> list[tuple[str, str]]:
    """Keyword pairs, percent-decoded as libpq does ('+' stays a plus); last one wins."""
    pairs: list[tuple[str, str]] = []
    for item in query.split("&") if query else []:
        key, eq, value = item.partition("=")
        key, value = unquote(key), unquote(value)
        if not eq:
            raise UrlError(f"query parameter '{kw.shown(key)}' has no value (expected key=value)")
        try:
            kw.check(key, value)
        except kw.KeywordError as exc:
            raise UrlError(str(exc)) from None
        pairs.append((key, value))
    return pairs


def _query_hosts(
    hosts: tuple[str, ...], ports: tuple[int | None, ...], fields: dict[str, str]
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Apply `host=`, `hostaddr=` and `port=` (they override the netloc, as in libpq)."""
    if "hostaddr" in fields:
        if "host" in fields or hosts:
            raise UrlError("hostaddr together with a host name is not supported: give one")
        fields["host"] = fields.pop("hostaddr")
    if "host" in fields:
        hosts = tuple(h for h in fields["host"].split(",") if h)
        ports = (None,) * len(hosts)
    if "port" in fields:
        ports = tuple(_parse_port(p) for p in fields["port"].split(","))
    if not hosts:
        return (), tuple(p for p in ports if p)[:1]
    if len(ports) == 1 and len(hosts) > 1:
        ports = ports * len(hosts)
    if len(ports) != len(hosts):
        raise UrlError(f"{len(ports)} ports given for {len(hosts)} hosts")
    return hosts, tuple(p or DEFAULT_PORT for p in ports)


def _host_params(url: DatabaseUrl) -> list[tuple[str, str]]:
    pairs = [("host", ",".join(url.hosts))] if url.hosts else []
    ports = url.ports[:1] if len(set(url.ports)) == 1 else url.ports
    return pairs + ([("port", ",".join(map(str, ports)))] if ports else [])


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{quote(host, safe='')}:{port}"


def _place(host: str, port: int) -> str:
    return f"socket {host} (port {port})" if host.startswith("/") else _hostport(host, port)
