"""Request headers that carry credentials for a protected health endpoint.

They live in the keyring, never in the config: one entry per service, username
`ENV/service/NAME/headers`, holding a JSON object of header names to values. Basic auth
written into a health URL (`https://user:pw@host/health`) moves there as an
`Authorization: Basic` header, and the URL is kept without it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import unquote, urlsplit, urlunsplit

from pandadmin.core.config import Service
from pandadmin.core.secret_keys import headers_key
from pandadmin.core.secrets import AsyncSecrets

TOKEN_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}")  # RFC 9110 field-name
MAX_VALUE = 8192
Headers = Mapping[str, str]


def encode_headers(headers: Headers) -> str:
    return json.dumps(dict(headers), sort_keys=True)


def decode_headers(text: str | None) -> dict[str, str]:
    """The stored headers; a damaged entry raises ValueError (the text is never quoted)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError("the stored request headers are not valid JSON") from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("the stored request headers are not a JSON object of strings")
    return {str(k): v for k, v in value.items()}


def check_header(name: str, value: str) -> tuple[str, str]:
    """A header as given by the user; ValueError names the header, never its value."""
    name = name.strip()
    if not TOKEN_RE.fullmatch(name):
        raise ValueError(f"invalid header name {name[:40]!r}")
    value = value.strip()
    if not value or len(value) > MAX_VALUE or any(c in value for c in "\r\n\0"):
        raise ValueError(f"header {name}: the value must be one non-empty line")
    return name, value


def parse_header_lines(text: str) -> dict[str, str]:
    """`Name: value` lines (blank lines and `#` comments skipped) as headers."""
    headers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"line {number}: expected 'Name: value'")
        key, clean = check_header(name, value)
        headers[key] = clean
    return headers


def split_userinfo(url: str) -> tuple[str, dict[str, str]]:
    """The URL without `user:password@`, and the Authorization header it carried (or {})."""
    if "@" not in url:
        return url, {}  # the common case, without parsing (once per health check)
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, {}
    host = parts.netloc.rpartition("@")[2]
    clean = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return clean, {"Authorization": f"Basic {token}"}


def without_userinfo(service: Service, headers: Headers | None) -> tuple[Service, Headers | None]:
    """A URL still holding `user:pw@` (an older config) is requested with an Authorization
    header instead, and the password never reaches a result, a log line or the JSON."""
    url, basic = split_userinfo(service.health_url)
    if not basic:
        return service, headers
    return replace(service, health_url=url), {**basic, **(headers or {})}


def header_names(headers: Headers) -> str:
    """For messages: the names only, e.g. `Authorization, X-Ingress-Key`."""
    return ", ".join(sorted(headers)) or "none"


async def service_headers(
    secrets: AsyncSecrets, env: str, service: str, cache: dict[str, dict[str, str]]
) -> dict[str, str]:
    """A service's headers from the keyring, read once per poller target (`cache`).

    Raises SecretStoreError (keyring unusable: not cached, tried again next poll) or
    ValueError (a damaged entry).
    """
    if service not in cache:
        cache[service] = decode_headers(await secrets.get(headers_key(env, service)))
    return cache[service]
